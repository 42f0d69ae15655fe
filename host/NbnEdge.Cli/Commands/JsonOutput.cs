using System.Buffers;
using System.Text;
using System.Text.Json;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;

namespace NbnEdge.Cli.Commands;

/// <summary>JSON writing shared by the commands: finite numbers as numbers, NaN and ∞ as null.</summary>
internal static class JsonOutput
{
    public static void Number(this Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    /// <summary>One fit as a JSON object (the `fit --json` line contract).</summary>
    public static void WriteFit(Utf8JsonWriter w, GapFitResult r, Spectrum? s, double? distanceNm = null)
    {
        var p = r.Parameters;
        var e = r.Errors;
        w.WriteStartObject();
        w.WriteString("source", r.Source);
        w.WriteString("spectrum", r.Spectrum);
        // The file columns the conductance came from (Nanonis readers), so a batch says which channel was taken.
        if (s is not null && s.Metadata.TryGetValue("NbnEdge>Columns", out var channel)) w.WriteString("channel", channel);
        w.Number("delta_meV", p.DeltaMeV);
        w.Number("delta_err_meV", e.DeltaMeV);
        w.Number("t_eff_K", p.TemperatureK);
        w.Number("t_eff_err_K", e.TemperatureK);
        w.Number("bias_offset_mV", p.BiasOffsetMV);
        w.Number("bias_offset_err_mV", e.BiasOffsetMV);
        w.Number("gamma_meV", p.GammaMeV);
        w.Number("gamma_err_meV", e.GammaMeV);
        if (r.TipGapMeV is { } tipGap)
        {
            w.Number("tip_gap_meV", tipGap);
            w.Number("tip_gap_err_meV", r.TipGapErrMeV ?? double.NaN);
            w.Number("tip_gamma_meV", r.TipGammaMeV ?? double.NaN);
            w.Number("tip_gamma_err_meV", r.TipGammaErrMeV ?? double.NaN);
        }
        w.Number("vm_mV", p.ModulationMV);
        w.Number("vm_err_mV", e.ModulationMV);
        w.Number("leakage", p.LeakageFraction);
        w.Number("leakage_err", e.LeakageFraction);
        w.Number("scale", p.Scale);
        w.Number("scale_err", e.Scale);
        w.Number("slope_per_mV", p.SlopePerMV);
        w.Number("slope_err_per_mV", e.SlopePerMV);
        w.Number("chi2_red", r.Chi2Red);
        w.Number("noise", r.NoiseEstimate);
        w.Number("noise_lag1_correlation", r.NoiseLag1Correlation);
        if (double.IsFinite(r.BiasOffsetFwdBwdMV))
        {
            w.Number("bias_offset_fwd_bwd_mV", r.BiasOffsetFwdBwdMV);
            w.Number("bias_offset_fwd_bwd_err_mV", r.BiasOffsetFwdBwdErrMV);
        }
        w.WriteBoolean("converged", r.Converged);
        w.WriteNumber("iterations", r.Iterations);
        w.WriteString("flag", r.Flag);
        w.WriteNumber("points", r.Points);
        w.WriteString("background", r.Background == BackgroundTreatment.Paper ? "paper" : "joint");
        if (s is not null)
        {
            if (s.PixelX is { } px) w.WriteNumber("x", px);
            if (s.PixelY is { } py) w.WriteNumber("y", py);
            if (s.XNm is { } xnm) w.Number("x_nm", xnm);
            if (s.YNm is { } ynm) w.Number("y_nm", ynm);
            if (s.Incomplete) w.WriteBoolean("incomplete", true);
            if (distanceNm is { } d) w.Number("distance_nm", d);
        }
        if (r.Notes.Count > 0)
        {
            w.WriteStartArray("notes");
            foreach (var n in r.Notes) w.WriteStringValue(n);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static readonly JsonWriterOptions LineOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes <paramref name="count"/> JSON lines, in order. Blocks of lines are formatted on all
    /// cores (ten thousand fits are about 200,000 numbers to format), then written one after another;
    /// <paramref name="write"/> must therefore only read shared state.
    /// </summary>
    public static void Lines(TextWriter output, int count, Action<Utf8JsonWriter, int> write)
    {
        const int linesPerBlock = 256, blocksPerBatch = 64;
        int blocks = (count + linesPerBlock - 1) / linesPerBlock;
        var texts = new byte[Math.Min(blocks, blocksPerBatch)][];
        for (int first = 0; first < blocks; first += blocksPerBatch)
        {
            int batch = Math.Min(blocksPerBatch, blocks - first);
            Parallel.For(0, batch, b =>
            {
                int from = (first + b) * linesPerBlock, to = Math.Min(count, from + linesPerBlock);
                var buffer = new ArrayBufferWriter<byte>(64 * 1024);
                using var w = new Utf8JsonWriter(buffer, LineOptions);
                for (int i = from; i < to; i++)
                {
                    w.Reset();
                    write(w, i);
                    w.Flush();
                    buffer.Write("\n"u8);
                }
                texts[b] = buffer.WrittenSpan.ToArray();
            });
            for (int b = 0; b < batch; b++) BulkOutput.Write(output, texts[b]);
        }
        output.Flush();
    }

    /// <summary>Writes one compact JSON object as a line.</summary>
    public static void Line(TextWriter output, Action<Utf8JsonWriter> write)
    {
        output.Write(ToLine(write) + "\n");
        output.Flush();
    }

    /// <summary>One compact JSON value as a string (a `--json` line, a results-journal line).</summary>
    public static string ToLine(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, LineOptions)) write(w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

}
