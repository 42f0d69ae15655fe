using System.Globalization;
using ScottPlot;

namespace NbnEdge.Figures;

/// <summary>One spectrum of a waterfall.</summary>
/// <param name="BiasMV">Bias voltages in mV.</param>
/// <param name="Conductance">dI/dV at those biases (normalised, or lock-in units).</param>
public sealed record WaterfallTrace(double[] BiasMV, double[] Conductance);

/// <summary>One film of the T_c-versus-thickness figure.</summary>
/// <param name="Name">The film's name (legend text when no group is given).</param>
/// <param name="ThicknessNm">Film thickness d in nm.</param>
/// <param name="TcK">Critical temperature in K.</param>
/// <param name="Group">Series the film belongs to (e.g. "ALD", "sputtered"); films of one group share a colour.</param>
public sealed record FilmPoint(string Name, double ThicknessNm, double TcK, string? Group = null);

/// <summary>
/// The product's figures, written as PNG and SVG from plain arrays (energies in meV, biases in
/// mV, distances in nm, temperatures in K). Each method returns the two paths it wrote.
/// </summary>
public static class GapFigures
{
    /// <summary>The most spectra a waterfall draws: beyond this the lines merge into a solid band on paper.</summary>
    public const int DefaultMaxWaterfallTraces = 120;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// A spectrum with its fitted model (top panel) and the residuals data − model (bottom panel,
    /// same bias axis).
    /// </summary>
    /// <param name="directory">Folder to write into (created if missing).</param>
    /// <param name="baseName">File name without extension.</param>
    /// <param name="biasMV">Bias in mV.</param>
    /// <param name="conductance">Measured dI/dV.</param>
    /// <param name="model">Model dI/dV at the same biases, or null when there is no fit (then no residual panel).</param>
    /// <param name="title">Optional title, e.g. the spectrum's name and Δ.</param>
    /// <param name="conductanceLabel">Y-axis label of the top panel (units of <paramref name="conductance"/>).</param>
    /// <param name="options">Size and type sizes.</param>
    /// <param name="modelLabel">Legend of the model curve (which model was fitted).</param>
    public static FigureFiles SpectrumFit(string directory, string baseName, double[] biasMV, double[] conductance,
        double[]? model, string? title = null, string conductanceLabel = "dI/dV (normalised)", FigureOptions? options = null,
        string modelLabel = "fit (thermal BCS)")
    {
        var o = options ?? FigureOptions.Default;
        var (x, y) = FigureStyle.Finite(biasMV, conductance);
        if (x.Length == 0) throw new ArgumentException("the spectrum has no finite point.", nameof(conductance));

        var top = new Plot();
        var data = top.Add.ScatterPoints(x, y, FigureStyle.Black);
        data.MarkerSize = o.MarkerSizePx * 0.75f;
        data.MarkerShape = MarkerShape.OpenCircle;
        data.MarkerLineWidth = 1.5f;
        data.LegendText = "measured";
        FigureStyle.Apply(top, o, model is null ? "bias (mV)" : "", conductanceLabel, title);
        if (model is null)
        {
            top.ShowLegend(Alignment.LowerRight);
            return FigureStyle.Save(top, directory, baseName, o);
        }

        if (model.Length != biasMV.Length)
            throw new ArgumentException($"the model has {model.Length} values but the spectrum {biasMV.Length}.", nameof(model));
        var (mx, my) = FigureStyle.Finite(biasMV, model);
        var fit = top.Add.ScatterLine(mx, my, FigureStyle.Vermilion);
        fit.LineWidth = o.LineWidthPx;
        fit.LegendText = modelLabel;
        top.ShowLegend(Alignment.LowerRight);
        top.Axes.Bottom.TickLabelStyle.IsVisible = false;

        var residual = new double[biasMV.Length];
        for (int i = 0; i < residual.Length; i++) residual[i] = conductance[i] - model[i];
        var (rx, ry) = FigureStyle.Finite(biasMV, residual);
        var bottom = new Plot();
        // Solid, not dashed: Skia's SVG backend cannot draw path effects (it drops them and complains on stderr).
        bottom.Add.HorizontalLine(0, 1.0f, FigureStyle.Grey, LinePattern.Solid);
        var res = bottom.Add.ScatterPoints(rx, ry, FigureStyle.Blue);
        res.MarkerSize = o.MarkerSizePx * 0.6f;
        FigureStyle.Apply(bottom, o, "bias (mV)", "residual", null);
        double maxAbs = ry.Length == 0 ? 1 : Math.Max(1e-12, ry.Max(Math.Abs));
        bottom.Axes.SetLimitsY(-1.25 * maxAbs, 1.25 * maxAbs);

        // Same left/right padding on both panels so their data areas, hence bias axes, line up.
        float left = 150, right = 40;
        float topPad = title is null ? 25 : 70;
        top.Layout.Fixed(new PixelPadding(left, right, 12, topPad));
        bottom.Layout.Fixed(new PixelPadding(left, right, 95, 12));

        var multiplot = new Multiplot();
        multiplot.Subplots.Add(top);
        multiplot.Subplots.Add(bottom);
        var grid = new ScottPlot.MultiplotLayouts.CustomGrid();
        grid.Set(top, new GridCell(0, 0, 10, 1, 7, 1));
        grid.Set(bottom, new GridCell(7, 0, 10, 1, 3, 1));
        multiplot.Layout = grid;
        multiplot.SharedAxes.ShareX([top, bottom]);
        // Sharing applies on render; set both limits now so the first (PNG) render is already aligned.
        top.Axes.AutoScale();
        var limits = top.Axes.GetLimits();
        bottom.Axes.SetLimitsX(limits.Left, limits.Right);
        return FigureStyle.Save(multiplot, directory, baseName, o);
    }

