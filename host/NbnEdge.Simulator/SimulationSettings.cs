namespace NbnEdge.Simulator;

/// <summary>Which conductance model the virtual sample follows.</summary>
public enum ConductanceModel
{
    /// <summary>The exact thermal-BCS integral (NbnEdge.Analysis.Model.ExactBcsIntegral).</summary>
    Exact,
    /// <summary>The fast Hermite table (BcsConductanceTable.Default), exact to ~1e−9.</summary>
    Table,
}

/// <summary>
/// What the virtual STM measures and how: the film, the line, the lock-in, the sweep. Defaults
/// follow docs/DESIGN.md's measurement settings (70 µV peak-to-peak modulation, ±5 mV, 201 points).
/// </summary>
public sealed record SimulationSettings
{
    /// <summary>The film (Δ, T_tip, σ, line, positions).</summary>
    public FilmPreset Film { get; init; } = FilmPreset.Film5nm;

    /// <summary>Spread of Δ along the line in meV; null takes the preset's.</summary>
    public double? SigmaMeV { get; init; }

    /// <summary>Positions along the line; null takes the preset's.</summary>
    public int? Positions { get; init; }

    /// <summary>Share of σ² in the smooth part of the Δ profile (the rest is white noise).</summary>
    public double SmoothVarianceFraction { get; init; } = 0.5;

    /// <summary>
    /// Correlation length ξ of the smooth Δ profile (its correlation falls as e^(−h/ξ)), in nm;
    /// 0 makes the whole profile white noise.
    /// </summary>
    public double CorrelationLengthNm { get; init; } = 20;

    /// <summary>White noise on each averaged point, as a fraction of the normal-state conductance.</summary>
    public double NoiseFraction { get; init; } = 0.01;

    /// <summary>Bias offset V₀ (the model is G(V − V₀)), in µV.</summary>
    public double BiasOffsetUv { get; init; }

    /// <summary>Slow drift of V₀ per position along the line, in µV.</summary>
    public double BiasDriftUvPerPosition { get; init; }

    /// <summary>Slow drift of the lock-in scale per position, as a fraction (e.g. 0.001 = +0.1 % per spectrum).</summary>
    public double ScaleDriftPerPosition { get; init; }

    /// <summary>Linear background: relative conductance change per mV.</summary>
    public double BackgroundSlopePerMV { get; init; }

    /// <summary>Lock-in modulation, peak to peak, in µV (docs/DESIGN.md: 70).</summary>
    public double ModulationUvPeakToPeak { get; init; } = 70;

    /// <summary>Lock-in X output at the normal-state conductance, in V (inside the ±10 V front end).</summary>
    public double LockInVoltsAtNormal { get; init; } = 1.0;

    /// <summary>Lock-in output time constant in ms (first order); the firmware's settle_ms must cover several.</summary>
    public double LockInTimeConstantMs { get; init; } = 0.5;

    /// <summary>Points per sweep.</summary>
    public int Points { get; init; } = 201;

    /// <summary>Sweep from −this to +this, in mV.</summary>
    public double BiasRangeMV { get; init; } = 5;

    /// <summary>Time on each bias point, in ms (the firmware drops settle_ms of it).</summary>
    public double DwellMs { get; init; } = 20;

    /// <summary>Setpoint bias between spectra (the tip moves here with feedback on), in mV.</summary>
    public double SetpointMV { get; init; } = 10;

    /// <summary>Time at the setpoint between positions, in ms.</summary>
    public double SetpointDwellMs { get; init; } = 60;

    /// <summary>Bias-monitor noise per sample, in µV at the junction.</summary>
    public double BiasNoiseUv { get; init; } = 0.05;

    /// <summary>Lock-in output noise per sample (converter and cable), in µV at the connector.</summary>
    public double SignalSampleNoiseUv { get; init; } = 20;

    /// <summary>The conductance model.</summary>
    public ConductanceModel Model { get; init; } = ConductanceModel.Exact;

    /// <summary>Random seed (profile and noise).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Run the line again after its last position (false: stay at the setpoint, no more spectra).</summary>
    public bool Repeat { get; init; }

    /// <summary>The effective spread.</summary>
    public double EffectiveSigmaMeV => SigmaMeV ?? Film.SigmaMeV;

    /// <summary>The effective number of positions.</summary>
    public int EffectivePositions => Positions ?? Film.Positions;
}
