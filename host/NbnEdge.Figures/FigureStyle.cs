using ScottPlot;

namespace NbnEdge.Figures;

/// <summary>
/// Size and type sizes of a figure. The defaults give a 1200 × 800 px image whose text stays
/// readable when printed one column wide (≈ 4 in at 300 dpi): labels ≈ 9 pt, ticks ≈ 7 pt there.
/// </summary>
public sealed record FigureOptions
{
    /// <summary>Default options.</summary>
    public static FigureOptions Default { get; } = new();

    /// <summary>Figure width in layout pixels, 1/300 in each (SVG user units; PNG pixels at 300 dpi).</summary>
    public int WidthPx { get; init; } = 1200;

    /// <summary>Figure height in layout pixels, 1/300 in each.</summary>
    public int HeightPx { get; init; } = 800;

    /// <summary>The layout's resolution: <see cref="WidthPx"/> layout pixels are WidthPx / 300 inches.</summary>
    public const int LayoutDpi = 300;

    /// <summary>
    /// PNG resolution in dots per inch: the PNG has WidthPx × Dpi / 300 pixels and the same layout
    /// (text keeps its printed size). Vector outputs do not depend on it.
    /// </summary>
    public int Dpi { get; init; } = LayoutDpi;

    /// <summary>Files to write; PNG and SVG by default.</summary>
    public FigureFormats Formats { get; init; } = FigureFormats.Png | FigureFormats.Svg;

    /// <summary>Axis label font size in pixels.</summary>
    public float LabelFontSizePx { get; init; } = 30;

    /// <summary>Tick label font size in pixels.</summary>
    public float TickFontSizePx { get; init; } = 24;

    /// <summary>Legend font size in pixels.</summary>
    public float LegendFontSizePx { get; init; } = 22;

    /// <summary>Title font size in pixels; titles are optional.</summary>
    public float TitleFontSizePx { get; init; } = 30;

    /// <summary>Data line width in pixels.</summary>
    public float LineWidthPx { get; init; } = 3;

    /// <summary>Data marker size in pixels.</summary>
    public float MarkerSizePx { get; init; } = 9;
}

/// <summary>Output file kinds of a figure.</summary>
[Flags]
public enum FigureFormats
{
    /// <summary>Raster image (slides, quick looks), at <see cref="FigureOptions.Dpi"/>.</summary>
    Png = 1,

    /// <summary>Vector image with searchable text.</summary>
    Svg = 2,

    /// <summary>Vector PDF page of the figure's printed size (Skia's PDF backend, fonts embedded).</summary>
    Pdf = 4,
}

/// <summary>The paths of a figure.</summary>
/// <param name="PngPath">The raster image's path (written when PNG was asked for; see <see cref="Written"/>).</param>
/// <param name="SvgPath">The vector image's path (written when SVG was asked for).</param>
public sealed record FigureFiles(string PngPath, string SvgPath)
{
    /// <summary>The PDF's path, when PDF was asked for.</summary>
    public string? PdfPath { get; init; }

    /// <summary>The files actually written, in PNG, SVG, PDF order.</summary>
    public IReadOnlyList<string> Written { get; init; } = [];
}

/// <summary>Shared look: dark on light, a colour-blind-safe palette, print-size text.</summary>
internal static class FigureStyle
{
    // Okabe–Ito colours: distinguishable with the common colour-vision deficiencies and in grey print.
    public static readonly Color Black = Color.FromHex("#000000");
    public static readonly Color Blue = Color.FromHex("#0072B2");
    public static readonly Color Orange = Color.FromHex("#E69F00");
    public static readonly Color Vermilion = Color.FromHex("#D55E00");
    public static readonly Color Green = Color.FromHex("#009E73");
    public static readonly Color Sky = Color.FromHex("#56B4E9");
    public static readonly Color Purple = Color.FromHex("#CC79A7");
    public static readonly Color Grey = Color.FromHex("#666666");

    /// <summary>DejaVu Sans ships with Debian and every CI image here, and has Δ, σ, µ and subscripts.</summary>
    public const string FontName = "DejaVu Sans";

    /// <summary>
    /// The figure's look, and its axis labels and title (in <see cref="FigureText"/> markup) handed
    /// to <see cref="FigureLabels"/>, which draws them and the legend with real sub- and superscripts.
    /// </summary>
    public static FigureLabels Apply(Plot plot, FigureOptions o, string xLabel, string yLabel, string? title)
    {
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        // ScottPlot's own labels stay empty: they would print the markup, or the text without its scripts.
        plot.XLabel("");
        plot.YLabel("");
        var labels = FigureLabels.Attach(plot, o);
        labels.XLabel = xLabel;
        labels.YLabel = yLabel;
        labels.Title = title;
        foreach (var axis in plot.Axes.GetAxes())
        {
            axis.TickLabelStyle.FontSize = o.TickFontSizePx;
            axis.TickLabelStyle.FontName = FontName;
            axis.TickLabelStyle.ForeColor = Black;
            axis.MajorTickStyle.Length = 8;
            axis.MajorTickStyle.Width = 1.5f;
            axis.MinorTickStyle.Length = 4;
            axis.FrameLineStyle.Width = 1.5f;
            axis.FrameLineStyle.Color = Black;
        }
        plot.Grid.MajorLineColor = Color.FromHex("#000000").WithAlpha(0.10);
        plot.Legend.FontSize = o.LegendFontSizePx;
        plot.Legend.FontName = FontName;
        plot.Legend.OutlineColor = Grey.WithAlpha(0.5);
        return labels;
    }

