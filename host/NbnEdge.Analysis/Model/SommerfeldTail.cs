namespace NbnEdge.Analysis.Model;

/// <summary>
/// G(x, t) far outside the gap, where the density of states n(x) = x/√(x² − 1) is smooth on the
/// scale of the thermal kernel: the Sommerfeld expansion G = Σₖ mₖ n⁽²ᵏ⁾(x)/(2k)!, with the
/// kernel's even moments m₂ₖ = 2(2k)!(1 − 2¹⁻²ᵏ)ζ(2k)t²ᵏ.
/// </summary>
/// <remarks>
/// Used only where (|x| − 1)/t ≥ 36: there the kernel's weight on the singular region is below
/// e^−36 and successive terms shrink by at least (t/(|x|−1))²(2k+½)(2k+3/2) ≈ 0.06, so five
/// terms reach about 1e−12 (checked against the exact integral in the tests).
/// </remarks>
internal static class SommerfeldTail
{
    /// <summary>2(1 − 2¹⁻²ᵏ)ζ(2k) for k = 0…4 (the k = 0 term is 1).</summary>
    private static readonly double[] MomentFactor =
    [
        1.0,
        Math.PI * Math.PI / 6.0,
        7.0 * Math.Pow(Math.PI, 4) / 360.0,
        31.0 / 16.0 * Math.Pow(Math.PI, 6) / 945.0,
        127.0 / 64.0 * Math.Pow(Math.PI, 8) / 9450.0,
    ];

    private const int Terms = 5;

    private static readonly double[] InverseInteger = [0, 1, 1 / 2.0, 1 / 3.0, 1 / 4.0, 1 / 5.0, 1 / 6.0, 1 / 7.0, 1 / 8.0, 1 / 9.0];
    private const int Order = 2 * Terms; // Taylor coefficients 0…9 of n(x + h)

    /// <summary>G, ∂G/∂x, ∂G/∂t for x &gt; 1 well outside the gap.</summary>
    public static void Evaluate(double x, double t, out double g, out double gx, out double gt)
    {
        // Taylor coefficients c_n of n(x + h) = (x + h)·q(h)^(−1/2), q = (x² − 1) + 2xh + h².
        // Powers of a series p(h)^α follow p·g' = α p'·g:
        // g_n = 1/(n p0) Σ_{k=1..min(n,2)} (α k − (n − k)) p_k g_{n−k}.
        Span<double> gq = stackalloc double[Order];
        double p0 = x * x - 1.0, p1 = 2.0 * x, p2 = 1.0;
        const double alpha = -0.5;
        double invP0 = 1.0 / p0;
        gq[0] = Math.Sqrt(invP0);
        gq[1] = alpha * p1 * gq[0] * invP0;
        for (int n = 2; n < Order; n++)
        {
            double s = (alpha - (n - 1)) * p1 * gq[n - 1] + (2 * alpha - (n - 2)) * p2 * gq[n - 2];
            gq[n] = s * invP0 * InverseInteger[n];
        }

        // n(x+h) = x·g(h) + h·g(h): c_n = x g_n + g_{n−1}.
        // With c_n = n⁽ⁿ⁾/n!, a term mₖ n⁽²ᵏ⁾/(2k)! = 2(1−2¹⁻²ᵏ)ζ(2k) t²ᵏ · (2k)! c_2k.
        g = 0; gx = 0; gt = 0;
        double t2k = 1.0;      // t^(2k)
        double factorial = 1.0; // (2k)!
        for (int k = 0; k < Terms; k++)
        {
            int n = 2 * k;
            double c = x * gq[n] + (n > 0 ? gq[n - 1] : 0.0);
            double cNext = x * gq[n + 1] + gq[n];
            double weight = MomentFactor[k] * t2k * factorial;
            g += weight * c;
            gx += weight * (n + 1) * cNext;            // d/dx of c_n h^n terms: (n+1) c_{n+1}
            if (k > 0) gt += weight * c * n / t;        // d/dt t^(2k) = 2k t^(2k−1)
            t2k *= t * t;
            factorial *= (n + 1) * (n + 2);
        }
    }
}
