using System.CommandLine;
using System.Globalization;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Figures;
using NbnEdge.Instruments;

namespace NbnEdge.Cli.Commands;

/// <summary>What --plot draws and how: the spectra chosen, and size, resolution and formats of every figure.</summary>
/// <param name="Options">Size, DPI and formats.</param>
/// <param name="SpectrumNames">Spectra to draw with their fits (null: the automatic picks; empty: all).</param>
internal sealed record FigureRequest(FigureOptions Options, IReadOnlyList<string>? SpectrumNames)
{
    public static FigureRequest Default { get; } = new(FigureOptions.Default, null);
}

/// <summary>The figure options that go with --plot: --plot-spectra, --plot-size, --plot-dpi, --plot-format.</summary>
internal sealed class PlotOptions
{
    public Option<string?> Spectra { get; } = new("--plot-spectra")
    {
        Description = "With --plot: the spectra drawn with their fits, by name (comma-separated), or 'all'. Default: the first, the one nearest the median Δ and the worst fit.",
        HelpName = "NAMES",
    };
    public Option<string?> Size { get; } = new("--plot-size")
    {
        Description = "With --plot: figure size as WIDTHxHEIGHT in in, cm or px (px: 1/300 in). Default 4x2.667in (1200x800px).",
        HelpName = "WxH",
    };
    public Option<int?> Dpi { get; } = new("--plot-dpi") { Description = "With --plot: PNG resolution in dots per inch (default 300; text keeps its printed size).", HelpName = "DPI" };
    public Option<string?> Format { get; } = new("--plot-format")
    {
        Description = "With --plot: output formats, comma-separated from png, svg, pdf (default png,svg).",
        HelpName = "FORMATS",
    };

    public IEnumerable<Option> All => [Spectra, Size, Dpi, Format];

    /// <summary>The request the options make; a malformed value is a usage error naming the option.</summary>
    public FigureRequest Read(ParseResult p)
    {
        var o = FigureOptions.Default;
        if (p.GetValue(Size) is { } size)
        {
            var (w, h) = ParseSize(size);
            o = o with { WidthPx = w, HeightPx = h };
        }
        if (p.GetValue(Dpi) is { } dpi)
        {
            if (dpi is < 30 or > 2400) throw new UsageException($"--plot-dpi {dpi}: give 30 to 2400 dots per inch.");
            o = o with { Dpi = dpi };
        }
        if (p.GetValue(Format) is { } format)
        {
            FigureFormats f = 0;
            foreach (var part in format.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                f |= part.ToLowerInvariant() switch
                {
                    "png" => FigureFormats.Png,
                    "svg" => FigureFormats.Svg,
                    "pdf" => FigureFormats.Pdf,
                    _ => throw new UsageException($"--plot-format: '{part}' is not one of png, svg, pdf."),
                };
            if (f == 0) throw new UsageException("--plot-format: name at least one of png, svg, pdf.");
            o = o with { Formats = f };
        }
        IReadOnlyList<string>? names = p.GetValue(Spectra) is { } list
            ? list.Trim().Equals("all", StringComparison.OrdinalIgnoreCase) ? []
                : SpectrumNames(list)
            : null;
        return new FigureRequest(o, names);
    }

    /// <summary>
    /// The comma-separated names of --plot-spectra. A grid pixel's name holds a comma of its own
    /// ("x=25,y=0"): a "y=…" part is joined back to the "x=…" part before it.
    /// </summary>
    internal static string[] SpectrumNames(string list)
    {
        var names = new List<string>();
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("y=", StringComparison.Ordinal) && names.Count > 0 && names[^1].StartsWith("x=", StringComparison.Ordinal)
                && !names[^1].Contains(",y=", StringComparison.Ordinal))
                names[^1] += "," + part;
            else names.Add(part);
        }
        return [.. names];
    }

    /// <summary>"4x3in", "10x7.5cm", "1200x800px" or "1200x800" (px) → layout pixels (1/300 in).</summary>
    internal static (int Width, int Height) ParseSize(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        double perUnit = FigureOptions.LayoutDpi; // inches
        if (t.EndsWith("in", StringComparison.Ordinal)) t = t[..^2];
        else if (t.EndsWith("cm", StringComparison.Ordinal)) { t = t[..^2]; perUnit = FigureOptions.LayoutDpi / 2.54; }
        else { if (t.EndsWith("px", StringComparison.Ordinal)) t = t[..^2]; perUnit = 1; }
        var parts = t.Split('x', '×');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double w)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double h)
            && w > 0 && h > 0 && double.IsFinite(w) && double.IsFinite(h))
        {
            int wp = (int)Math.Round(w * perUnit), hp = (int)Math.Round(h * perUnit);
            if (wp is >= 300 and <= 20_000 && hp is >= 200 and <= 20_000) return (wp, hp);
            throw new UsageException($"--plot-size {text}: {wp}×{hp} px (1/300 in) is outside 300×200 to 20000×20000 (1×0.67 in to 66 in).");
        }
        throw new UsageException($"--plot-size {text}: write WIDTHxHEIGHT with a unit, e.g. 3.4x2.4in, 8.6x6cm or 1200x800px.");
    }
}