    /// <summary>
    /// Δ along a line (or over time): the host fit with its standard errors as error bars and,
    /// when given, the device's on-board estimate.
    /// </summary>
    /// <param name="directory">Folder to write into.</param>
    /// <param name="baseName">File name without extension.</param>
    /// <param name="position">Distance in nm, or spectrum index, or time: see <paramref name="positionLabel"/>.</param>
    /// <param name="deltaFitMeV">Host-fitted Δ in meV (NaN for spectra without a usable fit).</param>
    /// <param name="deltaErrMeV">Standard error of each fitted Δ in meV.</param>
    /// <param name="deviceDeltaMeV">The board's estimate in meV (NaN where absent), or null.</param>
    /// <param name="positionLabel">X-axis label with its unit.</param>
    /// <param name="title">Optional title.</param>
    /// <param name="options">Size and type sizes.</param>
    public static FigureFiles DeltaProfile(string directory, string baseName, double[] position, double[] deltaFitMeV,
        double[] deltaErrMeV, double[]? deviceDeltaMeV = null, string positionLabel = "distance (nm)", string? title = null,
        FigureOptions? options = null)
    {
        var o = options ?? FigureOptions.Default;
        if (deltaErrMeV.Length != deltaFitMeV.Length)
            throw new ArgumentException("Δ and its errors differ in length.", nameof(deltaErrMeV));
        var plot = new Plot();
        FigureStyle.Apply(plot, o, positionLabel, "Δ (meV)", title);
        var xs = new List<double>(); var ys = new List<double>(); var es = new List<double>();
        for (int i = 0; i < position.Length && i < deltaFitMeV.Length; i++)
        {
            if (!double.IsFinite(position[i]) || !double.IsFinite(deltaFitMeV[i])) continue;
            xs.Add(position[i]); ys.Add(deltaFitMeV[i]); es.Add(double.IsFinite(deltaErrMeV[i]) ? deltaErrMeV[i] : 0);
        }
        if (xs.Count > 0)
        {
            var eb = plot.Add.ErrorBar(xs, ys, es);
            eb.Color = FigureStyle.Blue.WithAlpha(0.6);
            eb.LineWidth = 1.5f;
            var pts = plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), FigureStyle.Blue);
            pts.MarkerSize = o.MarkerSizePx;
            pts.LegendText = "host fit ± standard error";
        }
        if (deviceDeltaMeV is not null)
        {
            var (dx, dy) = FigureStyle.Finite(position.AsSpan(0, Math.Min(position.Length, deviceDeltaMeV.Length)),
                deviceDeltaMeV.AsSpan(0, Math.Min(position.Length, deviceDeltaMeV.Length)));
            if (dx.Length > 0)
            {
                var dev = plot.Add.ScatterPoints(dx, dy, FigureStyle.Orange);
                dev.MarkerShape = MarkerShape.OpenTriangleUp;
                dev.MarkerSize = o.MarkerSizePx * 1.2f;
                dev.MarkerLineWidth = 2;
                dev.LegendText = "device estimate";
            }
        }
        // Head-room above the points for the legend.
        var all = ys.Select((y, i) => (Lo: y - es[i], Hi: y + es[i]))
            .Concat((deviceDeltaMeV ?? []).Where(double.IsFinite).Select(d => (Lo: d, Hi: d))).ToList();
        if (all.Count > 0)
        {
            double lo = all.Min(p => p.Lo), hi = all.Max(p => p.Hi), span = Math.Max(hi - lo, 1e-3);
            plot.Axes.SetLimitsY(lo - 0.08 * span, hi + 0.35 * span);
        }
        if (xs.Count == 0 && deviceDeltaMeV is null) FigureStyle.Note(plot.Add.Annotation("no usable fit", Alignment.MiddleCenter), o);
        plot.ShowLegend(Alignment.UpperRight);
        plot.Layout.Fixed(new PixelPadding(150, 40, 95, title is null ? 25 : 70));
        return FigureStyle.Save(plot, directory, baseName, o);
    }

    /// <summary>
    /// The histogram of Δ with the Gaussian of the reference's Eq. 4,
    /// A·exp(−(Δ − Δ₀)²/2σ²) in counts per bin, and the intrinsic spread σ_int in the legend.
    /// </summary>
    /// <param name="directory">Folder to write into.</param>
    /// <param name="baseName">File name without extension.</param>
    /// <param name="edgesMeV">Bin edges in meV (one more than <paramref name="counts"/>).</param>
    /// <param name="counts">Spectra per bin.</param>
    /// <param name="gaussAmplitude">Gaussian amplitude A in counts per bin (NaN: no curve).</param>
    /// <param name="gaussCentreMeV">Gaussian centre Δ₀ in meV.</param>
    /// <param name="gaussSigmaMeV">Gaussian σ in meV.</param>
    /// <param name="intrinsicSigmaMeV">σ_int in meV (NaN: not shown).</param>
    /// <param name="intrinsicCiMeV">Confidence interval of σ_int in meV, or null.</param>
    /// <param name="title">Optional title.</param>
    /// <param name="options">Size and type sizes.</param>
    /// <param name="meanMeV">The mean Δ̄ in meV (NaN: not shown): a vertical line and, with <paramref name="sdMeV"/>, a legend entry (Fig. 4b's annotation).</param>
    /// <param name="sdMeV">The standard deviation σ in meV.</param>
    public static FigureFiles Histogram(string directory, string baseName, double[] edgesMeV, int[] counts,
        double gaussAmplitude, double gaussCentreMeV, double gaussSigmaMeV, double intrinsicSigmaMeV = double.NaN,
        (double LowerMeV, double UpperMeV)? intrinsicCiMeV = null, string? title = null, FigureOptions? options = null,
        double meanMeV = double.NaN, double sdMeV = double.NaN)
    {
        var o = options ?? FigureOptions.Default;
        if (edgesMeV.Length != counts.Length + 1)
            throw new ArgumentException($"{counts.Length} bins need {counts.Length + 1} edges, not {edgesMeV.Length}.", nameof(edgesMeV));
        var plot = new Plot();
        FigureStyle.Apply(plot, o, "Δ (meV)", "spectra per bin", title);
        var bars = new List<Bar>(counts.Length);
        for (int i = 0; i < counts.Length; i++)
            bars.Add(new Bar
            {
                Position = 0.5 * (edgesMeV[i] + edgesMeV[i + 1]),
                Value = counts[i],
                Size = edgesMeV[i + 1] - edgesMeV[i],
                FillColor = FigureStyle.Sky.WithAlpha(0.55),
                LineColor = FigureStyle.Blue,
                LineWidth = 1.5f,
            });
        var barPlot = plot.Add.Bars(bars);
        barPlot.LegendText = $"{counts.Sum()} spectra";

        if (double.IsFinite(gaussAmplitude) && double.IsFinite(gaussCentreMeV) && double.IsFinite(gaussSigmaMeV) && gaussSigmaMeV > 0)
        {
            double lo = Math.Min(edgesMeV[0], gaussCentreMeV - 4 * gaussSigmaMeV);
            double hi = Math.Max(edgesMeV[^1], gaussCentreMeV + 4 * gaussSigmaMeV);
            const int n = 400;
            var gx = new double[n]; var gy = new double[n];
            for (int i = 0; i < n; i++)
            {
                gx[i] = lo + (hi - lo) * i / (n - 1);
                double z = (gx[i] - gaussCentreMeV) / gaussSigmaMeV;
                gy[i] = gaussAmplitude * Math.Exp(-0.5 * z * z);
            }
            var g = plot.Add.ScatterLine(gx, gy, FigureStyle.Vermilion);
            g.LineWidth = o.LineWidthPx;
            g.LegendText = string.Format(Inv, "Gaussian (Eq. 4): Δ_{{0}} = {0:F4} meV, σ = {1:F1} µeV", gaussCentreMeV, gaussSigmaMeV * 1000);
        }
        if (double.IsFinite(meanMeV))
        {
            var mean = plot.Add.VerticalLine(meanMeV, 2f, FigureStyle.Black, LinePattern.Solid);
            mean.LegendText = double.IsFinite(sdMeV)
                ? string.Format(Inv, "mean Δ = {0:F4} meV, σ = {1:F1} µeV", meanMeV, sdMeV * 1000)
                : string.Format(Inv, "mean Δ = {0:F4} meV", meanMeV);
        }
        if (double.IsFinite(intrinsicSigmaMeV))
        {
            string ci = intrinsicCiMeV is { } c && double.IsFinite(c.LowerMeV) && double.IsFinite(c.UpperMeV)
                ? string.Format(Inv, " (CI {0:F1}–{1:F1})", c.LowerMeV * 1000, c.UpperMeV * 1000) : "";
            // A legend entry without a line: the number belongs with the others, not on the data.
            var s = plot.Add.ScatterPoints(Array.Empty<double>(), Array.Empty<double>());
            s.LegendText = string.Format(Inv, "σ_{{int}} = {0:F1} µeV{1}", intrinsicSigmaMeV * 1000, ci);
            s.MarkerSize = 0;
        }
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperLeft);
        // Head-room so the legend does not sit on the tallest bar.
        int max = counts.Length == 0 ? 1 : Math.Max(1, counts.Max());
        double top = Math.Max(max, double.IsFinite(gaussAmplitude) ? gaussAmplitude : 0);
        plot.Axes.SetLimitsY(0, top * 1.45);
        plot.Layout.Fixed(new PixelPadding(150, 40, 95, title is null ? 25 : 70));
        return FigureStyle.Save(plot, directory, baseName, o);
    }

    /// <summary>
    /// All spectra stacked with a constant vertical offset (the reference's Fig. 4a), coloured
    /// along the sequence. More than <paramref name="maxTraces"/> spectra are thinned evenly.
    /// </summary>
    /// <param name="directory">Folder to write into.</param>
    /// <param name="baseName">File name without extension.</param>
    /// <param name="spectra">Spectra in order (along the line or in time).</param>
    /// <param name="offsetPerTrace">Vertical offset between consecutive drawn spectra, in dI/dV units; NaN picks a fraction of the median spectrum height.</param>
    /// <param name="maxTraces">Most spectra drawn.</param>
    /// <param name="title">Optional title.</param>
    /// <param name="options">Size and type sizes.</param>
    public static FigureFiles Waterfall(string directory, string baseName, IReadOnlyList<WaterfallTrace> spectra,
        double offsetPerTrace = double.NaN, int maxTraces = DefaultMaxWaterfallTraces, string? title = null,
        FigureOptions? options = null)
    {
        var o = options ?? FigureOptions.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTraces, 1);
        var plot = new Plot();
        var o2 = o with { HeightPx = Math.Max(o.HeightPx, o.WidthPx) };
        FigureStyle.Apply(plot, o2, "bias (mV)", "dI/dV + offset", title);
        int n = spectra.Count;
        int drawn = Math.Min(n, maxTraces);
        if (double.IsNaN(offsetPerTrace))
        {
            // Offset from the median peak-to-peak height: spectra then overlap a little, like the reference figure.
            var heights = new List<double>();
            for (int k = 0; k < drawn; k++)
            {
                var c = spectra[Pick(k, drawn, n)].Conductance.Where(double.IsFinite).ToArray();
                if (c.Length > 0) heights.Add(c.Max() - c.Min());
            }
            heights.Sort();
            double h = heights.Count == 0 ? 1 : heights[heights.Count / 2];
            offsetPerTrace = (drawn <= 20 ? 0.5 : drawn <= 60 ? 0.25 : 0.12) * (h > 0 ? h : 1);
        }
        var colormap = new ScottPlot.Colormaps.Viridis();
        for (int k = 0; k < drawn; k++)
        {
            int i = Pick(k, drawn, n);
            var (x, y) = FigureStyle.Finite(spectra[i].BiasMV, spectra[i].Conductance);
            for (int j = 0; j < y.Length; j++) y[j] += k * offsetPerTrace;
            // Stop at 0.85 of the map: its last yellow is too light on white.
            var line = plot.Add.ScatterLine(x, y, colormap.GetColor(drawn == 1 ? 0 : 0.85 * k / (drawn - 1)));
            line.LineWidth = drawn > 60 ? 1.2f : 2f;
        }
        if (n == 0) FigureStyle.Note(plot.Add.Annotation("no spectra", Alignment.MiddleCenter), o);
        else if (drawn < n)
            FigureStyle.Note(plot.Add.Annotation(string.Format(Inv, "{0} of {1} spectra shown", drawn, n), Alignment.UpperLeft), o);
        plot.Layout.Fixed(new PixelPadding(150, 40, 95, title is null ? 25 : 70));
        return FigureStyle.Save(plot, directory, baseName, o2);
    }

    /// <summary>Index of the k-th of <paramref name="drawn"/> evenly spread picks among <paramref name="n"/>, first and last included.</summary>
    internal static int Pick(int k, int drawn, int n) =>
        drawn <= 1 ? 0 : (int)Math.Round((double)k * (n - 1) / (drawn - 1));

    /// <summary>
    /// A map of Δ over a grid as a heat map with a colour bar, at square pixels.
    /// </summary>
    /// <param name="directory">Folder to write into.</param>
    /// <param name="baseName">File name without extension.</param>
    /// <param name="deltaMeV">Δ in meV indexed [row = y, column = x], row 0 at y = 0 (bottom); NaN = no fit.</param>
    /// <param name="pixelSizeNm">Grid spacing in nm (same in x and y).</param>
    /// <param name="title">Optional title.</param>
    /// <param name="options">Size and type sizes.</param>
    public static FigureFiles GapMap(string directory, string baseName, double[,] deltaMeV, double pixelSizeNm,
        string? title = null, FigureOptions? options = null)
    {
        var o = options ?? FigureOptions.Default;
        if (!(pixelSizeNm > 0) || !double.IsFinite(pixelSizeNm))
            throw new ArgumentOutOfRangeException(nameof(pixelSizeNm), "the pixel size must be a positive number of nm.");
        int rows = deltaMeV.GetLength(0), cols = deltaMeV.GetLength(1);
        if (rows == 0 || cols == 0) throw new ArgumentException("the map is empty.", nameof(deltaMeV));
        var plot = new Plot();
        FigureStyle.Apply(plot, o, "x (nm)", "y (nm)", title);
        // ScottPlot draws row 0 at the top (image order); the map's row 0 is y = 0, at the bottom.
        var flipped = new double[rows, cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                flipped[rows - 1 - r, c] = deltaMeV[r, c];
        bool anyFinite = false;
        foreach (double v in deltaMeV) if (double.IsFinite(v)) { anyFinite = true; break; }
        if (!anyFinite)
        {
            // An all-NaN map has no colour range (ScottPlot's heat map throws "min must be a real number"):
            // the grid's area in the no-fit grey, with a note, and no colour bar.
            var area = plot.Add.Rectangle(0, cols * pixelSizeNm, 0, rows * pixelSizeNm);
            area.FillColor = Colors.LightGray;
            area.LineColor = Colors.LightGray;
            FigureStyle.Note(plot.Add.Annotation("no pixel has a usable fit", Alignment.MiddleCenter), o);
            plot.Axes.SetLimits(0, cols * pixelSizeNm, 0, rows * pixelSizeNm);
        }
        else
        {
            var hm = plot.Add.Heatmap(flipped);
            hm.Colormap = new ScottPlot.Colormaps.Viridis();
            hm.NaNCellColor = Colors.LightGray;
            hm.Extent = new CoordinateRect(0, cols * pixelSizeNm, 0, rows * pixelSizeNm);
            var bar = plot.Add.ColorBar(hm);
            bar.Label = "Δ (meV)";
            bar.LabelStyle.FontSize = o.LabelFontSizePx;
            bar.LabelStyle.FontName = FigureStyle.FontName;
            bar.LabelStyle.Bold = false;
            bar.Axis.TickLabelStyle.FontSize = o.TickFontSizePx;
            bar.Axis.TickLabelStyle.FontName = FigureStyle.FontName;
        }
        plot.Axes.SquareUnits();
        plot.Axes.Margins(0, 0);
        // Fixed room for the axis labels drawn by FigureLabels (they follow the data area) and, on the right, the colour bar.
        plot.Layout.Fixed(new PixelPadding(150, anyFinite ? 230 : 40, 95, title is null ? 25 : 70));
        return FigureStyle.Save(plot, directory, baseName, o);
    }

    /// <summary>
    /// Critical temperature against film thickness (the reference's Fig. 1), one colour per group.
    /// </summary>
    /// <param name="directory">Folder to write into.</param>
    /// <param name="baseName">File name without extension.</param>
    /// <param name="films">The films.</param>
    /// <param name="title">Optional title.</param>
    /// <param name="options">Size and type sizes.</param>
    public static FigureFiles TcVersusThickness(string directory, string baseName, IReadOnlyList<FilmPoint> films,
        string? title = null, FigureOptions? options = null)
    {
        var o = options ?? FigureOptions.Default;
        var plot = new Plot();
        FigureStyle.Apply(plot, o, "film thickness d (nm)", "T_{c} (K)", title);
        Color[] colours = [FigureStyle.Blue, FigureStyle.Vermilion, FigureStyle.Green, FigureStyle.Purple, FigureStyle.Orange];
        MarkerShape[] shapes = [MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.OpenCircle];
        var groups = films.GroupBy(f => f.Group ?? "films").ToList();
        for (int g = 0; g < groups.Count; g++)
        {
            var pts = groups[g].Where(f => double.IsFinite(f.ThicknessNm) && double.IsFinite(f.TcK)).OrderBy(f => f.ThicknessNm).ToArray();
            if (pts.Length == 0) continue;
            var s = plot.Add.Scatter(pts.Select(f => f.ThicknessNm).ToArray(), pts.Select(f => f.TcK).ToArray(), colours[g % colours.Length]);
            s.MarkerSize = o.MarkerSizePx * 1.6f;
            s.MarkerShape = shapes[g % shapes.Length];
            s.LineWidth = 1.5f;
            s.LinePattern = LinePattern.Solid; // dashes are lost in Skia's SVG output
            s.LegendText = groups[g].Key;
        }
        if (films.Count == 0) FigureStyle.Note(plot.Add.Annotation("no films", Alignment.MiddleCenter), o);
        plot.Axes.SetLimitsX(0, Math.Max(1, films.Where(f => double.IsFinite(f.ThicknessNm)).Select(f => f.ThicknessNm).DefaultIfEmpty(1).Max()) * 1.1);
        double tcMax = films.Where(f => double.IsFinite(f.TcK)).Select(f => f.TcK).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimitsY(0, tcMax * 1.2);
        plot.ShowLegend(Alignment.LowerRight);
        plot.Layout.Fixed(new PixelPadding(150, 40, 95, title is null ? 25 : 70));
        return FigureStyle.Save(plot, directory, baseName, o);
    }
}
