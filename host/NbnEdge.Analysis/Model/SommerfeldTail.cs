using System.Runtime.CompilerServices;
namespace NbnEdge.Analysis.Model;

/// <summary>
/// G(x, t) far outside the gap, where the density of states n(x) = x/√(x² − 1) is smooth on the
/// scale of the thermal kernel: the Sommerfeld expansion G = Σₖ m₂ₖ n⁽²ᵏ⁾(x)/(2k)!, with the
/// kernel's even moments m₂ₖ = 2(2k)!(1 − 2¹⁻²ᵏ)ζ(2k)t²ᵏ.
/// </summary>
/// <remarks>
/// Used only where (|x| − 1)/t ≥ 36: there the kernel's weight on the singular region is below
/// e^−36, and successive terms shrink by about (t/(|x|−1))²(2k+½)(2k+3/2) ≤ 0.04, so the four
/// terms kept (to t⁶) leave less than 1e−8 (the tests check it against the exact integral).
/// Unrolled by hand: on typical spectra half the points land here, so it is on the fitter's hot path.
/// </remarks>
internal static class SommerfeldTail
{
    // 2(1 − 2¹⁻²ᵏ)ζ(2k)·(2k)! for k = 0…3: 1, π²/3, 7π⁴/15, 31π⁶/21.
    private const double A1 = Math.PI * Math.PI / 3.0;
    private static readonly double A2 = 7.0 * Math.Pow(Math.PI, 4) / 15.0;
    private static readonly double A3 = 31.0 * Math.Pow(Math.PI, 6) / 21.0;

    /// <summary>G, ∂G/∂x, ∂G/∂t for x &gt; 1 well outside the gap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Evaluate(double x, double t, out double g, out double gx, out double gt)
    {
        // Taylor coefficients of q(h)^(−1/2), q = (x² − 1) + 2xh + h², from q·g′ = −½ q′·g:
        // g_n = [(−½ − (n−1))·2x·g_{n−1} + (−1 − (n−2))·g_{n−2}] / (n (x² − 1)).
        double r = 1.0 / (x * x - 1.0);
        double x2 = 2.0 * x;
        double g0 = Math.Sqrt(r);
        double g1 = -0.5 * x2 * g0 * r;
        double g2 = (-1.5 * x2 * g1 - 1.0 * g0) * r * (1.0 / 2);
        double g3 = (-2.5 * x2 * g2 - 2.0 * g1) * r * (1.0 / 3);
        double g4 = (-3.5 * x2 * g3 - 3.0 * g2) * r * (1.0 / 4);
        double g5 = (-4.5 * x2 * g4 - 4.0 * g3) * r * (1.0 / 5);
        double g6 = (-5.5 * x2 * g5 - 5.0 * g4) * r * (1.0 / 6);
        double g7 = (-6.5 * x2 * g6 - 6.0 * g5) * r * (1.0 / 7);
        // n(x + h) = (x + h)·q^(−1/2): c_n = x g_n + g_{n−1}, and n⁽ⁿ⁾/n! = c_n.
        double c0 = x * g0, c1 = x * g1 + g0, c2 = x * g2 + g1, c3 = x * g3 + g2;
        double c4 = x * g4 + g3, c5 = x * g5 + g4, c6 = x * g6 + g5, c7 = x * g7 + g6;
        double t2 = t * t, w1 = A1 * t2, w2 = A2 * t2 * t2, w3 = A3 * t2 * t2 * t2;
        g = c0 + w1 * c2 + w2 * c4 + w3 * c6;
        gx = c1 + 3 * w1 * c3 + 5 * w2 * c5 + 7 * w3 * c7;
        gt = (2 * w1 * c2 + 4 * w2 * c4 + 6 * w3 * c6) / t;
    }
}