/// <summary>The <c>--plot DIR</c> figures (PNG and SVG by default) of the analysis commands.</summary>
internal static class PlotOutput
{
    /// <summary>
    /// Spectrum + fit for up to three spectra (the first, the one nearest the median Δ, the worst χ²),
    /// the waterfall of all, and Δ along the line (distance when the spectra carry positions).
    /// </summary>
    public static List<string> ForFits(string directory, IReadOnlyList<Spectrum> spectra, IReadOnlyList<GapFitResult> results,
        FigureRequest? request = null)
    {
        var r = request ?? FigureRequest.Default;
        var picks = Picks(spectra, results, r.SpectrumNames); // a name that is not there is a usage error, before any file is written
        return Writing(directory, () => ForFitsCore(directory, spectra, results, picks, r.Options));
    }

    /// <summary>The spectra drawn with their fits: the named ones, all, or the automatic three.</summary>
    internal static IReadOnlyList<int> Picks(IReadOnlyList<Spectrum> spectra, IReadOnlyList<GapFitResult> results, IReadOnlyList<string>? names)
    {
        if (spectra.Count == 0) return [];
        if (names is { Count: 0 }) return Enumerable.Range(0, spectra.Count).ToList();
        if (names is not null)
        {
            var chosen = new SortedSet<int>();
            foreach (var name in names)
            {
                var hits = Enumerable.Range(0, spectra.Count).Where(i => spectra[i].Name == name || Path.GetFileName(spectra[i].Source) + ":" + spectra[i].Name == name).ToList();
                if (hits.Count == 0)
                    throw new UsageException($"--plot-spectra: no spectrum is named '{name}' (there are {string.Join(", ", spectra.Take(5).Select(s => s.Name))}{(spectra.Count > 5 ? ", …" : "")}).");
                chosen.UnionWith(hits);
            }
            return chosen.ToList();
        }
        var picks = new SortedSet<int> { 0 };
        var usable = Enumerable.Range(0, results.Count).Where(i => results[i].Converged && double.IsFinite(results[i].DeltaMeV)).ToList();
        if (usable.Count > 0)
        {
            var byDelta = usable.OrderBy(i => results[i].DeltaMeV).ToList();
            picks.Add(byDelta[byDelta.Count / 2]);
            picks.Add(usable.OrderByDescending(i => double.IsFinite(results[i].Chi2Red) ? results[i].Chi2Red : 0).First());
        }
        return picks.ToList();
    }

