namespace NbnEdge.Instruments;

/// <summary>Which sweeps of a multi-sweep measurement become spectra.</summary>
public enum SweepSelection
{
    /// <summary>One spectrum per file or pixel: the average of every sweep (forward, backward, repetitions),
    /// or of the instrument's own <c>[AVG]</c> columns where it wrote them.</summary>
    Average,

    /// <summary>Only the forward sweep (averaged over repetitions).</summary>
    Forward,

    /// <summary>Only the backward sweep (averaged over repetitions); an error where there is none.</summary>
    Backward,

    /// <summary>One spectrum per recorded sweep and repetition, named like <c>LI Demod 1 X [00002] [bwd]</c>.</summary>
    Each,
}

/// <summary>How a file is turned into spectra: which channel holds dI/dV and which sweeps to keep.</summary>
public sealed record SpectrumReadOptions
{
    /// <summary>The defaults: dI/dV channel found automatically, sweeps averaged.</summary>
    public static SpectrumReadOptions Default { get; } = new();

    /// <summary>
    /// The dI/dV channel, as a full column name (<c>Input 3 [bwd] (A)</c>: exactly that column, whatever
    /// <see cref="Sweeps"/> says), a channel name without unit and sweep tags (<c>Input 3</c>, add
    /// <c>[filt]</c> for the filtered copy) or an unambiguous prefix of one (<c>LIY 1</c>).
    /// Null: found automatically (<c>LI Demod n X</c>, then <c>LIX n omega</c>, then <c>X% LockIn</c>, then
    /// an input named in the header's comments).
    /// </summary>
    public string? Channel { get; init; }

    /// <summary>Which sweeps become spectra.</summary>
    public SweepSelection Sweeps { get; init; } = SweepSelection.Average;

    /// <summary>
    /// Set when the file's <c>Lock-in&gt;Amplitude</c> is known to be an RMS value; by default it is taken as
    /// the peak amplitude (see <see cref="NanonisHeader.LockInAmplitudeToPeak"/> for why).
    /// </summary>
    public bool LockInAmplitudeIsRms { get; init; }
}
