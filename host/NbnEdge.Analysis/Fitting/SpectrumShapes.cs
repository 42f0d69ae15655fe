using NbnEdge.Analysis.Model;

namespace NbnEdge.Analysis.Fitting;

/// <summary>
/// Shape features of the normalised model as functions of t = k_BT/Δ, used to invert measured
/// features into starting values: the zero-bias conductance G(0, t) (rises with t), the
/// coherence-peak height (falls with t) and the peak's position x_p(t) = eV_p/Δ.
/// </summary>
internal sealed class SpectrumShapes
{
    private readonly double[] _lnT, _zeroBias, _peakHeight, _peakX;

    public static SpectrumShapes Instance { get; } = new(BcsConductanceTable.Default);

    private SpectrumShapes(BcsConductanceTable table)
    {
        const int n = 96;
        double lo = Math.Log(table.MinT * 1.001), hi = Math.Log(table.MaxT / 1.001);
        _lnT = new double[n]; _zeroBias = new double[n]; _peakHeight = new double[n]; _peakX = new double[n];
        for (int k = 0; k < n; k++)
        {
            double lnT = lo + (hi - lo) * k / (n - 1), t = Math.Exp(lnT);
            var row = table.ForTemperature(t);
            table.Evaluate(row, 0.0, out double g0, out _, out _);
            // Scan the peak region on the table's natural coordinate, then refine by a parabola.
            double bestX = 1, bestG = double.NegativeInfinity, step = Math.Min(0.02, 0.05 * t);
            for (double x = Math.Max(0, 1 - 5 * t); x <= 1 + 30 * t + 3; x += step)
            {
                table.Evaluate(row, x, out double g, out _, out _);
                if (g > bestG) { bestG = g; bestX = x; }
            }
            table.Evaluate(row, bestX - step, out double gm, out _, out _);
            table.Evaluate(row, bestX + step, out double gp, out _, out _);
            double denom = gm - 2 * bestG + gp;
            double shift = denom < 0 ? 0.5 * (gm - gp) / denom : 0;
            _lnT[k] = lnT; _zeroBias[k] = g0; _peakHeight[k] = bestG; _peakX[k] = bestX + shift * step;
        }
    }

    /// <summary>t whose G(0, t) equals the measured zero-bias conductance (monotonic rise).</summary>
    public double TemperatureFromZeroBias(double g0) => Invert(_zeroBias, g0, rising: true);

    /// <summary>t whose peak height equals the measured one (monotonic fall).</summary>
    public double TemperatureFromPeakHeight(double height) => Invert(_peakHeight, height, rising: false);

    /// <summary>x_p(t) = eV_p/Δ of the coherence peak.</summary>
    public double PeakPosition(double t)
    {
        double lnT = Math.Log(t);
        int n = _lnT.Length;
        if (lnT <= _lnT[0]) return _peakX[0];
        if (lnT >= _lnT[n - 1]) return _peakX[n - 1];
        double f = (lnT - _lnT[0]) / (_lnT[1] - _lnT[0]);
        int k = Math.Min((int)f, n - 2);
        f -= k;
        return _peakX[k] + f * (_peakX[k + 1] - _peakX[k]);
    }

    private double Invert(double[] values, double target, bool rising)
    {
        int n = values.Length;
        for (int k = 0; k + 1 < n; k++)
        {
            double a = values[k], b = values[k + 1];
            bool inside = rising ? target >= a && target <= b : target <= a && target >= b;
            if (inside && a != b)
                return Math.Exp(_lnT[k] + (target - a) / (b - a) * (_lnT[k + 1] - _lnT[k]));
        }
        bool belowFirst = rising ? target < values[0] : target > values[0];
        return Math.Exp(belowFirst ? _lnT[0] : _lnT[n - 1]);
    }
}
