using System.Text.Json;

namespace NbnEdge.Cli.Tests;

/// <summary>
/// A real spectrum taken with a superconducting tip (SpectraFox example data: Pb tip on Pb(100),
/// tests/data/nanonis/SOURCES.md): the NIS fit says so, and <c>--tip-gap</c> gives the sample's gap.
/// </summary>
[TestClass]
public sealed class SuperconductingTipTests
{
    private static string PbTipFile => Path.Combine(CliRunner.RepoRoot(), "tests", "data", "nanonis", "spectrafox_Pb100_Spectrum001.dat");

    [TestMethod]
    public void NisFitOfThePbTipSpectrum_IsSisSuspected_AndPointsToTipGap()
    {
        var r = CliRunner.Run("fit", PbTipFile, "--json");
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        var j = r.Json();
        Assert.AreEqual("sis_suspected", j.GetProperty("flag").GetString());
        // The coherence peaks sit at ±(Δ_tip + Δ_Pb) ≈ ±2.65 mV: NIS reports that sum.
        Assert.AreEqual(2.62, j.GetProperty("delta_meV").GetDouble(), 0.05);
        string notes = string.Join(" ", j.GetProperty("notes").EnumerateArray().Select(n => n.GetString()));
        StringAssert.Contains(notes, "--tip-gap");
        Assert.IsFalse(j.TryGetProperty("tip_gap_meV", out _), "an NIS fit has no tip fields");
    }

    [TestMethod]
    public void SisFitOfThePbTipSpectrum_GivesPbsGap()
    {
        // Bulk Pb: Δ ≈ 1.35 meV (two bands, 1.25–1.40 on Pb(100) at STM temperatures). The file's
        // external lock-in leaves V_m unrecorded; 0.1 mV matches the peaks' width.
        var r = CliRunner.Run("fit", PbTipFile, "--tip-gap", "1.35", "--vm", "0.1", "--fit-offset", "--json");
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        var j = r.Json();
        double delta = j.GetProperty("delta_meV").GetDouble();
        Assert.IsTrue(delta is > 1.25 and < 1.40, $"Δ_Pb = {delta}");
        Assert.AreEqual(1.35, j.GetProperty("tip_gap_meV").GetDouble(), 0.0);
        Assert.AreEqual(0.0, j.GetProperty("tip_gap_err_meV").GetDouble(), 0.0, "a fixed tip gap has no error");
        Assert.AreEqual(0.02, j.GetProperty("tip_gamma_meV").GetDouble(), 0.0);
        Assert.AreNotEqual("sis_suspected", j.GetProperty("flag").GetString());
        Assert.AreNotEqual("no_gap", j.GetProperty("flag").GetString());
    }

    [TestMethod]
    public void SisFitDrawsTheSisModel()
    {
        string dir = CliRunner.TempDir();
        var r = CliRunner.Run("fit", PbTipFile, "--tip-gap", "1.35", "--vm", "0.1", "--plot", dir);
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        string svg = File.ReadAllText(Directory.GetFiles(dir, "spectrum-fit-*.svg").Single());
        StringAssert.Contains(svg, "SIS, tip");
        SvgText.AssertSubscript(Directory.GetFiles(dir, "spectrum-fit-*.svg").Single(), "tip Δ", "t");
    }

    [TestMethod]
    [DataRow("--fit-tip-gap")]
    [DataRow("--fit-tip-gamma")]
    public void TipOptionsWithoutATipGap_AreAUsageError(string option)
    {
        var r = CliRunner.Run("fit", PbTipFile, option);
        Assert.AreEqual(2, r.ExitCode);
        StringAssert.Contains(r.Stderr, "--tip-gap");
    }

    [TestMethod]
    public void SampleGammaWithATipGap_IsAUsageError()
    {
        var r = CliRunner.Run("fit", PbTipFile, "--tip-gap", "1.35", "--fit-gamma");
        Assert.AreEqual(2, r.ExitCode);
        StringAssert.Contains(r.Stderr, "--tip-gamma");
    }

    [TestMethod]
    public void BenchTipGap_PrintsSisSpeedAndAccuracy()
    {
        var r = CliRunner.Run("bench", "--tip-gap", "1.35", "--spectra", "32", "--fits", "64", "--json");
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        var j = r.Json();
        Assert.AreEqual("sis", j.GetProperty("model").GetString());
        Assert.AreEqual(301, j.GetProperty("points").GetInt32());
        Assert.IsTrue(j.GetProperty("fits_per_s").GetDouble() > 0);
        double ratio = j.GetProperty("rms_error_over_rms_reported").GetDouble();
        Assert.IsTrue(ratio is > 0.4 and < 1.5, $"rms error / rms SE = {ratio}");
    }
}
