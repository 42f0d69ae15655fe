namespace NbnEdge.Simulator;

/// <summary>
/// Simulated time in nanoseconds: the converter's conversions (DRDY), the lock-in's sweep and the
/// firmware's uptime all run on it, never on wall time, so a simulation is reproducible and runs
/// as fast as the CPU allows.
/// </summary>
public sealed class SimulatedClock
{
    /// <summary>Nanoseconds since the simulation began.</summary>
    public long Nanoseconds { get; private set; }

    /// <summary>Seconds since the simulation began.</summary>
    public double Seconds => Nanoseconds * 1e-9;

    /// <summary>Milliseconds since the simulation began.</summary>
    public long Milliseconds => Nanoseconds / 1_000_000;

    /// <summary>Moves time forward to <paramref name="nanoseconds"/> (never backwards).</summary>
    public void AdvanceTo(long nanoseconds)
    {
        if (nanoseconds > Nanoseconds)
        {
            Nanoseconds = nanoseconds;
        }
    }

    /// <summary>Moves time forward by <paramref name="nanoseconds"/>.</summary>
    public void Advance(long nanoseconds) => AdvanceTo(Nanoseconds + nanoseconds);
}
