using System.Globalization;
using System.Text.RegularExpressions;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Model;
using NbnEdge.Analysis.Synthetic;
using NbnEdge.Cli.Live;
using NbnEdge.Link;
using NbnEdge.Live;
using Spectre.Console;

namespace NbnEdge.Cli.Tests;

/// <summary>
/// Issue 15 items 5/6: the monitor's live table (drawn only on a terminal) rendered to text. Below
/// ten fits its spread row says "not yet meaningful" and shows no σ; from ten on it shows σ_int with
/// its CI, equal to the statistics of the fitted Δ computed here.
/// </summary>
[TestClass]
public sealed class LiveTableTests
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Fits of synthetic spectra whose gaps spread by about 40 µeV (fixed quantiles, no outlier).</summary>
    private static List<GapFitResult> Fits(int n)
    {
        var rng = new Random(11);
        var fitter = new GapFitter();
        var fits = new List<GapFitResult>();
        for (int i = 0; i < n; i++)
        {
            double z = -1.5 + 3.0 * i / Math.Max(1, n - 1);
            var truth = new BcsParameters(2.02 + 0.04 * z, 1.73, Scale: 1.0);
            var s = SyntheticSpectra.Generate(truth, 201, SyntheticSpectra.DefaultHalfRangeMV(2.02, 1.73), 0.02, rng, $"s{i:00}");
            fits.Add(fitter.Fit(s));
        }
        Assert.IsTrue(fits.All(f => f.IsUsable), "every synthetic spectrum fits");
        return fits;
    }

    private static LiveView View(IReadOnlyList<GapFitResult> fits) => new(
        "tcp://127.0.0.1:5000", "connected", new LinkCounters { SpectraComplete = fits.Count },
        new LiveSnapshot
        {
            Counters = new LinkCounters { SpectraComplete = fits.Count },
            SpectraProcessed = fits.Count,
            UsableFits = fits.Count,
            MeanMeV = fits.Average(f => f.DeltaMeV),
        },
        fits);

    /// <summary>The table as a terminal would show it, without colours or escape sequences.</summary>
    private static string Render(Table table)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(text),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        console.Write(table);
        return text.ToString();
    }

    private static string SpreadLine(string rendered) =>
        rendered.Split('\n').Single(l => l.Contains("σ / rms fit error / σ_int", StringComparison.Ordinal));

    [TestMethod]
    public void ThreeFits_TheSpreadRowSaysNotYetMeaningful_AndShowsNoSigma()
    {
        string rendered = Render(new LiveTable().Build(View(Fits(3))));
        string row = SpreadLine(rendered);
        StringAssert.Contains(row, "not yet meaningful (3 fits, needs 10)");
        Assert.IsFalse(Regex.IsMatch(row, @"\d\s*µeV"), $"no σ number before ten fits: {row}");
        Assert.DoesNotContain("CI", row);
        StringAssert.Contains(rendered, "nbnedge monitor: tcp://127.0.0.1:5000", "the whole table is drawn");
    }

    [TestMethod]
    public void TwelveFits_TheSpreadRowShowsSigmaIntWithItsCi_AsComputedFromTheFittedGaps()
    {
        var fits = Fits(12);
        string row = SpreadLine(Render(new LiveTable().Build(View(fits))));

        // Independently of the summary's code: no Δ beyond 3.5 robust σ (1.4826 · MAD) of the median,
        // so every fit is an inlier; σ the sample SD, the rms of the fit errors, σ_int = √(σ² − rms²).
        double[] delta = fits.Select(f => f.DeltaMeV).ToArray(), err = fits.Select(f => f.DeltaErrMeV).ToArray();
        double median = Median(delta), mad = Median(delta.Select(d => Math.Abs(d - median)).ToArray());
        Assert.IsTrue(delta.All(d => Math.Abs(d - median) <= 3.5 * 1.4826 * mad), "the test's gaps have no outlier");
        double mean = delta.Average();
        double sd = Math.Sqrt(delta.Sum(d => (d - mean) * (d - mean)) / (delta.Length - 1));
        double rms = Math.Sqrt(err.Average(e => e * e));
        double sigmaInt = Math.Sqrt(Math.Max(0, sd * sd - rms * rms));
        Assert.IsGreaterThan(0.02, sigmaInt, "a spread of about 40 µeV, well above the fit errors");
        // The interval is the analysis library's bootstrap (default resamples and seed) over the same pairs.
        var (lower, upper) = HomogeneityStatistics.BootstrapIntrinsicSigma(delta, err, 2000, 0.95, HomogeneityOptions.DefaultSeed);
        Assert.IsTrue(lower <= sigmaInt && sigmaInt <= upper, $"CI {lower}–{upper} holds σ_int {sigmaInt}");

        string U(double meV) => (meV * 1000).ToString("F1", Inv);
        StringAssert.Contains(row, "(12 fits)");
        StringAssert.Contains(row, $"{U(sd)} µeV / {U(rms)} µeV / {U(sigmaInt)} µeV (95 % CI {U(lower)}–{U(upper)})");
        Assert.DoesNotContain("not yet meaningful", row);
    }

    [TestMethod]
    public void NineUsableFits_AreStillNotMeaningful_TenAre()
    {
        var fits = Fits(10);
        var table = new LiveTable();
        StringAssert.Contains(table.SpreadRow(fits.Take(9).ToList()).Value, "not yet meaningful (9 fits, needs 10)");
        StringAssert.Contains(table.SpreadRow(fits).Value, "95 % CI");
    }

    [TestMethod]
    public void TheProgressLine_SaysNotYetMeaningful_BelowTenFits_AndShowsTheCiFromTen()
    {
        var s = new LiveSnapshot { Counters = new LinkCounters(), SpectraProcessed = 3, UsableFits = 3, StandardDeviationMeV = 0.04, IntrinsicSigmaMeV = 0.039 };
        var fits = Fits(12);
        string line = LiveProgress.Describe("5nm film", s, fits.Take(3).ToList(), new RunningSpread());
        StringAssert.Contains(line, "σ not yet meaningful (3 fits, needs 10)");
        Assert.DoesNotContain("39.0", line);

        // From ten fits: σ and σ_int with the CI, the same numbers as the table's spread row.
        string withCi = LiveProgress.Describe("5nm film", s with { UsableFits = 12, SpectraProcessed = 12 }, fits, new RunningSpread());
        string row = SpreadLine(Render(new LiveTable().Build(View(fits))));
        var inRow = System.Text.RegularExpressions.Regex.Match(row, @"([0-9.]+) µeV / [0-9.]+ µeV / ([0-9.]+) µeV \(95 % CI ([0-9.]+)–([0-9.]+)\)");
        Assert.IsTrue(inRow.Success, row);
        StringAssert.Contains(withCi, $"σ {inRow.Groups[1].Value} µeV, σ_int {inRow.Groups[2].Value} µeV (95 % CI {inRow.Groups[3].Value}–{inRow.Groups[4].Value}, 12 fits)");
    }

    private static double Median(double[] v)
    {
        var s = v.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }
}
