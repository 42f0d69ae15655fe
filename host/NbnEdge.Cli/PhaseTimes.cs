using System.Diagnostics;

namespace NbnEdge.Cli;

/// <summary>
/// Wall time of a command's phases, printed to stderr when <c>NBNEDGE_TIMINGS=1</c>: how the
/// README's speed figures are measured from outside, without a profiler.
/// </summary>
internal sealed class PhaseTimes
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _phases = [];
    private readonly bool _enabled = Environment.GetEnvironmentVariable("NBNEDGE_TIMINGS") == "1";

    /// <summary>Ends the current phase under <paramref name="name"/>.</summary>
    public void Mark(string name)
    {
        if (!_enabled) return;
        _phases.Add($"{name} {_clock.Elapsed.TotalMilliseconds:F0} ms");
        _clock.Restart();
    }

    /// <summary>Writes the phases, plus the time since the process started (start-up included).</summary>
    public void Report(TextWriter error)
    {
        if (!_enabled) return;
        double sinceStartMs = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        error.WriteLine($"timings: {string.Join(", ", _phases)}; {sinceStartMs:F0} ms since the process started; " +
            $"GC: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} collections (gen 0/1/2), {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms paused");
    }
}
