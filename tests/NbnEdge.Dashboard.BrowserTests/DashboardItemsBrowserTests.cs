using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using NbnEdge.Dashboard;

namespace NbnEdge.Dashboard.BrowserTests;

/// <summary>Issue 15 items 8 and 9, each checked in Chromium against the state's JSON.</summary>
[TestClass]
public sealed class DashboardItemsBrowserTests
{
    public TestContext TestContext { get; set; } = null!;

    private static double[] Bias(int n) => Enumerable.Range(0, n).Select(i => -5.0 + 10.0 * i / (n - 1)).ToArray();

    private static async Task<(IPlaywright, IBrowser, IPage)> Open(DashboardServer server, string query = "")
    {
        var (pw, browser) = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 1250 } });
        await page.GotoAsync(server.Url + query);
        return (pw, browser, page);
    }

    private static Task Settled(IPage page) =>
        page.WaitForFunctionAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))");

    private static async Task<double[]> Axis(IPage page, string canvas, string which) =>
        (await page.EvaluateAsync<double[]>($"() => window.__nbnedge.axes['{canvas}'].{which}"))!;

    private static async Task<string> Label(IPage page, string canvas, string which) =>
        (await page.EvaluateAsync<string>($"() => window.__nbnedge.axes['{canvas}'].{which}label"))!;

    [TestMethod]
    public async Task DeviceEstimatesThatArriveAfterTheirSpectraAreShown()
    {
        var state = new DashboardState();
        state.SetSessionInfo("device estimates", "spectrum #");
        await using var server = await DashboardServer.StartAsync(state);
        var (pw, browser, page) = await Open(server);
        using var _ = pw;
        await using var __ = browser;
        await page.WaitForFunctionAsync("() => document.getElementById('connection').dataset.value === 'live'");
        var b = Bias(101);
        var g = b.Select(v => Math.Abs(v) < 2 ? 0.2 : 1.0).ToArray();
        for (int i = 0; i < 12; i++)
        {
            // As the live pipeline does: the spectrum first, its ESTIMATE a moment later.
            long seq = state.AddSpectrum($"s{i}", i, b, g, g, 2.0 + 0.01 * i, 0.002, null, "ok");
            await Task.Delay(20);
            state.SetDeviceEstimate(seq, 2.005 + 0.01 * i);
        }
        await page.WaitForFunctionAsync("() => window.__nbnedge.state.fits.device.filter(v => v !== null).length === 12");
        await Settled(page);
        using var http = new HttpClient();
        using var json = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.Url, "/api/state")));
        var expected = json.RootElement.GetProperty("fits").GetProperty("device_delta_meV").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var onPage = await page.EvaluateAsync<double[]>("() => window.__nbnedge.state.fits.device");
        CollectionAssert.AreEqual(expected, onPage);
        Assert.AreEqual(json.RootElement.GetProperty("latest").GetProperty("device_delta_meV").GetDouble(),
            double.Parse((await Browser.FieldAsync(page, "latest.device_delta_meV"))!, CultureInfo.InvariantCulture), "Δ device is not '–'");
        Assert.AreEqual("2.1150 meV", await page.Locator("[data-field='latest.device_delta_meV']").TextContentAsync());
        Assert.IsGreaterThan(60, await Browser.ColouredPixelsAsync(page, "delta", 0xE6, 0x9F, 0x00), "no device triangles in the Δ plot");
        Assert.IsTrue(await page.Locator("#delta-card").IsVisibleAsync(), "a line shows its Δ plot");
    }

    [TestMethod]
    public async Task AGridShowsItsMapInNanometresAndNoLinePlot()
    {
        var state = new DashboardState();
        state.SetSessionInfo("grid", "spectrum #", isLine: false);
        var b = Bias(60);
        var g = b.Select(v => Math.Abs(v) < 2 ? 0.2 : 1.0).ToArray();
        for (int i = 0; i < 6; i++) state.AddSpectrum($"p{i}", i, b, g, g, 2.0, 0.002, null, "ok");
        var map = Enumerable.Range(0, 20 * 10).Select(i => 2.0 + 0.001 * i).ToArray();
        state.SetGapMap(20, 10, 0.25, map);
        await using var server = await DashboardServer.StartAsync(state);
        var (pw, browser, page) = await Open(server);
        using var _ = pw;
        await using var __ = browser;
        await page.WaitForFunctionAsync("() => window.__nbnedge.axes.map !== undefined");
        await Settled(page);
        Assert.IsFalse(await page.Locator("#delta-card").IsVisibleAsync(), "a grid gets no 'Δ along the line' plot");
        CollectionAssert.AreEqual(new[] { 0.0, 20 * 0.25 }, await Axis(page, "map", "x"), "x axis spans width × pixel size in nm");
        CollectionAssert.AreEqual(new[] { 0.0, 10 * 0.25 }, await Axis(page, "map", "y"));
        Assert.AreEqual("x (nm)", await Label(page, "map", "x"));

        // Without a pixel size the axes count pixels and say so.
        state.SetGapMap(20, 10, double.NaN, map);
        await page.WaitForFunctionAsync("() => window.__nbnedge.axes.map.xlabel === 'x (pixels)'");
        CollectionAssert.AreEqual(new[] { 0.0, 20.0 }, await Axis(page, "map", "x"));
    }

    [TestMethod]
    public async Task ConductanceInAmperesReadsInNanoamperesAndDeltaHasOneUnit()
    {
        var state = new DashboardState();
        state.SetSessionInfo("units", "spectrum #");
        var b = Bias(101);
        var g = b.Select(v => (Math.Abs(v) < 2 ? 0.2 : 1.0) * 2.2e-9).ToArray(); // amperes, as a Nanonis lock-in channel
        state.AddSpectrum("LIX 1 omega", 0, b, g, g, 2.10021, 0.0006, null, "ok", "A");
        await using var server = await DashboardServer.StartAsync(state);
        var (pw, browser, page) = await Open(server);
        using var _ = pw;
        await using var __ = browser;
        await page.WaitForFunctionAsync("() => window.__nbnedge.axes.spectrum !== undefined && window.__nbnedge.axes.waterfall !== undefined");
        await Settled(page);
        Assert.AreEqual("dI/dV (nA)", await Label(page, "spectrum", "y"));
        var y = await Axis(page, "spectrum", "y");
        Assert.IsTrue(y[1] > 1 && y[1] < 1000, $"the y axis spans {y[0]}…{y[1]}: values are scaled to nA, not 0.000000");
        Assert.IsTrue(y[1] > 2.2 && y[0] < 0.44, $"the y axis {y[0]}…{y[1]} holds the data 0.44…2.2 nA");
        Assert.AreEqual("dI/dV + offset (nA)", await Label(page, "waterfall", "y"));
        Assert.AreEqual("2.1002", await page.Locator("[data-field='latest.delta_meV']").TextContentAsync());
        Assert.AreEqual("0.0006 meV", await page.Locator("[data-field='latest.delta_err_meV']").TextContentAsync());
    }

    [TestMethod]
    public async Task FinishedSessionReadsFinishedWithALabelledTableAndNoDebugFooter()
    {
        var state = new DashboardState();
        state.SetSessionInfo("finished", "spectrum #");
        var b = Bias(60);
        var g = b.Select(v => Math.Abs(v) < 2 ? 0.2 : 1.0).ToArray();
        var rng = new Random(5);
        for (int i = 0; i < 40; i++) state.AddSpectrum($"s{i}", i, b, g, g, 2.0 + 0.03 * (rng.NextDouble() - 0.5), 0.002, null, "ok");
        int[] counts = [1, 3, 8, 12, 9, 5, 2];
        state.SetStatistics(new DashboardStatistics
        {
            Count = 40, MeanMeV = 2.0, SdMeV = 0.009, GaussMeanMeV = 2.0, GaussSigmaMeV = 0.009, GaussAmplitude = 12,
            IntrinsicSigmaMeV = 0.008, IntrinsicCiMeV = (0.006, 0.010),
            HistogramEdgesMeV = Enumerable.Range(0, 8).Select(i => 1.985 + 0.005 * i).ToArray(), HistogramCounts = counts,
        });
        state.SetFinished("""{"spectra_fitted": 40, "mean_delta_meV": 2.0001, "latency_median_ms": 3.5, "table_row": {"tc_K": 9.5, "l_sheet_pH": 120.5}}""");
        await using var server = await DashboardServer.StartAsync(state);
        var (pw, browser, page) = await Open(server);
        using var _ = pw;
        await using var __ = browser;
        await page.Locator("#finished-badge").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible });
        await page.WaitForFunctionAsync("() => document.getElementById('connection').dataset.value === 'finished'");
        string header = (await page.Locator("header .status").InnerTextAsync()).Trim();
        Assert.DoesNotContain("reconnecting", header);
        Assert.AreEqual(1, System.Text.RegularExpressions.Regex.Matches(header, "finished").Count, header);

        // The result is a table of labels, values and units, not raw JSON keys.
        var rows = await page.Locator("#finished tbody tr").AllInnerTextsAsync();
        string all = string.Join("\n", rows);
        Assert.DoesNotContain("spectra_fitted", all);
        Assert.DoesNotContain("mean_delta_meV", all);
        StringAssert.Contains(all, "spectra fitted\t40");
        StringAssert.Contains(all, "mean Δ\t2.0001\tmeV");
        StringAssert.Contains(all, "latency, median\t3.5\tms");
        StringAssert.Contains(all, "Tc\t9.5\tK");
        Assert.AreEqual("2.0001", await Browser.FieldAsync(page, "finished.mean_delta_meV"));

        Assert.IsFalse(await page.Locator("#render-times").IsVisibleAsync(), "no draw timings without ?debug");
        Assert.AreEqual("", (await page.Locator("#render-times").TextContentAsync())?.Trim());

        // The histogram's legend sits clear of every bar.
        await Settled(page);
        var overlaps = await page.EvaluateAsync<int>(@"() => {
            const L = window.__nbnedge.legends.histogram, bars = window.__nbnedge.bars.histogram;
            return bars.filter(b => b.l < L.r && b.r > L.l && b.t < L.b && b.b > L.t).length; }");
        Assert.AreEqual(0, overlaps, "the histogram legend covers bars");
        Assert.AreEqual(counts.Length, await page.EvaluateAsync<int>("() => window.__nbnedge.bars.histogram.length"));

        // With ?debug the timings are there for whoever asks.
        var debug = await browser.NewPageAsync();
        await debug.GotoAsync(server.Url + "?debug");
        await debug.WaitForFunctionAsync("() => document.getElementById('render-times').textContent.startsWith('draw:')");
    }
}
