namespace NbnEdge.Analysis;

/// <summary>
/// One tunnelling spectrum as read from any source (CSV column, Nanonis file, grid pixel, live
/// stream): the bias axis in mV and the differential conductance in the instrument's units.
/// </summary>
/// <remarks>
/// Readers drop non-finite points before building a spectrum and say so in <see cref="Notes"/>;
/// the bias axis is strictly monotonic (either direction) and holds at least
/// <see cref="MinimumPoints"/> points.
/// </remarks>
public sealed class Spectrum
{
    /// <summary>Fewest points a spectrum may have to be fitted at all.</summary>
    public const int MinimumPoints = 8;

    /// <summary>Where it came from: a file path, a capture, or a stream name.</summary>
    public required string Source { get; init; }

    /// <summary>The spectrum's name within its source (column header, channel, pixel, id).</summary>
    public required string Name { get => name; init => name = value; }

    private string name = "";

    /// <summary>A copy under another name (e.g. prefixed with its file's name when many files are fitted together); arrays are shared.</summary>
    public Spectrum WithName(string newName)
    {
        var copy = (Spectrum)MemberwiseClone();
        copy.name = newName;
        return copy;
    }

    /// <summary>Tunnel-junction bias of each point, in mV.</summary>
    public required double[] BiasMV { get; init; }

    /// <summary>dI/dV of each point, in arbitrary (lock-in) units.</summary>
    public required double[] Conductance { get; init; }

    /// <summary>Header or stream metadata that travels with the spectrum (lock-in settings, …).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    /// <summary>Things the reader wants the user to know (dropped NaN points, incomplete data).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Tip position in nm, where the source states it.</summary>
    public double? XNm { get; init; }

    /// <summary>Tip position in nm, where the source states it.</summary>
    public double? YNm { get; init; }

    /// <summary>Grid pixel column index, for spectra from a grid.</summary>
    public int? PixelX { get; init; }

    /// <summary>Grid pixel row index, for spectra from a grid.</summary>
    public int? PixelY { get; init; }

    /// <summary>Lock-in modulation amplitude (peak, not peak-to-peak) in mV, where the source states it.</summary>
    public double? ModulationAmplitudeMV { get; init; }

    /// <summary>
    /// The single sweeps that <see cref="Conductance"/> averages, where the source recorded them
    /// apart (forward and backward, repetitions), each on the same points as <see cref="BiasMV"/>;
    /// empty otherwise. Their scatter is the noise, and forward against backward shows the
    /// lock-in's lag.
    /// </summary>
    public IReadOnlyList<SweepConductance> Sweeps { get; init; } = [];

    /// <summary>True when the source ended before this spectrum was complete.</summary>
    public bool Incomplete { get; init; }

    /// <summary>Number of points.</summary>
    public int Count => BiasMV.Length;

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata =
        new Dictionary<string, string>();
}

/// <summary>One sweep of a spectrum that averages several: its dI/dV on the spectrum's points and its direction.</summary>
/// <param name="Conductance">dI/dV at each of the spectrum's bias points, in the spectrum's units.</param>
/// <param name="Backward">True for a backward sweep (bias run in the opposite direction to the forward one).</param>
public sealed record SweepConductance(double[] Conductance, bool Backward);
