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
        w.Number("delta_meV", p.DeltaMeV);
        w.Number("delta_err_meV", e.DeltaMeV);
        w.Number("t_eff_K", p.TemperatureK);
        w.Number("t_eff_err_K", e.TemperatureK);
        w.Number("bias_offset_mV", p.BiasOffsetMV);
        w.Number("bias_offset_err_mV", e.BiasOffsetMV);
        w.Number("gamma_meV", p.GammaMeV);
        w.Number("gamma_err_meV", e.GammaMeV);
        w.Number("vm_mV", p.ModulationMV);
        w.Number("vm_err_mV", e.ModulationMV);
        w.Number("scale", p.Scale);
        w.Number("scale_err", e.Scale);
        w.Number("slope_per_mV", p.SlopePerMV);
        w.Number("slope_err_per_mV", e.SlopePerMV);
        w.Number("chi2_red", r.Chi2Red);
        w.Number("noise", r.NoiseEstimate);
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

    /// <summary>Writes <paramref name="count"/> JSON lines through one reused buffer (fast for thousands of lines).</summary>
    public static void Lines(TextWriter output, int count, Action<Utf8JsonWriter, int> write)
    {
        var buffer = new MemoryStream();
        var options = new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using var w = new Utf8JsonWriter(buffer, options);
        var chunk = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            buffer.SetLength(0);
            w.Reset(buffer);
            write(w, i);
            w.Flush();
            chunk.Append(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)).Append('\n');
            if (chunk.Length > 1 << 16) { output.Write(chunk); chunk.Clear(); }
        }
        output.Write(chunk);
        output.Flush();
    }

    /// <summary>Writes one compact JSON object as a line.</summary>
    public static void Line(TextWriter output, Action<Utf8JsonWriter> write) => Lines(output, 1, (w, _) => write(w));

}
