using System.Diagnostics;
using System.Text.Json;

namespace NbnEdge.Cli.Tests;

/// <summary>
/// nbnedge as users install it: packed as a .NET tool, installed into a tool path, run by name,
/// and answering exactly as the in-process CLI does.
/// </summary>
[TestClass]
public class InstalledToolTests
{
    private static (int Code, string Stdout, string Stderr) Run(string file, string workingDir, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDir };
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(start)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(8)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [TestMethod]
    public void PackedToolInstallsRunsByNameAndMatchesTheInProcessCli()
    {
        string root = CliRunner.RepoRoot();
        string work = CliRunner.TempDir();
        string artifacts = Path.Combine(work, "artifacts");
        string tools = Path.Combine(work, "tools");
        // Portable (IL) pack for the test: the ReadyToRun pack for this machine's RID differs only in
        // the compiled code inside the same assemblies, and costs a minute more.
        var pack = Run("dotnet", root, "pack", Path.Combine("host", "NbnEdge.Cli"), "-c", "Release", "-p:NbnEdgeReadyToRun=false", "-o", artifacts);
        Assert.AreEqual(0, pack.Code, pack.Stdout + pack.Stderr);
        Assert.IsTrue(Directory.GetFiles(artifacts, "nbnedge.*.nupkg").Length > 0, "package id nbnedge");

        var install = Run("dotnet", work, "tool", "install", "--tool-path", tools, "--add-source", artifacts, "nbnedge");
        Assert.AreEqual(0, install.Code, install.Stdout + install.Stderr);
        string exe = Path.Combine(tools, OperatingSystem.IsWindows() ? "nbnedge.exe" : "nbnedge");
        Assert.IsTrue(File.Exists(exe), "command name nbnedge");

        var version = Run(exe, work, "--version");
        Assert.AreEqual(0, version.Code);
        Assert.AreEqual(CliRunner.Run("--version").Stdout.Trim(), version.Stdout.Trim());

        string line = Path.Combine(root, "examples", "line-5nm.csv");
        var fit = Run(exe, work, "fit", line, "--vm", "0.035", "--json");
        var inProcessFit = CliRunner.Run("fit", line, "--vm", "0.035", "--json");
        Assert.AreEqual(0, fit.Code, fit.Stderr);
        Assert.AreEqual(inProcessFit.Stdout, fit.Stdout, "the installed tool fits exactly as the in-process CLI");
        Assert.IsTrue(fit.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 20);

        // Not a terminal: plain text, no escape sequences, in tables and progress alike.
        var table = Run(exe, work, "fit", line, "--vm", "0.035");
        Assert.AreEqual(0, table.Code);
        StringAssert.Contains(table.Stdout, "x0.0nm");
        Assert.IsFalse(table.Stdout.Contains('\u001b') || table.Stderr.Contains('\u001b'), "escape sequences in piped output");

        var demo = Run(exe, work, "demo", "--spectra", "5", "--json", "--journal", Path.Combine(work, "j1"));
        var inProcessDemo = CliRunner.Run("demo", "--spectra", "5", "--json", "--journal", Path.Combine(work, "j2"));
        Assert.AreEqual(0, demo.Code, demo.Stderr);
        using var a = JsonDocument.Parse(demo.Stdout);
        using var b = JsonDocument.Parse(inProcessDemo.Stdout);
        // Everything but the clock and the journal's file names is determined by the seed.
        string[] varying = ["latency_median_ms", "latency_max_ms", "wall_time_s", "journal_raw", "journal_results"];
        int compared = 0;
        foreach (JsonProperty p in a.RootElement.EnumerateObject())
        {
            if (varying.Contains(p.Name)) continue;
            Assert.AreEqual(b.RootElement.GetProperty(p.Name).GetRawText(), p.Value.GetRawText(), p.Name);
            compared++;
        }

        Assert.IsTrue(compared >= 30, $"compared {compared} fields");
        Assert.AreEqual(5, a.RootElement.GetProperty("spectra_fitted").GetInt32());
        Assert.IsFalse(demo.Stdout.Contains('\u001b') || demo.Stderr.Contains('\u001b'), "escape sequences in piped output");

        var uninstall = Run("dotnet", work, "tool", "uninstall", "--tool-path", tools, "nbnedge");
        Assert.AreEqual(0, uninstall.Code, uninstall.Stdout + uninstall.Stderr);
        Assert.IsFalse(File.Exists(exe));
    }
}

[TestClass]
public class ConsoleConventionTests
{
    [TestMethod]
    public void NoColorTurnsColoursOffEvenOnATerminal()
    {
        string? before = Environment.GetEnvironmentVariable("NO_COLOR");
        try
        {
            Environment.SetEnvironmentVariable("NO_COLOR", "1");
            Assert.IsTrue(ConsoleFactory.NoColorRequested);
            Assert.AreEqual(Spectre.Console.ColorSystem.NoColors, ConsoleFactory.For(Console.Out).Profile.Capabilities.ColorSystem);
            Environment.SetEnvironmentVariable("NO_COLOR", "");
            Assert.IsFalse(ConsoleFactory.NoColorRequested, "an empty NO_COLOR does not count (no-color.org)");
        }
        finally
        {
            Environment.SetEnvironmentVariable("NO_COLOR", before);
        }
    }

    [TestMethod]
    public void VersionIsNbnEdgesOwnWithItsCommit()
    {
        var r = CliRunner.Run("--version");
        Assert.AreEqual(0, r.ExitCode);
        StringAssert.Matches(r.Stdout.Trim(), new System.Text.RegularExpressions.Regex(@"^\d+\.\d+\.\d+(\+[0-9a-f]{40})?$"));
        Assert.AreEqual(typeof(CommandLine).Assembly.GetName().Version!.ToString(3), r.Stdout.Trim().Split('+')[0]);
    }
}