    private static List<string> ForFitsCore(string directory, IReadOnlyList<Spectrum> spectra, IReadOnlyList<GapFitResult> results,
        IReadOnlyList<int> picks, FigureOptions options)
    {
        var files = new List<string>();
        if (spectra.Count == 0) return files;
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (int i in picks)
        {
            var s = spectra[i];
            var fit = results[i];
            var model = fit.ModelAt(s.BiasMV);
            double[] data;
            string label;
            if (fit.DividedLine is { } line)
            {
                data = s.Conductance.Select((g, k) => g / (line.Intercept + line.SlopePerMV * s.BiasMV[k])).ToArray();
                label = "dI/dV (normalised)";
            }
            else
            {
                // Engineering prefixes: 2.2E-09 A reads 2.2 nA, an unknown unit is scaled by a power of 1000 and says so.
                var (unit, toSi) = ConductanceUnits.Of(s);
                double maxAbs = s.Conductance.Where(double.IsFinite).Select(v => Math.Abs(v * toSi)).DefaultIfEmpty(0).Max();
                var (factor, prefix) = ConductanceUnits.Engineering(maxAbs);
                double k = toSi * factor;
                data = s.Conductance.Select(v => v * k).ToArray();
                for (int j = 0; j < model.Length; j++) model[j] *= k;
                int exp = (int)Math.Round(-Math.Log10(factor));
                label = unit is not null ? $"dI/dV ({prefix}{unit})" : exp == 0 ? "dI/dV (arb. units)" : $"dI/dV (×10^{{{exp}}}, arb. units)";
            }
            // The flag belongs on the figure whenever the fit is not plainly ok.
            string flag = fit.Flag == FitFlags.Ok ? "" : $" [{fit.Flag}]";
            string title = $"{s.Name}{flag}: Δ = {ConductanceUnits.WithError(fit.DeltaMeV, fit.DeltaErrMeV, "meV")}, T_{{eff}} = {ConductanceUnits.WithError(fit.TEffK, fit.TEffErrK, "K")}";
            string baseName = "spectrum-fit-" + Safe(s.Name);
            if (!usedNames.Add(baseName)) baseName += "-" + i.ToString(CultureInfo.InvariantCulture);
            string modelLabel = fit.TipGapMeV is { } tip
                ? string.Create(CultureInfo.InvariantCulture, $"fit (SIS, tip Δ_{{t}} = {tip:0.###} meV)")
                : "fit (thermal BCS)";
            files.AddRange(Paths(GapFigures.SpectrumFit(directory, baseName, s.BiasMV, data, model, title, label, options, modelLabel)));
        }
        // Every spectrum (the paper's Fig. 4a shows all 200); only a big grid is thinned.
        files.AddRange(Paths(GapFigures.Waterfall(directory, "waterfall",
            spectra.Select(s => new WaterfallTrace(s.BiasMV, Normalised(s))).ToList(),
            maxTraces: Math.Clamp(spectra.Count, 1, MaxWaterfallTraces), title: $"{spectra.Count} spectra, normalised and offset", options: options)));
        // A grid's pixels are not a line: its picture is the gap map, not Δ against a spectrum number.
        bool grid = spectra.Any(s => s.PixelX is not null && s.PixelY is not null);
        if (results.Count >= 2 && !grid)
        {
            var distance = FitCommand.LineDistances(spectra);
            double[] position = distance ?? Enumerable.Range(0, results.Count).Select(i => (double)i).ToArray();
            files.AddRange(Paths(GapFigures.DeltaProfile(directory, "delta-profile", position,
                results.Select(r => r.DeltaMeV).ToArray(), results.Select(r => r.DeltaErrMeV).ToArray(),
                positionLabel: distance is null ? "spectrum #" : "distance along the line (nm)", options: options)));
        }
        return files;
    }

    /// <summary>Most spectra a waterfall draws (a 100 × 100 grid is thinned to this).</summary>
    internal const int MaxWaterfallTraces = 2000;

    /// <summary>The histogram of Δ with Δ̄ and σ, the Gaussian of Eq. 4 and σ_int.</summary>
    public static List<string> ForStatistics(string directory, HomogeneityResult h, FigureRequest? request = null) => Writing(directory, () =>
        Paths(GapFigures.Histogram(directory, "histogram", h.Histogram.EdgesMeV.ToArray(), h.Histogram.Counts.ToArray(),
            h.Gaussian.Amplitude, h.Gaussian.CentreMeV, h.Gaussian.SigmaMeV, h.IntrinsicSigmaMeV,
            (h.IntrinsicSigmaLowerMeV, h.IntrinsicSigmaUpperMeV), $"Δ over {h.Count} spectra", (request ?? FigureRequest.Default).Options,
            meanMeV: h.MeanMeV, sdMeV: h.StandardDeviationMeV)).ToList());

    /// <summary>The variogram of Δ with ξ_Δ (when the spectra had positions).</summary>
    public static List<string> ForSpatial(string directory, NbnEdge.Analysis.Spatial.SpatialCorrelationResult? s, FigureRequest? request = null)
    {
        if (s is null) return [];
        return Writing(directory, () => Paths(SpatialFigures.Variogram(directory, "variogram",
            s.Variogram.Select(b => new VariogramPoint(b.LagNm, b.CorrectedMeV2, b.RawMeV2, b.FitErrorNuggetMeV2)).ToList(),
            new VariogramModelCurve(s.Model.NuggetMeV2, s.Model.PartialSillMeV2, s.CorrelationLengthNm, s.CorrelationLengthLowerNm, s.CorrelationLengthUpperNm, s.PValue),
            s.MaxLagNm, $"Δ's semivariogram ({(s.IsMap ? "map, radially averaged" : "along the line")}, {s.Count} spectra)",
            (request ?? FigureRequest.Default).Options)).ToList());
    }

