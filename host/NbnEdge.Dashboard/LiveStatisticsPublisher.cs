using NbnEdge.Analysis.Fitting;
using NbnEdge.Link;

namespace NbnEdge.Dashboard;

/// <summary>
/// Live statistics for the dashboard, at most 5 times a second and one computation at a time, on
/// the thread pool: the statistics of a long session take far longer than a spectrum's fit, and
/// the pipeline's thread must not wait for them.
/// </summary>
/// <param name="state">The page's state.</param>
public sealed class LiveStatisticsPublisher(DashboardState state)
{
    private readonly object _gate = new();
    private long _lastStartMs = long.MinValue / 2;
    private Task _running = Task.CompletedTask;
    private bool _stopped;

    /// <summary>Starts an update unless one ran less than 200 ms ago, one is still running, or publishing has stopped.</summary>
    /// <param name="fits">Takes the fits so far; called on the caller's thread (the pipeline's), so the list is consistent.</param>
    /// <param name="counters">Link counters to show, if any.</param>
    public void Offer(Func<List<GapFitResult>> fits, LinkCounters? counters)
    {
        lock (_gate)
        {
            long now = Environment.TickCount64;
            if (_stopped || !_running.IsCompleted || now - _lastStartMs < 200) return;
            _lastStartMs = now;
            var snapshot = fits();
            _running = Task.Run(() =>
            {
                lock (_gate) if (_stopped) return;
                LivePipelineFeed.Publish(state, snapshot, counters, LivePipelineFeed.LiveStatisticsOptions(snapshot.Count));
            });
        }
    }

    /// <summary>No more live updates; waits for the one in progress.</summary>
    public void Stop()
    {
        Task running;
        lock (_gate)
        {
            _stopped = true;
            running = _running;
        }
        running.Wait();
    }
}
