using System.Globalization;
using System.Text;
using System.Text.Json;
using NbnEdge.Analysis.Model;

namespace NbnEdge.Cli.Tests;

/// <summary>Issue 16 items 1, 2 and 4 through the command line: half sweeps, dead channels, fit options.</summary>
[TestClass]
public sealed class FitEdgeCaseCliTests
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    private static string WriteCsv(string name, double from, double to, int points, Func<double, double>[] columns)
    {
        var sb = new StringBuilder("bias_mV");
        for (int c = 0; c < columns.Length; c++) sb.Append(",s").Append(c);
        sb.Append('\n');
        for (int i = 0; i < points; i++)
        {
            double v = from + (to - from) * i / (points - 1);
            sb.Append(v.ToString("R", Ci));
            foreach (var f in columns) sb.Append(',').Append(f(v).ToString("R", Ci));
            sb.Append('\n');
        }
        string path = Path.Combine(CliRunner.TempDir(), name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    private static double Gap(double v) => 3.7e-9 * ThermalBcsModel.Conductance(v, 1.5, 1.0);

    [TestMethod]
    public void OneSidedSweepOf256PointsIsFitted()
    {
        string csv = WriteCsv("half.csv", -5, 0, 256, [Gap]);
        var outcome = CliRunner.Run("fit", csv, "--json");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        var row = JsonDocument.Parse(outcome.Stdout.Trim()).RootElement;
        Assert.AreEqual(1.5, row.GetProperty("delta_meV").GetDouble(), 1e-3, row.GetRawText());
    }

    [TestMethod]
    [DataRow("--vm", "NaN")]
    [DataRow("--vm", "-0.1")]
    [DataRow("--vm", "Infinity")]
    [DataRow("--gamma", "NaN")]
    [DataRow("--gamma", "Infinity")]
    [DataRow("--gamma", "-1")]
    [DataRow("--gamma", "1000")]
    public void AbsurdFitOptionsAreUsageErrors(string option, string value)
    {
        string csv = WriteCsv("ok.csv", -5, 5, 101, [Gap]);
        foreach (string command in new[] { "fit", "stats" })
        {
            var outcome = CliRunner.Run(command, csv, option, value);
            Assert.AreEqual(2, outcome.ExitCode, $"{command} {option} {value}: {outcome.Stderr}");
            Assert.AreEqual(1, outcome.ErrorLines.Length, outcome.Stderr);
            StringAssert.Contains(outcome.Stderr, option);
        }
    }

    [TestMethod]
    public void ModulationWiderThanTheSweepIsSaidNotClamped()
    {
        string csv = WriteCsv("ok.csv", -5, 5, 101, [Gap]);
        var outcome = CliRunner.Run("fit", csv, "--vm", "100", "--json");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        StringAssert.Contains(outcome.Stderr, "V_m = 100 mV");
        var row = JsonDocument.Parse(outcome.Stdout.Trim()).RootElement;
        Assert.AreEqual("vm_too_large", row.GetProperty("flag").GetString());
    }

    /// <summary>A dead channel (all zeros) among good spectra: flagged no_gap, left out of the statistics, which stay those of the good ones.</summary>
    [TestMethod]
    public void DeadChannelStaysOutOfTheStatistics()
    {
        var rng = new Random(4);
        var columns = new List<Func<double, double>>();
        var deltas = new[] { 1.50, 1.52, 1.48, 1.51, 1.49 };
        foreach (double d in deltas) columns.Add(v => 3.7e-9 * ThermalBcsModel.Conductance(v, d, 1.0));
        columns.Add(_ => 0.0);
        string csv = WriteCsv("line.csv", -5, 5, 201, columns.ToArray());
        var outcome = CliRunner.Run("stats", csv, "--json");
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        var json = outcome.Json();
        Assert.AreEqual(deltas.Average(), json.GetProperty("mean_meV").GetDouble(), 1e-4, outcome.Stdout);
        var excluded = json.GetProperty("excluded").EnumerateArray().ToArray();
        Assert.AreEqual(1, excluded.Length);
        Assert.AreEqual("no_gap", excluded[0].GetProperty("flag").GetString());
    }
}
