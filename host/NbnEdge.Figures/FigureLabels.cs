using ScottPlot;
using SkiaSharp;

namespace NbnEdge.Figures;

/// <summary>
/// Draws a plot's axis labels, title and legend with <see cref="ScriptedText"/>, in place of
/// ScottPlot's own legend step (ScottPlot's labels are left empty). ScottPlot has no rich text, and
/// a legend or label drawn by it would show "σ_{int}" literally or lose the script ("Tc").
/// Positions follow the data area of the render, so the figure needs a fixed layout that leaves
/// room around it (every figure here sets one).
/// </summary>
internal sealed class FigureLabels(Plot plot, FigureOptions options) : IRenderAction
{
    /// <summary>Bottom axis label, in <see cref="FigureText"/> markup ("" for none).</summary>
    public string XLabel { get; set; } = "";

    /// <summary>Left axis label, in markup ("" for none).</summary>
    public string YLabel { get; set; } = "";

    /// <summary>Title above the data area, in markup, or null.</summary>
    public string? Title { get; set; }

    private static readonly SKColor Ink = SKColors.Black;

    /// <summary>Puts the labels in the plot's render sequence where ScottPlot draws its legend (replacing that step).</summary>
    public static FigureLabels Attach(Plot plot, FigureOptions options)
    {
        var labels = new FigureLabels(plot, options);
        var actions = plot.RenderManager.RenderActions;
        int legendStep = actions.FindIndex(a => a is ScottPlot.Rendering.RenderActions.RenderLegends);
        if (legendStep < 0) actions.Add(labels);
        else actions[legendStep] = labels;
        return labels;
    }

    /// <inheritdoc />
    public void Render(RenderPack rp)
    {
        var canvas = rp.Canvas;
        PixelRect data = rp.DataRect, figure = rp.FigureRect;
        float tick = options.TickFontSizePx, size = options.LabelFontSizePx;
        float tickLength = plot.Axes.Bottom.MajorTickStyle.Length;

        if (XLabel.Length > 0)
        {
            // Below the tick labels (one tick line high), a third of the label's size apart.
            var e = ScriptedText.Measure(XLabel, size);
            float baseline = data.Bottom + tickLength + 1.2f * tick + 0.3f * size + e.Above;
            baseline = Math.Min(baseline, figure.Bottom - e.Below - 2);
            ScriptedText.DrawCentred(canvas, XLabel, data.HorizontalCenter, baseline, size, Ink);
        }

        if (YLabel.Length > 0)
        {
            // Left of the widest tick label; rotated −90°, the text's lower side faces the axis.
            var e = ScriptedText.Measure(YLabel, size);
            float widest = 0;
            if (plot.Axes.Left.TickLabelStyle.IsVisible)
            {
                using var font = new SKFont(ScottPlot.Fonts.GetTypeface(FigureStyle.FontName, false, false), tick);
                foreach (var t in plot.Axes.Left.TickGenerator.Ticks)
                    if (t.IsMajor && t.Position >= plot.Axes.Left.Min && t.Position <= plot.Axes.Left.Max && !string.IsNullOrEmpty(t.Label))
                        widest = Math.Max(widest, font.MeasureText(t.Label));
            }
            float baselineX = data.Left - plot.Axes.Left.MajorTickStyle.Length - widest - 0.35f * size - e.Below;
            baselineX = Math.Max(baselineX, figure.Left + e.Above + 2);
            ScriptedText.DrawCentred(canvas, YLabel, baselineX, data.VerticalCenter, size, Ink, degrees: -90);
        }

        if (Title is { Length: > 0 } title)
        {
            // A long title (name, flag, Δ, T_eff) shrinks to the figure's width instead of running off both edges.
            float titleSize = options.TitleFontSizePx;
            float width = ScriptedText.Measure(title, titleSize).Width;
            float room = figure.Width - 40;
            if (width > room) titleSize = Math.Max(12, titleSize * room / width);
            var e = ScriptedText.Measure(title, titleSize);
            float centre = Math.Clamp(data.HorizontalCenter, figure.Left + e.Width / 2 + 4, Math.Max(figure.Left + e.Width / 2 + 4, figure.Right - e.Width / 2 - 4));
            ScriptedText.DrawCentred(canvas, title, centre, data.Top - 0.5f * titleSize - e.Below, titleSize, Ink);
        }

        if (plot.Legend.IsVisible) RenderLegend(rp);
    }

