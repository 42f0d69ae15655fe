
namespace NbnEdge.Analysis.Model;

/// <summary>
/// The tunnelling conductance the fitter uses, in the lab's units (mV, meV, K): thermally
/// broadened BCS (docs/DESIGN.md Eq. 2–3), optional Dynes Γ, lock-in modulation amplitude V_m (peak),
/// bias offset V₀, scale n₀ and a linear background:
/// y(V) = n₀ · (1 + slope·(V − V₀)) · ⟨G⟩_Vm(V − V₀).
/// </summary>
/// <remarks>
/// Everything here is the exact model: G from <see cref="ExactBcsIntegral"/> (Γ = 0) or from the
/// Matsubara-pole sum (Γ &gt; 0), averaged over the lock-in's
/// modulation by Gauss–Chebyshev quadrature of the second kind, which carries the
/// √(V_m² − ε²) weight exactly. The fitter's fast path evaluates the same formula through
/// <see cref="BcsConductanceTable"/>.
/// </remarks>
public static class ThermalBcsModel
{
    /// <summary>Exact normalised conductance G(V) (→ 1 far from the gap), before scale and background.</summary>
    /// <param name="biasMV">Bias V − V₀ in mV.</param>
    /// <param name="deltaMeV">Gap Δ in meV.</param>
    /// <param name="temperatureK">Effective temperature in K (tip's Fermi function).</param>
    /// <param name="gammaMeV">Dynes broadening Γ in meV (0 for pure BCS).</param>
    /// <param name="modulationMV">Lock-in modulation amplitude V_m (peak, = V_pp/2) in mV; 0 for none.</param>
    public static double Conductance(double biasMV, double deltaMeV, double temperatureK, double gammaMeV = 0, double modulationMV = 0)
    {
        if (!(deltaMeV > 0)) throw new ArgumentOutOfRangeException(nameof(deltaMeV), deltaMeV, "Δ must be positive.");
        if (!(temperatureK > 0)) throw new ArgumentOutOfRangeException(nameof(temperatureK), temperatureK, "T must be positive.");
        if (gammaMeV < 0) throw new ArgumentOutOfRangeException(nameof(gammaMeV), gammaMeV, "Γ must not be negative.");
        double t = PhysicalConstants.BoltzmannMeVPerK * temperatureK / deltaMeV;
        double gamma = gammaMeV / deltaMeV;
        if (!(modulationMV > 0))
            return Reduced(biasMV / deltaMeV, t, gamma);

        var rule = LockInQuadrature.For(modulationMV, temperatureK, gammaMeV, 1e-13);
        double sum = 0;
        for (int j = 0; j < rule.Count; j++)
            sum += rule.Weights[j] * Reduced((biasMV - modulationMV * rule.Nodes[j]) / deltaMeV, t, gamma);
        return sum;
    }

    /// <summary>The full instrument model: scale, background and offset applied.</summary>
    public static double Evaluate(in BcsParameters p, double biasMV)
    {
        if (p.IsSis) return SisConductanceModel.Evaluate(p, biasMV);
        double u = biasMV - p.BiasOffsetMV;
        double g = Conductance(u, p.DeltaMeV, p.TemperatureK, p.GammaMeV, p.ModulationMV);
        return p.Scale * (1.0 + p.SlopePerMV * u) * (p.LeakageFraction + (1.0 - p.LeakageFraction) * g);
    }

    private static double Reduced(double x, double t, double gamma) =>
        gamma > 0 ? DynesConductance(x, t, gamma) : ExactBcsIntegral.Evaluate(x, t).G;

    /// <summary>
    /// Dynes-broadened thermal conductance in reduced units (x = eV/Δ, t = k_BT/Δ, γ = Γ/Δ),
    /// exact: the Matsubara-pole sum of <see cref="MatsubaraBcsSum"/>.
    /// </summary>
    public static double DynesConductance(double x, double t, double gamma) => MatsubaraBcsSum.Conductance(x, t, gamma);
}

