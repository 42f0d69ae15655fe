using System.Globalization;
using NbnEdge.Analysis;
using NbnEdge.Firmware.Boards;
using NbnEdge.Firmware.Estimation;
using NbnEdge.Firmware.Protocol;

namespace NbnEdge.CalibrationGenerator;

/// <summary>Accuracy of <see cref="GapEstimator"/> for one (Δ, T) cell.</summary>
public sealed record CellResult(double DeltaMeV, double TemperatureK, int Spectra, int Valid,
    double MeanErrorUeV, double RmsErrorUeV, double MeanTErrorMk, double RmsOffsetErrorUv,
    double MeanPasses, double MeanQuality)
{
    /// <summary>Mean error in % of Δ.</summary>
    public double MeanErrorPercent => MeanErrorUeV / (DeltaMeV * 1000.0) * 100.0;
}

/// <summary>
/// Runs the estimator on exact-model spectra over the range and prints the table:
/// fixed sweep ±6 mV for every Δ (the estimator is not told Δ), 256 points, 2 % noise, V₀ drawn
/// in ±60 µV and a background slope in ±0.5 %/mV per spectrum family, forward and backward sweeps.
/// </summary>
public static class EstimatorBenchmark
{
    /// <summary>Gaps of the table, meV.</summary>
    public static readonly double[] Deltas = { 0.5, 1.0, 1.5, 2.0, 2.5, 3.0 };

    /// <summary>Temperatures of the table, K.</summary>
    public static readonly double[] Temperatures = { 0.3, 1.0, 2.0, 3.0, 4.0 };

    /// <summary>Sweep half-range, mV, the same for every Δ.</summary>
    public const double SweepMv = 6.0;

    /// <summary>Noise, fraction of the normal-state level.</summary>
    public const double Noise = 0.02;

    /// <summary>Noiseless families per cell (each with its own V₀, slope and direction).</summary>
    public const int Families = 8;

    /// <summary>
    /// Estimates <paramref name="spectraPerCell"/> spectra of one cell, <see cref="Families"/> noiseless
    /// curves with <paramref name="spectraPerCell"/>/Families noise draws each; seeded by <paramref name="seed"/>.
    /// </summary>
    public static CellResult RunCell(double deltaMeV, double temperatureK, int spectraPerCell, int points, int seed)
    {
        BoardDefinition board = BoardDefinitions.Esp32DevKitC();
        var estimator = new GapEstimator(board);
        var report = new EstimateReport();
        var rng = new Random(seed);
        int[] signal = new int[points];
        double sum = 0, sumSq = 0, sumT = 0, sumV0Sq = 0, passes = 0, quality = 0;
        int valid = 0, total = 0;
        int perFamily = Math.Max(1, spectraPerCell / Families);
        for (int f = 0; f < Families; f++)
        {
            double offsetUv = (rng.NextDouble() * 2.0 - 1.0) * 60.0;
            double slope = (rng.NextDouble() * 2.0 - 1.0) * 0.005;
            var spectrum = new SyntheticSpectrum(board, deltaMeV, temperatureK, offsetUv, slope, points, SweepMv, backward: (f & 1) == 1);
            for (int s = 0; s < perFamily; s++)
            {
                spectrum.Draw(rng, Noise, signal);
                estimator.Estimate(spectrum.BiasCodes, signal, points, spectrum.Backward, report);
                total++;
                passes += estimator.ModelPasses;
                quality += report.Quality;
                if (!report.Valid) continue;
                valid++;
                double e = report.DeltaUeV - deltaMeV * 1000.0;
                sum += e;
                sumSq += e * e;
                sumT += report.TEffMk - temperatureK * 1000.0;
                double ev = report.BiasOffsetUv - offsetUv;
                sumV0Sq += ev * ev;
            }
        }

        int n = Math.Max(1, valid);
        return new CellResult(deltaMeV, temperatureK, total, valid, sum / n, Math.Sqrt(sumSq / n), sumT / n,
            Math.Sqrt(sumV0Sq / n), passes / total, quality / total);
    }

    /// <summary>Prints the accuracy table and the operation count.</summary>
    public static void Run(TextWriter o, int spectraPerCell)
    {
        const int points = 256;
        o.WriteLine($"GapEstimator on exact-model spectra: {points} points, sweep ±{SweepMv} mV for every Δ, noise {Noise * 100}% of n₀,");
        o.WriteLine($"V₀ in ±60 µV, slope in ±0.5 %/mV, forward and backward; {spectraPerCell} spectra per cell; no lock-in broadening.");
        o.WriteLine();
        o.WriteLine("  Δ/meV    T/K     t=kT/Δ  valid     mean/µeV  mean/%Δ   rms/µeV   meanTerr/mK  rmsV0/µV  passes  quality");
        double allSq = 0; int allN = 0; double worstMeanPct = 0, worstRms = 0;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int seed = 1;
        foreach (double d in Deltas)
        {
            foreach (double T in Temperatures)
            {
                CellResult r = RunCell(d, T, spectraPerCell, points, seed++);
                double t = PhysicalConstants.BoltzmannMeVPerK * T / d;
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {d,5:F2}  {T,5:F1}   {t,7:F4}  {r.Valid,4}/{r.Spectra,-4} {r.MeanErrorUeV,8:F2}  {r.MeanErrorPercent,7:F3}  {r.RmsErrorUeV,8:F2}   {r.MeanTErrorMk,10:F1}  {r.RmsOffsetErrorUv,8:F2}  {r.MeanPasses,6:F1}  {r.MeanQuality,6:F0}"));
                allSq += r.RmsErrorUeV * r.RmsErrorUeV * r.Valid;
                allN += r.Valid;
                worstMeanPct = Math.Max(worstMeanPct, Math.Abs(r.MeanErrorPercent));
                worstRms = Math.Max(worstRms, r.RmsErrorUeV);
            }
        }

        o.WriteLine();
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"overall: rms {Math.Sqrt(allSq / Math.Max(1, allN)):F2} µeV over {allN} valid estimates; worst cell |mean| {worstMeanPct:F3} % of Δ (target ≤ 0.5 %), worst cell rms {worstRms:F2} µeV (target ≤ 15)"));
        o.WriteLine($"elapsed {sw.Elapsed.TotalSeconds:F1} s");
        OperationCount.Print(o, points);
    }
}
