using System.Text.Json;

namespace NbnEdge.Cli.Tests;

/// <summary>
/// Twenty real spectra from two rows of SpectraFox's MnPc/Pb(111) grid (tests/data/nanonis/
/// spectrafox_MnPc-Pb111_grid1_011-030, SOURCES.md), one .dat file each: bare Pb(111) at the row
/// ends, Yu–Shiba–Rusinov pairs growing towards the molecule. The physics fixes the answer: every
/// usable Δ is Pb's (1.26–1.42 meV between its two bands), the spectra whose YSR peaks outgrow
/// the coherence peaks (023–026) are named and left out, and no spectrum with a YSR pair is an
/// outlier: fitted over the whole spectrum, six of them gave Δ 0.9–1.2 meV.
/// </summary>
[TestClass]
public sealed class RealGridFolderTests
{
    private const double PbLow = 1.26, PbHigh = 1.42;

    private static string Folder => Path.Combine(CliRunner.RepoRoot(), "tests", "data", "nanonis", "spectrafox_MnPc-Pb111_grid1_011-030");

    [TestMethod]
    public void Every_usable_gap_is_Pbs_and_the_YSR_spectra_are_fitted_outside_their_pairs()
    {
        var r = CliRunner.Run("fit", Folder, "--json");
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        var rows = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.AreEqual(20, rows.Length);
        int masked = 0;
        foreach (var row in rows)
        {
            string file = Path.GetFileName(row.GetProperty("source").GetString()!), flag = row.GetProperty("flag").GetString()!;
            double delta = row.GetProperty("delta_meV").GetDouble();
            string where = $"{file}: Δ {delta:F4} {flag}";
            if (file is "MnPc-grid1_023.dat" or "MnPc-grid1_024.dat" or "MnPc-grid1_025.dat" or "MnPc-grid1_026.dat")
            {
                Assert.AreEqual("gap_beyond_fit", flag, where);
                continue;
            }
            Assert.IsTrue(flag is "ok" or "subgap_peak" or "poor_fit", where);
            Assert.IsTrue(delta is >= PbLow and <= PbHigh, where);
            if (row.GetProperty("notes").EnumerateArray().Any(n => n.GetString()!.StartsWith("sub-gap states: the ", StringComparison.Ordinal)))
            {
                masked++;
                Assert.AreEqual("subgap_peak", flag, where);
            }
        }
        Assert.IsGreaterThanOrEqualTo(4, masked, "the spectra whose YSR pair pulled the whole-spectrum fit are refitted outside it");
    }

    [TestMethod]
    public void Stats_uses_the_sixteen_Pb_gaps_with_no_outlier_and_names_the_files_left_out()
    {
        var r = CliRunner.Run("stats", Folder, "--json");
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        var s = r.Json();
        Assert.AreEqual(16, s.GetProperty("n").GetInt32());
        Assert.AreEqual(0, s.GetProperty("outliers").GetArrayLength(), s.GetProperty("outliers").GetRawText());
        double mean = s.GetProperty("mean_meV").GetDouble(), sd = s.GetProperty("sd_meV").GetDouble();
        Assert.IsTrue(mean is >= PbLow and <= PbHigh, $"mean {mean}");
        Assert.IsLessThan(0.025, sd, "Pb's gap varies by tens of µeV across a molecule's edge, not by the YSR pull (0.1–0.4 meV)");
        var excluded = s.GetProperty("excluded").EnumerateArray().Select(e => e.GetRawText()).ToArray();
        Assert.AreEqual(4, excluded.Length);
        foreach (string f in new[] { "MnPc-grid1_023.dat", "MnPc-grid1_024.dat", "MnPc-grid1_025.dat", "MnPc-grid1_026.dat" })
            Assert.IsTrue(excluded.Any(e => e.Contains(f, StringComparison.Ordinal)), $"{f} named among {string.Join(", ", excluded)}");
    }

    /// <summary>`map` takes one .3ds grid: given this folder of point spectra, or one of its .dat files, it says what to run instead (it said "file not found." for the folder).</summary>
    [TestMethod]
    public void Map_on_a_folder_or_a_dat_file_says_what_to_run_instead()
    {
        var folder = CliRunner.Run("map", Folder);
        Assert.AreEqual(1, folder.ExitCode, folder.Stderr);
        StringAssert.Contains(folder.Stderr, "this is a folder; map takes one .3ds grid");
        StringAssert.Contains(folder.Stderr, "nbnedge stats FOLDER");
        Assert.DoesNotContain("file not found", folder.Stderr);
        var dat = CliRunner.Run("map", Path.Combine(Folder, "MnPc-grid1_011.dat"));
        Assert.AreEqual(1, dat.ExitCode, dat.Stderr);
        StringAssert.Contains(dat.Stderr, "map takes a Nanonis .3ds grid, not a .dat file");
    }
}
