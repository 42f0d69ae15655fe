namespace NbnEdge.Analysis.Model;

/// <summary>
/// The thermally broadened BCS conductance evaluated exactly, in reduced units:
/// x = eV/Δ and t = k_BT/Δ, so that G depends on nothing else.
/// </summary>
/// <remarks>
/// G(x, t) = ∫ dE n_s(E) K(E − x), n_s(E) = |E|/√(E² − 1) outside the gap, K the derivative of the
/// tip's Fermi function. Substituting E = ±cosh u on both branches removes the square-root
/// singularity (n_s dE = cosh u du), leaving
/// G = ∫₀^∞ du cosh u [k(cosh u − x) + k(cosh u + x)], k(y) = sech²(y/2t)/(4t),
/// whose integrand, continued evenly to u &lt; 0, is smooth and decays exponentially. The plain
/// trapezoid rule on it converges exponentially, so the step is halved (re-using every node)
/// until two successive sums agree far beyond the target; no singularity smoothing is involved.
/// The same pass accumulates the analytic derivatives ∂G/∂x, ∂G/∂t, ∂²G/∂x², ∂²G/∂x∂t, which
/// the fast table needs at its nodes.
/// </remarks>
public static class ExactBcsIntegral
{
    /// <summary>
    /// Where the Fermi kernel is cut off, in units of t: k(y) &lt; e^(−38)/t beyond, which adds
    /// less than 1e−15 to G over the whole tail.
    /// </summary>
    private const double KernelCutoff = 38.0;

    /// <summary>Two successive trapezoid sums closer than this (relative to max(1,|G|)) end the halving.</summary>
    /// <remarks>
    /// The trapezoid error on an analytic periodic-like integrand falls like exp(−c/h), so halving
    /// the step squares it: when two sums differ by 1e−8 the finer one is good to about 1e−16.
    /// </remarks>
    private const double HalvingAgreement = 1e-9;

    private const int MaxHalvings = 8;

    /// <summary>−ln of the trapezoid error aimed at by the first step (e^−36 ≈ 2e−16).</summary>
    private const double StepExponent = 36.0;

    /// <summary>
    /// |Im u*| where cosh u* = c + iπt: the half-width of the strip in which the integrand is
    /// analytic. acosh z = ln(z + √(z+1)·√(z−1)) on the principal branch.
    /// </summary>
    private static double PoleDistance(double c, double t)
    {
        var z = new System.Numerics.Complex(c, Math.PI * t);
        var u = System.Numerics.Complex.Log(z + System.Numerics.Complex.Sqrt(z + 1.0) * System.Numerics.Complex.Sqrt(z - 1.0));
        return Math.Abs(u.Imaginary);
    }

    /// <summary>G and its first and second derivatives in reduced units.</summary>
    public readonly record struct Value(double G, double Gx, double Gt, double Gxx, double Gxt);

    /// <summary>The conductance alone (normalised so that G → 1 far from the gap).</summary>
    public static double Conductance(double x, double t) => Evaluate(x, t).G;

    /// <summary>
    /// G(x, t) with ∂G/∂x, ∂G/∂t, ∂²G/∂x², ∂²G/∂x∂t, exact to about 1e−12 for 0.002 ≤ t ≤ 50.
    /// </summary>
    /// <param name="x">eV/Δ, any sign.</param>
    /// <param name="t">k_BT/Δ, positive.</param>
    public static Value Evaluate(double x, double t)
    {
        if (!(t > 0) || double.IsInfinity(t)) throw new ArgumentOutOfRangeException(nameof(t), t, "k_BT/Δ must be positive and finite.");
        if (!double.IsFinite(x)) throw new ArgumentOutOfRangeException(nameof(x), x, "eV/Δ must be finite.");

        double sign = x < 0 ? -1.0 : 1.0;
        double ax = Math.Abs(x);
        var acc = new Accumulator();

        // Branch E = +cosh u: the kernel is centred where cosh u = |x|.
        double loA = Math.Max(1.0, ax - KernelCutoff * t);
        double hiA = ax + KernelCutoff * t;
        if (hiA > 1.0)
            IntegrateBranch(ax, t, branchSign: -1.0, Acosh(loA), Acosh(hiA), ref acc);

        // Branch E = −cosh u: only reaches the kernel when |x| is within the cutoff of −1.
        double hiB = KernelCutoff * t - ax;
        if (hiB > 1.0)
            IntegrateBranch(ax, t, branchSign: +1.0, 0.0, Acosh(hiB), ref acc);

        return new Value(acc.G, sign * acc.Gx, acc.Gt, acc.Gxx, sign * acc.Gxt);
    }

    private struct Accumulator
    {
        public double G, Gx, Gt, Gxx, Gxt;
    }

    /// <summary>acosh for arguments ≥ 1, accurate near 1 where the naive formula loses digits.</summary>
    private static double Acosh(double c)
    {
        double d = c - 1.0;
        return d < 1e-3 ? Math.Sqrt(2.0 * d) * (1.0 - d / 12.0 + 3.0 * d * d / 160.0) : Math.Acosh(c);
    }

