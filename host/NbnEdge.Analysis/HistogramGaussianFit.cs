namespace NbnEdge.Analysis;

/// <summary>
/// The reference paper's Eq. 4 fitted to a histogram of Δ: N(Δ) = A·exp(−(Δ − Δ0)²/(2σ²)),
/// evaluated at the bin centres, with A in counts per bin.
/// </summary>
/// <remarks>
/// <para>
/// Weighted least squares with Poisson variances. A first pass uses the observed count as the
/// variance, floored at 1 so empty bins keep a finite weight (a zero count would otherwise claim
/// zero variance and pin the curve to zero). Observed-count weights pull the curve down where
/// counts fluctuate low, so two more passes reweight with the first fit's expected counts, again
/// floored at 1 (the floor keeps a lone count far in a tail from dominating). Reweighting by the
/// model is the iteration whose fixed point solves the Poisson likelihood equations, so the
/// shape parameters come out without the low-count bias.
/// </para>
/// <para>
/// Standard errors are √diag((JᵀWJ)⁻¹) at the solution, not scaled by χ²_red: the variances are
/// known (Poisson), and <see cref="ChiSquare"/> with <see cref="DegreesOfFreedom"/> says whether
/// the Gaussian describes the histogram at all. Evaluating at bin centres (as Eq. 4 does)
/// widens σ² by w²/12 for bin width w: below 1 % of σ for Freedman–Diaconis bins at n ≥ 200.
/// </para>
/// <para>The fit never throws: a failure gives NaN parameters, <see cref="Converged"/> false and a <see cref="Message"/>.</para>
/// </remarks>
public sealed record HistogramGaussianFit
{
    /// <summary>True when the fit converged to a usable Gaussian.</summary>
    public required bool Converged { get; init; }

    /// <summary>Why the fit failed, or a note about a degenerate success; empty otherwise.</summary>
    public required string Message { get; init; }

    /// <summary>Peak height A, in counts per bin.</summary>
    public required double Amplitude { get; init; }

    /// <summary>Standard error of <see cref="Amplitude"/>.</summary>
    public required double AmplitudeError { get; init; }

    /// <summary>Centre Δ0 in meV.</summary>
    public required double CentreMeV { get; init; }

    /// <summary>Standard error of <see cref="CentreMeV"/>, in meV.</summary>
    public required double CentreErrorMeV { get; init; }

    /// <summary>Width σ in meV (≥ 0): the paper's "histogram σ".</summary>
    public required double SigmaMeV { get; init; }

    /// <summary>Standard error of <see cref="SigmaMeV"/>, in meV.</summary>
    public required double SigmaErrorMeV { get; init; }

    /// <summary>Pearson χ² = Σ (count − model)²/variance with the final weights.</summary>
    public required double ChiSquare { get; init; }

    /// <summary>Bins minus the 3 fitted parameters.</summary>
    public required int DegreesOfFreedom { get; init; }

    /// <summary>Least-squares iterations used over all passes.</summary>
    public required int Iterations { get; init; }

    /// <summary>Floor on the per-bin variance (counts²): keeps empty and near-empty bins from taking infinite weight.</summary>
    public const double VarianceFloor = 1.0;

    private const int MaxIterationsPerPass = 200;
    private const int ReweightPasses = 2;

    /// <summary>A failed fit: NaN parameters and the reason.</summary>
    public static HistogramGaussianFit Failed(string message, int degreesOfFreedom = 0, int iterations = 0) => new()
    {
        Converged = false,
        Message = message,
        Amplitude = double.NaN,
        AmplitudeError = double.NaN,
        CentreMeV = double.NaN,
        CentreErrorMeV = double.NaN,
        SigmaMeV = double.NaN,
        SigmaErrorMeV = double.NaN,
        ChiSquare = double.NaN,
        DegreesOfFreedom = degreesOfFreedom,
        Iterations = iterations,
    };

    /// <summary>Fits Eq. 4 to <paramref name="histogram"/>.</summary>
    public static HistogramGaussianFit Fit(Histogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        int bins = histogram.Count;
        var centres = new double[bins];
        var counts = new double[bins];
        for (int i = 0; i < bins; i++)
        {
            centres[i] = histogram.CentreMeV(i);
            counts[i] = histogram.Counts[i];
        }
        return Fit(centres, counts, histogram.BinWidthMeV);
    }

    /// <summary>
    /// Fits Eq. 4 to counts at bin centres. A single bin is the all-values-equal case and gives
    /// the exact limit σ = 0 (converged, with a note) rather than a failure.
    /// </summary>
    /// <param name="centresMeV">Bin centres, ascending, equally spaced.</param>
    /// <param name="counts">Count in each bin (≥ 0).</param>
    /// <param name="binWidthMeV">Bin width; scales the starting guess and the "collapsed" test.</param>
    public static HistogramGaussianFit Fit(double[] centresMeV, double[] counts, double binWidthMeV)
    {
        try
        {
            return FitCore(centresMeV, counts, binWidthMeV);
        }
        catch (Exception e) when (e is ArithmeticException or IndexOutOfRangeException or ArgumentException)
        {
            // The contract is "never throw from the fit": a caller building a report must always get one.
            return Failed("fit failed: " + e.Message);
        }
    }

