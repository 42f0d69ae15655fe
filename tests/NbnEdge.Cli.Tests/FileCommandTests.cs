using System.Globalization;
using System.Text;
using System.Text.Json;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Model;
using NbnEdge.Analysis.Synthetic;

namespace NbnEdge.Cli.Tests;

[TestClass]
public sealed class FileCommandTests
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>A CSV (bias_mV, one column per spectrum) of exact-model spectra with a little noise.</summary>
    private static string WriteSyntheticCsv(string dir, (double Delta, double T)[] truths, double noise = 0.002, double slope = 0)
    {
        var spectra = truths.Select((t, i) => SyntheticSpectra.Generate(new BcsParameters(t.Delta, t.T, Scale: 3.7e-9, SlopePerMV: slope * 3.7e-9),
            201, 5.0, noise, new Random(10 + i), $"s{i}")).ToArray();
        var sb = new StringBuilder("bias_mV");
        foreach (var s in spectra) sb.Append(',').Append(s.Name);
        sb.Append('\n');
        for (int p = 0; p < 201; p++)
        {
            sb.Append(spectra[0].BiasMV[p].ToString("R", Ci));
            foreach (var s in spectra) sb.Append(',').Append(s.Conductance[p].ToString("R", Ci));
            sb.Append('\n');
        }

        string path = Path.Combine(dir, "synthetic.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    private static JsonElement[] JsonLines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();

    [TestMethod]
    public void Estimate_OnExactModelSpectra_RecoversDeltaWithinOnePercent()
    {
        (double Delta, double T)[] truths = [(2.02, 1.73), (1.60, 2.27), (2.11, 3.03), (0.9, 0.6)];
        string csv = WriteSyntheticCsv(CliRunner.TempDir(), truths);
        foreach (string board in new[] { "esp32-devkitc-ads131m04", "esp32-s3-devkitc-ads131m04" })
        {
            var outcome = CliRunner.Run("estimate", csv, "--board", board, "--json", "--compare");
            Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
            JsonElement[] rows = JsonLines(outcome.Stdout);
            Assert.AreEqual(truths.Length, rows.Length);
            for (int i = 0; i < truths.Length; i++)
            {
                Assert.IsTrue(rows[i].GetProperty("valid").GetBoolean(), rows[i].GetRawText());
                double delta = rows[i].GetProperty("delta_meV").GetDouble();
                Assert.AreEqual(truths[i].Delta, delta, 0.01 * truths[i].Delta, $"{board} spectrum {i}");
                Assert.AreEqual(truths[i].T, rows[i].GetProperty("t_eff_K").GetDouble(), 0.15 * truths[i].T);
                Assert.AreEqual(truths[i].Delta, rows[i].GetProperty("fit").GetProperty("delta_meV").GetDouble(), 0.01 * truths[i].Delta);
                Assert.AreEqual(board, rows[i].GetProperty("board").GetString());
            }
        }
    }

    [TestMethod]
    public void Estimate_PlainTable_AndProblemsPerSpectrum()
    {
        string dir = CliRunner.TempDir();
        string csv = WriteSyntheticCsv(dir, [(2.02, 1.73)]);
        var plain = CliRunner.Run("estimate", csv, "--compare");
        Assert.AreEqual(0, plain.ExitCode, plain.Stderr);
        StringAssert.Contains(plain.Stdout, "s0");
        StringAssert.Contains(plain.Stdout, "fit Δ");

        // ±20 mV is beyond the board's bias range (±12 mV at the junction): said per spectrum, not a crash.
        string wide = Path.Combine(dir, "wide.csv");
        File.WriteAllText(wide, "bias_mV,a\n" + string.Join("\n", Enumerable.Range(0, 41).Select(i => $"{-20 + i},{1 + 0.001 * i}")) + "\n");
        JsonElement row = JsonLines(CliRunner.Run("estimate", wide, "--json").Stdout).Single();
        Assert.IsFalse(row.GetProperty("valid").GetBoolean());
        StringAssert.Contains(row.GetProperty("problem").GetString(), "range");
    }

    [TestMethod]
    public void Estimate_BadCsv_ExitsOneNamingFileAndLine()
    {
        string dir = CliRunner.TempDir();
        string bad = Path.Combine(dir, "ragged.csv");
        File.WriteAllText(bad, "bias_mV,a\n-1,1\n0\n1,1\n");
        var outcome = CliRunner.Run("estimate", bad);
        Assert.AreEqual(1, outcome.ExitCode);
        Assert.AreEqual(1, outcome.ErrorLines.Length, outcome.Stderr);
        StringAssert.Contains(outcome.ErrorLines[0], bad + ":3:");
    }

    [TestMethod]
    public void Fit_Json_HasTheContractFields()
    {
        string csv = WriteSyntheticCsv(CliRunner.TempDir(), [(2.02, 1.73), (1.6, 2.27)]);
        var outcome = CliRunner.Run("fit", csv, "--json");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        JsonElement[] rows = JsonLines(outcome.Stdout);
        Assert.AreEqual(2, rows.Length);
        foreach (string field in new[] { "source", "spectrum", "delta_meV", "delta_err_meV", "t_eff_K", "t_eff_err_K", "bias_offset_mV", "scale", "slope_per_mV", "chi2_red", "converged", "iterations", "flag", "points", "background" })
            Assert.IsTrue(rows[0].TryGetProperty(field, out _), field);
        Assert.AreEqual(2.02, rows[0].GetProperty("delta_meV").GetDouble(), 0.01);
        Assert.AreEqual("s1", rows[1].GetProperty("spectrum").GetString());
        Assert.AreEqual(201, rows[0].GetProperty("points").GetInt32());
    }

    [TestMethod]
    public void Stats_Json_OverSyntheticSpectra()
    {
        var truths = Enumerable.Range(0, 8).Select(i => (2.0 + 0.01 * i, 1.7)).ToArray();
        string csv = WriteSyntheticCsv(CliRunner.TempDir(), truths);
        var outcome = CliRunner.Run("stats", csv, "--json");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        JsonElement j = JsonLines(outcome.Stdout).Single();
        Assert.AreEqual(8, j.GetProperty("n").GetInt32());
        Assert.AreEqual(truths.Average(t => t.Item1), j.GetProperty("mean_meV").GetDouble(), 0.002);
    }

    [TestMethod]
    public void Table_Json_RowsEqualFilmFigures()
    {
        string films = Path.Combine(FindRepo(), "tests", "data", "films", "reference_table_i.csv");
        var outcome = CliRunner.Run("table", films, "--json");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        JsonElement[] rows = JsonLines(outcome.Stdout).Single().EnumerateArray().ToArray();
        Assert.AreEqual(6, rows.Length);
        foreach (JsonElement r in rows)
        {
            double rSheet = r.GetProperty("r_sheet_ohm").GetDouble(), delta = r.GetProperty("delta_meV").GetDouble(), tc = r.GetProperty("tc_K").GetDouble();
            Assert.AreEqual(FilmFigures.SheetKineticInductancePH(rSheet, delta), r.GetProperty("l_sheet_pH").GetDouble(), 1e-12);
            Assert.AreEqual(FilmFigures.GapRatio(delta, tc), r.GetProperty("delta_over_kTc").GetDouble(), 1e-12);
        }

        Assert.AreEqual(93.4, rows[1].GetProperty("l_sheet_pH").GetDouble(), 0.1, "the paper's 5 nm film (93.35 from the rounded Δ = 2.02 meV)");
    }

    [TestMethod]
    public void Fit_BadCsv_ExitsOneWithFileAndLine()
    {
        string dir = CliRunner.TempDir();
        var cases = new (string Name, string Text, int Line, string Words)[]
        {
            ("ragged.csv", "bias_mV,a,b\n-1,1,1\n0,1\n1,1,1\n", 3, "fields"),
            ("word.csv", "bias_mV,a\n-1,1\n0,abc\n1,1\n", 3, "'abc'"),
            ("unsorted.csv", "bias_mV,a\n" + string.Join("\n", Enumerable.Range(0, 12).Select(i => $"{(i == 6 ? 100 : i)},1")) + "\n", 0, "monoton"),
        };
        foreach (var (name, text, line, words) in cases)
        {
            string path = Path.Combine(dir, name);
            File.WriteAllText(path, text);
            var outcome = CliRunner.Run("fit", path);
            Assert.AreEqual(1, outcome.ExitCode, name + ": " + outcome.Stderr);
            Assert.AreEqual(1, outcome.ErrorLines.Length, outcome.Stderr);
            StringAssert.Contains(outcome.ErrorLines[0], line > 0 ? $"{path}:{line}:" : path, name);
            StringAssert.Contains(outcome.ErrorLines[0], words, name);
        }
    }

    [TestMethod]
    public void Fit_NaNCell_IsDroppedWithANote()
    {
        var spectrum = SyntheticSpectra.Generate(new BcsParameters(2.02, 1.73), 101, 5.0, 0.002, new Random(3));
        var lines = new List<string> { "bias_mV,a" };
        for (int i = 0; i < spectrum.Count; i++)
            lines.Add($"{spectrum.BiasMV[i].ToString("R", Ci)},{(i == 40 ? "NaN" : spectrum.Conductance[i].ToString("R", Ci))}");
        string path = Path.Combine(CliRunner.TempDir(), "nan.csv");
        File.WriteAllLines(path, lines);
        var outcome = CliRunner.Run("fit", path, "--json");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        StringAssert.Contains(outcome.Stderr, "note:");
        Assert.AreEqual(100, JsonLines(outcome.Stdout).Single().GetProperty("points").GetInt32());
    }

    [TestMethod]
    public void Bench_WriteLine_MakesALineThatFitReads()
    {
        string path = Path.Combine(CliRunner.TempDir(), "line.csv");
        var written = CliRunner.Run("bench", "--write-line", path, "--spectra", "40", "--seed", "5");
        Assert.AreEqual(0, written.ExitCode, written.Stderr);
        var fits = JsonLines(CliRunner.Run("fit", path, "--json").Stdout);
        Assert.HasCount(40, fits);
        Assert.IsTrue(fits.All(f => f.GetProperty("flag").GetString() == "ok"));
        Assert.AreEqual(201, fits[0].GetProperty("points").GetInt32());
        // Δ = 2.02 ± 0.04 meV per spectrum: the mean of 40 within 4 standard errors (0.025 meV), T = 1.73 K.
        Assert.AreEqual(2.02, fits.Average(f => f.GetProperty("delta_meV").GetDouble()), 0.025);
        double tStandardError = Math.Sqrt(fits.Average(f => Math.Pow(f.GetProperty("t_eff_err_K").GetDouble(), 2)) / fits.Length);
        Assert.AreEqual(1.73, fits.Average(f => f.GetProperty("t_eff_K").GetDouble()), 4 * tStandardError);
    }

    [TestMethod]
    public void Stats_OnFiveSpectra_SaysWhyThereIsNoGaussianFit_NotNaN()
    {
        string path = Path.Combine(CliRunner.TempDir(), "five.csv");
        Assert.AreEqual(0, CliRunner.Run("bench", "--write-line", path, "--spectra", "5", "--seed", "5").ExitCode);
        var outcome = CliRunner.Run("stats", path);
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        StringAssert.Contains(outcome.Stdout, "Gaussian fit (Eq. 4)");
        Assert.IsFalse(outcome.Stdout.Contains("NaN", StringComparison.Ordinal), outcome.Stdout);
        // With a Gaussian, its rows; without one, one row saying why (it printed "Δ₀ NaN meV ± – µeV").
        var json = JsonLines(CliRunner.Run("stats", path, "--json").Stdout).Single();
        if (json.GetProperty("gauss_converged").GetBoolean()) StringAssert.Contains(outcome.Stdout, "Gaussian fit (Eq. 4): Δ₀");
        else StringAssert.Contains(outcome.Stdout, "none: ");
    }

    [TestMethod]
    public void BiasWindow_KeepsThePointsWithinIt_AndSaysSo()
    {
        // The real ±50 mV file (2,048 points, 0.049 mV steps): ±20 mV keeps 819 of them.
        string file = Path.Combine(FindRepo(), "tests", "data", "nanonis", "pynxtools-spm_generic_5_Bias-Spectroscopy00015.dat");
        var whole = JsonLines(CliRunner.Run("fit", file, "--json").Stdout).Single();
        var outcome = CliRunner.Run("fit", file, "--json", "--bias-window", "20");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        var cut = JsonLines(outcome.Stdout).Single();
        Assert.AreEqual(2048, whole.GetProperty("points").GetInt32());
        int kept = cut.GetProperty("points").GetInt32();
        Assert.IsTrue(kept is > 800 and < 840, $"{kept} points kept");
        Assert.IsTrue(cut.GetProperty("notes").EnumerateArray().Any(n => n.GetString()!.Contains($"the {kept} of 2048 points within ±20 mV", StringComparison.Ordinal)));

        var tooNarrow = CliRunner.Run("fit", file, "--bias-window", "0.1");
        Assert.AreEqual(1, tooNarrow.ExitCode, tooNarrow.Stderr);
        StringAssert.Contains(tooNarrow.Stderr, "keeps 4 of 2048 points");
        Assert.AreEqual(2, CliRunner.Run("fit", file, "--bias-window", "-3").ExitCode);
    }

    [TestMethod]
    public void Fit_UnknownOption_ExitsTwo()
    {
        var outcome = CliRunner.Run("fit", "--no-such-option", "x.csv");
        Assert.AreEqual(2, outcome.ExitCode, outcome.Stderr);
    }

    [TestMethod]
    public void Fit_LockInRms_ScalesTheNanonisAmplitudeBySqrtTwo()
    {
        // The Generic 5e sample states Lock-in>Amplitude; by default it is the peak V_m, with --lockin-rms √2 times it.
        string file = Path.Combine(FindRepo(), "tests", "data", "nanonis", "pynxtools-spm_generic_5e.dat");
        double Vm(params string[] extra)
        {
            var outcome = CliRunner.Run(["fit", file, "--json", .. extra]);
            Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
            return JsonLines(outcome.Stdout)[0].GetProperty("vm_mV").GetDouble();
        }
        double peak = Vm(), rms = Vm("--lockin-rms");
        Assert.IsTrue(peak > 0, $"V_m from the header: {peak}");
        Assert.AreEqual(Math.Sqrt(2) * peak, rms, 1e-12 * rms);
    }

    private static string FindRepo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NbnEdge.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
