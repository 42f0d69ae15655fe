using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Model;
using NbnEdge.Analysis.Synthetic;
using NbnEdge.Dashboard;

namespace NbnEdge.Dashboard.Tests;

[TestClass]
public sealed class LiveStatisticsPublisherTests
{
    private static List<GapFitResult> Fits(int count)
    {
        var fitter = new GapFitter();
        var rng = new Random(4);
        return Enumerable.Range(0, count)
            .Select(i => fitter.Fit(SyntheticSpectra.Generate(new BcsParameters(2.0 + 0.03 * SyntheticSpectra.Gaussian(rng), 1.7), 101, 5.0, 0.01, rng, $"s{i}")))
            .ToList();
    }

    [TestMethod]
    public void PublishesOffThePipelineThreadAndNothingAfterStop()
    {
        var state = new DashboardState();
        var publisher = new LiveStatisticsPublisher(state);
        var fits = Fits(20);
        long before = state.Version;
        publisher.Offer(() => fits, null); // returns at once; the statistics follow on the thread pool
        Assert.IsTrue(SpinWait.SpinUntil(() => state.Version > before, TimeSpan.FromSeconds(30)), "no statistics published");
        publisher.Stop();
        using (var doc = System.Text.Json.JsonDocument.Parse(state.BuildSnapshot()))
            Assert.AreEqual(20, doc.RootElement.GetProperty("stats").GetProperty("n").GetInt32());

        // After Stop nothing more lands, so a session's final statistics are never overwritten.
        long version = state.Version;
        Thread.Sleep(250); // past the 5-per-second limit
        publisher.Offer(() => Fits(30), null);
        Thread.Sleep(100);
        Assert.AreEqual(version, state.Version);
    }

    [TestMethod]
    public void LiveBootstrapShrinksOnLongSessionsOnly()
    {
        Assert.AreEqual(2000, LivePipelineFeed.LiveStatisticsOptions(500).BootstrapResamples);
        Assert.AreEqual(2000, LivePipelineFeed.LiveStatisticsOptions(1000).BootstrapResamples);
        Assert.AreEqual(200, LivePipelineFeed.LiveStatisticsOptions(10_000).BootstrapResamples);
        Assert.AreEqual(200, LivePipelineFeed.LiveStatisticsOptions(1_000_000).BootstrapResamples);
        Assert.AreEqual(400, LivePipelineFeed.LiveStatisticsOptions(5_000).BootstrapResamples);
    }
}
