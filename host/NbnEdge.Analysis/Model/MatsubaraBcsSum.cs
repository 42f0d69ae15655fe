using System.Numerics;

namespace NbnEdge.Analysis.Model;

/// <summary>
/// The thermally broadened (and optionally Dynes-broadened) BCS conductance as a sum over the
/// Fermi kernel's poles, in reduced units (x = eV/Δ, t = k_BT/Δ, γ = Γ/Δ).
/// </summary>
/// <remarks>
/// <para>With N(z) = z/√(z² − 1) (cut on [−1, 1]) the Dynes density of states is Re N(E − iγ), analytic
/// for Im E &lt; γ. The kernel is K(ε) = −t Σₘ [(ε − iωₘ)⁻² + (ε + iωₘ)⁻²], ωₘ = πt(2m + 1); closing the
/// energy integral in the lower half plane picks up the double poles at E = x − iωₘ:</para>
/// <para>G(x) = 1 + Re[2πi t Σ_{m≥0} N′(x − i(ωₘ + γ))], N′(z) = −(z² − 1)^(−3/2).</para>
/// <para>The terms fall like m⁻³, so the sum runs to M explicitly and the rest is added by the
/// Euler–Maclaurin formula, whose integral term is exact: 2πi t ∫_M^∞ N′ dm = N(z_M) − 1.
/// This is exact for every γ ≥ 0 (no singularity smoothing), costs a few dozen complex
/// evaluations per point, and shares nothing with <see cref="ExactBcsIntegral"/>, so at γ = 0
/// the two check each other.</para>
/// </remarks>
public static class MatsubaraBcsSum
{
    /// <summary>G(x, t, γ).</summary>
    public static double Conductance(double x, double t, double gamma) => Conductance(x, t, gamma, 40.0, 8.0);

    /// <summary>
    /// G(x, t, γ) to about 2e−9 (16 steps, at least 4 terms; the exact form's 40 steps give
    /// 1e−11): what a fit needs, the shipped table itself being within 7.5e−7, at 2.5× fewer terms.
    /// </summary>
    internal static double ConductanceForFit(double x, double t, double gamma) => Conductance(x, t, gamma, 16.0, 4.0);

    private static double Conductance(double x, double t, double gamma, double steps, double fewestTerms)
    {
        if (!(t > 0)) throw new ArgumentOutOfRangeException(nameof(t), t, "k_BT/Δ must be positive.");
        if (!(gamma >= 0) || double.IsInfinity(gamma) || double.IsInfinity(t))
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "Γ/Δ must be finite and not negative, k_BT/Δ finite.");
        // The Euler–Maclaurin remainder after the f‴ term scales like (2πt/d)⁶, d the distance of
        // z_M from the branch points, which is at least ωₘ + γ = 2πt(M + ½) + γ. Summing explicitly
        // until that is 40 steps of 2πt keeps it below 1e−11 at any x (checked against 2× the
        // former, x-dependent count, which reached 4,000 terms at low t); so at γ ≫ 2πt a handful
        // of explicit terms suffice, and the cost no longer grows as T → 0.
        int m = (int)Math.Ceiling(Math.Max(fewestTerms, steps - gamma / (2.0 * Math.PI * t)));
        var twoPiIt = new Complex(0, 2.0 * Math.PI * t);
        Complex sum = Complex.Zero;
        for (int k = 0; k < m; k++)
            sum += DerivativeN1(new Complex(x, -(Math.PI * t * (2 * k + 1) + gamma)));

        var zM = new Complex(x, -(Math.PI * t * (2 * m + 1) + gamma));
        // Σ_{k≥M} f(k) ≈ ∫_M^∞ f + f(M)/2 − f′(M)/12 + f‴(M)/720, f(k) = N′(z_k), dz/dk = −2πi t.
        var dzdk = new Complex(0, -2.0 * Math.PI * t);
        Complex tail = DerivativeN1(zM) / 2.0 - dzdk * DerivativeN2(zM) / 12.0 + dzdk * dzdk * dzdk * DerivativeN4(zM) / 720.0;
        Complex total = twoPiIt * (sum + tail) + (N(zM) - 1.0);
        return 1.0 + total.Real;
    }

    private static Complex Root(Complex z) => Complex.Sqrt(z - 1.0) * Complex.Sqrt(z + 1.0);

    private static Complex N(Complex z) => z / Root(z);

    private static Complex DerivativeN1(Complex z)
    {
        var s = Root(z);
        return -1.0 / (s * s * s);
    }

    private static Complex DerivativeN2(Complex z)
    {
        var s = Root(z);
        var s2 = s * s;
        return 3.0 * z / (s2 * s2 * s);
    }

    private static Complex DerivativeN4(Complex z)
    {
        var s = Root(z);
        var s2 = s * s;
        var s7 = s2 * s2 * s2 * s;
        return (-45.0 * z + 105.0 * z * z * z / s2) / s7;
    }
}
