using System.Diagnostics;
using System.Text.Json;

namespace NbnEdge.Cli.Tests;

/// <summary>
/// --out FILE.csv / FILE.h5 read back by Debian's python3-pandas and python3-h5py (installed by
/// .ci/run) and compared number by number with the same command's --json output (issue 13 item 4).
/// </summary>
[TestClass]
public sealed class ExportRoundTripTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>Debian's interpreter, where apt installs python3-pandas and python3-h5py (a pyenv python3 on PATH lacks them).</summary>
    private const string Python = "/usr/bin/python3";

    private static (int Code, string Stdout, string Stderr) RunPython(params string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(120_000);
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static void RequirePythonModules()
    {
        // Fail loudly, never skip: a missing module would otherwise hide a broken export.
        if (!File.Exists(Python)) Assert.Fail($"{Python} not found: install Debian's python3, python3-pandas and python3-h5py (.ci/run does).");
        var check = RunPython("-c", "import pandas, h5py");
        if (check.Code != 0)
            Assert.Fail($"{Python} lacks pandas or h5py: run 'apt-get install -y python3-pandas python3-h5py' (.ci/run does). {check.Stderr.Trim()}");
    }

    private static string Script => Path.Combine(CliRunner.RepoRoot(), "tests", "NbnEdge.Cli.Tests", "Export", "compare_export.py");

    private JsonElement Compare(string file, string fitsJson, string? statsJson, string? inputCsv)
    {
        var r = RunPython(Script, file, fitsJson, statsJson ?? "-", inputCsv ?? "-");
        Assert.AreEqual(0, r.Code, $"comparison of {Path.GetFileName(file)} failed: {r.Stderr}");
        TestContext.WriteLine(r.Stdout.Trim());
        var j = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.AreEqual(0.0, j.GetProperty("max_rel_diff").GetDouble(), 1e-15, "the file's numbers must equal the JSON's (both carry full double precision)");
        return j;
    }

    private static string Save(string dir, string name, string text)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [TestMethod]
    [DataRow("h5")]
    [DataRow("csv")]
    public void Fit_And_Stats_Out_ReadBackEqualsJson(string extension)
    {
        RequirePythonModules();
        string dir = CliRunner.TempDir();
        string input = Path.Combine(CliRunner.RepoRoot(), "examples", "line-5nm.csv");

        string fitFile = Path.Combine(dir, "fit." + extension);
        var fit = CliRunner.Run("fit", input, "--vm", "0.035", "--json", "--out", fitFile);
        Assert.AreEqual(0, fit.ExitCode, fit.Stderr);
        string fits = Save(dir, "fits.jsonl", fit.Stdout);
        var j = Compare(fitFile, fits, null, extension == "h5" ? input : null);
        Assert.IsTrue(j.GetProperty("values").GetInt32() >= 24 * 15, "every fit column of every spectrum compared");
        if (extension == "h5") Assert.AreEqual(24 * 201, j.GetProperty("spectra_points").GetInt32());

        string statsFile = Path.Combine(dir, "stats." + extension);
        var stats = CliRunner.Run("stats", input, "--vm", "0.035", "--spacing-nm", "18.4", "--json", "--out", statsFile);
        Assert.AreEqual(0, stats.ExitCode, stats.Stderr);
        var s = Compare(statsFile, fits, Save(dir, "stats.json", stats.Stdout), null);
        Assert.IsTrue(s.GetProperty("values").GetInt32() > j.GetProperty("values").GetInt32(), "the statistics were compared too");
    }

    [TestMethod]
    public void Map_Out_H5_ReadBackEqualsJson()
    {
        RequirePythonModules();
        string dir = CliRunner.TempDir();
        string grid = Path.Combine(CliRunner.RepoRoot(), "tests", "data", "nanonis", "SpmGrids_Grid-Spectroscopy002.3ds");
        string file = Path.Combine(dir, "map.h5");
        var map = CliRunner.Run("map", grid, "--channel", "Current", "--json", "--out", file);
        Assert.AreEqual(0, map.ExitCode, map.Stderr);
        Assert.IsTrue(File.Exists(Path.Combine(dir, "SpmGrids_Grid-Spectroscopy002-gapmap.csv")), "the gap map goes beside the export file");
        // The same pixels, fitted by fit: the per-pixel JSON the map's file is compared with.
        var fit = CliRunner.Run("fit", grid, "--channel", "Current", "--json");
        Assert.AreEqual(0, fit.ExitCode, fit.Stderr);
        Compare(file, Save(dir, "fits.jsonl", fit.Stdout), map.Json().GetProperty("stats").ValueKind == JsonValueKind.Null ? null : Save(dir, "map.json", map.Stdout), null);
    }

    [TestMethod]
    public void Out_WithAnotherExtension_IsAUsageError()
    {
        var r = CliRunner.Run("fit", Path.Combine(CliRunner.RepoRoot(), "examples", "line-5nm.csv"), "--out", Path.Combine(CliRunner.TempDir(), "results.txt"));
        Assert.AreEqual(2, r.ExitCode);
        StringAssert.Contains(r.Stderr, ".csv or .h5");
    }
}
