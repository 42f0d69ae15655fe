namespace NbnEdge.Cli.Tests;

/// <summary>Issue 16 item 3 (grid part): a map's memory follows the pixels present, not the header's claim.</summary>
[TestClass]
public class MapMemoryTests
{
    [TestMethod]
    public void AGridWhoseHeaderClaimsAHundredMillionPixelsCostsWhatArrived()
    {
        string repo = CliRunner.RepoRoot();
        byte[] real = File.ReadAllBytes(Path.Combine(repo, "tests", "data", "nanonis", "SpmGrids_Grid-Spectroscopy002.3ds"));
        string text = System.Text.Encoding.Latin1.GetString(real);
        int at = text.IndexOf("Grid dim=\"20 x 20\"", StringComparison.Ordinal);
        Assert.IsTrue(at >= 0);
        // 92 KB of a real grid under a header that claims 100000 × 1000 pixels.
        string forged = text[..at] + "Grid dim=\"100000 x 1000\"" + text[(at + "Grid dim=\"20 x 20\"".Length)..];
        string dir = CliRunner.TempDir();
        string path = Path.Combine(dir, "claims-1e8-pixels.3ds");
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(forged)[..92_000]);

        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var r = CliRunner.Run("map", path, "--channel", "Current", "--out", dir);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        StringAssert.Contains(r.Stderr, "16 of 100000000 pixels present");
        // A dense 100000 × 1000 map of doubles alone is 800 MB; what arrived is 16 pixels of 128 points.
        Assert.IsTrue(allocated < 200_000_000, $"allocated {allocated / 1e6:F0} MB for a 92 KB grid");
    }
}
