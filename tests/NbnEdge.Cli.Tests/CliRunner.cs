using System.Text.Json;

// Commands write to the writers they are given; one test at a time keeps Console.Error (reader notes) attributable.
[assembly: DoNotParallelize]

namespace NbnEdge.Cli.Tests;

/// <summary>Runs nbnedge in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json()
        {
            var doc = JsonDocument.Parse(Stdout.Trim());
            return doc.RootElement;
        }

        public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static Outcome Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        // Reader notes go to Console.Error: route them into the captured stderr too.
        TextWriter original = Console.Error;
        Console.SetError(error);
        try
        {
            int code = CommandLine.Run(args, output, error);
            return new Outcome(code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetError(original);
        }
    }

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nbnedge-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
