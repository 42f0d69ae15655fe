namespace NbnEdge.Analysis.Fitting;

/// <summary>How the spectrum's linear background is treated.</summary>
public enum BackgroundTreatment
{
    /// <summary>Fit the background slope together with the other parameters (default).</summary>
    Joint,

    /// <summary>
    /// As the reference measurement did: fit a line to the points outside the gap, divide the
    /// spectrum by it, then fit the normalised spectrum with no slope.
    /// </summary>
    Paper,
}

/// <summary>Which parameters the fit frees, and the fixed values of the others.</summary>
public sealed record GapFitOptions
{
    /// <summary>Default options: Δ, T_eff, scale and slope free; V₀ = 0, Γ = 0, V_m from the source or 0.</summary>
    public static GapFitOptions Default { get; } = new();

    /// <summary>Fixed lock-in modulation amplitude (peak) in mV; null takes the spectrum's own, else 0.</summary>
    public double? ModulationMV { get; init; }

    /// <summary>Fit V_m (starting from the fixed or source value).</summary>
    public bool FitModulation { get; init; }

    /// <summary>Fit the bias offset V₀.</summary>
    public bool FitOffset { get; init; }

    /// <summary>Fixed bias offset V₀ in mV when it is not fitted.</summary>
    public double BiasOffsetMV { get; init; }

    /// <summary>Fit the Dynes Γ (slower: the exact Matsubara-sum model instead of the table).</summary>
    public bool FitGamma { get; init; }

    /// <summary>Fixed Dynes Γ in meV (or the starting value when fitted).</summary>
    public double GammaMeV { get; init; }

    /// <summary>The exact pole sum even where an FFT table would serve a fixed Γ (tests check the table's fits against it).</summary>
    internal bool ExactDynesModel { get; init; }

    /// <summary>
    /// Fit a constant in-gap conductance fraction η (G → η + (1 − η)G): a flat floor in the gap
    /// from a parallel normal channel. Costs nothing in speed (table path).
    /// </summary>
    public bool FitLeakage { get; init; }

    /// <summary>Fixed in-gap leakage fraction η in [0, 0.9] (or the starting value when fitted).</summary>
    public double LeakageFraction { get; init; }

    /// <summary>Background treatment.</summary>
    public BackgroundTreatment Background { get; init; } = BackgroundTreatment.Joint;

    /// <summary>
    /// Superconducting tip (SIS model): the tip's gap Δ_t in meV, fixed (the start value with
    /// <see cref="FitTipGap"/>); null for a normal-metal tip (the NIS model).
    /// </summary>
    public double? TipGapMeV { get; init; }

    /// <summary>Fit the tip's gap Δ_t as well (slower: the SIS table is rebuilt for every trial Δ_t).</summary>
    public bool FitTipGap { get; init; }

    /// <summary>The tip's Dynes broadening Γ_t in meV (SIS model only; the start value with <see cref="FitTipGamma"/>).</summary>
    public double TipGammaMeV { get; init; } = 0.02;

    /// <summary>Fit the tip's Γ_t as well (slower, as <see cref="FitTipGap"/>).</summary>
    public bool FitTipGamma { get; init; }

    /// <summary>True when the options ask for the SIS model.</summary>
    public bool IsSis => TipGapMeV is not null;

    /// <summary>Smallest tip Γ_t accepted, in meV: the SIS table's lattice step is Γ_t/12 (finer would need gigabytes).</summary>
    public const double MinTipGammaMeV = 0.005;

    /// <summary>Iteration limit of the least-squares solver.</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>
    /// Largest fixed (or starting) Dynes Γ accepted, in meV: a few times the largest gaps known
    /// (tens of meV); beyond it no gap survives and the value is a typing error.
    /// </summary>
    public const double MaxGammaMeV = 100.0;

    /// <summary>Largest fixed V_m accepted, in mV (a lock-in modulation of a volt is a unit mistake).</summary>
    public const double MaxModulationMV = 1000.0;

    /// <summary>What is wrong with these options, in one line naming the option; null when they are valid.</summary>
    public string? Problem()
    {
        if (ModulationMV is { } vm && !(vm >= 0 && vm <= MaxModulationMV))
            return $"--vm must be a number from 0 to {MaxModulationMV:G} mV (got {vm:G}).";
        if (!(GammaMeV >= 0 && GammaMeV <= MaxGammaMeV))
            return $"--gamma must be a number from 0 to {MaxGammaMeV:G} meV (got {GammaMeV:G}).";
        if (!(LeakageFraction >= 0 && LeakageFraction <= 0.9))
            return $"--leakage must be a fraction from 0 to 0.9 (got {LeakageFraction:G}).";
        if (!double.IsFinite(BiasOffsetMV))
            return $"the fixed bias offset must be a finite number (got {BiasOffsetMV:G}).";
        if (TipGapMeV is { } tip && !(tip >= 0 && tip <= 100))
            return $"--tip-gap must be a number from 0 to 100 meV (got {tip:G}).";
        if (TipGapMeV is not null && !(TipGammaMeV >= MinTipGammaMeV && TipGammaMeV <= 1.0))
            return $"--tip-gamma must be a number from {MinTipGammaMeV:G} to 1 meV (got {TipGammaMeV:G}).";
        if (TipGapMeV is null && (FitTipGap || FitTipGamma))
            return "--fit-tip-gap and --fit-tip-gamma need --tip-gap (the tip's gap, or its start value).";
        if (TipGapMeV is not null && (FitGamma || GammaMeV > 0))
            return "--gamma and --fit-gamma are the NIS model's sample broadening; with --tip-gap the sample is thermal BCS (use --tip-gamma for the tip).";
        if (TipGapMeV is not null && FitModulation)
            return "--fit-vm is not available with --tip-gap: give the lock-in's V_m with --vm (or let the file's header set it).";
        if (MaxIterations < 1)
            return $"the iteration limit must be at least 1 (got {MaxIterations}).";
        return null;
    }
}
