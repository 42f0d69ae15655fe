using NbnEdge.Link;

namespace NbnEdge.Live;

/// <summary>
/// The pipeline's state at one moment, immutable: a UI thread reads it while the worker goes on.
/// Energies in meV, times in ms.
/// </summary>
public sealed record LiveSnapshot
{
    /// <summary>Nothing received yet.</summary>
    public static LiveSnapshot Empty { get; } = new() { Counters = new LinkCounters() };

    /// <summary>Spectra handed to the pipeline (complete and incomplete).</summary>
    public long SpectraArrived { get; init; }

    /// <summary>Spectra processed by the worker.</summary>
    public long SpectraProcessed { get; init; }

    /// <summary>Processed spectra that were incomplete (a chunk missing).</summary>
    public long SpectraIncomplete { get; init; }

    /// <summary>Fits used in the running statistics (see <see cref="LiveResult.UsableFit"/>).</summary>
    public long UsableFits { get; init; }

    /// <summary>Running mean Δ.</summary>
    public double MeanMeV { get; init; } = double.NaN;

    /// <summary>Running sample standard deviation of Δ.</summary>
    public double StandardDeviationMeV { get; init; } = double.NaN;

    /// <summary>Running rms of the fits' standard errors.</summary>
    public double RmsFitErrorMeV { get; init; } = double.NaN;

    /// <summary>Running intrinsic spread σ_int.</summary>
    public double IntrinsicSigmaMeV { get; init; } = double.NaN;

    /// <summary>The last spectrum's id, or null.</summary>
    public uint? LastSpectrumId { get; init; }

    /// <summary>The last full fit's Δ, or NaN.</summary>
    public double LastFitDeltaMeV { get; init; } = double.NaN;

    /// <summary>The last device ESTIMATE's Δ (valid or not), or NaN.</summary>
    public double LastDeviceDeltaMeV { get; init; } = double.NaN;

    /// <summary>Device estimates compared with a usable fit.</summary>
    public long EstimatesCompared { get; init; }

    /// <summary>rms of (device estimate − fit) over the compared spectra.</summary>
    public double EstimateVsFitRmsMeV { get; init; } = double.NaN;

    /// <summary>Mean of (device estimate − fit) over the compared spectra.</summary>
    public double EstimateVsFitMeanMeV { get; init; } = double.NaN;

    /// <summary>Device estimates checked against the host's re-run of the firmware estimator.</summary>
    public long RecomputeChecked { get; init; }

    /// <summary>Checked estimates that differ from the host's re-run (should stay 0).</summary>
    public long RecomputeMismatches { get; init; }

    /// <summary>Complete spectra whose ESTIMATE never arrived.</summary>
    public long EstimatesMissing { get; init; }

    /// <summary>The last spectrum's latency from its last chunk to its fit.</summary>
    public double LastLatencyMs { get; init; } = double.NaN;

    /// <summary>The largest latency so far.</summary>
    public double MaxLatencyMs { get; init; } = double.NaN;

    /// <summary>The link's counters when the last spectrum ended.</summary>
    public required LinkCounters Counters { get; init; }
}
