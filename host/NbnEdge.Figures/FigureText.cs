using System.Text;

namespace NbnEdge.Figures;

/// <summary>
/// Sub- and superscripts in figure text. ScottPlot 5 draws plain strings (no rich text), so
/// "σ_{int}" and "10^{-9}" become Unicode sub/superscript letters, which DejaVu Sans has. Unicode has
/// no subscript c, B or f: a script containing one is written on the line ("T_{c}" → "Tc") rather
/// than with a stray underscore.
/// </summary>
public static class FigureText
{
    private const string Plain = "0123456789+-=()aehijklmnoprstuvx";
    private const string Sub = "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ";
    private const string SupPlain = "0123456789+-=()in";
    private const string Sup = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ";

    /// <summary>
    /// Turns _{xyz} and ^{xyz} into sub/superscript characters where Unicode has them all. Only the
    /// braced form is read, so spectrum names such as "line_000" pass through unchanged.
    /// </summary>
    public static string Rich(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if ((c == '_' || c == '^') && i + 2 < text.Length && text[i + 1] == '{' && text.IndexOf('}', i + 2) is int close and > 0)
            {
                string script = text[(i + 2)..close];
                i = close;
                sb.Append(Convert(script, c == '_' ? Plain : SupPlain, c == '_' ? Sub : Sup) ?? script);
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static string? Convert(string script, string from, string to)
    {
        var sb = new StringBuilder(script.Length);
        foreach (char ch in script)
        {
            int k = from.IndexOf(ch);
            if (k < 0) return null;
            sb.Append(to[k]);
        }
        return sb.ToString();
    }
}
