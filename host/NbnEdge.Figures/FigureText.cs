using System.Text;

namespace NbnEdge.Figures;

/// <summary>Where a run of figure text sits relative to the baseline.</summary>
public enum ScriptPosition
{
    /// <summary>On the baseline, at the full size.</summary>
    Base,

    /// <summary>Smaller and lowered: the c of T_c.</summary>
    Subscript,

    /// <summary>Smaller and raised: the −9 of 10^−9.</summary>
    Superscript,
}

/// <summary>A piece of figure text drawn at one size and height.</summary>
/// <param name="Text">The characters.</param>
/// <param name="Position">On the baseline, lowered or raised.</param>
public readonly record struct TextRun(string Text, ScriptPosition Position);

/// <summary>
/// The markup of sub- and superscripts in figure text: <c>T_{c}</c>, <c>σ_{int}</c>, <c>10^{-9}</c>.
/// ScottPlot 5 draws plain strings only (no rich text; Unicode has no subscript c, B, Δ or □), so
/// labels, titles and legend entries are parsed into runs here and drawn by <see cref="ScriptedText"/>.
/// </summary>
public static class FigureText
{
    /// <summary>
    /// Splits <paramref name="markup"/> into runs. Only the braced form <c>_{…}</c> / <c>^{…}</c>
    /// is a script, so names such as "line_000" or "a^b" pass through as written.
    /// </summary>
    public static IReadOnlyList<TextRun> Parse(string markup)
    {
        ArgumentNullException.ThrowIfNull(markup);
        var runs = new List<TextRun>();
        var plain = new StringBuilder(markup.Length);
        for (int i = 0; i < markup.Length; i++)
        {
            char c = markup[i];
            int close = (c == '_' || c == '^') && i + 2 < markup.Length && markup[i + 1] == '{' ? markup.IndexOf('}', i + 2) : -1;
            if (close > i + 2)
            {
                if (plain.Length > 0) { runs.Add(new TextRun(plain.ToString(), ScriptPosition.Base)); plain.Clear(); }
                string script = markup[(i + 2)..close];
                // An exponent's minus is the typographic minus, not the shorter hyphen.
                runs.Add(c == '_' ? new TextRun(script, ScriptPosition.Subscript) : new TextRun(script.Replace('-', '−'), ScriptPosition.Superscript));
                i = close;
                continue;
            }
            plain.Append(c);
        }
        if (plain.Length > 0) runs.Add(new TextRun(plain.ToString(), ScriptPosition.Base));
        return runs;
    }

    /// <summary>The text without markup, scripts on the line ("T_{c} (K)" → "Tc (K)"): what a search of the SVG finds.</summary>
    public static string Plain(string markup) => string.Concat(Parse(markup).Select(r => r.Text));

    /// <summary>Whether <paramref name="markup"/> has at least one sub- or superscript.</summary>
    public static bool HasScripts(string markup) => Parse(markup).Any(r => r.Position != ScriptPosition.Base);
}
