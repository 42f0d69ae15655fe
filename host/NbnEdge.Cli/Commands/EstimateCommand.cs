using System.CommandLine;
using System.Globalization;
using System.Text;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Firmware.Boards;
using NbnEdge.Firmware.Estimation;
using NbnEdge.Firmware.Protocol;
using NbnEdge.Firmware.Sweep;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// <c>nbnedge estimate FILE...</c>: what a board would report for spectra from any file the host
/// reads: each spectrum is turned into the ADC codes the board's front end would produce, cut into
/// a sweep by the firmware's own <see cref="SweepAssembler"/>, and estimated by the firmware's
/// fixed-point <see cref="GapEstimator"/>, the same code that runs on the ESP32.
/// </summary>
internal static class EstimateCommand
{
    /// <summary>Full scale of the 24-bit converter in codes.</summary>
    private const int FullScaleCodes = 1 << 23;

    public static Command Create(TextWriter output)
    {
        var input = new FitInput();
        var board = new Option<string>("--board")
        {
            Description = "Board definition whose scaling converts to codes: esp32-devkitc-ads131m04 or esp32-s3-devkitc-ads131m04.",
            DefaultValueFactory = _ => "esp32-devkitc-ads131m04",
        };
        var compare = new Option<bool>("--compare") { Description = "Also fit each spectrum with the full model and show both." };
        var command = new Command("estimate", "Run the firmware's sweep assembly and fixed-point gap estimator on spectra from files, as the board would.");
        input.AddTo(command);
        command.Add(board);
        command.Add(compare);
        command.SetAction(p =>
        {
            string boardId = p.GetValue(board)!;
            BoardDefinition definition = BoardDefinitions.Find(boardId)
                ?? throw new UsageException($"unknown board '{boardId}': use {string.Join(" or ", BoardDefinitions.All().Select(b => b.Id))}.");
            var spectra = input.ReadSpectra(p);
            var estimates = new BoardEstimate[spectra.Count];
            var estimator = new GapEstimator(definition);
            for (int i = 0; i < spectra.Count; i++) estimates[i] = Estimate(spectra[i], definition, estimator);
            GapFitResult[]? fits = p.GetValue(compare) ? FitRunner.FitAll(spectra, input.FitOptions(p)) : null;
            if (p.GetValue(input.Json))
            {
                for (int i = 0; i < spectra.Count; i++)
                {
                    int k = i;
                    JsonOutput.Line(output, w => WriteJson(w, spectra[k], estimates[k], fits?[k], definition));
                }
            }
            else
            {
                output.Write(FormatTable(spectra, estimates, fits, definition));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The board's answer for one spectrum, or why there is none.</summary>
    internal sealed record BoardEstimate(EstimateReport? Report, string? Problem, bool Backward, double SignalCodesPerUnit);

    /// <summary>Converts <paramref name="spectrum"/> to codes, assembles it as the firmware does and estimates it.</summary>
    internal static BoardEstimate Estimate(Spectrum spectrum, BoardDefinition board, GapEstimator estimator)
    {
        int n = spectrum.Count;
        if (n < GapEstimator.MinimumPoints) return new(null, $"{n} points: the firmware needs at least {GapEstimator.MinimumPoints}", false, double.NaN);
        if (n > GapEstimator.DefaultCapacity) return new(null, $"{n} points: the firmware holds at most {GapEstimator.DefaultCapacity}", false, double.NaN);

        // Bias: the junction bias in the board's exact scaling (HELLO bias_uV_per_lsb).
        double uvPerLsb = double.Parse(board.BiasUvPerLsb, CultureInfo.InvariantCulture);
        var biasCodes = new int[n];
        for (int i = 0; i < n; i++)
        {
            double code = Math.Round(spectrum.BiasMV[i] * 1000.0 / uvPerLsb);
            if (Math.Abs(code) >= FullScaleCodes)
                return new(null, $"bias {spectrum.BiasMV[i].ToString("G4", CultureInfo.InvariantCulture)} mV is beyond the board's ±{(FullScaleCodes * uvPerLsb / 1000).ToString("F1", CultureInfo.InvariantCulture)} mV range", false, double.NaN);
            biasCodes[i] = (int)code;
        }

        // Conductance: a file's dI/dV is in arbitrary units (A/V, lock-in volts, normalised), so
        // it is scaled into the converter's range as a lock-in would be set up: the background
        // (mean |G| of the outer 10 % at each end, what the estimator normalises by) at 50 % of
        // full scale, lowered if the coherence peaks would then come within 10 % of full scale.
        // The estimator is scale-free, so only the quantisation depends on this choice.
        int edge = Math.Max(1, n / 10);
        double background = 0, peak = 0;
        for (int i = 0; i < n; i++)
        {
            double g = Math.Abs(spectrum.Conductance[i]);
            if (i < edge || i >= n - edge) background += g;
            peak = Math.Max(peak, g);
        }

        background /= 2 * edge;
        if (!(background > 0)) return new(null, "the conductance far from the gap is zero", false, double.NaN);
        double perUnit = Math.Min(0.5 * FullScaleCodes / background, 0.9 * FullScaleCodes / peak);
        var signalCodes = new int[n];
        for (int i = 0; i < n; i++) signalCodes[i] = (int)Math.Round(spectrum.Conductance[i] * perUnit);

        // Sweep assembly as on the board: each point a plateau of samples (one settling sample
        // dropped, three averaged), a new point where the bias steps by more than the threshold.
        // The firmware's default threshold (1000 codes) suits the simulator's 50 µV steps; finer
        // grids need a lower one, as CONFIG step_codes would set.
        int minStep = int.MaxValue;
        for (int i = 1; i < n; i++) minStep = Math.Min(minStep, Math.Abs(biasCodes[i] - biasCodes[i - 1]));
        if (minStep < 4) return new(null, "bias steps below 4 ADC codes: the sweep assembly cannot tell the points apart", false, perUnit);
        var sink = new CapturingSink(n);
        var assembler = new SweepAssembler(sink, n)
        {
            PointsPerSpectrum = n,
            SettleSamples = 1,
            MaxAveragedSamples = 3,
            StepThresholdCodes = Math.Min(1000, minStep / 2),
        };
        for (int i = 0; i < n; i++)
            for (int s = 0; s < 4; s++)
                assembler.AddSample(biasCodes[i], signalCodes[i], Math.Abs(signalCodes[i]) >= GapEstimator.SaturationCode);
        if (sink.Count != n)
            return new(null, "the firmware's sweep assembly did not take it as one sweep (bias steps not uniform within a factor 2, or not monotonic)", false, perUnit);

        var report = new EstimateReport();
        estimator.Estimate(sink.Bias, sink.Signal, sink.Count, sink.Backward, report);
        return new(report, null, sink.Backward, perUnit);
    }

    private sealed class CapturingSink(int capacity) : ISpectrumSink
    {
        public int[] Bias { get; } = new int[capacity];
        public int[] Signal { get; } = new int[capacity];
        public int Count { get; private set; }
        public bool Backward { get; private set; }

        public void OnSpectrum(int[] biasCodes, int[] signalCodes, bool[] overranged, int count, bool backward)
        {
            if (Count > 0) { Count = -1; return; } // a second spectrum: the file's sweep was split
            Array.Copy(biasCodes, Bias, count);
            Array.Copy(signalCodes, Signal, count);
            Count = count;
            Backward = backward;
        }
    }

    private static void WriteJson(System.Text.Json.Utf8JsonWriter w, Spectrum s, BoardEstimate e, GapFitResult? fit, BoardDefinition board)
    {
        w.WriteStartObject();
        w.WriteString("source", s.Source);
        w.WriteString("spectrum", s.Name);
        w.WriteString("board", board.Id);
        if (e.Report is { } r)
        {
            w.WriteNumber("delta_meV", r.DeltaUeV / 1000.0);
            w.WriteNumber("t_eff_K", r.TEffMk / 1000.0);
            w.WriteNumber("bias_offset_mV", r.BiasOffsetUv / 1000.0);
            w.WriteNumber("quality", r.Quality);
            w.WriteBoolean("valid", r.Valid);
            w.WriteString("direction", e.Backward ? "backward" : "forward");
        }
        else
        {
            w.WriteNull("delta_meV");
            w.WriteBoolean("valid", false);
            w.WriteString("problem", e.Problem);
        }

        w.Number("signal_codes_per_unit", e.SignalCodesPerUnit);
        if (fit is not null)
        {
            w.WritePropertyName("fit");
            JsonOutput.WriteFit(w, fit, s);
            if (e.Report is { } rr) w.Number("estimate_minus_fit_meV", rr.DeltaUeV / 1000.0 - fit.DeltaMeV);
        }

        w.WriteEndObject();
    }

    private static string FormatTable(IReadOnlyList<Spectrum> spectra, BoardEstimate[] estimates, GapFitResult[]? fits, BoardDefinition board)
    {
        var ci = CultureInfo.InvariantCulture;
        int nameWidth = Math.Clamp(spectra.Count == 0 ? 8 : spectra.Max(s => s.Name.Length), 8, 40);
        var sb = new StringBuilder();
        sb.Append($"# firmware GapEstimator on {board.Id} codes (background at 50 % of full scale)\n");
        sb.Append("spectrum".PadRight(nameWidth)).Append("  Δ (meV)  T_eff (K)  V₀ (mV)  quality valid");
        if (fits is not null) sb.Append("   fit Δ (meV)        fit−est (µeV)  fit flag");
        sb.Append('\n');
        for (int i = 0; i < spectra.Count; i++)
        {
            string name = spectra[i].Name.Length > nameWidth ? spectra[i].Name[..(nameWidth - 1)] + "…" : spectra[i].Name;
            sb.Append(name.PadRight(nameWidth));
            if (estimates[i].Report is { } r)
                sb.Append(string.Format(ci, "  {0,7:F3}  {1,9:F3}  {2,7:F3}  {3,7}  {4,-5}", r.DeltaUeV / 1000.0, r.TEffMk / 1000.0, r.BiasOffsetUv / 1000.0, r.Quality, r.Valid ? "yes" : "no"));
            else
                sb.Append("  –  (").Append(estimates[i].Problem).Append(')');
            if (fits is not null)
            {
                var f = fits[i];
                sb.Append(string.Format(ci, "   {0,7:F4} ±{1,-7:F4}", f.DeltaMeV, f.DeltaErrMeV));
                sb.Append(estimates[i].Report is { } rr ? string.Format(ci, "  {0,10:F1}", (f.DeltaMeV - rr.DeltaUeV / 1000.0) * 1000) : "           –");
                sb.Append("  ").Append(f.Flag);
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
