namespace NbnEdge.Link.Transports;

/// <summary>Backoff between reconnection attempts: doubling from <see cref="Initial"/> up to <see cref="Maximum"/>.</summary>
/// <param name="Initial">wait after the first failure</param>
/// <param name="Maximum">longest wait</param>
public sealed record ReconnectPolicy(TimeSpan Initial, TimeSpan Maximum)
{
    /// <summary>0.25 s doubling to 5 s: an adapter plugged back in is found within seconds, without spinning.</summary>
    public static ReconnectPolicy Default { get; } = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

    /// <summary>The wait after <paramref name="failures"/> failed attempts in a row (1 or more).</summary>
    public TimeSpan Delay(int failures)
    {
        double ms = Initial.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        return TimeSpan.FromMilliseconds(Math.Min(ms, Maximum.TotalMilliseconds));
    }
}
