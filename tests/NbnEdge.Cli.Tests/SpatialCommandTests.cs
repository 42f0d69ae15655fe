using System.Text;
using System.Text.Json;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Model;
using NbnEdge.Analysis.Synthetic;

namespace NbnEdge.Cli.Tests;

/// <summary>ξ_Δ in stats and demo, and the carried errors in table (issue 13 items 1 and 2).</summary>
[TestClass]
public sealed class SpatialCommandTests
{
    private static readonly System.Globalization.CultureInfo Ci = System.Globalization.CultureInfo.InvariantCulture;

    /// <summary>A CSV line of 40 spectra whose Δ ramps smoothly: neighbours alike, unmistakably correlated.</summary>
    private static string SmoothLineCsv()
    {
        var spectra = Enumerable.Range(0, 40).Select(i => SyntheticSpectra.Generate(
            new BcsParameters(2.0 + 0.05 * Math.Sin(i / 6.0), 1.7, Scale: 1.0), 201, 5.0, 0.002, new Random(i), $"s{i}")).ToArray();
        var sb = new StringBuilder("bias_mV");
        foreach (var s in spectra) sb.Append(',').Append(s.Name);
        sb.Append('\n');
        for (int p = 0; p < 201; p++)
        {
            sb.Append(spectra[0].BiasMV[p].ToString("R", Ci));
            foreach (var s in spectra) sb.Append(',').Append(s.Conductance[p].ToString("R", Ci));
            sb.Append('\n');
        }
        string path = Path.Combine(CliRunner.TempDir(), "line.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [TestMethod]
    public void Stats_WithSpacing_ReportsCorrelationLengthAndTest()
    {
        var outcome = CliRunner.Run("stats", SmoothLineCsv(), "--spacing-nm", "2.5", "--json");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        var j = outcome.Json();
        Assert.IsTrue(j.GetProperty("spatially_correlated").GetBoolean());
        Assert.IsTrue(j.GetProperty("spatial_correlation_p_value").GetDouble() < 0.01);
        double xi = j.GetProperty("correlation_length_nm").GetDouble();
        var ci = j.GetProperty("correlation_length_ci_nm").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.IsTrue(ci[0] <= xi && xi <= ci[1], $"{xi} outside [{ci[0]}, {ci[1]}]");
        Assert.AreEqual(2.5, j.GetProperty("spatial").GetProperty("spacing_nm").GetDouble(), 1e-9);
        Assert.AreEqual("line", j.GetProperty("spatial").GetProperty("kind").GetString());
    }

    [TestMethod]
    public void Stats_WithoutPositions_SaysHowToGiveThem()
    {
        var outcome = CliRunner.Run("stats", SmoothLineCsv(), "--json");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        var j = outcome.Json();
        Assert.AreEqual(JsonValueKind.Null, j.GetProperty("correlation_length_nm").ValueKind);
        Assert.AreEqual(JsonValueKind.Null, j.GetProperty("spatially_correlated").ValueKind);
        StringAssert.Contains(j.GetProperty("spatial_note").GetString(), "--spacing-nm");
        var text = CliRunner.Run("stats", SmoothLineCsv());
        StringAssert.Contains(text.Stdout, "--spacing-nm");
    }

    [TestMethod]
    [DataRow("0")]
    [DataRow("-2")]
    [DataRow("NaN")]
    public void Stats_BadSpacing_IsAUsageError(string spacing)
    {
        var outcome = CliRunner.Run("stats", SmoothLineCsv(), "--spacing-nm", spacing);
        Assert.AreEqual(2, outcome.ExitCode);
        StringAssert.Contains(outcome.Stderr, "--spacing-nm");
    }

    [TestMethod]
    public void Table_ErrorColumns_CarriedIntoJson()
    {
        string path = Path.Combine(CliRunner.TempDir(), "films.csv");
        File.WriteAllText(path, "name,thickness_nm,tc_K,r_sheet_ohm,delta_meV,delta_err_meV,r_sheet_err_ohm,tc_err_K\n" +
                                "NbN 5 nm,5,10.4,900,2.02,0.0202,18,\n" +
                                "NbN 4 nm,4,7.0,1000,1.60,,,\n");
        var outcome = CliRunner.Run("table", path, "--json");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        var rows = outcome.Json().EnumerateArray().ToArray();
        double l = rows[0].GetProperty("l_sheet_pH").GetDouble();
        // 1 % on Δ and 2 % on R_□: √5 % of L_□; only Δ's 1 % on Δ/k_BT_c.
        Assert.AreEqual(l * Math.Sqrt(0.01 * 0.01 + 0.02 * 0.02), rows[0].GetProperty("l_sheet_err_pH").GetDouble(), 1e-9 * l);
        Assert.AreEqual(0.01 * rows[0].GetProperty("delta_over_kTc").GetDouble(), rows[0].GetProperty("delta_over_kTc_err").GetDouble(), 1e-12);
        Assert.AreEqual(JsonValueKind.Null, rows[1].GetProperty("l_sheet_err_pH").ValueKind);
        StringAssert.Contains(CliRunner.Run("table", path).Stdout, "±");
    }

    [TestMethod]
    public void Demo_Json_HasCorrelationLength_AndTheTableRowsErrors()
    {
        var outcome = CliRunner.Run("demo", "--spectra", "120", "--json", "--journal", CliRunner.TempDir());
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        var j = outcome.Json();
        Assert.AreEqual(20.0, j.GetProperty("true_correlation_length_nm").GetDouble());
        Assert.IsTrue(j.GetProperty("spatially_correlated").GetBoolean());
        var ci = j.GetProperty("correlation_length_ci_nm").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.IsTrue(ci[0] < 20 && 20 < ci[1], $"true ξ 20 nm outside [{ci[0]}, {ci[1]}]");
        var row = j.GetProperty("table_row");
        double dErr = row.GetProperty("delta_err_meV").GetDouble();
        Assert.AreEqual(j.GetProperty("spatial").GetProperty("mean_err_meV").GetDouble(), dErr, 1e-15);
        Assert.AreEqual(row.GetProperty("l_sheet_pH").GetDouble() * dErr / row.GetProperty("delta_meV").GetDouble(),
            row.GetProperty("l_sheet_err_pH").GetDouble(), 1e-12);
    }
}

/// <summary>The figures of issue 13 item 3 through stats --plot.</summary>
[TestClass]
public sealed class SpatialFigureCommandTests
{
    [TestMethod]
    public void Stats_Plot_DrawsEveryTrace_TheAverage_AndTheVariogram()
    {
        string dir = CliRunner.TempDir();
        string input = Path.Combine(CliRunner.RepoRoot(), "examples", "line-5nm.csv");
        var r = CliRunner.Run("stats", input, "--vm", "0.035", "--spacing-nm", "18.4", "--plot", dir, "--plot-format", "svg");
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        foreach (var name in new[] { "waterfall.svg", "averaged-spectrum.svg", "variogram.svg", "histogram.svg" })
            Assert.IsTrue(File.Exists(Path.Combine(dir, name)), name);
        string waterfall = File.ReadAllText(Path.Combine(dir, "waterfall.svg"));
        StringAssert.Contains(waterfall, "24 spectra, normalised and offset");
        Assert.IsFalse(waterfall.Contains("spectra shown"), "no spectrum is left out");
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "averaged-spectrum.svg")), "mean of 24");
        SvgText.AssertSubscript(Path.Combine(dir, "variogram.svg"), "ξ", "Δ");
        SvgText.AssertSubscript(Path.Combine(dir, "histogram.svg"), "σ", "int");
        SvgText.AssertSubscript(Path.Combine(dir, "averaged-spectrum.svg"), "T", "eff");
        StringAssert.Contains(File.ReadAllText(Path.Combine(dir, "histogram.svg")), "mean Δ");
        foreach (var svg in Directory.GetFiles(dir, "*.svg")) SvgText.AssertNoMarkup(svg);
    }
}
