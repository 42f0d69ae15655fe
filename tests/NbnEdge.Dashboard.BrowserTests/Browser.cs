using System.Text.Json;
using Microsoft.Playwright;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Model;
using NbnEdge.Analysis.Synthetic;

namespace NbnEdge.Dashboard.BrowserTests;

/// <summary>Starts Debian's Chromium through Playwright, or says clearly why it cannot.</summary>
internal static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>
    /// A headless Chromium, or a failed test with instructions when it is missing (inconclusive
    /// only when NBNEDGE_SKIP_BROWSER=1 asks for that): a browser test must never pass unseen.
    /// </summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            const string why = "Chromium is not installed at " + ChromiumPath + ": install it with `apt-get install -y chromium` " +
                "(.ci/run does this), or set NBNEDGE_SKIP_BROWSER=1 to skip the browser tests.";
            if (Environment.GetEnvironmentVariable("NBNEDGE_SKIP_BROWSER") == "1") Assert.Inconclusive(why);
            Assert.Fail(why);
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
        });
        return (playwright, browser);
    }

    /// <summary>Counts non-white pixels of a canvas (sampled every 2nd pixel): a drawn plot has many.</summary>
    public static async Task<int> InkedPixelsAsync(IPage page, string canvasId) =>
        await page.EvaluateAsync<int>(@"(id) => {
            const c = document.getElementById(id);
            if (!c || c.width === 0 || c.height === 0) return 0;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 8) if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) n++;
            return n;
        }", canvasId);

    /// <summary>Counts pixels of a canvas close to an RGB colour: the series drawn in it.</summary>
    public static async Task<int> ColouredPixelsAsync(IPage page, string canvasId, int r, int g, int b) =>
        await page.EvaluateAsync<int>(@"([id, r, g, b]) => {
            const c = document.getElementById(id);
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4)
                if (Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40) n++;
            return n;
        }", new object[] { canvasId, r, g, b });

    /// <summary>The exact value a page element holds for a data-field (its data-value attribute).</summary>
    public static async Task<string?> FieldAsync(IPage page, string field) =>
        await page.Locator($"[data-field=\"{field}\"]").First.GetAttributeAsync("data-value");
}

/// <summary>
/// A small test host: synthetic spectra (exact model + noise) fitted by the product's fitter, fed
/// into a <see cref="DashboardState"/> the way the CLI's demo does.
/// </summary>
internal sealed class SyntheticSession
{
    public List<Spectrum> Spectra { get; } = [];
    public List<GapFitResult> Fits { get; } = [];
    public List<double> Device { get; } = [];

    public static SyntheticSession Make(int count, int seed)
    {
        var s = new SyntheticSession();
        var rng = new Random(seed);
        var fitter = new GapFitter();
        for (int i = 0; i < count; i++)
        {
            double delta = 2.02 + 0.04 * SyntheticSpectra.Gaussian(rng);
            var truth = new BcsParameters(delta, 1.73);
            var spectrum = SyntheticSpectra.Generate(truth, 201, SyntheticSpectra.DefaultHalfRangeMV(2.02, 1.73), 0.02, rng, $"line_{i:000}");
            s.Spectra.Add(spectrum);
            s.Fits.Add(fitter.Fit(spectrum));
            s.Device.Add(delta + 0.005 * SyntheticSpectra.Gaussian(rng));
        }
        return s;
    }

    /// <summary>Feeds spectrum <paramref name="i"/> (and new statistics every few spectra).</summary>
    public void Feed(DashboardState state, int i, double distanceNm)
    {
        state.AddFit(Spectra[i], Fits[i], Device[i], distanceNm);
        if (i >= 2) state.SetStatistics(Statistics(i + 1));
    }

    public HomogeneityResult Statistics(int count) =>
        HomogeneityStatistics.Compute(Fits.Take(count).Select(f => f.Spectrum).ToList(),
            Fits.Take(count).Select(f => f.DeltaMeV).ToArray(), Fits.Take(count).Select(f => f.DeltaErrMeV).ToArray(),
            new HomogeneityOptions { BootstrapResamples = 200 });

    /// <summary>A final JSON like the CLI's `stats --json`.</summary>
    public static string SummaryJson(HomogeneityResult h)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("n", h.Count);
            w.WriteNumber("mean_meV", h.MeanMeV);
            w.WriteNumber("sd_meV", h.StandardDeviationMeV);
            w.WriteNumber("gauss_mean_meV", h.Gaussian.CentreMeV);
            w.WriteNumber("gauss_sigma_meV", h.Gaussian.SigmaMeV);
            w.WriteNumber("intrinsic_sigma_meV", h.IntrinsicSigmaMeV);
            w.WriteStartArray("intrinsic_sigma_ci_meV");
            w.WriteNumberValue(h.IntrinsicSigmaLowerMeV);
            w.WriteNumberValue(h.IntrinsicSigmaUpperMeV);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
