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
        // The Z channel of this constant-height grid holds no gap anywhere. (The issue's case,
        // --channel Current, now leaves one 96 K "gap" pixel of the I–V curve usable, so it no
        // longer gives zero usable fits.)
        var r = CliRunner.Run("map", Nanonis("SpmGrids_Grid-Spectroscopy002.3ds"), "--channel", "Z", "--out", dir);
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

    [TestMethod]
    public void SpectrumFiguresUseEngineeringUnitsTheFlagAndOneUnitForDelta()
    {
        // Before: "dI/dV (arb. units)" with 1.6E-12 ticks for a channel in amperes; no flag; Δ's error in its own digits.
        string dir = CliRunner.TempDir();
        var r = CliRunner.Run("fit", Nanonis("nanonis-xarray_i_v.dat"), "--plot", dir, "--plot-format", "svg");
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        var json = CliRunner.Run("fit", Nanonis("nanonis-xarray_i_v.dat"), "--json").Json();
        string flag = json.GetProperty("flag").GetString()!;
        var svgFile = Directory.GetFiles(dir, "spectrum-fit-*.svg").Single();
        string svg = File.ReadAllText(svgFile);
        Assert.IsEmpty(Directory.GetFiles(dir, "*.png"), "only SVG was asked for");
        StringAssert.Contains(svg, "dI/dV (pA)", "the LIX channel is in A: its values ≈ 1.5e-12 read in pA");
        Assert.DoesNotContain("arb. units", svg);
        if (flag != "ok") StringAssert.Contains(svg, $"[{flag}]", "a fit that is not ok says so on its figure");
        double delta = json.GetProperty("delta_meV").GetDouble(), err = json.GetProperty("delta_err_meV").GetDouble();
        // One significant digit of the error (two when it starts with 1 or 2), the value to the same place, one unit.
        int exp = (int)Math.Floor(Math.Log10(err));
        int decimals = -exp + (err / Math.Pow(10, exp) < 3 ? 1 : 0);
        string expected = $"Δ = {delta.ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture)} ± {err.ToString("F" + decimals, System.Globalization.CultureInfo.InvariantCulture)} meV";
        StringAssert.Contains(System.Net.WebUtility.HtmlDecode(svg), expected);
        Assert.DoesNotContain("µeV", svg);
        // Issue 15 item 10: T_eff in the title is a real subscript, and no figure prints its markup.
        SvgText.AssertSubscript(svgFile, "T", "eff");
        foreach (var file in Directory.GetFiles(dir, "*.svg")) SvgText.AssertNoMarkup(file, $"[{flag}]");
    }

    [TestMethod]
    public void PlotSpectraChoosesTheSpectraDrawn()
    {
        string dir = CliRunner.TempDir();
        string file = Nanonis("pynxtools-spm_generic_5e.dat");
        var names = CliRunner.Run("fit", file, "--json", "--sweeps", "each").Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("spectrum").GetString()!).ToArray();
        Assert.IsGreaterThan(1, names.Length, "the file has several sweeps");
        var r = CliRunner.Run("fit", file, "--sweeps", "each", "--plot", dir, "--plot-format", "svg", "--plot-spectra", names[^1]);
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        var drawn = Directory.GetFiles(dir, "spectrum-fit-*.svg");
        Assert.HasCount(1, drawn);
        StringAssert.Contains(File.ReadAllText(drawn[0]), System.Net.WebUtility.HtmlEncode(names[^1]).Split(' ')[0]);

        string all = CliRunner.TempDir();
        Assert.AreEqual(0, CliRunner.Run("fit", file, "--sweeps", "each", "--plot", all, "--plot-format", "svg", "--plot-spectra", "all").ExitCode);
        Assert.HasCount(names.Length, Directory.GetFiles(all, "spectrum-fit-*.svg"));

        var bad = CliRunner.Run("fit", file, "--plot", dir, "--plot-spectra", "no such spectrum");
        Assert.AreEqual(2, bad.ExitCode);
        StringAssert.Contains(bad.Stderr, "no spectrum is named 'no such spectrum'");
    }

    [TestMethod]
    public void PlotSpectraTakesGridPixelNamesWithTheirComma()
    {
        // A real grid's pixel names hold a comma ("x=3,y=7"): --plot-spectra "x=3,y=7,x=4,y=7" said "no spectrum is named 'x=3'".
        string dir = CliRunner.TempDir();
        var r = CliRunner.Run("fit", Nanonis("SpmGrids_Grid-Spectroscopy002.3ds"), "--plot", dir, "--plot-format", "svg", "--plot-spectra", "x=3,y=7, x=4,y=7");
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        CollectionAssert.AreEquivalent(new[] { "spectrum-fit-x_3_y_7.svg", "spectrum-fit-x_4_y_7.svg" },
            Directory.GetFiles(dir, "spectrum-fit-*.svg").Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    [DataRow("--plot-size", "3x")]
    [DataRow("--plot-size", "0x2in")]
    [DataRow("--plot-dpi", "5")]
    [DataRow("--plot-format", "gif")]
    public void MalformedFigureOptionsAreUsageErrors(string option, string value)
    {
        var r = CliRunner.Run("fit", Nanonis("spectrafox_Pb100_Spectrum001.dat"), "--plot", CliRunner.TempDir(), option, value);
        Assert.AreEqual(2, r.ExitCode, r.Stderr);
        StringAssert.Contains(r.Stderr, option);
    }
}