/// <summary>Parameters of the instrument model, in mV / meV / K.</summary>
/// <param name="DeltaMeV">Gap Δ.</param>
/// <param name="TemperatureK">Effective temperature T_eff.</param>
/// <param name="Scale">n₀: conductance far from the gap at V = V₀, in the data's units.</param>
/// <param name="SlopePerMV">Linear background, relative to n₀, per mV.</param>
/// <param name="BiasOffsetMV">V₀: the bias at the centre of the gap.</param>
/// <param name="GammaMeV">Dynes Γ.</param>
/// <param name="ModulationMV">Lock-in modulation amplitude V_m (peak).</param>
/// <param name="LeakageFraction">
/// In-gap leakage η: a constant conductance in parallel, G → η + (1 − η)G (a normal channel, a
/// pinhole, an unresolved residual density of states); 0 for none.
/// </param>
/// <param name="TipGapMeV">Superconducting tip (SIS model): the tip's gap Δ_t; 0 for a normal tip.</param>
/// <param name="TipGammaMeV">
/// Superconducting tip: the tip's Dynes Γ_t. Positive selects the SIS model
/// (<see cref="SisConductanceModel"/>, with <see cref="DeltaMeV"/> the sample's gap); 0 is the NIS model.
/// </param>
public readonly record struct BcsParameters(
    double DeltaMeV, double TemperatureK, double Scale = 1.0, double SlopePerMV = 0.0,
    double BiasOffsetMV = 0.0, double GammaMeV = 0.0, double ModulationMV = 0.0, double LeakageFraction = 0.0,
    double TipGapMeV = 0.0, double TipGammaMeV = 0.0)
{
    /// <summary>True for a superconducting tip (SIS model): the tip's Γ_t is positive.</summary>
    public bool IsSis => TipGammaMeV > 0;
}

/// <summary>
/// Gauss–Chebyshev quadrature (second kind) for the lock-in average
/// ⟨G⟩(V) = ∫ χ(ε) G(V − ε) dε, χ(ε) = 2√(V_m² − ε²)/(π V_m²): with ε = V_m·y the weight is
/// (2/π)√(1 − y²), and the n-point rule y_j = cos(jπ/(n+1)), w_j = (2/(n+1)) sin²(jπ/(n+1)) is exact
/// for polynomials of degree 2n − 1.
/// </summary>
public sealed class LockInQuadrature
{
    /// <summary>Abscissae y_j in [−1, 1] (multiply by V_m).</summary>
    public double[] Nodes { get; }

    /// <summary>Weights, summing to 1.</summary>
    public double[] Weights { get; }

    /// <summary>Number of nodes.</summary>
    public int Count => Nodes.Length;

    private LockInQuadrature(int n)
    {
        Nodes = new double[n];
        Weights = new double[n];
        for (int j = 1; j <= n; j++)
        {
            double theta = j * Math.PI / (n + 1);
            double s = Math.Sin(theta);
            Nodes[j - 1] = Math.Cos(theta);
            Weights[j - 1] = 2.0 / (n + 1) * s * s;
        }
    }

    private static readonly LockInQuadrature?[] Cache = new LockInQuadrature?[MaxNodes + 1];
    private const int MaxNodes = 96;

    /// <summary>The rule with <paramref name="n"/> nodes (cached).</summary>
    public static LockInQuadrature WithNodes(int n)
    {
        n = Math.Clamp(n, 1, MaxNodes);
        return Cache[n] ??= new LockInQuadrature(n);
    }

    /// <summary>
    /// Enough nodes for a relative error of about <paramref name="tolerance"/>. G(V) is analytic in
    /// a strip |Im V| &lt; πk_BT + Γ (the Fermi kernel's poles, and the Dynes broadening), so in y
    /// the integrand is analytic inside the Bernstein ellipse with ρ = d + √(d² + 1), d = (πk_BT + Γ)/V_m,
    /// and the error falls like ρ^(−2n).
    /// </summary>
    public static LockInQuadrature For(double modulationMV, double temperatureK, double gammaMeV, double tolerance)
    {
        double d = (Math.PI * PhysicalConstants.BoltzmannMeVPerK * temperatureK + gammaMeV) / modulationMV;
        double rho = d + Math.Sqrt(d * d + 1.0);
        int n = (int)Math.Ceiling(Math.Log(1.0 / tolerance) / (2.0 * Math.Log(rho))) + 1;
        return WithNodes(Math.Max(n, 2));
    }
}
