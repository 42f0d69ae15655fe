namespace NbnEdge.Simulator;

/// <summary>
/// Δ along the line of spectra: the mean, a smooth random profile with a chosen correlation
/// length ξ (exponential correlation e^(−h/ξ), as a film's inhomogeneity on scales above the grains
/// would give) and white noise, scaled so that the sample spread over the line is exactly the
/// chosen σ. The smooth part is the exact stationary Ornstein–Uhlenbeck process sampled at the
/// positions (an AR(1) with φ = e^(−step/ξ)), so its correlation length is ξ, with no filter
/// edges: the spatial statistics (issue 13) are checked against this ξ.
/// </summary>
public sealed class GapProfile
{
    /// <summary>Tip position of each spectrum along the line, in nm.</summary>
    public double[] PositionsNm { get; }

    /// <summary>Δ at each position, in meV.</summary>
    public double[] DeltaMeV { get; }

    /// <summary>The correlation length of the smooth part, in nm (0: the profile is white noise).</summary>
    public double CorrelationLengthNm { get; }

    /// <summary>Builds the profile.</summary>
    /// <param name="meanMeV">mean Δ in meV</param>
    /// <param name="sigmaMeV">sample standard deviation of Δ over the line, in meV</param>
    /// <param name="positions">number of positions</param>
    /// <param name="lineLengthNm">line length in nm</param>
    /// <param name="smoothVarianceFraction">share of σ² in the smooth part (the rest is white); 0 gives white noise</param>
    /// <param name="correlationLengthNm">correlation length ξ of the smooth part (1/e of its correlation), in nm; 0 gives white noise</param>
    /// <param name="seed">random seed</param>
    public GapProfile(double meanMeV, double sigmaMeV, int positions, double lineLengthNm, double smoothVarianceFraction, double correlationLengthNm, int seed)
    {
        var rng = new Random(seed);
        PositionsNm = new double[positions];
        double step = positions > 1 ? lineLengthNm / (positions - 1) : 0;
        for (int i = 0; i < positions; i++) PositionsNm[i] = i * step;
        CorrelationLengthNm = correlationLengthNm > 0 && smoothVarianceFraction > 0 ? correlationLengthNm : 0;

        double[] white = Normalise(Gaussians(rng, positions));
        double[] raw = Gaussians(rng, positions);
        double[] smooth = new double[positions];
        double phi = CorrelationLengthNm > 0 ? Math.Exp(-step / CorrelationLengthNm) : 0;
        double innovation = Math.Sqrt(1 - phi * phi);
        for (int i = 0; i < positions; i++)
            smooth[i] = i == 0 ? raw[0] : phi * smooth[i - 1] + innovation * raw[i];

        smooth = Normalise(smooth);
        double a = Math.Sqrt(Math.Clamp(CorrelationLengthNm > 0 ? smoothVarianceFraction : 0, 0, 1));
        double b = Math.Sqrt(1 - a * a);
        double[] combined = Normalise(smooth.Select((s, i) => a * s + b * white[i]).ToArray());
        DeltaMeV = combined.Select(z => meanMeV + sigmaMeV * z).ToArray();
    }

    private static double[] Gaussians(Random rng, int n)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = SimulationMath.Gaussian(rng);
        return v;
    }

    /// <summary>Zero mean, unit sample standard deviation (unchanged if constant).</summary>
    private static double[] Normalise(double[] v)
    {
        if (v.Length < 2) return new double[v.Length];
        double mean = v.Average();
        double sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return sd > 0 ? v.Select(x => (x - mean) / sd).ToArray() : new double[v.Length];
    }
}

internal static class SimulationMath
{
    /// <summary>k_B in meV/K (docs/DESIGN.md).</summary>
    public const double BoltzmannMeVPerK = 0.08617333262;

    public static double Gaussian(Random rng)
    {
        // Box–Muller: reproducible from the seed on every platform.
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
