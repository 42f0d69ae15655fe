using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Figures;
using NbnEdge.Instruments;

namespace NbnEdge.Cli.Commands;

/// <summary>The <c>--plot DIR</c> figures (PNG and SVG) of the analysis commands.</summary>
internal static class PlotOutput
{
    /// <summary>
    /// Spectrum + fit for up to three spectra (the first, the one nearest the median Δ, the worst χ²),
    /// the waterfall of all, and Δ along the line (distance when the spectra carry positions).
    /// </summary>
    public static List<string> ForFits(string directory, IReadOnlyList<Spectrum> spectra, IReadOnlyList<GapFitResult> results) =>
        Writing(directory, () => ForFitsCore(directory, spectra, results));

    private static List<string> ForFitsCore(string directory, IReadOnlyList<Spectrum> spectra, IReadOnlyList<GapFitResult> results)
    {
        var files = new List<string>();
        if (spectra.Count == 0) return files;
        var picks = new SortedSet<int> { 0 };
        var usable = Enumerable.Range(0, results.Count).Where(i => results[i].Converged && double.IsFinite(results[i].DeltaMeV)).ToList();
        if (usable.Count > 0)
        {
            var byDelta = usable.OrderBy(i => results[i].DeltaMeV).ToList();
            picks.Add(byDelta[byDelta.Count / 2]);
            picks.Add(usable.OrderByDescending(i => double.IsFinite(results[i].Chi2Red) ? results[i].Chi2Red : 0).First());
        }
        foreach (int i in picks)
        {
            var s = spectra[i];
            var model = results[i].ModelAt(s.BiasMV);
            var data = results[i].DividedLine is { } line ? s.Conductance.Select((g, k) => g / (line.Intercept + line.SlopePerMV * s.BiasMV[k])).ToArray() : s.Conductance;
            string title = $"{s.Name}: Δ = {results[i].DeltaMeV:F4} ± {results[i].DeltaErrMeV:F4} meV, T_eff = {results[i].TEffK:F2} K";
            files.AddRange(Paths(GapFigures.SpectrumFit(directory, "spectrum-fit-" + Safe(s.Name), s.BiasMV, data, model, title,
                results[i].DividedLine is null ? "dI/dV (arb. units)" : "dI/dV (normalised)")));
        }
        files.AddRange(Paths(GapFigures.Waterfall(directory, "waterfall",
            spectra.Select(s => new WaterfallTrace(s.BiasMV, Normalised(s))).ToList(), title: $"{spectra.Count} spectra")));
        // A grid's pixels are not a line: its picture is the gap map, not Δ against a spectrum number.
        bool grid = spectra.Any(s => s.PixelX is not null && s.PixelY is not null);
        if (results.Count >= 2 && !grid)
        {
            var distance = FitCommand.LineDistances(spectra);
            double[] position = distance ?? Enumerable.Range(0, results.Count).Select(i => (double)i).ToArray();
            files.AddRange(Paths(GapFigures.DeltaProfile(directory, "delta-profile", position,
                results.Select(r => r.DeltaMeV).ToArray(), results.Select(r => r.DeltaErrMeV).ToArray(),
                positionLabel: distance is null ? "spectrum #" : "distance along the line (nm)")));
        }
        return files;
    }

    /// <summary>The histogram of Δ with the Gaussian of Eq. 4 and σ_int.</summary>
    public static List<string> ForStatistics(string directory, HomogeneityResult h) => Writing(directory, () =>
        Paths(GapFigures.Histogram(directory, "histogram", h.Histogram.EdgesMeV.ToArray(), h.Histogram.Counts.ToArray(),
            h.Gaussian.Amplitude, h.Gaussian.CentreMeV, h.Gaussian.SigmaMeV, h.IntrinsicSigmaMeV,
            (h.IntrinsicSigmaLowerMeV, h.IntrinsicSigmaUpperMeV), $"Δ over {h.Count} spectra")).ToList());

    /// <summary>
    /// The gap map of a grid (NaN where a pixel is missing or its fit is unusable); no figure when
    /// no pixel has a usable fit (an all-grey square says nothing the statistics line does not).
    /// </summary>
    public static List<string> ForMap(string directory, string baseName, NanonisGrid grid, IReadOnlyList<GapFitResult> results)
    {
        var map = GapMap(grid.Spectra, results, grid.Width, grid.Height);
        if (!map.Cast<double>().Any(double.IsFinite)) return [];
        double pixelNm = grid.SizeXNm is { } size && grid.Width > 0 ? size / grid.Width : 1.0;
        return Writing(directory, () => Paths(GapFigures.GapMap(directory, baseName, map, pixelNm, $"gap map: {Path.GetFileName(grid.Source)}")).ToList());
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

    private static List<string> Paths(FigureFiles f) => [f.PngPath, f.SvgPath];

    private static string Safe(string name)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray();
        var s = new string(chars);
        return s.Length > 60 ? s[..60] : s;
    }
}
