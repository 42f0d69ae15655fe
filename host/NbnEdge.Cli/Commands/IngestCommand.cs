using System.CommandLine;
using NbnEdge.Cli.Live;
using NbnEdge.Session;

namespace NbnEdge.Cli.Commands;

/// <summary><c>nbnedge ingest CAPTURE</c>: decode a raw capture, fit every spectrum, print the live summary.</summary>
internal static class IngestCommand
{
    public static Command Create(TextWriter output)
    {
        var capture = new Argument<string>("CAPTURE") { Description = "Raw bytes exactly as they came over the wire (a session's .nbnraw, 'simulate --out', a serial dump)." };
        var json = new Option<bool>("--json") { Description = "One JSON object instead of the tables." };
        var command = new Command("ingest", "Decode a raw capture from any source, fit every spectrum and print the same summary as the live commands.") { capture, json };
        command.SetAction(p =>
        {
            string path = p.GetValue(capture)!;
            var summary = CaptureReplay.AnalyseAsync(path).GetAwaiter().GetResult();
            if (p.GetValue(json))
            {
                JsonOutput.Line(output, w => { w.WriteStartObject(); summary.WriteFields(w); w.WriteEndObject(); });
            }
            else
            {
                summary.Print(output, $"Capture {Path.GetFileName(path)}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
