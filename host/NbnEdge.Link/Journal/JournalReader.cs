using System.Text;
using System.Text.Json;

namespace NbnEdge.Link.Journal;

/// <summary>The results journal read back.</summary>
/// <param name="Lines">every complete, well-formed JSON line, in order</param>
/// <param name="SkippedLines">lines that are not valid JSON (at most a torn last write after a kill)</param>
/// <param name="TornTail">whether the file ended inside a line</param>
public sealed record ResultJournalContent(IReadOnlyList<string> Lines, int SkippedLines, bool TornTail);

/// <summary>
/// Reads a session's journal back after the session ended, crashed or was killed: the raw bytes
/// through the same decoding as live (a torn last write is just a frame cut short, which the
/// decoder never accepts), and the result lines.
/// </summary>
public static class JournalReader
{
    /// <summary>Decodes a raw journal (or any capture): every spectrum, estimate and counter it holds.</summary>
    public static CaptureResult ReplayRaw(string rawPath, CaptureOptions? options = null)
    {
        using var f = new FileStream(rawPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
        return CaptureAnalysis.Decode(f, options ?? new CaptureOptions { SourceName = rawPath });
    }

    /// <summary>Reads the raw journal's bytes as far as they were written.</summary>
    public static byte[] ReadRawBytes(string rawPath)
    {
        using var f = new FileStream(rawPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var ms = new MemoryStream();
        f.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>Reads the results journal: complete JSON lines; a torn or invalid line is skipped and counted.</summary>
    public static ResultJournalContent ReadResults(string resultsPath)
    {
        byte[] bytes;
        using (var f = new FileStream(resultsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            var ms = new MemoryStream();
            f.CopyTo(ms);
            bytes = ms.ToArray();
        }

        var lines = new List<string>();
        int skipped = 0;
        int start = 0;
        bool torn = false;
        while (start < bytes.Length)
        {
            int nl = Array.IndexOf(bytes, (byte)'\n', start);
            int end = nl < 0 ? bytes.Length : nl;
            if (nl < 0)
            {
                torn = true;
            }

            if (end > start)
            {
                string line = Encoding.UTF8.GetString(bytes, start, end - start);
                if (nl >= 0 && IsJson(line))
                {
                    lines.Add(line);
                }
                else
                {
                    skipped++;
                }
            }

            start = end + 1;
        }

        return new ResultJournalContent(lines, skipped, torn);
    }

    private static bool IsJson(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            // A result is an object: any other JSON value is no result line either.
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