    /// <summary>
    /// The line's averaged spectrum (Fig. 2b/3b): every spectrum on the most common bias axis,
    /// each scaled by its outer points, averaged, fitted with the paper's background division and
    /// drawn normalised with its fit, Δ and T_eff. Nothing when no two spectra share an axis.
    /// </summary>
    public static List<string> ForAverage(string directory, IReadOnlyList<Spectrum> spectra, GapFitOptions options, FigureRequest? request = null)
    {
        if (AveragedSpectrum(spectra) is not { } average) return [];
        var fit = new GapFitter(options with { Background = BackgroundTreatment.Paper }).Fit(average.Spectrum);
        if (fit.DividedLine is not { } line) return [];
        var data = average.Spectrum.Conductance.Select((g, k) => g / (line.Intercept + line.SlopePerMV * average.Spectrum.BiasMV[k])).ToArray();
        string flag = fit.Flag == FitFlags.Ok ? "" : $" [{fit.Flag}]";
        string title = $"mean of {average.Count}{flag}: Δ = {ConductanceUnits.WithError(fit.DeltaMeV, fit.DeltaErrMeV, "meV")}, T_{{eff}} = {ConductanceUnits.WithError(fit.TEffK, fit.TEffErrK, "K")}";
        return Writing(directory, () => Paths(GapFigures.SpectrumFit(directory, "averaged-spectrum", average.Spectrum.BiasMV, data,
            fit.ModelAt(average.Spectrum.BiasMV), title, "dI/dV / background", (request ?? FigureRequest.Default).Options)).ToList());
    }

    /// <summary>
    /// The mean of the normalised spectra that share the most common sweep (same number of points,
    /// ends within 1 % of the range: a live board's bias monitor reads each sweep slightly
    /// differently), each interpolated onto the first one's bias axis; null when fewer than two do.
    /// </summary>
    internal static (Spectrum Spectrum, int Count)? AveragedSpectrum(IReadOnlyList<Spectrum> spectra)
    {
        var usable = spectra.Where(s => s.Count >= Spectrum.MinimumPoints && double.IsFinite(s.BiasMV[0]) && double.IsFinite(s.BiasMV[^1])
            && s.BiasMV[^1] != s.BiasMV[0]).ToList();
        (Spectrum Reference, List<Spectrum> Members)? best = null;
        var groups = new List<(Spectrum Reference, List<Spectrum> Members)>();
        foreach (var s in usable)
        {
            var home = groups.FirstOrDefault(g => g.Reference.Count == s.Count && SameSweep(g.Reference, s));
            if (home.Members is null) groups.Add((s, [s]));
            else home.Members.Add(s);
        }
        foreach (var g in groups) if (best is null || g.Members.Count > best.Value.Members.Count) best = g;
        if (best is not { } chosen || chosen.Members.Count < 2) return null;
        var axis = chosen.Reference.BiasMV;
        var sum = new double[axis.Length];
        foreach (var s in chosen.Members)
        {
            var g = Normalised(s);
            for (int i = 0; i < axis.Length; i++) sum[i] += Interpolate(s.BiasMV, g, axis[i]);
        }
        for (int i = 0; i < sum.Length; i++) sum[i] /= chosen.Members.Count;
        return (new Spectrum
        {
            Source = chosen.Reference.Source,
            Name = $"average of {chosen.Members.Count}",
            BiasMV = axis,
            Conductance = sum,
            ModulationAmplitudeMV = chosen.Reference.ModulationAmplitudeMV,
        }, chosen.Members.Count);

        static bool SameSweep(Spectrum a, Spectrum b)
        {
            double range = Math.Abs(a.BiasMV[^1] - a.BiasMV[0]);
            return Math.Abs(a.BiasMV[0] - b.BiasMV[0]) <= 0.01 * range && Math.Abs(a.BiasMV[^1] - b.BiasMV[^1]) <= 0.01 * range;
        }
    }