    /// <summary>
    /// One column of entries, each a symbol (ScottPlot's own line, fill and marker styles of the
    /// plottable) and its text, in a white box at the legend's alignment inside the data area.
    /// </summary>
    private void RenderLegend(RenderPack rp)
    {
        var legend = plot.Legend;
        var items = legend.GetItems();
        if (items.Length == 0) return;
        float size = legend.FontSize ?? options.LegendFontSizePx;
        float pad = 0.45f * size, symbolWidth = 1.6f * size, gap = 0.4f * size;
        var extents = items.Select(i => ScriptedText.Measure(i.LabelText ?? "", size)).ToArray();
        float row = Math.Max(1.35f * size, extents.Max(e => e.Above + e.Below) + 0.15f * size);
        float width = 2 * pad + symbolWidth + gap + extents.Max(e => e.Width);
        float height = 2 * pad + items.Length * row;

        const float margin = 10;
        PixelRect area = rp.DataRect;
        float left = Horizontal(legend.Alignment) switch
        {
            < 0 => area.Left + margin,
            > 0 => area.Right - margin - width,
            _ => area.HorizontalCenter - width / 2,
        };
        float top = Vertical(legend.Alignment) switch
        {
            < 0 => area.Top + margin,
            > 0 => area.Bottom - margin - height,
            _ => area.VerticalCenter - height / 2,
        };
        var box = new SKRect(left, top, left + width, top + height);
        using (var fill = new SKPaint { Color = SKColors.White, Style = SKPaintStyle.Fill })
            rp.Canvas.DrawRect(box, fill);
        using (var outline = new SKPaint { Color = legend.OutlineColor.ToSKColor(), Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1, legend.OutlineWidth), IsAntialias = true })
            rp.Canvas.DrawRect(box, outline);

        using var font = new SKFont(ScottPlot.Fonts.GetTypeface(FigureStyle.FontName, false, false), size);
        float capHeight = font.Metrics.CapHeight > 0 ? font.Metrics.CapHeight : 0.72f * size;
        for (int i = 0; i < items.Length; i++)
        {
            var item = items[i];
            float centreY = top + pad + (i + 0.5f) * row;
            var symbol = new PixelRect(left + pad, left + pad + symbolWidth, centreY + 0.3f * row, centreY - 0.3f * row);
            var swatch = symbol.Contract(0, symbol.Height * 0.2f);
            item.FillStyle.Render(rp.Canvas, swatch, rp.Paint);
            if (item.OutlineStyle.Width > 0 && item.OutlineStyle.Color.Alpha > 0)
                Drawing.DrawRectangle(rp.Canvas, swatch, rp.Paint, item.OutlineStyle);
            item.LineStyle.Render(rp.Canvas, new PixelLine(symbol.Left, centreY, symbol.Right, centreY), rp.Paint);
            item.MarkerStyle.Render(rp.Canvas, new Pixel(symbol.HorizontalCenter, centreY), rp.Paint);
            ScriptedText.Draw(rp.Canvas, item.LabelText ?? "", symbol.Right + gap, centreY + capHeight / 2, size, Ink);
        }
    }

    private static int Horizontal(Alignment a) => a switch
    {
        Alignment.UpperLeft or Alignment.MiddleLeft or Alignment.LowerLeft => -1,
        Alignment.UpperRight or Alignment.MiddleRight or Alignment.LowerRight => 1,
        _ => 0,
    };

    private static int Vertical(Alignment a) => a switch
    {
        Alignment.UpperLeft or Alignment.UpperCenter or Alignment.UpperRight => -1,
        Alignment.LowerLeft or Alignment.LowerCenter or Alignment.LowerRight => 1,
        _ => 0,
    };
}
