using System.Globalization;
using NbnEdge.Firmware.Boards;
using NbnEdge.Firmware.Estimation;
using NbnEdge.Firmware.Protocol;

namespace NbnEdge.CalibrationGenerator;

/// <summary>
/// Integer operations per spectrum of <see cref="GapEstimator"/>, from the algorithm: per-stage costs
/// counted by hand from the source (every +, −, ×, ÷, shift, compare, clamp bound and array access
/// counts one; loop bookkeeping included), multiplied by the stage counts the estimator reports
/// (<see cref="GapEstimator.ModelPasses"/>, <see cref="GapEstimator.TableEvaluations"/>,
/// <see cref="GapEstimator.TailEvaluations"/>, <see cref="GapEstimator.Iterations"/>) on the benchmark's spectra.
/// Good to about ±30 %: an estimate of work, not of cycles (64-bit multiplies and divides cost the
/// ESP32 several instructions each).
/// </summary>
public static class OperationCount
{
    /// <summary>LoadPoints per point: code checks, bias scaling (×, ≫), monotonicity, normalisation (≪, ÷, clamp), u.</summary>
    public const int LoadPerPoint = 22;
    /// <summary>StartValues per point: background line and division, 5-point running minimum, nearest-point search.</summary>
    public const int StartPerPoint = 30;
    /// <summary>Pass per point outside the model: |V − V₀|, background, residual, cost, 5 Jacobian entries, 15 + 5 multiply-adds.</summary>
    public const int PassPerPoint = 75;
    /// <summary>Model in the table region: w, node and fraction, three-point weights, H, H_w, H_σ, G, derivatives.</summary>
    public const int TablePoint = 70;
    /// <summary>Model in the far tail: x, s² and a 31-step bitwise square root, four divisions, Sommerfeld term.</summary>
    public const int TailPoint = 230;
    /// <summary>Model deep in the gap (w &lt; −16): w and the early return.</summary>
    public const int GapPoint = 6;
    /// <summary>BuildRow per pass: t, 1/√t, 1/kT, log₂ t (16 squarings) and 321 nodes × (3 loads, 6 ×, 4 +, 3 ≫, 1 × for the slope, 2 stores).</summary>
    public const int RowBuild = 7400;
    /// <summary>Solve per call: column scales, 25 scaled entries, elimination and back substitution of a 5×5 system.</summary>
    public const int Solve = 320;

    /// <summary>Prints mean and worst operation counts over spectra across the benchmark range.</summary>
    public static void Print(TextWriter o, int points)
    {
        BoardDefinition board = BoardDefinitions.Esp32DevKitC();
        var estimator = new GapEstimator(board);
        var report = new EstimateReport();
        var rng = new Random(3);
        int[] signal = new int[points];
        double sum = 0, worst = 0, sumPasses = 0; int n = 0, maxPasses = 0;
        foreach (double d in EstimatorBenchmark.Deltas)
        {
            foreach (double T in EstimatorBenchmark.Temperatures)
            {
                var s = new SyntheticSpectrum(board, d, T, 20.0, 0.001, points, EstimatorBenchmark.SweepMv, false);
                for (int k = 0; k < 20; k++)
                {
                    s.Draw(rng, EstimatorBenchmark.Noise, signal);
                    estimator.Estimate(s.BiasCodes, signal, points, false, report);
                    double ops = Count(estimator, points);
                    sum += ops; worst = Math.Max(worst, ops); n++;
                    sumPasses += estimator.ModelPasses; maxPasses = Math.Max(maxPasses, estimator.ModelPasses);
                }
            }
        }

        o.WriteLine();
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"integer operations per {points}-point spectrum (hand-counted stage costs × measured stage counts, {n} spectra):"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  mean {sum / n / 1000:F0} k, worst {worst / 1000:F0} k; model passes mean {sumPasses / n:F1}, worst {maxPasses} (bound {1 + 30 * 8})"));
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  = {LoadPerPoint + StartPerPoint}·N (load, start values) + passes·({PassPerPoint}·N + {RowBuild} row) + {TablePoint}/table point + {TailPoint}/tail point + {GapPoint}/in-gap point + {Solve}/solve"));
    }

    /// <summary>Operation estimate of the estimator's last spectrum.</summary>
    public static double Count(GapEstimator e, int points)
    {
        long evaluations = (long)e.ModelPasses * points + 1;
        long gapPoints = evaluations - e.TableEvaluations - e.TailEvaluations;
        return (double)(LoadPerPoint + StartPerPoint) * points
            + e.ModelPasses * ((double)PassPerPoint * points + RowBuild)
            + (double)TablePoint * e.TableEvaluations + (double)TailPoint * e.TailEvaluations + (double)GapPoint * gapPoints
            + (double)Solve * 2 * e.Iterations;
    }
}
