using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Link;
using NbnEdge.Live;

namespace NbnEdge.Dashboard;

/// <summary>
/// Feeds a page's <see cref="DashboardState"/> from a live session: every fitted spectrum as it
/// comes, the statistics and link health a few times a second, and the final statistics. What
/// <c>demo</c>, <c>monitor</c> and <c>serve</c> show is fed by this one type.
/// </summary>
public static class LivePipelineFeed
{
    /// <summary>
    /// Every fitted spectrum of the pipeline goes onto the page; statistics and link health follow
    /// at most 5 times a second, computed off the pipeline's thread. Stop the returned publisher
    /// before publishing the final statistics, so that no live update lands after them.
    /// </summary>
    /// <param name="pipeline">The live pipeline.</param>
    /// <param name="state">The page's state.</param>
    /// <param name="positionNm">Where a result's spectrum was taken, in nm, when the source knows it (the demo's line); null: the spectrum's index.</param>
    public static LiveStatisticsPublisher Attach(LivePipeline pipeline, DashboardState state, Func<LiveResult, double>? positionNm = null)
    {
        var publisher = new LiveStatisticsPublisher(state);
        // The board's ESTIMATE follows its SPECTRUM on the wire, so SpectrumFitted never carries it:
        // the spectrum goes on the page at once and its estimate is added when ResultCompleted brings it.
        // Both events come from the pipeline's one worker thread, in order.
        var pageSeq = new Dictionary<long, long>();
        pipeline.SpectrumFitted += r =>
        {
            if (r.Spectrum is { } s)
                pageSeq[r.Index] = state.AddFit(s, r.Fit, r.DeviceEstimate is { Valid: true } e ? e.DeltaMeV : null, positionNm?.Invoke(r) ?? r.Index);
            publisher.Offer(() => pipeline.Results.Where(x => x.Fit is not null).Select(x => x.Fit!).ToList(), r.Counters);
        };
        pipeline.ResultCompleted += r =>
        {
            if (pageSeq.Remove(r.Index, out long seq) && r.DeviceEstimate is { Valid: true } e)
                state.SetDeviceEstimate(seq, e.DeltaMeV);
        };
        return publisher;
    }

    /// <summary>
    /// The live views' bootstrap: 2000 resamples while that is at most two million draws, fewer on
    /// long sessions (at least 200), so an update of a 100,000-spectrum session stays a fraction of
    /// a second of one core. The final statistics of a session always use the full 2000.
    /// </summary>
    /// <param name="fits">how many fits the update resamples (over all the views it refreshes)</param>
    public static HomogeneityOptions LiveStatisticsOptions(long fits) =>
        new() { BootstrapResamples = (int)Math.Clamp(2_000_000 / Math.Max(1, fits), 200, HomogeneityOptions.Default.BootstrapResamples) };

    /// <summary>Statistics over the fits so far (when there are enough) and the link counters.</summary>
    /// <param name="state">The page's state.</param>
    /// <param name="fits">The fits so far.</param>
    /// <param name="counters">The link counters to show; null leaves the link health as it is.</param>
    /// <param name="options">Statistics settings (the live ones: <see cref="LiveStatisticsOptions"/>).</param>
    public static void Publish(DashboardState state, IReadOnlyList<GapFitResult> fits, LinkCounters? counters, HomogeneityOptions? options = null)
    {
        if (fits.Count >= HomogeneityStatistics.MinimumCount && HomogeneitySummary.Of(fits, options) is { } summary)
            state.SetStatistics(summary.Statistics);
        if (counters is not null)
            state.SetLinkHealth(new Dictionary<string, double>
            {
                ["bytes"] = counters.Bytes,
                ["frames ok"] = counters.FramesOk,
                ["frames bad"] = counters.FramesDropped,
                ["frames lost"] = counters.FramesLost,
                ["frames duplicated"] = counters.Duplicates,
                ["frames reordered"] = counters.Reordered,
                ["unknown types"] = counters.UnknownType,
                ["spectra complete"] = counters.SpectraComplete,
                ["spectra incomplete"] = counters.SpectraIncomplete,
                ["estimates"] = counters.Estimates,
                ["reboots"] = counters.Reboots,
                ["disconnects"] = counters.Disconnects,
            });
    }
}
