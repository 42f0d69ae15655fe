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

    /// <summary>Background treatment.</summary>
    public BackgroundTreatment Background { get; init; } = BackgroundTreatment.Joint;

    /// <summary>Iteration limit of the least-squares solver.</summary>
    public int MaxIterations { get; init; } = 100;
}
