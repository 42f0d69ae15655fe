using System.CommandLine;
using System.Text.Json;
using NbnEdge.Analysis;
using NbnEdge.Cli.Live;
using NbnEdge.Link.Journal;
using NbnEdge.Live;

using NbnEdge.Session;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// <c>nbnedge replay JOURNAL</c>: rebuilds every result of a session from its raw journal (through
/// the live path) and checks them against the results journal the session wrote.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(TextWriter output)
    {
        var journal = new Argument<string>("JOURNAL") { Description = "A session folder, its .nbnraw file, or its .results.jsonl file." };
        var json = new Option<bool>("--json") { Description = "One JSON object instead of the tables." };
        var command = new Command("replay", "Rebuild every result of a session from its raw journal; compare with the results it journaled live.") { journal, json };
        command.SetAction(p =>
        {
            string raw = ResolveRaw(p.GetValue(journal)!);
            var summary = CaptureReplay.AnalyseAsync(raw).GetAwaiter().GetResult();
            string resultsPath = raw[..^SessionJournal.RawExtension.Length] + SessionJournal.ResultsExtension;
            JournalCheck? check = File.Exists(resultsPath) ? Compare(resultsPath, summary.Results) : null;
            if (p.GetValue(json))
            {
                JsonOutput.Line(output, w =>
                {
                    w.WriteStartObject();
                    summary.WriteFields(w);
                    if (check is { } c)
                    {
                        w.WriteString("results_journal", resultsPath);
                        w.WriteNumber("journal_results", c.Lines);
                        w.WriteNumber("journal_results_matching", c.Matching);
                        w.WriteNumber("journal_lines_skipped", c.Skipped);
                    }
                    w.WriteEndObject();
                });
            }
            else
            {
                summary.Print(output, $"Replay of {Path.GetFileName(raw)}");
                output.WriteLine(check is { } c
                    ? $"Results journal: {c.Matching} of {c.Lines} journaled results reproduced exactly (Δ, its error and both estimates){(c.Skipped > 0 ? $"; {c.Skipped} torn or invalid lines skipped" : "")}."
                    : "No results journal next to the raw journal: nothing to compare with.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The raw journal a folder or file argument names.</summary>
    internal static string ResolveRaw(string path)
    {
        if (Directory.Exists(path))
        {
            var raws = Directory.GetFiles(path, "*" + SessionJournal.RawExtension);
            if (raws.Length == 0)
                raws = Directory.GetFiles(path, "*" + SessionJournal.RawExtension, SearchOption.AllDirectories);
            return raws.Length switch
            {
                1 => raws[0],
                0 => throw new InputDataException(path, $"no {SessionJournal.RawExtension} journal in this folder."),
                _ => throw new InputDataException(path, $"{raws.Length} journals in this folder ({string.Join(", ", raws.Select(Path.GetFileName).Take(4))}…): name one."),
            };
        }

        if (path.EndsWith(SessionJournal.ResultsExtension, StringComparison.Ordinal))
        {
            string raw = path[..^SessionJournal.ResultsExtension.Length] + SessionJournal.RawExtension;
            if (!File.Exists(raw)) throw new InputDataException(path, $"its raw journal {raw} is missing.");
            return raw;
        }

        if (!File.Exists(path)) throw new InputDataException(path, "no such journal file or folder.");
        return path;
    }

    internal readonly record struct JournalCheck(int Lines, int Matching, int Skipped);

    /// <summary>
    /// Compares each journaled result with the replayed one of the same index: Δ and its error (doubles
    /// round-trip exactly through JSON) and both estimates. Same bytes, same code: they must agree.
    /// </summary>
    internal static JournalCheck Compare(string resultsPath, IReadOnlyList<LiveResult> replayed)
    {
        var content = JournalReader.ReadResults(resultsPath);
        var byIndex = replayed.ToDictionary(r => r.Index);
        int matching = 0, wrongTyped = 0;
        foreach (string line in content.Lines)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            // A line whose index is not an integer cannot be paired: it counts as skipped, the rest is still compared.
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("index", out var indexElement)
                || indexElement.ValueKind != JsonValueKind.Number || !indexElement.TryGetInt64(out long index))
            {
                wrongTyped++;
                continue;
            }

            if (!byIndex.TryGetValue(index, out LiveResult? r)) continue;
            string expected = JsonOutput.ToLine(w => ResultJson.WriteResult(w, r));
            using var mine = JsonDocument.Parse(expected);
            if (Same(root, mine.RootElement)) matching++;
        }

        return new JournalCheck(content.Lines.Count - wrongTyped, matching, content.SkippedLines + wrongTyped);
    }

    private static bool Same(JsonElement journaled, JsonElement replayed)
    {
        // Latency is a property of the live run, not of the data: everything else must be identical.
        foreach (var key in new[] { "spectrum_id", "device_epoch", "incomplete", "received_points", "fit", "host_estimate", "device_estimate", "recompute_match" })
        {
            bool a = journaled.TryGetProperty(key, out var x), b = replayed.TryGetProperty(key, out var y);
            if (a != b) return false;
            if (!a) continue;
            if (key == "fit" && x.ValueKind == JsonValueKind.Object && y.ValueKind == JsonValueKind.Object)
            {
                // "source" names the stream (the simulator live, the file on replay): not part of the result.
                var left = x.EnumerateObject().Where(q => q.Name != "source").Select(q => q.Name + "=" + q.Value.GetRawText());
                var right = y.EnumerateObject().Where(q => q.Name != "source").Select(q => q.Name + "=" + q.Value.GetRawText());
                if (!left.SequenceEqual(right)) return false;
            }
            else if (x.GetRawText() != y.GetRawText()) return false;
        }

        return true;
    }
}
