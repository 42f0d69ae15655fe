using System.Numerics;

namespace NbnEdge.Analysis.Model;

/// <summary>
/// Tunnelling conductance between a superconducting tip and a superconducting sample (SIS), in
/// meV / mV / K: G(V) = dI/dV of I(V) = ∫ n_tip(E − eV) n_s(E) [f(E − eV) − f(E)] dE, normalised so
/// that G → 1 far from both gaps.
/// </summary>
/// <remarks>
/// The sample's DOS is BCS, n_s = |E|/√(E² − Δ_s²); the tip's is Dynes-broadened,
/// n_tip(ε) = Re[(ε + iΓ)/√((ε + iΓ)² − Δ_t²)] (Γ &gt; 0 keeps it analytic on the real axis);
/// one temperature for both Fermi functions. Differentiating under the integral,
/// G = ∫ n_s(E) [−n_tip'(ε)(f(ε) − f(E)) − n_tip(ε) f'(ε)] dE, ε = E − eV.
/// As in <see cref="ExactBcsIntegral"/>, E = ±Δ_s cosh u on both branches removes the sample's
/// square-root singularity (n_s dE = Δ_s cosh u du); the integrand in u is smooth, even about
/// u = 0, and vanishes outside the Fermi window [min(0,V), max(0,V)] ± 38 k_BT, so the plain
/// trapezoid rule converges exponentially. Its step follows the narrowest feature — the tip's
/// coherence peak (width Γ) or the Fermi kernel (π k_BT) — stretched by dE/du = Δ_s sinh u.
/// </remarks>
public static class SisConductanceModel
{
    private const double WindowKT = 38.0;

    /// <summary>
    /// Normalised SIS conductance at bias V (mV) with lock-in modulation V_m (peak, mV), exact to
    /// about 1e−9 of G (the halving check of the trapezoid sums).
    /// </summary>
    /// <param name="biasMV">V − V₀ in mV.</param>
    /// <param name="sampleGapMeV">Sample gap Δ_s in meV (&gt; 0).</param>
    /// <param name="tipGapMeV">Tip gap Δ_t in meV (≥ 0; 0 is a normal tip with Dynes Γ only).</param>
    /// <param name="tipGammaMeV">Tip Dynes Γ in meV (&gt; 0).</param>
    /// <param name="temperatureK">Temperature of tip and sample in K.</param>
    /// <param name="modulationMV">Lock-in modulation amplitude V_m (peak) in mV.</param>
    public static double Conductance(double biasMV, double sampleGapMeV, double tipGapMeV, double tipGammaMeV, double temperatureK,
        double modulationMV = 0)
    {
        Validate(sampleGapMeV, tipGapMeV, tipGammaMeV, temperatureK);
        if (!(modulationMV > 0)) return Exact(biasMV, sampleGapMeV, tipGapMeV, tipGammaMeV, temperatureK);
        // SIS peaks are as narrow as the tip's Γ at any temperature (the two gaps' edges meet
        // without thermal smearing), so the rule is sized by Γ alone (T = 0), not by πk_BT + Γ as
        // for NIS; a lock-in wide against Γ_t gets a rule cut at the SIS edges ±(Δ_s + Δ_t), ±|Δ_s − Δ_t|.
        int count = LockInQuadrature.AtPoint(biasMV, [sampleGapMeV + tipGapMeV, Math.Abs(sampleGapMeV - tipGapMeV)], modulationMV, 0, tipGammaMeV,
            1e-12, out var y, out var w);
        double sum = 0;
        for (int j = 0; j < count; j++)
            sum += w[j] * Exact(biasMV - modulationMV * y[j], sampleGapMeV, tipGapMeV, tipGammaMeV, temperatureK);
        return sum;
    }

    /// <summary>
    /// The full instrument model with the tip of <paramref name="p"/> (Δ_t, Γ_t):
    /// n₀·(1 + slope·(V − V₀))·(η + (1 − η)⟨G⟩_Vm(V − V₀)).
    /// </summary>
    public static double Evaluate(in BcsParameters p, double biasMV)
    {
        double u = biasMV - p.BiasOffsetMV;
        double g = Conductance(u, p.DeltaMeV, p.TipGapMeV, p.TipGammaMeV, p.TemperatureK, p.ModulationMV);
        return p.Scale * (1.0 + p.SlopePerMV * u) * (p.LeakageFraction + (1.0 - p.LeakageFraction) * g);
    }

    private static void Validate(double ds, double dt, double gt, double tK)
    {
        if (!(ds > 0) || double.IsInfinity(ds)) throw new ArgumentOutOfRangeException(nameof(ds), ds, "Sample Δ must be positive.");
        if (!(dt >= 0) || double.IsInfinity(dt)) throw new ArgumentOutOfRangeException(nameof(dt), dt, "Tip Δ must not be negative.");
        if (!(gt > 0) || double.IsInfinity(gt)) throw new ArgumentOutOfRangeException(nameof(gt), gt, "Tip Γ must be positive.");
        if (!(tK > 0) || double.IsInfinity(tK)) throw new ArgumentOutOfRangeException(nameof(tK), tK, "T must be positive.");
    }

