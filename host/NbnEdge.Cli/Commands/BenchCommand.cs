using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Model;
using NbnEdge.Analysis.Synthetic;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// <c>nbnedge bench</c>: fit speed and accuracy on synthetic spectra with known truth, made by the
/// exact model (not the fitter's table), 201 points, 2 % noise, Δ 0.5–3 meV, T 0.3–4 K.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output)
    {
        var json = new Option<bool>("--json") { Description = "One JSON object." };
        var distinct = new Option<int>("--spectra") { Description = "Distinct synthetic spectra (each made by the exact model).", DefaultValueFactory = _ => 1000 };
        var fits = new Option<int>("--fits") { Description = "Fits timed in total (the distinct spectra are fitted repeatedly).", DefaultValueFactory = _ => 40000 };
        var vm = new Option<double>("--vm") { Description = "Lock-in modulation amplitude (peak, mV) in the spectra, fixed in the fit.", DefaultValueFactory = _ => 0.0 };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 1 };
        var gamma = new Option<double>("--gamma") { Description = "Dynes Γ (meV) in the spectra, fixed in the fit (the FFT table a large batch uses; its build is not timed).", DefaultValueFactory = _ => 0.0 };
        var tipGap = new Option<double?>("--tip-gap")
        {
            Description = "Superconducting tip: benchmark the SIS fit instead (tip gap Δ_t in meV, e.g. 1.35 for Pb; 301 points, 1 % noise, a film's line Δ_s = 2.0 ± 0.05 meV, T 1.2–1.8 K).",
        };
        var tipGamma = new Option<double>("--tip-gamma") { Description = "SIS: the tip's Dynes Γ_t in meV.", DefaultValueFactory = _ => 0.02 };
        var writeLine = new Option<string?>("--write-line")
        {
            Description = "Instead of benchmarking, write a CSV line of --spectra spectra (5 nm film: Δ = 2.02 ± 0.04 meV, 1.73 K, ±5 mV, 201 points, 2 % noise) for timing `nbnedge fit` from outside.",
        };
        var command = new Command("bench", "Fit speed (fits/s on all cores) and accuracy against known truth on synthetic spectra.") { json, distinct, fits, vm, seed, gamma, tipGap, tipGamma, writeLine };
        command.SetAction(p =>
        {
            if (p.GetValue(writeLine) is { } path)
            {
                int count = p.GetValue(distinct);
                if (count < 1) throw new UsageException("--spectra must be ≥ 1.");
                WriteLine(path, count, p.GetValue(seed));
                p.InvocationConfiguration.Error.WriteLine($"wrote {path}: {count} spectra");
                return ExitCodes.Ok;
            }
            int n = p.GetValue(distinct), total = p.GetValue(fits);
            if (n < 10 || total < n) throw new UsageException("--spectra must be ≥ 10 and --fits ≥ --spectra.");
            double gammaMeV = p.GetValue(gamma);
            var check = new GapFitOptions { GammaMeV = gammaMeV, TipGapMeV = p.GetValue(tipGap), TipGammaMeV = p.GetValue(tipGamma), ModulationMV = p.GetValue(vm) };
            if (check.Problem() is { } problem) throw new UsageException(problem);
            var report = check.IsSis
                ? RunSis(n, total, check.ModulationMV ?? 0, p.GetValue(seed), check.TipGapMeV!.Value, check.TipGammaMeV)
                : Run(n, total, p.GetValue(vm), p.GetValue(seed), gammaMeV);
            if (p.GetValue(json)) JsonOutput.Line(output, w => report.Write(w));
            else report.Print(output);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal sealed record Report(int Cores, int Points, double NoiseFraction, double ModulationMV, int Spectra, int Fits, double FitsPerSecond,
        double MicrosecondsPerFitPerCore, double DeltaRmsErrorMeV, double DeltaMeanErrorMeV, double MeanReportedErrorMeV, double RmsReportedErrorMeV,
        double ErrorToReportedRatio, double ConvergedFraction, double FlaggedFraction, double GenerationSeconds)
    {
        /// <summary>
        /// Processor time per fit, in µs: on a shared machine the wall clock counts other programs'
        /// time too, this does not (cores / this = the fits per second the cores would give alone).
        /// </summary>
        public double CpuMicrosecondsPerFit { get; init; }

        /// <summary>SIS runs: the tip's gap (null for NIS).</summary>
        public double? TipGapMeV { get; init; }

        /// <summary>SIS runs: building the table's nodes the fits visited, before the timed fits.</summary>
        public double TableSeconds { get; init; }

        public void Write(System.Text.Json.Utf8JsonWriter w)
        {
            w.WriteStartObject();
            w.WriteNumber("fits_per_s", Math.Round(FitsPerSecond));
            w.WriteNumber("cores", Cores);
            w.WriteNumber("us_per_fit_per_core", MicrosecondsPerFitPerCore);
            w.WriteNumber("cpu_us_per_fit", CpuMicrosecondsPerFit);
            w.WriteNumber("points", Points);
            w.WriteNumber("noise_fraction", NoiseFraction);
            w.WriteNumber("vm_mV", ModulationMV);
            w.WriteNumber("spectra", Spectra);
            w.WriteNumber("fits", Fits);
            w.WriteNumber("delta_rms_error_meV", DeltaRmsErrorMeV);
            w.WriteNumber("delta_mean_error_meV", DeltaMeanErrorMeV);
            w.WriteNumber("mean_reported_error_meV", MeanReportedErrorMeV);
            w.WriteNumber("rms_reported_error_meV", RmsReportedErrorMeV);
            w.WriteNumber("rms_error_over_rms_reported", ErrorToReportedRatio);
            w.WriteNumber("converged_fraction", ConvergedFraction);
            w.WriteNumber("flagged_fraction", FlaggedFraction);
            w.WriteNumber("generation_s", GenerationSeconds);
            if (TipGapMeV is { } tip)
            {
                w.WriteString("model", "sis");
                w.WriteNumber("tip_gap_meV", tip);
                w.WriteNumber("table_build_s", TableSeconds);
            }
            else if (TableSeconds > 0) w.WriteNumber("table_build_s", TableSeconds);
            w.WriteEndObject();
        }

        public void Print(TextWriter o)
        {
            var ci = CultureInfo.InvariantCulture;
            o.WriteLine(string.Format(ci, "synthetic spectra: {0} distinct ({1} points, {2:P0} noise, V_m = {3} mV), exact {5} model, made in {4:F1} s",
                Spectra, Points, NoiseFraction, ModulationMV, GenerationSeconds,
                TipGapMeV is { } tip ? string.Format(ci, "SIS (tip Δ_t = {0} meV)", tip) : "NIS"));
            if (TipGapMeV is not null)
                o.WriteLine(string.Format(ci, "SIS table: the nodes these fits visit built in {0:F1} s before timing (once per tip, V_m and bias range)", TableSeconds));
            else if (TableSeconds > 0)
                o.WriteLine(string.Format(ci, "Dynes table: the nodes these fits visit built in {0:F1} s with the warm-up, before timing (once per Γ, V_m and bias range; batches from {1} spectra use it)", TableSeconds, GapFitOptions.DynesTableFromSpectra));
            o.WriteLine(string.Format(ci, "speed:    {0:N0} fits/s on {1} cores ({2:F1} µs per fit per core; {3} fits timed)", FitsPerSecond, Cores, MicrosecondsPerFitPerCore, Fits));
            o.WriteLine(string.Format(ci, "          {0:F1} µs of processor time per fit: {1:N0} fits/s on {2} cores not shared with other programs", CpuMicrosecondsPerFit, Cores * 1e6 / CpuMicrosecondsPerFit, Cores));
            o.WriteLine(string.Format(ci, "accuracy: Δ error rms {0:G3} µeV, mean {1:G3} µeV; reported SE mean {2:G3} µeV, rms {3:G3} µeV",
                DeltaRmsErrorMeV * 1e3, DeltaMeanErrorMeV * 1e3, MeanReportedErrorMeV * 1e3, RmsReportedErrorMeV * 1e3));
            o.WriteLine(string.Format(ci, "          rms error / rms SE = {0:F3} (target ≤ 1.2); converged {1:P2}; flagged {2:P2}", ErrorToReportedRatio, ConvergedFraction, FlaggedFraction));
        }
    }

    /// <summary>
    /// A line of spectra sharing one bias axis, as `fit` reads them. Made with the fitter's table
    /// (7.5e−7 from the exact model) because the exact integral would take a minute for 10,000
    /// spectra; the file is for timing, and bench's accuracy figures use exact-model spectra.
    /// </summary>
    internal static void WriteLine(string path, int count, int seed)
    {
        const int points = 201;
        const double halfRangeMV = 5.0, meanDeltaMeV = 2.02, sigmaDeltaMeV = 0.04, temperatureK = 1.73, noise = 0.02;
        var table = BcsConductanceTable.Default;
        var columns = new double[count][];
        Parallel.For(0, count, k =>
        {
            var rng = new Random(seed * 7919 + k);
            double delta = meanDeltaMeV + sigmaDeltaMeV * SyntheticSpectra.Gaussian(rng);
            var row = table.ForTemperature(PhysicalConstants.BoltzmannMeVPerK * temperatureK / delta);
            var g = new double[points];
            for (int i = 0; i < points; i++)
            {
                double bias = -halfRangeMV + 2.0 * halfRangeMV * i / (points - 1);
                table.Evaluate(row, bias / delta, out double value, out _, out _);
                g[i] = value + noise * SyntheticSpectra.Gaussian(rng);
            }
            columns[k] = g;
        });
        var ci = CultureInfo.InvariantCulture;
        using var writer = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 16);
        var line = new System.Text.StringBuilder();
        line.Append("bias_mV");
        for (int k = 0; k < count; k++) line.Append(ci, $",s{k:D5}");
        writer.WriteLine(line);
        for (int i = 0; i < points; i++)
        {
            line.Clear();
            line.Append((-halfRangeMV + 2.0 * halfRangeMV * i / (points - 1)).ToString("G7", ci));
            for (int k = 0; k < count; k++) line.Append(',').Append(columns[k][i].ToString("G7", ci));
            writer.WriteLine(line);
        }
    }

    /// <summary>
    /// SIS: a superconducting tip over a film's line (Δ_s = 2.0 ± 0.05 meV, T 1.2–1.8 K), 301 points
    /// over ±5 mV, 1 % noise. The exact SIS integral costs milliseconds per point, so 16 clean curves
    /// are made by it and the distinct spectra are independent noise draws on them.
    /// </summary>
    internal static Report RunSis(int distinct, int totalFits, double vm, int seed, double tipGapMeV, double tipGammaMeV)
    {
        const int points = 301, curves = 16;
        const double noise = 0.01, halfRangeMV = 5.0;
        var rng = new Random(seed);
        var curveTruths = new BcsParameters[curves];
        for (int c = 0; c < curves; c++)
            curveTruths[c] = new BcsParameters(1.95 + 0.1 * rng.NextDouble(), 1.2 + 0.6 * rng.NextDouble(), 0.5 + rng.NextDouble(),
                0.02 * (rng.NextDouble() - 0.5), ModulationMV: vm, TipGapMeV: tipGapMeV, TipGammaMeV: tipGammaMeV);
        var bias = new double[points];
        for (int i = 0; i < points; i++) bias[i] = -halfRangeMV + 2.0 * halfRangeMV * i / (points - 1);
        var clean = new double[curves][];
        var generation = Stopwatch.StartNew();
        Parallel.For(0, curves, c =>
        {
            var g = new double[points];
            for (int i = 0; i < points; i++) g[i] = ThermalBcsModel.Evaluate(curveTruths[c], bias[i]);
            clean[c] = g;
        });
        var truths = new BcsParameters[distinct];
        var spectra = new Spectrum[distinct];
        for (int k = 0; k < distinct; k++)
        {
            var local = new Random(seed * 7919 + k);
            int c = k % curves;
            var g = new double[points];
            for (int i = 0; i < points; i++) g[i] = clean[c][i] + noise * curveTruths[c].Scale * SyntheticSpectra.Gaussian(local);
            truths[k] = curveTruths[c];
            spectra[k] = new Spectrum { Source = "synthetic", Name = $"s{k}", BiasMV = bias, Conductance = g };
        }
        double generationSeconds = generation.Elapsed.TotalSeconds;
        var options = new GapFitOptions { ModulationMV = vm, TipGapMeV = tipGapMeV, TipGammaMeV = tipGammaMeV };
        var table = Stopwatch.StartNew();
        Parallel.For(0, distinct, () => new GapFitter(options), (k, _, fitter) => { fitter.Fit(spectra[k]); return fitter; }, _ => { });
        double tableSeconds = table.Elapsed.TotalSeconds;
        return Time(spectra, truths, totalFits, options, generationSeconds, points, noise, vm) with { TipGapMeV = tipGapMeV, TableSeconds = tableSeconds };
    }

    internal static Report Run(int distinct, int totalFits, double vm, int seed, double gammaMeV = 0)
    {
        const int points = 201;
        const double noise = 0.02;
        var truths = new BcsParameters[distinct];
        var spectra = new Spectrum[distinct];
        var rng = new Random(seed);
        for (int i = 0; i < distinct; i++)
        {
            double delta = 0.5 + 2.5 * rng.NextDouble(), temperature = 0.3 + 3.7 * rng.NextDouble();
            truths[i] = new BcsParameters(delta, temperature, 0.5 + rng.NextDouble(), 0.04 * (rng.NextDouble() - 0.5), ModulationMV: vm) with { GammaMeV = gammaMeV };
        }
        var generation = Stopwatch.StartNew();
        Parallel.For(0, distinct, i =>
        {
            var local = new Random(seed * 7919 + i);
            spectra[i] = SyntheticSpectra.Generate(truths[i], points, SyntheticSpectra.DefaultHalfRangeMV(truths[i].DeltaMeV, truths[i].TemperatureK), noise, local, $"s{i}");
        });
        double generationSeconds = generation.Elapsed.TotalSeconds;

        // Γ > 0: the table path a batch of thousands would take (its build is the warm-up below, not timed).
        var options = new GapFitOptions { ModulationMV = vm, GammaMeV = gammaMeV, DynesTable = true };
        // Warm-up: load the table, JIT and tier up the hot path before timing.
        var table = Stopwatch.StartNew();
        var warm = new GapFitter(options);
        for (int i = 0; i < Math.Min(200, distinct); i++) warm.Fit(spectra[i]);
        if (gammaMeV <= 0) return Time(spectra, truths, totalFits, options, generationSeconds, points, noise, vm);
        // Γ > 0: every spectrum once, so that the Dynes table holds all the nodes the timed fits use.
        Parallel.For(Math.Min(200, distinct), distinct, () => new GapFitter(options), (k, _, fitter) => { fitter.Fit(spectra[k]); return fitter; }, _ => { });
        double tableSeconds = table.Elapsed.TotalSeconds;
        return Time(spectra, truths, totalFits, options, generationSeconds, points, noise, vm) with { TableSeconds = tableSeconds };
    }

    /// <summary>Times <paramref name="totalFits"/> fits on all cores (the spectra round-robin) and compares the first round with the truth.</summary>
    private static Report Time(Spectrum[] spectra, BcsParameters[] truths, int totalFits, GapFitOptions options, double generationSeconds,
        int points, double noise, double vm)
    {
        int distinct = spectra.Length;

        var results = new GapFitResult[distinct];
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, totalFits, () => new GapFitter(options), (k, _, fitter) =>
        {
            int i = k % distinct;
            var r = fitter.Fit(spectra[i]);
            if (k < distinct) results[i] = r;
            return fitter;
        }, _ => { });
        double seconds = clock.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;

        double sumErr = 0, sumErr2 = 0, sumSe = 0, sumSe2 = 0;
        int converged = 0, flagged = 0;
        for (int i = 0; i < distinct; i++)
        {
            var r = results[i];
            if (r.Converged) converged++;
            if (r.Flag != FitFlags.Ok) flagged++;
            double e = r.DeltaMeV - truths[i].DeltaMeV;
            sumErr += e; sumErr2 += e * e; sumSe += r.DeltaErrMeV; sumSe2 += r.DeltaErrMeV * r.DeltaErrMeV;
        }
        int cores = Environment.ProcessorCount;
        double rmsErr = Math.Sqrt(sumErr2 / distinct), rmsSe = Math.Sqrt(sumSe2 / distinct);
        return new Report(cores, points, noise, vm, distinct, totalFits, totalFits / seconds, seconds * cores / totalFits * 1e6,
            rmsErr, sumErr / distinct, sumSe / distinct, rmsSe, rmsErr / rmsSe, converged / (double)distinct, flagged / (double)distinct, generationSeconds)
        {
            CpuMicrosecondsPerFit = cpuSeconds / totalFits * 1e6,
        };
    }
}
