using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Link;

namespace NbnEdge.Live;

/// <summary>
/// One spectrum through the live pipeline: the codes as received, the full fit, the firmware
/// estimator re-run on the host, the device's own ESTIMATE and how long the fit took to appear.
/// </summary>
public sealed record LiveResult
{
    /// <summary>0-based arrival order in this pipeline.</summary>
    public required long Index { get; init; }

    /// <summary>The spectrum as it came over the link (codes, received mask, flags).</summary>
    public required ReceivedSpectrum Received { get; init; }

    /// <summary>The spectrum in physical units (bias in mV, conductance in µV of lock-in output); null without a HELLO scaling.</summary>
    public Spectrum? Spectrum { get; init; }

    /// <summary>The full thermal-BCS fit; null when the spectrum could not be converted or fitted.</summary>
    public GapFitResult? Fit { get; init; }

    /// <summary>Why there is no fit (no HELLO scaling, too few points), or null.</summary>
    public string? NotFittedReason { get; init; }

    /// <summary>The firmware's estimator run by the host on the received codes; null for incomplete spectra or without a scaling.</summary>
    public EstimateInfo? HostEstimate { get; init; }

    /// <summary>The ESTIMATE the device sent for this spectrum; null until (or unless) it arrived.</summary>
    public EstimateInfo? DeviceEstimate { get; init; }

    /// <summary>Whether the device's estimate equals the host's re-run field for field; null when not checked (no estimate, incomplete spectrum).</summary>
    public bool? RecomputeMatches { get; init; }

    /// <summary>Milliseconds from the decoding of the spectrum's last chunk to its fitted result.</summary>
    public required double LatencyMs { get; init; }

    /// <summary>The link's counters when the spectrum ended.</summary>
    public required LinkCounters Counters { get; init; }

    /// <summary>Whether the spectrum had every chunk.</summary>
    public bool Incomplete => Received.Incomplete;

    /// <summary>
    /// Whether the fit's Δ belongs in the homogeneity statistics: a complete spectrum, a converged
    /// fit with a finite error, and a verdict of ok or poor_fit (the rule of <c>nbnedge stats</c>).
    /// Incomplete spectra are kept and shown but not averaged: a missing chunk can cut the gap edge.
    /// </summary>
    public bool UsableFit => !Incomplete && Fit is { IsUsable: true };

    /// <summary>Device estimate minus full fit, in meV, when both are usable; else null.</summary>
    public double? EstimateMinusFitMeV =>
        UsableFit && DeviceEstimate is { Valid: true } d ? d.DeltaMeV - Fit!.DeltaMeV : null;
}