    /// <summary>A note in the plot's corner in the figure's font, black on white, instead of ScottPlot's yellow default.</summary>
    public static void Note(ScottPlot.Plottables.Annotation note, FigureOptions o)
    {
        note.LabelStyle.FontName = FontName;
        note.LabelStyle.FontSize = o.LegendFontSizePx;
        note.LabelStyle.ForeColor = Black;
        note.LabelStyle.BackgroundColor = Colors.White;
        note.LabelStyle.BorderColor = Grey.WithAlpha(0.5);
        note.LabelStyle.ShadowColor = Colors.Transparent;
        note.LabelStyle.Padding = 6;
    }

    /// <summary>Writes the plot in the formats of <paramref name="o"/> into <paramref name="directory"/> (created if missing).</summary>
    public static FigureFiles Save(Plot plot, string directory, string baseName, FigureOptions o) =>
        Save(canvas => plot.Render(canvas, o.WidthPx, o.HeightPx), directory, baseName, o);

    /// <summary>Writes a stacked multiplot in the formats of <paramref name="o"/>.</summary>
    public static FigureFiles Save(Multiplot multiplot, string directory, string baseName, FigureOptions o) =>
        Save(canvas => multiplot.Render(canvas, new PixelRect(0, o.WidthPx, o.HeightPx, 0)), directory, baseName, o);

    /// <summary>
    /// Every format is drawn by the same render call onto a Skia canvas: a raster surface scaled to
    /// the DPI, Skia's SVG canvas (text stays &lt;text&gt;), or a PDF page in points.
    /// </summary>
    private static FigureFiles Save(Action<SkiaSharp.SKCanvas> render, string directory, string baseName, FigureOptions o)
    {
        if (o.WidthPx < 50 || o.HeightPx < 50 || o.WidthPx > 20_000 || o.HeightPx > 20_000)
            throw new ArgumentOutOfRangeException(nameof(o), $"a figure of {o.WidthPx}×{o.HeightPx} layout pixels is outside 50 to 20000.");
        if (o.Dpi < 30 || o.Dpi > 2400) throw new ArgumentOutOfRangeException(nameof(o), $"{o.Dpi} dpi is outside 30 to 2400.");
        if (o.Formats == 0) throw new ArgumentException("no output format asked for.", nameof(o));
        var (png, svg) = Paths(directory, baseName);
        string pdf = Path.ChangeExtension(png, ".pdf");
        var written = new List<string>(3);
        if (o.Formats.HasFlag(FigureFormats.Png))
        {
            float scale = o.Dpi / (float)FigureOptions.LayoutDpi;
            var info = new SkiaSharp.SKImageInfo((int)Math.Round(o.WidthPx * scale), (int)Math.Round(o.HeightPx * scale));
            using var surface = SkiaSharp.SKSurface.Create(info)
                ?? throw new InvalidOperationException($"Skia could not allocate a {info.Width}×{info.Height} image.");
            surface.Canvas.Clear(SkiaSharp.SKColors.White);
            surface.Canvas.Scale(scale);
            render(surface.Canvas);
            surface.Canvas.Flush();
            using var image = surface.Snapshot();
            using var data = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            using (var stream = File.Create(png)) data.SaveTo(stream);
            written.Add(png);
        }
        if (o.Formats.HasFlag(FigureFormats.Svg))
        {
            using (var stream = File.Create(svg))
            {
                using var canvas = SkiaSharp.SKSvgCanvas.Create(new SkiaSharp.SKRect(0, 0, o.WidthPx, o.HeightPx), stream);
                canvas.Clear(SkiaSharp.SKColors.White);
                render(canvas);
            } // the SVG is complete only once the canvas is disposed
            written.Add(svg);
        }
        if (o.Formats.HasFlag(FigureFormats.Pdf))
        {
            using (var stream = File.Create(pdf))
            using (var document = SkiaSharp.SKDocument.CreatePdf(stream)
                ?? throw new InvalidOperationException("this SkiaSharp build has no PDF backend."))
            {
                // A PDF page is measured in points (1/72 in); the layout is in 1/300 in.
                const float pointsPerLayoutPx = 72f / FigureOptions.LayoutDpi;
                var canvas = document.BeginPage(o.WidthPx * pointsPerLayoutPx, o.HeightPx * pointsPerLayoutPx);
                canvas.Scale(pointsPerLayoutPx);
                canvas.Clear(SkiaSharp.SKColors.White);
                render(canvas);
                document.EndPage();
                document.Close();
            }
            written.Add(pdf);
        }
        return new FigureFiles(png, svg) { PdfPath = o.Formats.HasFlag(FigureFormats.Pdf) ? pdf : null, Written = written };
    }

    private static (string Png, string Svg) Paths(string directory, string baseName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseName);
        if (baseName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || baseName.Contains('/'))
            throw new ArgumentException($"'{baseName}' is not a plain file name.", nameof(baseName));
        Directory.CreateDirectory(directory);
        return (Path.Combine(directory, baseName + ".png"), Path.Combine(directory, baseName + ".svg"));
    }

    /// <summary>Finite values only: ScottPlot autoscaling chokes on NaN, and a gap in the data is better left out.</summary>
    public static (double[] X, double[] Y) Finite(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"x has {x.Length} values but y has {y.Length}.");
        var xs = new List<double>(x.Length);
        var ys = new List<double>(y.Length);
        for (int i = 0; i < x.Length; i++)
            if (double.IsFinite(x[i]) && double.IsFinite(y[i])) { xs.Add(x[i]); ys.Add(y[i]); }
        return (xs.ToArray(), ys.ToArray());
    }
}
