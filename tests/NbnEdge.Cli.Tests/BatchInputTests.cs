using System.Text.Json;

namespace NbnEdge.Cli.Tests;

/// <summary>Batches of files as a physicist's folder really is: one odd file must not hide the others.</summary>
[TestClass]
public sealed class BatchInputTests
{
    private static string Repo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NbnEdge.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    /// <summary>A folder with two real .dat spectra and one file that is no spectroscopy table.</summary>
    private static string FolderWithOneBadFile()
    {
        string dir = Directory.CreateTempSubdirectory("nbnedge-batch-").FullName;
        string data = Path.Combine(Repo(), "tests", "data", "nanonis");
        File.Copy(Path.Combine(data, "nanonis-xarray_i_v.dat"), Path.Combine(dir, "a_first.dat"));
        File.Copy(Path.Combine(data, "spectrafox_Pb100_Spectrum001.dat"), Path.Combine(dir, "c_third.dat"));
        File.WriteAllText(Path.Combine(dir, "b_broken.dat"), "Experiment\tbias spectroscopy\nDate\t01.01.2024\n");
        return dir;
    }

    [TestMethod]
    public void Fit_Folder_SkipsTheUnreadableFile_FitsTheOthers_NamesRowsByFile()
    {
        string dir = FolderWithOneBadFile();
        var outcome = CliRunner.Run("fit", dir, "--json");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        var names = outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("spectrum").GetString()).ToArray();
        CollectionAssert.AreEqual(new[] { "a_first.dat", "c_third.dat" }, names);
        var skipped = outcome.Stderr.Split('\n').Where(l => l.StartsWith("skipped:")).ToArray();
        Assert.AreEqual(1, skipped.Length, outcome.Stderr);
        StringAssert.Contains(skipped[0], "b_broken.dat");
        StringAssert.Contains(skipped[0], "[DATA]");
    }

    [TestMethod]
    public void Fit_Table_ShowsTheFileOfEachRow()
    {
        string dir = FolderWithOneBadFile();
        var outcome = CliRunner.Run("fit", dir);
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        var rows = outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).ToArray();
        Assert.AreEqual(2, rows.Length, outcome.Stdout);
        Assert.IsTrue(rows[0].StartsWith("a_first.dat "), rows[0]);
        Assert.IsTrue(rows[1].StartsWith("c_third.dat "), rows[1]);
    }

    [TestMethod]
    public void Fit_Strict_StopsAtTheFirstBadFile()
    {
        var outcome = CliRunner.Run("fit", FolderWithOneBadFile(), "--strict");
        Assert.AreEqual(1, outcome.ExitCode, outcome.Stderr);
        StringAssert.Contains(outcome.Stderr, "b_broken.dat");
        Assert.AreEqual("", outcome.Stdout);
    }

    [TestMethod]
    public void Fit_NothingReadable_ExitsOneWithEachReason()
    {
        string dir = Directory.CreateTempSubdirectory("nbnedge-batch-").FullName;
        File.WriteAllText(Path.Combine(dir, "x.dat"), "Experiment\tbias spectroscopy\n");
        File.WriteAllText(Path.Combine(dir, "y.csv"), "bias_mV,g\n1,abc\n");
        var outcome = CliRunner.Run("stats", dir);
        Assert.AreEqual(1, outcome.ExitCode, outcome.Stderr);
        StringAssert.Contains(outcome.Stderr, "x.dat");
        StringAssert.Contains(outcome.Stderr, "y.csv");
        StringAssert.Contains(outcome.Stderr, "none of the 2 files");
    }

    [TestMethod]
    public void Fit_SingleFile_KeepsItsChannelName()
    {
        string file = Path.Combine(Repo(), "tests", "data", "nanonis", "nanonis-xarray_i_v.dat");
        var outcome = CliRunner.Run("fit", file, "--json");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        string name = JsonDocument.Parse(outcome.Stdout.Split('\n')[0]).RootElement.GetProperty("spectrum").GetString()!;
        Assert.IsFalse(name.Contains(".dat"), name);
    }
}
