using System.Globalization;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Model;
using NbnEdge.Firmware.Boards;

namespace NbnEdge.CalibrationGenerator;

/// <summary>
/// A synthetic spectrum as the board would average it: the exact thermal-BCS conductance
/// (<see cref="ExactBcsIntegral"/>, no lock-in broadening) times n₀·(1 + slope·V), shifted by V₀,
/// plus seeded Gaussian noise of a fixed fraction of n₀, converted to ADC codes with the board's
/// scaling (<see cref="BoardDefinitions"/>). The noiseless curve is computed once; every call of
/// <see cref="Draw"/> adds a new noise realisation.
/// </summary>
public sealed class SyntheticSpectrum
{
    /// <summary>Lock-in output for the normal-state conductance, µV (1 V: a tenth of the front end's range).</summary>
    public const double NormalLevelUv = 1_000_000.0;

    private readonly double[] _cleanUv;
    private readonly double _signalUvPerLsb;

    /// <summary>Bias codes in sweep order.</summary>
    public int[] BiasCodes { get; }

    /// <summary>Gap, meV.</summary>
    public double DeltaMeV { get; }

    /// <summary>Temperature, K.</summary>
    public double TemperatureK { get; }

    /// <summary>Bias offset V₀ (the bias at the gap centre), µV.</summary>
    public double OffsetUv { get; }

    /// <summary>Points.</summary>
    public int Count => BiasCodes.Length;

    /// <summary>Whether the sweep runs from +V to −V.</summary>
    public bool Backward { get; }

    /// <summary>Builds the noiseless spectrum of a linear sweep over ±<paramref name="sweepMv"/>.</summary>
    public SyntheticSpectrum(BoardDefinition board, double deltaMeV, double temperatureK, double offsetUv,
        double slopePerMv, int points, double sweepMv, bool backward)
    {
        DeltaMeV = deltaMeV;
        TemperatureK = temperatureK;
        OffsetUv = offsetUv;
        Backward = backward;
        double biasUvPerLsb = double.Parse(board.BiasUvPerLsb, CultureInfo.InvariantCulture);
        _signalUvPerLsb = double.Parse(board.SignalUvPerLsb, CultureInfo.InvariantCulture);
        BiasCodes = new int[points];
        _cleanUv = new double[points];
        double t = PhysicalConstants.BoltzmannMeVPerK * temperatureK / deltaMeV;
        for (int k = 0; k < points; k++)
        {
            int step = backward ? points - 1 - k : k;
            double requestedUv = (-sweepMv + 2.0 * sweepMv * step / (points - 1)) * 1000.0;
            int code = (int)Math.Round(requestedUv / biasUvPerLsb);
            BiasCodes[k] = code;
            // The junction sees exactly what the averaged code says.
            double vMv = code * biasUvPerLsb / 1000.0;
            double x = (vMv - offsetUv / 1000.0) / deltaMeV;
            _cleanUv[k] = NormalLevelUv * (1.0 + slopePerMv * vMv) * ExactBcsIntegral.Evaluate(x, t).G;
        }
    }

    /// <summary>Fills <paramref name="signalCodes"/> with the clean curve plus N(0, (noise·n₀)²) per point.</summary>
    public void Draw(Random rng, double noiseFraction, int[] signalCodes)
    {
        for (int k = 0; k < _cleanUv.Length; k++)
        {
            double g = Gaussian(rng);
            signalCodes[k] = (int)Math.Round((_cleanUv[k] + noiseFraction * NormalLevelUv * g) / _signalUvPerLsb);
        }
    }

    /// <summary>Standard normal deviate (Box–Muller), reproducible from the seeded generator.</summary>
    public static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
