namespace NbnEdge.Cli.Tests;

/// <summary>Issue 15 items 1–2: a folder of real files with an odd one in it.</summary>
[TestClass]
public class BatchInputTests
{
    /// <summary>
    /// Three readable real files, one without a dI/dV channel (only an external input, no Current
    /// to compare it with, no comment naming it), one that is not a .dat at all.
    /// </summary>
    private static string MixedFolder()
    {
        string dir = CliRunner.TempDir();
        foreach (string name in new[] { "nanonispy_Bias-Spectroscopy002.dat", "pynxtools-spm_generic_5e.dat", "spectrafox_Pb100_Spectrum001.dat", "nanonis-xarray_i_v.dat" })
            File.Copy(Path.Combine(CliRunner.RepoRoot(), "tests", "data", "nanonis", name), Path.Combine(dir, name));
        File.WriteAllText(Path.Combine(dir, "broken.dat"), "garbage\n");
        return dir;
    }

    [TestMethod]
    public void EveryReadableFileIsFittedAndEachFailureIsOneLine()
    {
        string dir = MixedFolder();
        var r = CliRunner.Run("fit", dir);
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        string[] rows = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[2..];
        Assert.AreEqual(3, rows.Length, r.Stdout);
        // Rows say which file they are, not "LIX 1 omega [avg]" three times.
        StringAssert.StartsWith(rows[0], "nanonis-xarray_i_v.dat ");
        StringAssert.StartsWith(rows[1], "pynxtools-spm_generic_5e.dat ");
        StringAssert.StartsWith(rows[2], "spectrafox_Pb100_Spectrum001.dat ");
        var skipped = r.ErrorLines.Where(l => l.StartsWith("skipped: ", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(2, skipped.Count, r.Stderr);
        StringAssert.Contains(skipped[0], "broken.dat:1:");
        StringAssert.Contains(skipped[1], "nanonispy_Bias-Spectroscopy002.dat");
        StringAssert.Contains(skipped[1], "no dI/dV channel");
        Assert.IsFalse(r.Stderr.Contains("internal error", StringComparison.Ordinal));
    }

    [TestMethod]
    public void JsonKeepsTheSourceOfEveryRow()
    {
        var r = CliRunner.Run("fit", MixedFolder(), "--json");
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        var sources = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => Path.GetFileName(System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("source").GetString()!)).ToList();
        CollectionAssert.AreEqual(new[] { "nanonis-xarray_i_v.dat", "pynxtools-spm_generic_5e.dat", "spectrafox_Pb100_Spectrum001.dat" }, sources);
    }

    [TestMethod]
    public void StrictStopsAtTheFirstBadFile()
    {
        var r = CliRunner.Run("fit", MixedFolder(), "--strict");
        Assert.AreEqual(1, r.ExitCode);
        Assert.AreEqual("", r.Stdout);
        StringAssert.Contains(r.Stderr, "broken.dat:1:");
    }

    [TestMethod]
    public void NothingReadableIsBadInput()
    {
        string dir = CliRunner.TempDir();
        File.WriteAllText(Path.Combine(dir, "a.dat"), "garbage\n");
        File.Copy(Path.Combine(CliRunner.RepoRoot(), "tests", "data", "nanonis", "nanonispy_Bias-Spectroscopy002.dat"), Path.Combine(dir, "b.dat"));
        var r = CliRunner.Run("stats", dir);
        Assert.AreEqual(1, r.ExitCode);
        Assert.AreEqual(1, r.ErrorLines.Length, "one line for bad input: " + r.Stderr);
        StringAssert.Contains(r.Stderr, "nothing to fit");
    }

    [TestMethod]
    public void OneFileKeepsItsSpectrumNames()
    {
        var r = CliRunner.Run("fit", Path.Combine(CliRunner.RepoRoot(), "examples", "line-5nm.csv"), "--vm", "0.035");
        Assert.AreEqual(0, r.ExitCode);
        StringAssert.StartsWith(r.Stdout.Split('\n')[2], "x0.0nm ");
    }
}
