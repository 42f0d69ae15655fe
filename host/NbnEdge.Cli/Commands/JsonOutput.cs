using System.Buffers;
using System.Text;
using System.Text.Json;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;

namespace NbnEdge.Cli.Commands;

/// <summary>JSON writing shared by the commands: finite numbers as numbers, NaN and ∞ as null.</summary>
internal static class JsonOutput
{
    public static void Number(this Utf8JsonWriter w, string name, double value) => NbnEdge.Session.ResultJson.NumberOrNull(w, name, value);

    /// <summary>A confidence interval as the two-number array <c>"name": [lower, upper]</c>.</summary>
    public static void Interval(this Utf8JsonWriter w, string name, double lower, double upper)
    {
        w.WriteStartArray(name);
        w.WriteNumberValue(lower);
        w.WriteNumberValue(upper);
        w.WriteEndArray();
    }

    /// <summary>One fit as a JSON object (the `fit --json` line contract; written by <see cref="NbnEdge.Session.ResultJson.WriteFit"/>, which the results journal and MQTT use too).</summary>
    public static void WriteFit(Utf8JsonWriter w, GapFitResult r, Spectrum? s, double? distanceNm = null) => NbnEdge.Session.ResultJson.WriteFit(w, r, s, distanceNm);

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
    public static string ToLine(Action<Utf8JsonWriter> write) => NbnEdge.Session.ResultJson.ToLine(write);

}