    /// <summary>
    /// Adds ∫ cosh u · k(cosh u + branchSign·x) du over [u0, u1] (and its derivatives) to acc.
    /// branchSign = −1 is the E &gt; 0 branch (kernel argument cosh u − x).
    /// </summary>
    private static void IntegrateBranch(double x, double t, double branchSign, double u0, double u1, ref Accumulator acc)
    {
        if (u1 <= u0) return;
        // At u0 = 0 the integrand continues evenly, so the half-weighted trapezoid on [0, u1] is
        // the full-line trapezoid and keeps its exponential convergence. Elsewhere both ends lie
        // in the kernel's cut-off tail, where the integrand and its derivatives are negligible.

        // Step from the integrand's analyticity: the trapezoid error on a strip of half-width d
        // falls like exp(−2πd/h). The nearest singularities are the kernel's poles where
        // cosh u = −branchSign·x + iπt; where they are far away the Gaussian-like decay
        // exp(−u²/2t) near u = 0 sets the scale instead (error exp(−2π²t/h²)).
        double d = PoleDistance(-branchSign * x, t);
        double h = Math.Min(0.8 * d * 2.0 * Math.PI / StepExponent, Math.PI * Math.Sqrt(2.0 * t / StepExponent));
        int n = (int)Math.Clamp(Math.Ceiling((u1 - u0) / h), 8, 1 << 20);
        h = (u1 - u0) / n;

        var sum = new Accumulator();
        // Ends.
        AddNode(u0, x, t, branchSign, 0.5, ref sum);
        AddNode(u1, x, t, branchSign, 0.5, ref sum);
        for (int i = 1; i < n; i++) AddNode(u0 + i * h, x, t, branchSign, 1.0, ref sum);
        var previous = Scale(sum, h);

        for (int halving = 0; halving < MaxHalvings; halving++)
        {
            // New nodes are the midpoints of the current intervals.
            for (int i = 0; i < n; i++) AddNode(u0 + (i + 0.5) * h, x, t, branchSign, 1.0, ref sum);
            n *= 2;
            h *= 0.5;
            var current = Scale(sum, h);
            double scale = Math.Max(1.0, Math.Abs(current.G));
            double derivativeScale = Math.Max(1.0, Math.Abs(current.Gx) + Math.Abs(current.Gt)) ;
            bool agreed = Math.Abs(current.G - previous.G) <= HalvingAgreement * scale
                && Math.Abs(current.Gx - previous.Gx) <= HalvingAgreement * derivativeScale
                && Math.Abs(current.Gt - previous.Gt) <= HalvingAgreement * derivativeScale;
            previous = current;
            if (agreed) break;
        }

        acc.G += previous.G;
        acc.Gx += previous.Gx;
        acc.Gt += previous.Gt;
        acc.Gxx += previous.Gxx;
        acc.Gxt += previous.Gxt;
    }

    private static Accumulator Scale(Accumulator a, double h) => new()
    {
        G = a.G * h, Gx = a.Gx * h, Gt = a.Gt * h, Gxx = a.Gxx * h, Gxt = a.Gxt * h,
    };

    /// <summary>
    /// One trapezoid node: cosh u times the kernel k(y) and its derivatives, y = cosh u + s·x.
    /// With z = y/2t, S = sech² z, τ = tanh z:
    /// k = S/4t, ∂k/∂y = −Sτ/4t², ∂k/∂t = S(2zτ − 1)/4t², ∂²k/∂y² = −S(S − 2τ²)/8t³,
    /// ∂²k/∂y∂t = S[z(S − 2τ²) + 2τ]/4t³; ∂/∂x = s·∂/∂y.
    /// </summary>
    private static void AddNode(double u, double x, double t, double s, double weight, ref Accumulator sum)
    {
        double c = Math.Cosh(u);
        double y = c + s * x;
        double z = y / (2.0 * t);
        double e = Math.Exp(-2.0 * Math.Abs(z)); // never overflows
        double onePlus = 1.0 + e;
        double sech2 = 4.0 * e / (onePlus * onePlus);
        double tanh = Math.CopySign((1.0 - e) / onePlus, z);
        double inv4t = 1.0 / (4.0 * t);
        double inv4t2 = inv4t / t;
        double inv4t3 = inv4t2 / t;
        double sMinus2Tau2 = sech2 - 2.0 * tanh * tanh;

        double k = sech2 * inv4t;
        double ky = -sech2 * tanh * inv4t2;
        double kt = sech2 * (2.0 * z * tanh - 1.0) * inv4t2;
        double kyy = -sech2 * sMinus2Tau2 * inv4t3 * 0.5;
        double kyt = sech2 * (z * sMinus2Tau2 + 2.0 * tanh) * inv4t3;

        double wc = weight * c;
        sum.G += wc * k;
        sum.Gx += wc * s * ky;
        sum.Gt += wc * kt;
        sum.Gxx += wc * kyy;
        sum.Gxt += wc * s * kyt;
    }
}
