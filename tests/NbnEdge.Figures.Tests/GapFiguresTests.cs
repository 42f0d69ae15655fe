using System.Xml.Linq;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Model;
using NbnEdge.Analysis.Synthetic;
using NbnEdge.Figures;
using SkiaSharp;

[assembly: Parallelize(Workers = 1, Scope = ExecutionScope.ClassLevel)]

namespace NbnEdge.Figures.Tests;

[TestClass]
public sealed class GapFiguresTests
{
    private static string _dir = "";
    private static List<Spectrum> _spectra = [];
    private static List<GapFitResult> _fits = [];
    private static double[] _positionNm = [];

    /// <summary>A line of real fits on synthetic spectra, as the CLI would hand over.</summary>
    [ClassInitialize]
    public static void Init(TestContext _)
    {
        // NBNEDGE_FIGURES_DIR keeps the figures for a person to look at; otherwise a temp folder is removed.
        _dir = Environment.GetEnvironmentVariable("NBNEDGE_FIGURES_DIR") is { Length: > 0 } keep
            ? keep : Path.Combine(Path.GetTempPath(), "nbnedge-figures-" + Guid.NewGuid().ToString("N"));
        var rng = new Random(7);
        var fitter = new GapFitter();
        const int n = 40;
        _positionNm = new double[n];
        for (int i = 0; i < n; i++)
        {
            double delta = 2.02 + 0.04 * SyntheticSpectra.Gaussian(rng);
            var truth = new BcsParameters(delta, 1.73, Scale: 1.0);
            var s = SyntheticSpectra.Generate(truth, 201, SyntheticSpectra.DefaultHalfRangeMV(2.02, 1.73), 0.02, rng, $"s{i:000}");
            _spectra.Add(s);
            _fits.Add(fitter.Fit(s));
            _positionNm[i] = i * 424.0 / (n - 1);
        }
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Environment.GetEnvironmentVariable("NBNEDGE_FIGURES_DIR") is not { Length: > 0 } && Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    internal static void AssertFigure(FigureFiles f, int width, int height, params string[] labels)
    {
        Assert.IsTrue(File.Exists(f.PngPath), f.PngPath);
        Assert.IsTrue(File.Exists(f.SvgPath), f.SvgPath);
        using (var bitmap = SKBitmap.Decode(f.PngPath))
        {
            Assert.IsNotNull(bitmap, "the PNG does not decode");
            Assert.AreEqual(width, bitmap.Width);
            Assert.AreEqual(height, bitmap.Height);
            // Not a blank canvas: a figure has dark text/lines on white.
            int dark = 0;
            for (int y = 0; y < bitmap.Height; y += 3)
                for (int x = 0; x < bitmap.Width; x += 3)
                {
                    var c = bitmap.GetPixel(x, y);
                    if (c.Red + c.Green + c.Blue < 200) dark++;
                }
            Assert.IsGreaterThan(200, dark, "the PNG has almost no dark pixels");
            var corner = bitmap.GetPixel(2, 2);
            Assert.AreEqual((byte)255, corner.Red, "background is not white");
        }
        var runs = SvgRuns(f.SvgPath); // throws on invalid XML
        // Scripts are separate <text> runs and Skia drops the spaces at a run's ends: compare without white space.
        string text = string.Concat(runs.Select(r => r.Text)).Replace(" ", "");
        foreach (var label in labels)
            Assert.Contains(FigureText.Plain(label).Replace(" ", ""), text, $"the SVG has no text '{label}'");
        // Markup is drawn, never printed: a literal _{ or ^{ (or a stray brace) is a label that bypassed the scripts.
        foreach (var r in runs)
            Assert.AreEqual(-1, r.Text.IndexOfAny(['_', '^', '{', '}']), $"markup printed literally in '{r.Text}' of {f.SvgPath}");
    }

    /// <summary>One &lt;text&gt; of Skia's SVG: its characters, font size, first glyph's x and y, and its transform.</summary>
    internal sealed record SvgRun(string Text, double FontSize, double X, double Y, string Transform);

    internal static List<SvgRun> SvgRuns(string svgPath)
    {
        var doc = XDocument.Load(svgPath);
        Assert.AreEqual("svg", doc.Root!.Name.LocalName);
        static double First(XElement e, string name) =>
            double.Parse(((string?)e.Attribute(name) ?? "0").Split(',')[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return doc.Descendants().Where(e => e.Name.LocalName == "text")
            .Select(e => new SvgRun(e.Value.Trim(), First(e, "font-size"), First(e, "x"), First(e, "y"), (string?)e.Attribute("transform") ?? ""))
            .ToList();
    }

    [TestMethod]
    public void SpectrumFitWritesTwoPanelsWithUnits()
    {
        var s = _spectra[0];
        var model = _fits[0].ModelAt(s.BiasMV);
        var f = GapFigures.SpectrumFit(_dir, "spectrum", s.BiasMV, s.Conductance, model,
            title: $"{s.Name}: Δ = {_fits[0].DeltaMeV:F3} meV");
        AssertFigure(f, 1200, 800, "bias (mV)", "dI/dV (normalised)", "residual", "fit (thermal BCS)");
    }

    [TestMethod]
    public void SpectrumWithoutModelHasNoResidualPanel()
    {
        var s = _spectra[1];
        var f = GapFigures.SpectrumFit(_dir, "spectrum-nofit", s.BiasMV, s.Conductance, null);
        AssertFigure(f, 1200, 800, "bias (mV)", "measured");
        Assert.DoesNotContain("residual", File.ReadAllText(f.SvgPath));
    }

    [TestMethod]
    public void DeltaProfileShowsHostAndDevice()
    {
        var delta = _fits.Select(r => r.DeltaMeV).ToArray();
        var err = _fits.Select(r => r.DeltaErrMeV).ToArray();
        var device = delta.Select((d, i) => i % 7 == 3 ? double.NaN : d + 0.01).ToArray();
        var f = GapFigures.DeltaProfile(_dir, "delta-profile", _positionNm, delta, err, device);
        AssertFigure(f, 1200, 800, "distance (nm)", "Δ (meV)", "device estimate", "host fit");
    }

    [TestMethod]
    public void HistogramShowsGaussianAndIntrinsicSpread()
    {
        var names = _fits.Select(r => r.Spectrum).ToList();
        var stats = HomogeneityStatistics.Compute(names, _fits.Select(r => r.DeltaMeV).ToArray(), _fits.Select(r => r.DeltaErrMeV).ToArray());
        var f = GapFigures.Histogram(_dir, "histogram", stats.Histogram.EdgesMeV.ToArray(), stats.Histogram.Counts.ToArray(),
            stats.Gaussian.Amplitude, stats.Gaussian.CentreMeV, stats.Gaussian.SigmaMeV,
            stats.IntrinsicSigmaMeV, (stats.IntrinsicSigmaLowerMeV, stats.IntrinsicSigmaUpperMeV));
        AssertFigure(f, 1200, 800, "Δ (meV)", "spectra per bin", "Gaussian (Eq. 4)", "σ_{int} =");
    }

    [TestMethod]
    public void HistogramAnnotatesMeanAndSd()
    {
        var names = _fits.Select(r => r.Spectrum).ToList();
        var stats = HomogeneityStatistics.Compute(names, _fits.Select(r => r.DeltaMeV).ToArray(), _fits.Select(r => r.DeltaErrMeV).ToArray());
        var f = GapFigures.Histogram(_dir, "histogram-mean", stats.Histogram.EdgesMeV.ToArray(), stats.Histogram.Counts.ToArray(),
            stats.Gaussian.Amplitude, stats.Gaussian.CentreMeV, stats.Gaussian.SigmaMeV, meanMeV: stats.MeanMeV, sdMeV: stats.StandardDeviationMeV);
        AssertFigure(f, 1200, 800, string.Format(System.Globalization.CultureInfo.InvariantCulture, "mean Δ = {0:F4} meV, σ = {1:F1} µeV", stats.MeanMeV, stats.StandardDeviationMeV * 1000));
    }

    [TestMethod]
    public void VariogramShowsCorrelationLengthAndTest()
    {
        var points = Enumerable.Range(1, 40).Select(k => new VariogramPoint(2.0 * k, 1.6e-3 * (1 - Math.Exp(-2.0 * k / 20)), 1.7e-3 * (1 - Math.Exp(-2.0 * k / 20)), 1e-5)).ToList();
        var f = SpatialFigures.Variogram(_dir, "variogram", points, new VariogramModelCurve(0, 1.6e-3, 20, 14.2, 31.5, 0.001), 60);
        AssertFigure(f, 1200, 800, "lag h (nm)", "semivariance γ(h) (µeV^{2})", "ξ_{Δ} = 20.0 nm (CI 14.2–31.5)", "p = 0.001");
    }

    [TestMethod]
    public void HistogramRejectsMismatchedEdges()
    {
        Assert.ThrowsExactly<ArgumentException>(() =>
            GapFigures.Histogram(_dir, "bad", [1, 2, 3], [1, 2, 3], 1, 2, 0.1));
    }

    [TestMethod]
    public void WaterfallStacksAndThinsSpectra()
    {
        var traces = _spectra.Select(s => new WaterfallTrace(s.BiasMV, s.Conductance)).ToList();
        var f = GapFigures.Waterfall(_dir, "waterfall", traces, maxTraces: 25);
        AssertFigure(f, 1200, 1200, "bias (mV)", "dI/dV + offset", "25 of 40 spectra shown");
    }

    [TestMethod]
    public void PickSpreadsEvenlyIncludingEnds()
    {
        Assert.AreEqual(0, GapFigures.Pick(0, 25, 40));
        Assert.AreEqual(39, GapFigures.Pick(24, 25, 40));
        var picks = Enumerable.Range(0, 25).Select(k => GapFigures.Pick(k, 25, 40)).ToArray();
        CollectionAssert.AllItemsAreUnique(picks);
    }

    [TestMethod]
    public void GapMapHasColourBarAndNanometreAxes()
    {
        var map = new double[12, 16];
        for (int r = 0; r < 12; r++)
            for (int c = 0; c < 16; c++)
                map[r, c] = r == 5 && c == 5 ? double.NaN : 2.0 + 0.01 * r + 0.002 * c;
        var f = GapFigures.GapMap(_dir, "gap-map", map, 2.5);
        AssertFigure(f, 1200, 800, "x (nm)", "y (nm)", "Δ (meV)");
    }

    [TestMethod]
    public void GapMapPutsRowZeroAtTheBottom()
    {
        // Row 0 (y = 0) high, the rest low: the bottom of the image must show the high colour.
        var map = new double[4, 4];
        for (int c = 0; c < 4; c++) { map[0, c] = 3; map[1, c] = map[2, c] = map[3, c] = 1; }
        var f = GapFigures.GapMap(_dir, "gap-map-orientation", map, 1, options: new FigureOptions { WidthPx = 800, HeightPx = 800 });
        using var bitmap = SKBitmap.Decode(f.PngPath);
        // Scan the image's middle column for the heat map's rows: viridis high is yellow-green
        // (green > blue), low is purple (blue > green).
        int x = bitmap.Width / 2 - 60;
        int firstYellow = -1, firstPurple = -1;
        for (int y = 0; y < bitmap.Height; y++)
        {
            var px = bitmap.GetPixel(x, y);
            bool purple = px.Blue > 80 && px.Blue > px.Green + 40 && px.Red < 120 && px.Red > 40;
            bool yellow = px.Green > 180 && px.Blue < 100 && px.Red > 150;
            if (purple && firstPurple < 0) firstPurple = y;
            if (yellow && firstYellow < 0) firstYellow = y;
        }
        Assert.IsGreaterThanOrEqualTo(0, firstPurple, "no low (purple) cells found");
        Assert.IsGreaterThanOrEqualTo(0, firstYellow, "no high (yellow) cells found");
        Assert.IsGreaterThan(firstPurple, firstYellow, "row 0 must be drawn below the other rows");
    }

    [TestMethod]
    public void FilmsTcAgainstThickness()
    {
        FilmPoint[] films =
        [
            new("ALD Si 25", 25, 13.8, "ALD"), new("ALD sapphire 5", 5, 10.4, "ALD"), new("ALD Si 4", 4, 8.7, "ALD"),
            new("sp 15", 15, 15.0, "sputtered"), new("sp 8", 8, 14.5, "sputtered"), new("sp 4", 4, 13.3, "sputtered"),
        ];
        var f = GapFigures.TcVersusThickness(_dir, "tc-thickness", films);
        AssertFigure(f, 1200, 800, "film thickness d (nm)", "T_{c} (K)", "ALD", "sputtered");
    }

    [TestMethod]
    public void RejectsPathLikeBaseName()
    {
        Assert.ThrowsExactly<ArgumentException>(() =>
            GapFigures.TcVersusThickness(_dir, "../escape", [new FilmPoint("a", 1, 1)]));
    }
}

/// <summary>Issue 15 item 10: size, DPI and PDF; sub/superscripts.</summary>
[TestClass]
public sealed class FigureOutputOptionsTests
{
    private static readonly string Dir = Path.Combine(Path.GetTempPath(), "nbnedge-figopts-" + Guid.NewGuid().ToString("N"));

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
    }

    private static (double[] Bias, double[] G) Curve()
    {
        var b = Enumerable.Range(0, 101).Select(i => -5.0 + 0.1 * i).ToArray();
        return (b, b.Select(v => Math.Abs(v) < 2 ? 0.3 : 1.0 + 0.01 * v).ToArray());
    }

    [TestMethod]
    public void PngPixelsFollowTheDpiAndPdfIsAPageOfThePrintedSize()
    {
        var (b, g) = Curve();
        var o = FigureOptions.Default with { WidthPx = 1020, HeightPx = 720, Dpi = 600, Formats = FigureFormats.Png | FigureFormats.Pdf };
        var f = GapFigures.SpectrumFit(Dir, "dpi600", b, g, g, "T_{c}", options: o);
        CollectionAssert.AreEqual(new[] { f.PngPath, f.PdfPath }, f.Written.ToArray());
        Assert.IsFalse(File.Exists(f.SvgPath), "SVG was not asked for");
        using (var bitmap = SKBitmap.Decode(f.PngPath))
        {
            // 1020 × 720 layout px = 3.4 × 2.4 in; at 600 dpi that is 2040 × 1440 pixels.
            Assert.AreEqual(2040, bitmap.Width);
            Assert.AreEqual(1440, bitmap.Height);
        }
        string pdf = File.ReadAllText(f.PdfPath!, System.Text.Encoding.Latin1);
        StringAssert.StartsWith(pdf, "%PDF-");
        // 3.4 × 2.4 in = 244.8 × 172.8 pt (Skia writes whole points).
        var box = System.Text.RegularExpressions.Regex.Match(pdf, @"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]");
        Assert.IsTrue(box.Success, "no MediaBox in the PDF");
        Assert.AreEqual(244.8, double.Parse(box.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0.5);
        Assert.AreEqual(172.8, double.Parse(box.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 0.5);
    }
}

[TestClass]
public sealed class EmptyGapMapTests
{
    [TestMethod]
    public void AMapWithoutAnyFitIsDrawnGreyWithANoteInsteadOfThrowing()
    {
        // Before: ArgumentException "min must be a real number" from ScottPlot's colour range.
        string dir = Path.Combine(Path.GetTempPath(), "nbnedge-emptymap-" + Guid.NewGuid().ToString("N"));
        var map = new double[4, 5];
        for (int y = 0; y < 4; y++) for (int x = 0; x < 5; x++) map[y, x] = double.NaN;
        var f = GapFigures.GapMap(dir, "empty", map, 0.5);
        StringAssert.Contains(File.ReadAllText(f.SvgPath), "no pixel has a usable fit");
        Directory.Delete(dir, recursive: true);
    }
}
