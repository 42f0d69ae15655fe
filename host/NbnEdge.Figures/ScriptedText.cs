using System.Collections.Concurrent;
using System.Text;
using SkiaSharp;

namespace NbnEdge.Figures;

/// <summary>Size of a line of figure text around its baseline, in pixels.</summary>
/// <param name="Width">Advance from the first run's start to the last run's end.</param>
/// <param name="Above">Height of the tallest ink above the baseline (a superscript raises it).</param>
/// <param name="Below">Depth below the baseline (a subscript lowers it).</param>
public readonly record struct TextExtent(float Width, float Above, float Below);

/// <summary>
/// Draws figure text with real sub- and superscripts onto the Skia canvas ScottPlot renders to, so
/// PNG, SVG (each run one &lt;text&gt; with its own size and y) and PDF get the same runs. A script
/// is <see cref="ScriptScale"/> of the base size, its baseline moved by a fixed fraction of the base
/// size; runs are placed by their measured advances, so a script sits right after its letter.
/// </summary>
public static class ScriptedText
{
    /// <summary>A script's size relative to the base text (TeX uses 0.7 for first-level scripts).</summary>
    public const float ScriptScale = 0.7f;

    /// <summary>How far a subscript's baseline sits below the base baseline, in base font sizes.</summary>
    public const float SubscriptDrop = 0.22f;

    /// <summary>How far a superscript's baseline sits above the base baseline, in base font sizes.</summary>
    public const float SuperscriptRise = 0.38f;

    // Fallback faces by character: resolved once, kept for the process (Skia typefaces are shared, never disposed here).
    private static readonly ConcurrentDictionary<(string Family, int CodePoint), SKTypeface> Fallbacks = new();

    /// <summary>Measures <paramref name="markup"/> at <paramref name="fontSize"/> pixels.</summary>
    public static TextExtent Measure(string markup, float fontSize, string fontName = FigureStyle.FontName)
    {
        float width = 0, above = 0, below = 0;
        foreach (var (text, size, shift, face) in Segments(markup, fontSize, fontName))
        {
            using var font = Font(face, size);
            width += font.MeasureText(text);
            var m = font.Metrics;
            above = Math.Max(above, -m.Ascent - shift);
            below = Math.Max(below, m.Descent + shift);
        }
        return new TextExtent(width, above, below);
    }

    /// <summary>
    /// Draws <paramref name="markup"/> with its left end at <paramref name="x"/> and its base
    /// baseline at <paramref name="baseline"/>, in the canvas's current transform.
    /// </summary>
    /// <returns>The x after the last run.</returns>
    public static float Draw(SKCanvas canvas, string markup, float x, float baseline, float fontSize, SKColor color,
        string fontName = FigureStyle.FontName)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        using var paint = new SKPaint { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };
        foreach (var (text, size, shift, face) in Segments(markup, fontSize, fontName))
        {
            using var font = Font(face, size);
            canvas.DrawText(text, x, baseline + shift, SKTextAlign.Left, font, paint);
            x += font.MeasureText(text);
        }
        return x;
    }

    /// <summary>
    /// Draws <paramref name="markup"/> centred on <paramref name="centreX"/> along a line rotated by
    /// <paramref name="degrees"/> about (<paramref name="centreX"/>, <paramref name="baseline"/>):
    /// −90 reads bottom to top, the way a y-axis label does.
    /// </summary>
    public static void DrawCentred(SKCanvas canvas, string markup, float centreX, float baseline, float fontSize, SKColor color,
        float degrees = 0, string fontName = FigureStyle.FontName)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        float width = Measure(markup, fontSize, fontName).Width;
        canvas.Save();
        canvas.Translate(centreX, baseline);
        if (degrees != 0) canvas.RotateDegrees(degrees);
        Draw(canvas, markup, -width / 2, 0, fontSize, color, fontName);
        canvas.Restore();
    }

    private static SKFont Font(SKTypeface face, float size) =>
        new(face, size) { Subpixel = true, Edging = SKFontEdging.Antialias };

    /// <summary>
    /// The runs as (text, size, baseline shift down, typeface) pieces. A character the figure's font
    /// lacks gets the system's matching face, so no glyph turns into a box.
    /// </summary>
    private static IEnumerable<(string Text, float Size, float Shift, SKTypeface Face)> Segments(string markup, float fontSize, string fontName)
    {
        SKTypeface main = ScottPlot.Fonts.GetTypeface(fontName, bold: false, italic: false);
        foreach (var run in FigureText.Parse(markup))
        {
            (float size, float shift) = run.Position switch
            {
                ScriptPosition.Subscript => (fontSize * ScriptScale, fontSize * SubscriptDrop),
                ScriptPosition.Superscript => (fontSize * ScriptScale, -fontSize * SuperscriptRise),
                _ => (fontSize, 0f),
            };
            var piece = new StringBuilder();
            SKTypeface? current = null;
            foreach (Rune r in run.Text.EnumerateRunes())
            {
                SKTypeface face = main.GetGlyph(r.Value) != 0 ? main
                    : Fallbacks.GetOrAdd((fontName, r.Value), k => SKFontManager.Default.MatchCharacter(k.Family, k.CodePoint) ?? main);
                if (current is not null && face != current)
                {
                    yield return (piece.ToString(), size, shift, current);
                    piece.Clear();
                }
                current = face;
                piece.Append(r.ToString());
            }
            if (current is not null && piece.Length > 0) yield return (piece.ToString(), size, shift, current);
        }
    }
}
