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

    /// <summary>Image width in pixels (PNG) or SVG user units.</summary>
    public int WidthPx { get; init; } = 1200;

    /// <summary>Image height in pixels (PNG) or SVG user units.</summary>
    public int HeightPx { get; init; } = 800;

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

/// <summary>The paths a figure was written to.</summary>
/// <param name="PngPath">The raster image (for slides, quick looks).</param>
/// <param name="SvgPath">The vector image (for papers: scales without loss).</param>
public sealed record FigureFiles(string PngPath, string SvgPath);

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

    public static void Apply(Plot plot, FigureOptions o, string xLabel, string yLabel, string? title)
    {
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (title is not null) plot.Title(title);
        foreach (var axis in plot.Axes.GetAxes())
        {
            axis.Label.FontSize = o.LabelFontSizePx;
            axis.Label.FontName = FontName;
            axis.Label.Bold = false;
            axis.Label.ForeColor = Black;
            axis.TickLabelStyle.FontSize = o.TickFontSizePx;
            axis.TickLabelStyle.FontName = FontName;
            axis.TickLabelStyle.ForeColor = Black;
            axis.MajorTickStyle.Length = 8;
            axis.MajorTickStyle.Width = 1.5f;
            axis.MinorTickStyle.Length = 4;
            axis.FrameLineStyle.Width = 1.5f;
            axis.FrameLineStyle.Color = Black;
        }
        plot.Axes.Title.Label.FontSize = o.TitleFontSizePx;
        plot.Axes.Title.Label.FontName = FontName;
        plot.Axes.Title.Label.Bold = false;
        plot.Grid.MajorLineColor = Color.FromHex("#000000").WithAlpha(0.10);
        plot.Legend.FontSize = o.LegendFontSizePx;
        plot.Legend.FontName = FontName;
        plot.Legend.OutlineColor = Grey.WithAlpha(0.5);
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

    /// <summary>Writes the plot as PNG and SVG into <paramref name="directory"/> (created if missing).</summary>
    public static FigureFiles Save(Plot plot, string directory, string baseName, FigureOptions o)
    {
        var (png, svg) = Paths(directory, baseName);
        plot.SavePng(png, o.WidthPx, o.HeightPx);
        plot.SaveSvg(svg, o.WidthPx, o.HeightPx);
        return new FigureFiles(png, svg);
    }

    /// <summary>Writes a stacked multiplot; ScottPlot saves multiplots only as PNG, so the SVG is rendered onto its SVG canvas here.</summary>
    public static FigureFiles Save(Multiplot multiplot, string directory, string baseName, FigureOptions o)
    {
        var (png, svg) = Paths(directory, baseName);
        multiplot.SavePng(png, o.WidthPx, o.HeightPx);
        using (var stream = File.Create(svg))
        {
            // Skia's SVG canvas writes text as <text> elements, so labels stay searchable in the file.
            using (var canvas = SkiaSharp.SKSvgCanvas.Create(new SkiaSharp.SKRect(0, 0, o.WidthPx, o.HeightPx), stream))
            {
                canvas.Clear(SkiaSharp.SKColors.White);
                multiplot.Render(canvas, new PixelRect(0, o.WidthPx, o.HeightPx, 0));
            } // the SVG is complete only once the canvas is disposed
        }
        return new FigureFiles(png, svg);
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
