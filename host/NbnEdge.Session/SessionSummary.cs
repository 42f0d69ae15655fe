using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Link;
using NbnEdge.Live;

namespace NbnEdge.Session;

/// <summary>
/// What a finished live session comes to: the link's counters, the pipeline's last snapshot and
/// results, and the homogeneity statistics of the full fits. <c>demo</c>, <c>ingest</c>,
/// <c>replay</c>, <c>monitor</c> and <c>serve</c> print it; the same bytes give the same summary
/// whichever of them read them.
/// </summary>
public sealed record SessionSummary
{
    /// <summary>The stream's name.</summary>
    public required string Source { get; init; }

    /// <summary>The link's final counters.</summary>
    public required LinkCounters Counters { get; init; }

    /// <summary>The pipeline's running figures at the end.</summary>
    public required LiveSnapshot Final { get; init; }

    /// <summary>Every result, in order (when the pipeline kept them).</summary>
    public required IReadOnlyList<LiveResult> Results { get; init; }

    /// <summary>Statistics over the usable fits of complete spectra; null when fewer than three.</summary>
    public HomogeneitySummary? Statistics { get; init; }

    /// <summary>Every latency measured, last chunk → fit, in ms, in arrival order.</summary>
    public IReadOnlyList<double> LatenciesMs { get; init; } = [];

    /// <summary>Median of <see cref="LatenciesMs"/>; NaN without spectra.</summary>
    public double LatencyMedianMs => MedianAndMax(LatenciesMs).MedianMs;

    /// <summary>Largest of <see cref="LatenciesMs"/>; NaN without spectra.</summary>
    public double LatencyMaxMs => MedianAndMax(LatenciesMs).MaxMs;

    /// <summary>Spectra received, complete or not (the link's count).</summary>
    public long SpectraReceived => Counters.SpectraComplete + Counters.SpectraIncomplete;

    /// <summary>Spectra with a fit (complete or not).</summary>
    public long SpectraFitted => Results.Count(r => r.Fit is not null);

    /// <summary>Builds the summary once the pipeline has completed.</summary>
    /// <param name="source">the stream's name</param>
    /// <param name="pipeline">the completed pipeline</param>
    /// <param name="counters">the link's final counters</param>
    /// <param name="requireStatistics">throw <see cref="InputDataException"/> when fewer than three usable fits (ingest, replay, demo)</param>
    /// <exception cref="InputDataException">statistics were required and no spectrum could be fitted</exception>
    public static SessionSummary From(string source, LivePipeline pipeline, LinkCounters counters, bool requireStatistics)
    {
        var results = pipeline.Results;
        var fits = CompleteFits(results);
        HomogeneitySummary? stats = null;
        int usable = results.Count(r => r.UsableFit);
        if (usable >= HomogeneityStatistics.MinimumCount || requireStatistics)
        {
            if (fits.Count == 0 && results.Count > 0 && results.All(r => r.Fit is null && r.NotFittedReason?.StartsWith(LivePipeline.NoHelloReason, StringComparison.Ordinal) == true))
                throw new InputDataException(source, $"no HELLO with bias_uV_per_lsb and signal_uV_per_lsb in the stream: its {results.Count} spectra cannot be converted to mV and µV ({counters.FramesOk} good frames).");
            if (fits.Count == 0)
                throw new InputDataException(source, $"no complete spectrum could be fitted ({results.Count} spectra decoded, {counters.FramesOk} good frames).");
            stats = Spread(fits);
        }

        return new SessionSummary
        {
            Source = source, Counters = counters, Final = pipeline.Snapshot, Results = results, Statistics = stats, LatenciesMs = pipeline.LatenciesMs,
        };
    }

    /// <summary>The fits the summary averages: those of complete spectra (a missing chunk can cut the gap edge), in arrival order.</summary>
    public static List<GapFitResult> CompleteFits(IEnumerable<LiveResult> results) =>
        results.Where(r => !r.Incomplete && r.Fit is not null).Select(r => r.Fit!).ToList();

    /// <summary>
    /// The homogeneity statistics of <paramref name="fits"/> (usable ones, outliers left out, σ_int's
    /// bootstrap CI): the one computation behind the final summary and the live table's spread row.
    /// </summary>
    public static HomogeneitySummary? Spread(IReadOnlyList<GapFitResult> fits) => HomogeneitySummary.Of(fits);

    private static (double MedianMs, double MaxMs) MedianAndMax(IReadOnlyList<double> latencies)
    {
        if (latencies.Count == 0) return (double.NaN, double.NaN);
        var sorted = latencies.Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
        return (median, sorted[^1]);
    }
}
