using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using NbnEdge.Dashboard;

[assembly: Parallelize(Workers = 1, Scope = ExecutionScope.ClassLevel)]

namespace NbnEdge.Dashboard.BrowserTests;

[TestClass]
public sealed class DashboardBrowserTests
{
    public TestContext TestContext { get; set; } = null!;

    private static readonly string[] StatFields =
        ["n", "mean_meV", "sd_meV", "gauss_mean_meV", "gauss_sigma_meV", "intrinsic_sigma_meV"];

    /// <summary>Where the screenshot goes (NBNEDGE_SCREENSHOT overrides), for a person to look at.</summary>
    private static string ScreenshotPath =>
        Environment.GetEnvironmentVariable("NBNEDGE_SCREENSHOT") is { Length: > 0 } p ? p : Path.Combine(Path.GetTempPath(), "nbnedge-dashboard.png");

    private static double Num(string? text) => double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture);

    [TestMethod]
    public async Task LiveSessionIsDrawnAndPageNumbersEqualTheStateJson()
    {
        var session = SyntheticSession.Make(30, seed: 11);
        var state = new DashboardState();
        state.SetSessionInfo("browser test: synthetic NbN line, 30 spectra", "distance (nm)");
        state.SetLinkHealth([new("frames", 0), new("crc_errors", 0), new("spectra_lost", 0)]);
        await using var server = await DashboardServer.StartAsync(state);

        var (pw, browser) = await Browser.LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 1250 } });
        var problems = new List<string>();
        // Errors, and any Content-Security-Policy report (Chromium logs those as errors too). The test's own
        // getImageData reads cause performance warnings, which are not the page's problems.
        page.Console += (_, m) => { if (m.Type == "error" || m.Text.Contains("Content Security Policy")) problems.Add($"console {m.Type}: {m.Text}"); };
        page.PageError += (_, e) => problems.Add("page error: " + e);
        var offMachine = new List<string>();
        page.Request += (_, r) => { if (!r.Url.StartsWith(server.Url.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal)) offMachine.Add(r.Url); };

        await page.GotoAsync(server.Url.ToString());
        await page.WaitForFunctionAsync("() => document.getElementById('connection').dataset.value === 'live'");

        // Live: spectra arrive while the page is open, as in `demo --dashboard`.
        for (int i = 0; i < session.Spectra.Count; i++)
        {
            session.Feed(state, i, i * 424.0 / 199);
            state.SetLinkHealth([new("frames", 40 * (i + 1)), new("crc_errors", i / 10), new("spectra_lost", 0)]);
            await Task.Delay(15);
        }
        var final = session.Statistics(session.Spectra.Count);
        string summary = SyntheticSession.SummaryJson(final);
        state.SetFinished(summary);
        await page.WaitForFunctionAsync("() => document.querySelector('[data-field=\"spectra_added\"]').dataset.value === '30'");
        await page.Locator("#finished-badge").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });
        await page.WaitForFunctionAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))");

        // The plots show the data: ink in every canvas, the fit's and Gaussian's red, the host fit's blue.
        foreach (var id in new[] { "spectrum", "residuals", "delta", "histogram", "waterfall" })
            Assert.IsGreaterThan(500, await Browser.InkedPixelsAsync(page, id), $"canvas '{id}' is (nearly) blank");
        Assert.IsGreaterThan(150, await Browser.ColouredPixelsAsync(page, "spectrum", 0xD5, 0x5E, 0x00), "no fit curve in the spectrum plot");
        Assert.IsGreaterThan(150, await Browser.ColouredPixelsAsync(page, "histogram", 0xD5, 0x5E, 0x00), "no Gaussian in the histogram");
        Assert.IsGreaterThan(100, await Browser.ColouredPixelsAsync(page, "delta", 0x00, 0x72, 0xB2), "no host-fit points in the Δ plot");

        // The numbers on the page are the state's JSON numbers, exactly.
        using var http = new HttpClient();
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.Url, "/api/state")));
        var stats = json.RootElement.GetProperty("stats");
        foreach (var f in StatFields)
            Assert.AreEqual(stats.GetProperty(f).GetDouble(), Num(await Browser.FieldAsync(page, f)), $"page field {f}");
        Assert.AreEqual(stats.GetProperty("intrinsic_sigma_ci_meV")[0].GetDouble(), Num(await Browser.FieldAsync(page, "intrinsic_sigma_ci_meV.0")));
        Assert.AreEqual(stats.GetProperty("intrinsic_sigma_ci_meV")[1].GetDouble(), Num(await Browser.FieldAsync(page, "intrinsic_sigma_ci_meV.1")));
        var latest = json.RootElement.GetProperty("latest");
        Assert.AreEqual(latest.GetProperty("name").GetString(), await Browser.FieldAsync(page, "latest.name"));
        Assert.AreEqual(latest.GetProperty("delta_meV").GetDouble(), Num(await Browser.FieldAsync(page, "latest.delta_meV")));
        Assert.AreEqual(latest.GetProperty("device_delta_meV").GetDouble(), Num(await Browser.FieldAsync(page, "latest.device_delta_meV")));
        Assert.AreEqual(session.Fits[^1].DeltaMeV, Num(await Browser.FieldAsync(page, "latest.delta_meV")), "the page shows the fitter's Δ");
        Assert.AreEqual(final.MeanMeV, Num(await Browser.FieldAsync(page, "mean_meV")));
        Assert.AreEqual(2.0, Num(await Browser.FieldAsync(page, "link.crc_errors")), "link health shows the last counters (29 / 10 = 2 CRC errors)");
        Assert.AreEqual(1200.0, Num(await Browser.FieldAsync(page, "link.frames")));
        // The finished summary is shown field by field.
        using var sum = JsonDocument.Parse(summary);
        foreach (var p in sum.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number))
            Assert.AreEqual(p.Value.GetDouble(), Num(await Browser.FieldAsync(page, "finished." + p.Name)), $"finished.{p.Name}");

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath, FullPage = true });
        TestContext.WriteLine("screenshot: " + ScreenshotPath);
        Assert.IsEmpty(problems, string.Join("\n", problems)); // includes any CSP violation report
        Assert.IsEmpty(offMachine, "the page requested something off this server: " + string.Join(", ", offMachine));
    }

    [TestMethod]
    public async Task TenThousandSpectraStayResponsive()
    {
        var session = SyntheticSession.Make(40, seed: 12);
        var state = new DashboardState();
        state.SetSessionInfo("10,000 spectra", "spectrum #");
        var rng = new Random(3);
        for (int i = 0; i < 10_000; i++)
        {
            int k = i % session.Spectra.Count;
            var s = session.Spectra[k];
            var model = session.Fits[k].ModelAt(s.BiasMV);
            state.AddSpectrum($"s{i:00000}", double.NaN, s.BiasMV, s.Conductance, model,
                session.Fits[k].DeltaMeV + 0.002 * (rng.NextDouble() - 0.5), session.Fits[k].DeltaErrMeV, session.Device[k], "ok");
        }
        state.SetStatistics(session.Statistics(session.Spectra.Count));
        await using var server = await DashboardServer.StartAsync(state);
        var (pw, browser) = await Browser.LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 1250 } });

        var load = System.Diagnostics.Stopwatch.StartNew();
        await page.GotoAsync(server.Url.ToString());
        await page.WaitForFunctionAsync("() => (window.__nbnedge.drawn.waterfall || 0) > 0 && window.__nbnedge.state.fits.name.length === 10000",
            null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        load.Stop();
        var first = await page.EvaluateAsync<JsonElement>("() => ({...window.__nbnedge.timings})");

        // Live updates on top of 10,000: each one redraws the waterfall and histogram.
        for (int i = 0; i < 30; i++)
        {
            int k = i % session.Spectra.Count;
            state.AddFit(session.Spectra[k], session.Fits[k], session.Device[k]);
            state.SetStatistics(session.Statistics(session.Spectra.Count));
            await Task.Delay(60);
        }
        await page.WaitForFunctionAsync("() => window.__nbnedge.state.fits.name.length === 10030", null,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))");
        var t = await page.EvaluateAsync<JsonElement>("() => ({...window.__nbnedge.timings, drawn: window.__nbnedge.drawn})");

        string report = string.Create(CultureInfo.InvariantCulture,
            $"10,000 spectra in the browser: first load + draw {load.Elapsed.TotalMilliseconds:F0} ms " +
            $"(parse of the snapshot {first.GetProperty("lastUpdateParseMs").GetDouble():F1} ms, waterfall {first.GetProperty("waterfall").GetDouble():F1} ms, " +
            $"histogram {first.GetProperty("histogram").GetDouble():F1} ms, Δ plot {first.GetProperty("delta").GetDouble():F1} ms); " +
            $"live updates: {t.GetProperty("updates").GetInt32()} received, last waterfall draw {t.GetProperty("waterfall").GetDouble():F1} ms " +
            $"(max {t.GetProperty("waterfall_max").GetDouble():F1}), last histogram draw {t.GetProperty("histogram").GetDouble():F1} ms " +
            $"(max {t.GetProperty("histogram_max").GetDouble():F1}), last Δ draw {t.GetProperty("delta").GetDouble():F1} ms");
        TestContext.WriteLine(report);
        Console.WriteLine(report);

        Assert.AreEqual("10030", await Browser.FieldAsync(page, "spectra_added"));
        Assert.IsGreaterThan(500, await Browser.InkedPixelsAsync(page, "waterfall"));
        Assert.IsGreaterThan(1, t.GetProperty("drawn").GetProperty("waterfall").GetInt32(), "the waterfall was redrawn on live updates");
    }
}
