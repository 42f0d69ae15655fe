namespace NbnEdge.Analysis;

/// <summary>
/// CODATA 2018 exact SI constants (the 2019 SI redefinition fixes h, e and k_B exactly),
/// expressed in the units the analysis works in: energies in meV, temperatures in K.
/// </summary>
public static class PhysicalConstants
{
    /// <summary>Planck constant h in J·s (exact).</summary>
    public const double PlanckJs = 6.62607015e-34;

    /// <summary>Elementary charge e in C (exact).</summary>
    public const double ElementaryChargeC = 1.602176634e-19;

    /// <summary>Boltzmann constant k_B in J/K (exact).</summary>
    public const double BoltzmannJPerK = 1.380649e-23;

    /// <summary>Boltzmann constant in meV/K: k_B / e × 1000 = 0.08617333262… meV/K.</summary>
    public const double BoltzmannMeVPerK = BoltzmannJPerK / ElementaryChargeC * 1e3;

    /// <summary>One meV in joules.</summary>
    public const double JoulePerMeV = ElementaryChargeC * 1e-3;
}
