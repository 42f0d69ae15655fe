namespace NbnEdge.Simulator;

/// <summary>
/// Δ over a square grid of pixels: a Gaussian random field with exponential covariance
/// σ²_smooth·e^(−h/ξ) plus white noise, the two-dimensional counterpart of <see cref="GapProfile"/>
/// for checking the map statistics against a known correlation length. Drawn exactly, through the
/// Cholesky factor of the covariance matrix, so it is meant for test-sized maps (≤ 2500 pixels).
/// </summary>
public sealed class GapMapProfile
{
    /// <summary>Most pixels (the Cholesky factor costs n³/6).</summary>
    public const int MaximumPixels = 2500;

    /// <summary>x of each pixel in nm, row by row.</summary>
    public double[] XNm { get; }

    /// <summary>y of each pixel in nm, row by row.</summary>
    public double[] YNm { get; }

    /// <summary>Δ of each pixel in meV, row by row.</summary>
    public double[] DeltaMeV { get; }

    /// <summary>Draws the map.</summary>
    /// <param name="meanMeV">mean Δ in meV (the expectation; the sample mean varies)</param>
    /// <param name="smoothSigmaMeV">standard deviation of the correlated part, in meV</param>
    /// <param name="whiteSigmaMeV">standard deviation of the white part, in meV</param>
    /// <param name="pixelsPerSide">pixels along x and along y</param>
    /// <param name="pixelNm">pixel spacing in nm</param>
    /// <param name="correlationLengthNm">ξ of the correlated part in nm (its correlation e^(−h/ξ))</param>
    /// <param name="seed">random seed</param>
    public GapMapProfile(double meanMeV, double smoothSigmaMeV, double whiteSigmaMeV, int pixelsPerSide, double pixelNm,
        double correlationLengthNm, int seed)
    {
        int n = pixelsPerSide * pixelsPerSide;
        if (pixelsPerSide < 2 || n > MaximumPixels) throw new ArgumentOutOfRangeException(nameof(pixelsPerSide), $"2 to {(int)Math.Sqrt(MaximumPixels)} pixels a side.");
        if (!(correlationLengthNm > 0) || !(pixelNm > 0)) throw new ArgumentOutOfRangeException(nameof(correlationLengthNm), "ξ and the pixel must be > 0.");
        XNm = new double[n];
        YNm = new double[n];
        for (int r = 0; r < pixelsPerSide; r++)
            for (int c = 0; c < pixelsPerSide; c++)
            {
                XNm[r * pixelsPerSide + c] = c * pixelNm;
                YNm[r * pixelsPerSide + c] = r * pixelNm;
            }
        var lower = CholeskyOfCovariance(XNm, YNm, correlationLengthNm);
        var rng = new Random(seed);
        var z = new double[n];
        for (int i = 0; i < n; i++) z[i] = SimulationMath.Gaussian(rng);
        DeltaMeV = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int k = 0; k <= i; k++) s += lower[i * n + k] * z[k];
            DeltaMeV[i] = meanMeV + smoothSigmaMeV * s + whiteSigmaMeV * SimulationMath.Gaussian(rng);
        }
    }

    /// <summary>Lower Cholesky factor (row-major) of C_ij = e^(−h_ij/ξ).</summary>
    private static double[] CholeskyOfCovariance(double[] x, double[] y, double xi)
    {
        int n = x.Length;
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double dx = x[i] - x[j], dy = y[i] - y[j];
                a[i * n + j] = Math.Exp(-Math.Sqrt(dx * dx + dy * dy) / xi);
            }
        for (int j = 0; j < n; j++)
        {
            double diag = a[j * n + j];
            for (int k = 0; k < j; k++) diag -= a[j * n + k] * a[j * n + k];
            diag = Math.Sqrt(Math.Max(diag, 1e-14));
            a[j * n + j] = diag;
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = s / diag;
            }
        }
        return a;
    }
}
