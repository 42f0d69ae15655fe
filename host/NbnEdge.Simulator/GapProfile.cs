namespace NbnEdge.Simulator;

/// <summary>
/// Δ along the line of spectra: the mean, a smooth random profile (Gaussian-filtered noise with a
/// correlation length, as a film's grain-scale inhomogeneity would give) and white noise, scaled
/// so that the sample spread over the line is exactly the chosen σ.
/// </summary>
public sealed class GapProfile
{
    /// <summary>Tip position of each spectrum along the line, in nm.</summary>
    public double[] PositionsNm { get; }

    /// <summary>Δ at each position, in meV.</summary>
    public double[] DeltaMeV { get; }

    /// <summary>Builds the profile.</summary>
    /// <param name="meanMeV">mean Δ in meV</param>
    /// <param name="sigmaMeV">sample standard deviation of Δ over the line, in meV</param>
    /// <param name="positions">number of positions</param>
    /// <param name="lineLengthNm">line length in nm</param>
    /// <param name="smoothVarianceFraction">share of σ² in the smooth part (the rest is white)</param>
    /// <param name="correlationLengthNm">Gaussian filter width of the smooth part, in nm</param>
    /// <param name="seed">random seed</param>
    public GapProfile(double meanMeV, double sigmaMeV, int positions, double lineLengthNm, double smoothVarianceFraction, double correlationLengthNm, int seed)
    {
        var rng = new Random(seed);
        PositionsNm = new double[positions];
        double step = positions > 1 ? lineLengthNm / (positions - 1) : 0;
        for (int i = 0; i < positions; i++) PositionsNm[i] = i * step;

        double[] white = Normalise(Gaussians(rng, positions));
        double[] raw = Gaussians(rng, positions);
        double width = step > 0 ? correlationLengthNm / step : 1;
        double[] smooth = new double[positions];
        for (int i = 0; i < positions; i++)
        {
            double sum = 0, weights = 0;
            for (int j = 0; j < positions; j++)
            {
                double k = Math.Exp(-0.5 * (i - j) * (i - j) / (width * width));
                sum += k * raw[j];
                weights += k;
            }

            smooth[i] = sum / weights;
        }

        smooth = Normalise(smooth);
        double a = Math.Sqrt(Math.Clamp(smoothVarianceFraction, 0, 1));
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