    private static HistogramGaussianFit FitCore(double[] x, double[] c, double binWidth)
    {
        int n = x.Length;
        if (n != c.Length || n == 0)
            return Failed("centres and counts must be non-empty and of equal length");
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            if (!(c[i] >= 0) || !double.IsFinite(c[i]) || !double.IsFinite(x[i]))
                return Failed("counts must be finite and ≥ 0 and centres finite");
            total += c[i];
        }
        if (total <= 0) return Failed("the histogram is empty", n - 3);

        if (n == 1)
        {
            return new HistogramGaussianFit
            {
                Converged = true,
                Message = "all values equal: the Gaussian collapses to a spike at Δ0 (σ = 0)",
                Amplitude = c[0], AmplitudeError = 0,
                CentreMeV = x[0], CentreErrorMeV = 0,
                SigmaMeV = 0, SigmaErrorMeV = 0,
                ChiSquare = 0, DegreesOfFreedom = 0, Iterations = 0,
            };
        }
        if (n < 4) return Failed($"{n} bins leave no degree of freedom for 3 parameters", n - 3);

        // Start from the moments of the binned data: close enough that LM needs a few steps.
        double m = 0, s2 = 0;
        for (int i = 0; i < n; i++) m += c[i] * x[i];
        m /= total;
        for (int i = 0; i < n; i++) s2 += c[i] * (x[i] - m) * (x[i] - m);
        double s = Math.Sqrt(s2 / total);
        if (!(s > 0)) s = binWidth;
        var p = new[] { total * binWidth / (s * Math.Sqrt(2 * Math.PI)), m, s };

        var variance = new double[n];
        for (int i = 0; i < n; i++) variance[i] = Math.Max(c[i], VarianceFloor);

        int iterations = 0;
        for (int pass = 0; pass <= ReweightPasses; pass++)
        {
            if (pass > 0)
                for (int i = 0; i < n; i++) variance[i] = Math.Max(Model(p, x[i]), VarianceFloor);
            if (!Minimise(x, c, variance, p, ref iterations, out string? why))
                return Failed(why ?? "the fit failed", n - 3, iterations);
        }

        p[2] = Math.Abs(p[2]); // σ enters squared; report the non-negative root
        string? invalid = p[0] <= 0 ? "the fitted amplitude is not positive"
            : p[2] < 1e-3 * binWidth ? "the Gaussian collapsed to narrower than a bin"
            : p[1] < x[0] - 0.5 * binWidth || p[1] > x[n - 1] + 0.5 * binWidth ? "the fitted centre lies outside the histogram"
            : null;
        if (invalid is not null) return Failed(invalid, n - 3, iterations);

        Normal(x, c, variance, p, out var jtj, out _, out double chi2);
        if (!Invert3(jtj, out var cov)) return Failed("the parameters are not determined (singular normal matrix)", n - 3, iterations);
        double eA = Math.Sqrt(cov[0]), eM = Math.Sqrt(cov[4]), eS = Math.Sqrt(cov[8]);
        if (!double.IsFinite(eA) || !double.IsFinite(eM) || !double.IsFinite(eS) || !double.IsFinite(chi2))
            return Failed("the parameter errors are not finite", n - 3, iterations);