    /// <summary>Linear interpolation of (x, y) at <paramref name="at"/>, x monotonic either way; the end value beyond the ends.</summary>
    private static double Interpolate(double[] x, double[] y, double at)
    {
        bool rising = x[^1] > x[0];
        int lo = 0, hi = x.Length - 1;
        if (rising ? at <= x[0] : at >= x[0]) return y[0];
        if (rising ? at >= x[^1] : at <= x[^1]) return y[^1];
        while (hi - lo > 1)
        {
            int mid = (lo + hi) / 2;
            if (rising ? x[mid] <= at : x[mid] >= at) lo = mid; else hi = mid;
        }
        double t = (at - x[lo]) / (x[hi] - x[lo]);
        return y[lo] + t * (y[hi] - y[lo]);
    }

    /// <summary>
    /// The gap map of a grid (NaN where a pixel is missing or its fit is unusable); no figure when
    /// no pixel has a usable fit (an all-grey square says nothing the statistics line does not).
    /// </summary>
    public static List<string> ForMap(string directory, string baseName, NanonisGrid grid, IReadOnlyList<GapFitResult> results, FigureRequest? request = null)
    {
        if (!results.Any(r => r.Flag is FitFlags.Ok or FitFlags.PoorFit)) return [];
        // Drawn over the pixels present, not the header's claim: a grid stopped early (or a
        // header claiming 100000 × 1000 pixels over 16 present) costs memory for what arrived.
        int rows = 0, lastX = 0;
        foreach (var s in grid.Spectra)
            if (s.PixelX is { } px && s.PixelY is { } py)
            {
                rows = Math.Max(rows, py + 1);
                lastX = Math.Max(lastX, px + 1);
            }
        int columns = rows > 1 ? grid.Width : lastX;
        var map = GapMap(grid.Spectra, results, columns, rows);
        double pixelNm = grid.SizeXNm is { } size && grid.Width > 0 ? size / grid.Width : 1.0;
        return Writing(directory, () => Paths(GapFigures.GapMap(directory, baseName, map, pixelNm, $"gap map: {Path.GetFileName(grid.Source)}",
            (request ?? FigureRequest.Default).Options)).ToList());
    }

    /// <summary>
    /// Runs a figure writer with the folder checked first: a file, a device (/dev/null) or a folder
    /// that cannot be created or written is one clear line (exit 2 for a path that is not a folder,
    /// 1 for a folder the system refuses), never an internal error.
    /// </summary>
    internal static List<string> Writing(string directory, Func<List<string>> write)
    {
        if (File.Exists(directory) || (Path.Exists(directory) && !Directory.Exists(directory)))
            throw new UsageException($"--plot {directory}: this is a file, not a folder; give a folder for the figures (it is created if missing).");
        try
        {
            Directory.CreateDirectory(directory);
            return write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputDataException(directory, $"cannot write the figures there: {e.Message}");
        }
    }

    /// <summary>Δ of each grid pixel, [y, x]; NaN where a pixel is missing or its verdict is not ok/poor_fit.</summary>
    public static double[,] GapMap(IReadOnlyList<Spectrum> spectra, IReadOnlyList<GapFitResult> results, int width, int height)
    {
        var map = new double[height, width];
        for (int y = 0; y < height; y++) for (int x = 0; x < width; x++) map[y, x] = double.NaN;
        for (int i = 0; i < results.Count; i++)
            if (spectra[i].PixelX is { } x && spectra[i].PixelY is { } y && results[i].Flag is FitFlags.Ok or FitFlags.PoorFit)
                map[y, x] = results[i].DeltaMeV;
        return map;
    }

    private static double[] Normalised(Spectrum s)
    {
        // Scale each trace by its outer points so spectra from different setpoints stack evenly.
        int edge = Math.Max(1, s.Count / 10);
        double sum = 0;
        for (int i = 0; i < edge; i++) sum += s.Conductance[i] + s.Conductance[s.Count - 1 - i];
        double norm = sum / (2 * edge);
        return norm != 0 && double.IsFinite(norm) ? s.Conductance.Select(g => g / norm).ToArray() : s.Conductance;
    }

    private static List<string> Paths(FigureFiles f) => [.. f.Written];

    private static string Safe(string name)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray();
        var s = new string(chars);
        return s.Length > 60 ? s[..60] : s;
    }
}
