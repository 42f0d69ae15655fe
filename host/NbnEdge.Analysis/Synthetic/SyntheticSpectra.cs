using NbnEdge.Analysis.Model;

namespace NbnEdge.Analysis.Synthetic;

/// <summary>
/// Spectra with known truth: the exact model (never the fitter's table) plus Gaussian noise, for
/// benchmarks and tests.
/// </summary>
public static class SyntheticSpectra
{
    /// <summary>The bias half-range used for a gap and temperature: the gap, its peaks and a stretch of background.</summary>
    public static double DefaultHalfRangeMV(double deltaMeV, double temperatureK) =>
        3.0 * deltaMeV + 10.0 * PhysicalConstants.BoltzmannMeVPerK * temperatureK;

    /// <summary>
    /// A spectrum of <paramref name="points"/> uniformly spaced biases over ±<paramref name="halfRangeMV"/>,
    /// the exact model at <paramref name="truth"/>, plus Gaussian noise of standard deviation
    /// <paramref name="noiseFraction"/>·scale.
    /// </summary>
    public static Spectrum Generate(in BcsParameters truth, int points, double halfRangeMV, double noiseFraction, Random rng,
        string name = "synthetic")
    {
        var bias = new double[points];
        var g = new double[points];
        for (int i = 0; i < points; i++)
        {
            bias[i] = -halfRangeMV + 2.0 * halfRangeMV * i / (points - 1);
            g[i] = ThermalBcsModel.Evaluate(truth, bias[i]) + noiseFraction * truth.Scale * Gaussian(rng);
        }
        return new Spectrum { Source = "synthetic", Name = name, BiasMV = bias, Conductance = g };
    }

    /// <summary>A standard normal deviate (Box–Muller; the pair's second value is discarded for simplicity).</summary>
    public static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
