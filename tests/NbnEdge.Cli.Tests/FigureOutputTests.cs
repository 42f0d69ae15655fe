namespace NbnEdge.Cli.Tests;

/// <summary>Issue 15 item 3 and issue 16 item 5: figure and map output faults are one clear line, never exit 70.</summary>
[TestClass]
public sealed class FigureOutputTests
{
    private static string Repo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NbnEdge.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static string Nanonis(string name) => Path.Combine(Repo(), "tests", "data", "nanonis", name);

    [TestMethod]
    public void MapWithoutAUsableFitSaysSoAndDrawsNoBrokenFigure()
    {
        // Before: "internal error (ArgumentException): min must be a real number", exit 70, after the CSV.
        string dir = CliRunner.TempDir();
        var r = CliRunner.Run("map", Nanonis("SpmGrids_Grid-Spectroscopy002.3ds"), "--channel", "Current", "--out", dir);
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        StringAssert.Contains(r.Stdout, "no usable fits");
        Assert.DoesNotContain("internal error", r.Stderr);
        Assert.IsTrue(File.Exists(Path.Combine(dir, "SpmGrids_Grid-Spectroscopy002-gapmap.csv")));
        Assert.IsEmpty(Directory.GetFiles(dir, "*.png"), "no all-grey map figure");
    }

    [TestMethod]
    public void PlotIntoAFileOrDeviceIsAUsageError()
    {
        // Before: IOException "already exists" as an internal error (exit 70).
        string dir = CliRunner.TempDir();
        string file = Path.Combine(dir, "existing");
        File.WriteAllText(file, "x");
        foreach (var target in new[] { file, "/dev/null" })
        {
            if (!Path.Exists(target)) continue;
            var r = CliRunner.Run("fit", Nanonis("spectrafox_Pb100_Spectrum001.dat"), "--plot", target);
            Assert.AreEqual(2, r.ExitCode, r.Stderr);
            Assert.HasCount(1, r.ErrorLines.Where(l => l.StartsWith("nbnedge:", StringComparison.Ordinal)).ToArray(), r.Stderr);
            StringAssert.Contains(r.Stderr, "not a folder");
            Assert.AreEqual("x", File.ReadAllText(file), "the file is left alone");
        }
    }

    [TestMethod]
    public void PlotIntoAFolderThatCannotBeCreatedIsABadInputLine()
    {
        string dir = CliRunner.TempDir();
        string file = Path.Combine(dir, "existing");
        File.WriteAllText(file, "x");
        var r = CliRunner.Run("fit", Nanonis("spectrafox_Pb100_Spectrum001.dat"), "--plot", Path.Combine(file, "figures"));
        Assert.AreEqual(1, r.ExitCode, r.Stderr);
        StringAssert.Contains(r.Stderr, "cannot write the figures there");
        Assert.DoesNotContain("internal error", r.Stderr);
        StringAssert.Contains(r.Stdout, "LockIn", "the fit's table is still printed");
    }
}