    /// <summary>G(V) without modulation, trapezoid sums halved until two agree to 1e−10.</summary>
    public static double Exact(double v, double ds, double dt, double gt, double tK) => Integrate(v, ds, dt, gt, tK, verify: true);

    /// <summary>
    /// G(V) with the a-priori step only (no halving check): what the fitter uses. The step is set
    /// for an error near 1e−9; <see cref="Exact"/> confirms it.
    /// </summary>
    public static double Fast(double v, double ds, double dt, double gt, double tK) => Integrate(v, ds, dt, gt, tK, verify: false);

    private static double Integrate(double v, double ds, double dt, double gt, double tK, bool verify)
    {
        double kT = PhysicalConstants.BoltzmannMeVPerK * tK;
        double lo = Math.Min(0, v) - WindowKT * kT, hi = Math.Max(0, v) + WindowKT * kT;
        double g = 0;
        // E = +Δ_s cosh u.
        if (hi > ds) g += Branch(+1, Acosh(Math.Max(1.0, lo / ds)), Acosh(hi / ds), v, ds, dt, gt, kT, verify);
        // E = −Δ_s cosh u.
        if (-lo > ds) g += Branch(-1, Acosh(Math.Max(1.0, -hi / ds)), Acosh(-lo / ds), v, ds, dt, gt, kT, verify);
        return g;
    }

    private static double Acosh(double c)
    {
        double d = c - 1.0;
        return d < 1e-3 ? Math.Sqrt(2.0 * d) * (1.0 - d / 12.0 + 3.0 * d * d / 160.0) : Math.Acosh(c);
    }

    /// <summary>Target exponent of the trapezoid error, exp(−2πd/h) ≈ e^−24 ≈ 4e−11.</summary>
    private const double StepExponent = 24.0;

    private static double Branch(int s, double u0, double u1, double v, double ds, double dt, double gt, double kT, bool verify)
    {
        if (u1 <= u0) return 0;
        // Half-width of the strip of analyticity in E: the tip's branch points sit Γ below the real
        // axis, the Fermi poles πk_BT away. Mapped to u by the largest |dE/du| on the interval, and
        // bounded by the Gaussian-like curvature at u = 0 (E − Δ_s ≈ Δ_s u²/2).
        double dE = Math.Min(gt, Math.PI * kT);
        double dU = Math.Min(dE / (ds * Math.Sinh(u1)), Math.Sqrt(dE / ds));
        double h = 2.0 * Math.PI * dU / StepExponent;
        int n = (int)Math.Clamp(Math.Ceiling((u1 - u0) / h), 8, 1 << 22);
        h = (u1 - u0) / n;
        double sum = 0.5 * (Node(s, u0, v, ds, dt, gt, kT) + Node(s, u1, v, ds, dt, gt, kT));
        for (int i = 1; i < n; i++) sum += Node(s, u0 + i * h, v, ds, dt, gt, kT);
        double previous = sum * h;
        if (!verify) return previous;
        for (int halving = 0; halving < 10; halving++)
        {
            for (int i = 0; i < n; i++) sum += Node(s, u0 + (i + 0.5) * h, v, ds, dt, gt, kT);
            n *= 2; h *= 0.5;
            double current = sum * h;
            bool agreed = Math.Abs(current - previous) <= 1e-10 * Math.Max(1.0, Math.Abs(current));
            previous = current;
            if (agreed) break;
        }
        return previous;
    }

    /// <summary>Integrand in u: Δ_s cosh u · [−n_t'(ε)(f(ε) − f(E)) − n_t(ε) f'(ε)], E = s Δ_s cosh u, ε = E − V.</summary>
    private static double Node(int s, double u, double v, double ds, double dt, double gt, double kT)
    {
        double c = Math.Cosh(u);
        double e = s * ds * c;
        double eps = e - v;
        TipDos(eps, dt, gt, out double n, out double dn);
        double fEps = Fermi(eps / kT), fE = Fermi(e / kT);
        double x = eps / (2.0 * kT);
        double q = Math.Exp(-2.0 * Math.Abs(x));
        double sech2 = 4.0 * q / ((1.0 + q) * (1.0 + q));
        double fPrime = -sech2 / (4.0 * kT);
        return ds * c * (-dn * (fEps - fE) - n * fPrime);
    }

    /// <summary>Fermi function of x = E/k_BT, without overflow.</summary>
    private static double Fermi(double x) => x > 0 ? Math.Exp(-x) / (1.0 + Math.Exp(-x)) : 1.0 / (1.0 + Math.Exp(x));

    /// <summary>
    /// Dynes DOS n(ε) = Re[z/w] and its derivative Re[−Δ²/w³], z = ε + iΓ, w = √(z − Δ)·√(z + Δ):
    /// the product of principal roots is the branch of √(z² − Δ²) that keeps n → +1 on both sides.
    /// </summary>
    public static void TipDos(double eps, double gap, double gamma, out double n, out double dn)
    {
        var z = new Complex(eps, gamma);
        var w = Complex.Sqrt(z - gap) * Complex.Sqrt(z + gap);
        n = (z / w).Real;
        dn = (-gap * gap / (w * w * w)).Real;
    }
}
