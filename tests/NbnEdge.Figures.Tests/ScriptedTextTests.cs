using NbnEdge.Figures;
using SkiaSharp;

namespace NbnEdge.Figures.Tests;

/// <summary>
/// Issue 15 item 10: sub- and superscripts are drawn as smaller, lowered or raised runs (not "T_c",
/// not "Tc"), in the pixels of the PNG and in the SVG's text runs.
/// </summary>
[TestClass]
public sealed class ScriptedTextTests
{
    // NBNEDGE_FIGURES_DIR keeps the figures for a person to look at; otherwise a temp folder is removed.
    private static readonly string? Keep = Environment.GetEnvironmentVariable("NBNEDGE_FIGURES_DIR") is { Length: > 0 } k ? Path.Combine(k, "scripts") : null;
    private static readonly string Dir = Keep ?? Path.Combine(Path.GetTempPath(), "nbnedge-scripts-" + Guid.NewGuid().ToString("N"));

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Keep is null && Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
    }

    [TestMethod]
    public void MarkupSplitsIntoRuns_OnlyTheBracedFormIsAScript()
    {
        CollectionAssert.AreEqual(
            new[] { new TextRun("T", ScriptPosition.Base), new TextRun("c", ScriptPosition.Subscript), new TextRun(" (K)", ScriptPosition.Base) },
            FigureText.Parse("T_{c} (K)").ToArray());
        CollectionAssert.AreEqual(
            new[] { new TextRun("×10", ScriptPosition.Base), new TextRun("−9", ScriptPosition.Superscript) },
            FigureText.Parse("×10^{-9}").ToArray(), "an exponent's minus is U+2212");
        Assert.AreEqual("Δ/kBTc", FigureText.Plain("Δ/k_{B}T_{c}"));
        Assert.AreEqual("line_000", FigureText.Plain("line_000"), "names pass through");
        Assert.AreEqual("a_{}b", FigureText.Plain("a_{}b"), "an empty script is text");
        Assert.AreEqual("x_{open", FigureText.Plain("x_{open"), "an unclosed brace is text");
        Assert.IsTrue(FigureText.HasScripts("σ_{int}"));
        Assert.IsFalse(FigureText.HasScripts("Δ (meV)"));
    }

    /// <summary>Rows and columns of dark ink in a column range of a bitmap: (top, bottom) rows, or null when blank.</summary>
    private static (int Top, int Bottom)? Ink(SKBitmap b, int fromX, int toX)
    {
        int top = int.MaxValue, bottom = -1;
        for (int y = 0; y < b.Height; y++)
            for (int x = Math.Max(0, fromX); x < Math.Min(b.Width, toX); x++)
            {
                var c = b.GetPixel(x, y);
                if (c.Red + c.Green + c.Blue < 3 * 128) { top = Math.Min(top, y); bottom = Math.Max(bottom, y); }
            }
        return bottom < 0 ? null : (top, bottom);
    }

    /// <summary>Draws <paramref name="markup"/> at 60 px with its baseline at y = 100 and returns the ink of the first letter and of the rest.</summary>
    private static ((int Top, int Bottom) First, (int Top, int Bottom) After) Render(string markup, string firstLetter)
    {
        using var bitmap = new SKBitmap(400, 180);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            ScriptedText.Draw(canvas, markup, 20, 100, 60, SKColors.Black);
        }
        int split = 20 + (int)Math.Round(ScriptedText.Measure(firstLetter, 60).Width);
        var first = Ink(bitmap, 0, split);
        var rest = Ink(bitmap, split + 1, bitmap.Width);
        Assert.IsNotNull(first, $"no ink for '{firstLetter}' of {markup}");
        Assert.IsNotNull(rest, $"no ink after '{firstLetter}' of {markup}");
        return (first.Value, rest.Value);
    }

    [TestMethod]
    public void ASubscriptsInkIsSmallerAndSitsBelowItsLettersBaseline()
    {
        var (t, c) = Render("T_{c}", "T");
        int tHeight = t.Bottom - t.Top, cHeight = c.Bottom - c.Top;
        // T ends on the baseline (y = 100); the subscript's baseline is 0.22 × 60 ≈ 13 px lower.
        Assert.AreEqual(100, t.Bottom, 2.0, "T sits on the baseline");
        Assert.IsGreaterThan(t.Bottom + 8, c.Bottom, $"the subscript c ends at row {c.Bottom}, T at {t.Bottom}");
        Assert.IsLessThan(0.6 * tHeight, cHeight, $"the subscript is {cHeight} px tall, T {tHeight} px");

        // The same letters on the line end on the same row: the measurement above tells the two apart.
        var (t2, c2) = Render("Tc", "T");
        Assert.AreEqual(t2.Bottom, c2.Bottom, 1.0, "on the line, c and T share the baseline");
        Assert.IsGreaterThan(0.6 * (t2.Bottom - t2.Top), c2.Bottom - c2.Top, "an on-line c is more than 0.6 of T");
    }

    [TestMethod]
    public void ASuperscriptsInkIsSmallerAndRaisedAboveItsLetter()
    {
        var (one, exponent) = Render("1^{2}", "1");
        int oneHeight = one.Bottom - one.Top, expHeight = exponent.Bottom - exponent.Top;
        Assert.IsLessThan(one.Top - 8, exponent.Top, $"the exponent's top is row {exponent.Top}, the 1's {one.Top}");
        Assert.IsLessThan(one.Bottom - 15, exponent.Bottom, "the exponent ends well above the baseline");
        Assert.IsLessThan(0.8 * oneHeight, expHeight);
    }

    [TestMethod]
    public void TheSvgDrawsEachScriptAsASmallerRunBelowOrAboveItsLetter_InEveryFormat()
    {
        var bias = Enumerable.Range(0, 101).Select(i => -5.0 + 0.1 * i).ToArray();
        var g = bias.Select(v => Math.Abs(v) < 2 ? 0.3 : 1.0 + 0.01 * v).ToArray();
        var o = FigureOptions.Default with { Formats = FigureFormats.Png | FigureFormats.Svg | FigureFormats.Pdf };
        var f = GapFigures.SpectrumFit(Dir, "scripts", bias, g, g, "s1: Δ = 2.02 meV, T_{eff} = 1.7 K", "dI/dV (×10^{-9}, arb. units)", o,
            modelLabel: "fit (SIS, tip Δ_{t} = 1.35 meV)");
        Assert.HasCount(3, f.Written);
        Assert.IsGreaterThan(1000L, new FileInfo(f.PdfPath!).Length);
        GapFiguresTests.AssertFigure(f, 1200, 800, "T_{eff} = 1.7 K", "dI/dV (×10^{-9}, arb. units)", "Δ_{t} = 1.35 meV");
        var runs = GapFiguresTests.SvgRuns(f.SvgPath);

        void Scripted(string before, string script, bool lowered)
        {
            int k = Enumerable.Range(0, runs.Count - 1)
                .FirstOrDefault(i => runs[i].Text.EndsWith(before, StringComparison.Ordinal) && runs[i + 1].Text == script, -1);
            Assert.IsGreaterThanOrEqualTo(0, k, $"no run '{script}' after '{before}'");
            GapFiguresTests.SvgRun b = runs[k], s = runs[k + 1];
            Assert.AreEqual(b.Transform, s.Transform, "both in the same frame");
            // Not the code's constants: a script a quarter smaller at least, its baseline a sixth of the size away.
            Assert.IsLessThan(0.8 * b.FontSize, s.FontSize, $"'{script}' is smaller");
            if (lowered) Assert.IsGreaterThan(b.FontSize / 6, s.Y - b.Y, $"'{script}' is lowered");
            else Assert.IsLessThan(-b.FontSize / 6, s.Y - b.Y, $"'{script}' is raised");
            Assert.IsGreaterThan(b.X, s.X, $"'{script}' follows its letter");
        }
        Scripted("T", "eff", lowered: true);        // title
        Scripted("×10", "−9", lowered: false);      // y-axis label, rotated
        Scripted("tip Δ", "t", lowered: true);      // legend

        // The PDF gets the same runs: text set at 30 px (title, y label) and at 0.7 of it for their scripts.
        var sizes = PdfFontSizes(f.PdfPath!);
        CollectionAssert.Contains(sizes, 30.0);
        Assert.IsTrue(sizes.Any(z => z < 0.8 * 30 && z > 0.5 * 30 && z != 24.0 && z != 22.0), $"no script size in the PDF: {string.Join(", ", sizes)}");
    }

    /// <summary>The font sizes of the PDF's text operators ("/F1 30 Tf"), from its Flate-compressed content streams.</summary>
    private static List<double> PdfFontSizes(string path)
    {
        byte[] pdf = File.ReadAllBytes(path);
        string latin = System.Text.Encoding.Latin1.GetString(pdf);
        var sizes = new List<double>();
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(latin, @"stream\r?\n"))
        {
            int start = m.Index + m.Length, end = latin.IndexOf("endstream", start, StringComparison.Ordinal);
            if (end < 0) continue;
            try
            {
                using var z = new System.IO.Compression.ZLibStream(new MemoryStream(pdf, start, end - start), System.IO.Compression.CompressionMode.Decompress);
                using var reader = new StreamReader(z, System.Text.Encoding.Latin1);
                foreach (System.Text.RegularExpressions.Match t in System.Text.RegularExpressions.Regex.Matches(reader.ReadToEnd(), @"/\w+ ([\d.]+) Tf"))
                    sizes.Add(double.Parse(t.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (InvalidDataException) { } // an image or font stream, not content
        }
        return sizes.Distinct().Order().ToList();
    }

    [TestMethod]
    public void NoFigureOfTheProductPrintsMarkup()
    {
        // Every figure kind with every scripted text it can carry; AssertFigure fails on a literal _ ^ { }.
        var bias = Enumerable.Range(0, 101).Select(i => -5.0 + 0.1 * i).ToArray();
        var g = bias.Select(v => Math.Abs(v) < 2 ? 0.3 : 1.0 + 0.01 * v).ToArray();
        GapFiguresTests.AssertFigure(GapFigures.Histogram(Dir, "h", [1.9, 2.0, 2.1], [3, 5], 5, 2.0, 0.05, 0.04, (0.02, 0.06),
            "Δ over 8 spectra", meanMeV: 2.0, sdMeV: 0.05), 1200, 800, "σ_{int} = 40.0 µeV", "Δ_{0} = 2.0000 meV");
        GapFiguresTests.AssertFigure(GapFigures.TcVersusThickness(Dir, "tc", [new FilmPoint("a", 5, 10)]), 1200, 800, "T_{c} (K)");
        GapFiguresTests.AssertFigure(SpatialFigures.Variogram(Dir, "v", [new VariogramPoint(1, 1e-3, 1.1e-3, 1e-5), new VariogramPoint(2, 1.2e-3, 1.3e-3, 1e-5)],
            new VariogramModelCurve(0, 1.3e-3, 1, 0.5, 2, 0.01), 2), 1200, 800, "ξ_{Δ} = 1.00 nm", "µeV^{2}");
        GapFiguresTests.AssertFigure(GapFigures.DeltaProfile(Dir, "d", [0, 1, 2], [2.0, 2.1, 2.0], [0.01, 0.01, 0.01], title: "Δ_{x} along the line"), 1200, 800, "Δ (meV)");
        GapFiguresTests.AssertFigure(GapFigures.Waterfall(Dir, "w", [new WaterfallTrace(bias, g), new WaterfallTrace(bias, g)], title: "2 spectra"), 1200, 1200, "bias (mV)");
        GapFiguresTests.AssertFigure(GapFigures.GapMap(Dir, "m", new double[,] { { 2.0, 2.1 }, { 2.05, 2.0 } }, 1.0, "gap map: T_{eff}"), 1200, 800, "x (nm)", "y (nm)");
    }
}
