using System.Text.Json;

// One test at a time: some commands start servers and child processes.
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
        // Everything a command says, reader notes included, goes to the writers it is given;
        // Console.Error is deliberately not captured, so a note sent there would fail the tests.
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CommandLine.Run(args, output, error);
        return new Outcome(code, output.ToString(), error.ToString());
    }

    /// <summary>The clone's root (where NbnEdge.sln is), above the test binaries.</summary>
    public static string RepoRoot()
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "NbnEdge.sln"))) dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("NbnEdge.sln not found above the test binaries");
        return dir;
    }

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nbnedge-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
