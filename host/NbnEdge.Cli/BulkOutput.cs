using System.Text;

namespace NbnEdge.Cli;

/// <summary>
/// Megabytes of results to stdout. <see cref="Console.Out"/> flushes every 256 characters (it is
/// made for interactive output), which turned writing 10,000 JSON lines into some 20,000 system
/// calls and a tenth of a second; for the console, blocks go straight to the standard-output
/// stream instead, after whatever Console.Out still holds, so the order is kept.
/// </summary>
internal static class BulkOutput
{
    /// <summary>Writes UTF-8 text to <paramref name="output"/>, in one piece when it is the console.</summary>
    public static void Write(TextWriter output, ReadOnlySpan<byte> utf8)
    {
        if (ReferenceEquals(output, Console.Out))
        {
            output.Flush();
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(utf8);
        }
        else
        {
            output.Write(Encoding.UTF8.GetString(utf8));
        }
    }

    /// <summary>Writes text to <paramref name="output"/>, in one piece when it is the console.</summary>
    public static void Write(TextWriter output, string text)
    {
        if (ReferenceEquals(output, Console.Out)) Write(output, Encoding.UTF8.GetBytes(text));
        else output.Write(text);
    }
}
