using System.Globalization;
using System.Xml.Linq;

namespace NbnEdge.Cli.Tests;

/// <summary>The &lt;text&gt; runs of a figure's SVG, as Skia writes them: one per run of one size and baseline.</summary>
internal static class SvgText
{
    /// <summary>One run: its characters, font size and first glyph's y (in its own transform).</summary>
    public sealed record Run(string Text, double FontSize, double Y, string Transform);

    public static List<Run> Runs(string svgPath)
    {
        static double First(XElement e, string name) =>
            double.Parse(((string?)e.Attribute(name) ?? "0").Split(',')[0].Trim(), CultureInfo.InvariantCulture);
        return XDocument.Load(svgPath).Descendants().Where(e => e.Name.LocalName == "text")
            .Select(e => new Run(e.Value.Trim(), First(e, "font-size"), First(e, "y"), (string?)e.Attribute("transform") ?? ""))
            .ToList();
    }

    /// <summary>
    /// Fails when a run prints figure markup (_{…}, ^{…}, or a bare _ or ^ meant as one) instead of
    /// drawing it as a script. <paramref name="verbatim"/>: data written as it is, such as a flag
    /// "[no_gap]" or a spectrum name with an underscore.
    /// </summary>
    public static void AssertNoMarkup(string svgPath, params string[] verbatim)
    {
        foreach (var r in Runs(svgPath))
        {
            string text = verbatim.Aggregate(r.Text, (t, v) => t.Replace(v, ""));
            Assert.AreEqual(-1, text.IndexOfAny(['_', '^', '{', '}']), $"{Path.GetFileName(svgPath)} prints markup: '{r.Text}'");
        }
    }

    /// <summary>Fails unless a run ending in <paramref name="letter"/> is followed by <paramref name="script"/>, smaller and lowered.</summary>
    public static void AssertSubscript(string svgPath, string letter, string script)
    {
        var runs = Runs(svgPath);
        int k = Enumerable.Range(0, Math.Max(0, runs.Count - 1))
            .FirstOrDefault(i => runs[i].Text.EndsWith(letter, StringComparison.Ordinal) && runs[i + 1].Text.StartsWith(script, StringComparison.Ordinal), -1);
        Assert.IsGreaterThanOrEqualTo(0, k, $"{Path.GetFileName(svgPath)}: no run '{script}' after '{letter}'");
        Assert.IsLessThan(0.8 * runs[k].FontSize, runs[k + 1].FontSize, $"'{script}' is not smaller than '{letter}'");
        Assert.IsGreaterThan(runs[k].FontSize / 6, runs[k + 1].Y - runs[k].Y, $"'{script}' is not below '{letter}'s baseline");
    }
}