        return new HistogramGaussianFit
        {
            Converged = true,
            Message = "",
            Amplitude = p[0], AmplitudeError = eA,
            CentreMeV = p[1], CentreErrorMeV = eM,
            SigmaMeV = p[2], SigmaErrorMeV = eS,
            ChiSquare = chi2, DegreesOfFreedom = n - 3, Iterations = iterations,
        };
    }

    private static double Model(double[] p, double x)
    {
        double z = (x - p[1]) / p[2];
        return p[0] * Math.Exp(-0.5 * z * z);
    }

    /// <summary>JᵀWJ (row-major 3×3), JᵀW r and χ² at <paramref name="p"/>.</summary>
    private static void Normal(double[] x, double[] c, double[] variance, double[] p, out double[] jtj, out double[] jtr, out double chi2)
    {
        jtj = new double[9];
        jtr = new double[3];
        chi2 = 0;
        Span<double> j = stackalloc double[3];
        double a = p[0], mu = p[1], sig = p[2];
        for (int i = 0; i < x.Length; i++)
        {
            double d = x[i] - mu;
            double e = Math.Exp(-0.5 * d * d / (sig * sig));
            double f = a * e;
            double w = 1 / variance[i];
            double r = c[i] - f;
            j[0] = e;
            j[1] = f * d / (sig * sig);
            j[2] = f * d * d / (sig * sig * sig);
            for (int k = 0; k < 3; k++)
            {
                jtr[k] += w * j[k] * r;
                for (int l = 0; l < 3; l++) jtj[3 * k + l] += w * j[k] * j[l];
            }
            chi2 += w * r * r;
        }
    }

    private static double ChiSquareAt(double[] x, double[] c, double[] variance, double[] p)
    {
        double chi2 = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = c[i] - Model(p, x[i]);
            chi2 += r * r / variance[i];
        }
        return chi2;
    }

    /// <summary>Levenberg–Marquardt with fixed variances; updates <paramref name="p"/> in place.</summary>
    private static bool Minimise(double[] x, double[] c, double[] variance, double[] p, ref int iterations, out string? why)
    {
        double lambda = 1e-3;
        var trial = new double[3];
        var a = new double[9];
        var step = new double[3];
        for (int it = 0; it < MaxIterationsPerPass; it++)
        {
            iterations++;
            Normal(x, c, variance, p, out var jtj, out var jtr, out double chi2);
            if (!double.IsFinite(chi2)) { why = "χ² is not finite"; return false; }

            bool accepted = false;
            while (lambda < 1e12)
            {
                Array.Copy(jtj, a, 9);
                // Marquardt's scaling by the diagonal keeps the step sensible when A (counts) and
                // σ (meV) differ by orders of magnitude.
                for (int k = 0; k < 3; k++) a[4 * k] += lambda * Math.Max(jtj[4 * k], 1e-300);
                if (!Solve3(a, jtr, step)) { lambda *= 10; continue; }
                for (int k = 0; k < 3; k++) trial[k] = p[k] + step[k];
                double chi2Trial = trial[2] != 0 ? ChiSquareAt(x, c, variance, trial) : double.NaN;
                if (double.IsFinite(chi2Trial) && chi2Trial <= chi2)
                {
                    Array.Copy(trial, p, 3);
                    accepted = true;
                    // MINPACK-style: stop when χ² no longer drops (relatively) or the step is
                    // negligible against the parameters; either alone, since on exact data χ² → 0
                    // keeps dropping by large factors while the parameters have long settled.
                    // (A heavily damped step also barely lowers χ², so that test only counts near Gauss–Newton.)
                    bool chi2Settled = chi2 - chi2Trial <= 1e-12 * chi2 && lambda <= 1e-2;
                    bool stepSettled = Math.Abs(step[0]) <= 1e-10 * Math.Abs(p[0])
                        && Math.Abs(step[1]) <= 1e-10 * Math.Abs(p[2])
                        && Math.Abs(step[2]) <= 1e-10 * Math.Abs(p[2]);
                    if (chi2Settled || stepSettled) { why = null; return true; }
                    lambda = Math.Max(lambda / 10, 1e-12);
                    break;
                }
                lambda *= 10;
            }
            // No downhill step at any damping: we sit at the minimum to machine precision.
            if (!accepted) { why = null; return true; }
        }
        why = $"no convergence in {MaxIterationsPerPass} iterations";
        return false;
    }

    private static bool Solve3(double[] a, double[] b, double[] result)
    {
        if (!Invert3(a, out var inv)) return false;
        for (int k = 0; k < 3; k++)
            result[k] = inv[3 * k] * b[0] + inv[3 * k + 1] * b[1] + inv[3 * k + 2] * b[2];
        return double.IsFinite(result[0]) && double.IsFinite(result[1]) && double.IsFinite(result[2]);
    }

    /// <summary>Inverse of a symmetric 3×3 by cofactors, scaled by the diagonal for conditioning.</summary>
    private static bool Invert3(double[] m, out double[] inv)
    {
        inv = new double[9];
        // Scale to unit diagonal first: A in counts and σ in meV give diagonals 1e8 apart.
        Span<double> d = stackalloc double[3];
        for (int k = 0; k < 3; k++)
        {
            if (!(m[4 * k] > 0)) return false;
            d[k] = 1 / Math.Sqrt(m[4 * k]);
        }
        Span<double> s = stackalloc double[9];
        for (int r = 0; r < 3; r++)
            for (int q = 0; q < 3; q++)
                s[3 * r + q] = m[3 * r + q] * d[r] * d[q];
        double c00 = s[4] * s[8] - s[5] * s[7];
        double c01 = s[5] * s[6] - s[3] * s[8];
        double c02 = s[3] * s[7] - s[4] * s[6];
        double det = s[0] * c00 + s[1] * c01 + s[2] * c02;
        if (!(Math.Abs(det) > 1e-14)) return false;
        Span<double> si = stackalloc double[9];
        si[0] = c00 / det;
        si[1] = (s[2] * s[7] - s[1] * s[8]) / det;
        si[2] = (s[1] * s[5] - s[2] * s[4]) / det;
        si[3] = c01 / det;
        si[4] = (s[0] * s[8] - s[2] * s[6]) / det;
        si[5] = (s[2] * s[3] - s[0] * s[5]) / det;
        si[6] = c02 / det;
        si[7] = (s[1] * s[6] - s[0] * s[7]) / det;
        si[8] = (s[0] * s[4] - s[1] * s[3]) / det;
        for (int r = 0; r < 3; r++)
            for (int q = 0; q < 3; q++)
                inv[3 * r + q] = si[3 * r + q] * d[r] * d[q];
        return true;
    }
}
