using System.CommandLine;
using System.Text.RegularExpressions;

namespace NbnEdge.Cli.Tests;

/// <summary>Issue 15 item 4: help that names units, errors in words, typos answered, one meaning per option.</summary>
[TestClass]
public class CliConventionsTests
{
    private static readonly string[] Commands = ["fit", "stats", "table", "bench", "map", "serve", "model-table", "demo", "monitor", "ingest", "replay", "simulate", "estimate", "flash", "boards"];

    [TestMethod]
    public void EveryHelpPrintsAndNoPlaceholderIsTheOptionsOwnName()
    {
        foreach (string c in Commands)
        {
            var r = CliRunner.Run(c, "--help");
            Assert.AreEqual(0, r.ExitCode, c);
            StringAssert.Contains(r.Stdout, "Usage:", $"{c} --help prints its help");
            foreach (Match m in Regex.Matches(r.Stdout, @"(--[a-z-]+) <([^>]+)>"))
            {
                string option = m.Groups[1].Value, placeholder = m.Groups[2].Value;
                bool choices = placeholder.Contains('|');
                string letters = placeholder.Replace("x", "", StringComparison.Ordinal); // WxH
                Assert.IsTrue(choices || letters == letters.ToUpperInvariant(), $"{c} {option} <{placeholder}>: placeholders name the unit or kind, in capitals");
                Assert.AreNotEqual(option.TrimStart('-'), placeholder, $"{c} {option}");
            }
        }

        StringAssert.Contains(CliRunner.Run("fit", "--help").Stdout, "--vm <MV>");
        StringAssert.Contains(CliRunner.Run("fit", "--help").Stdout, "--plot <DIR>");
    }

    [TestMethod]
    public void ValuesThatAreNotNumbersAreSaidInWords()
    {
        var r = CliRunner.Run("fit", "x.csv", "--vm", "abc");
        Assert.AreEqual(2, r.ExitCode);
        Assert.AreEqual("nbnedge: --vm: 'abc' is not a number (MV).", r.ErrorLines[0]);
        Assert.IsFalse(r.Stderr.Contains("System.", StringComparison.Ordinal), "no .NET type names");
        var n = CliRunner.Run("demo", "--spectra", "many");
        Assert.AreEqual("nbnedge: --spectra: 'many' is not a whole number (N).", n.ErrorLines[0]);
    }

    [TestMethod]
    public void ATypoedCommandGetsTheNearestOne()
    {
        var r = CliRunner.Run("fitt", "line.csv");
        Assert.AreEqual(2, r.ExitCode);
        Assert.AreEqual("nbnedge: no command 'fitt': did you mean 'fit'?", r.ErrorLines[0]);
        Assert.AreEqual(2, r.ErrorLines.Length, "one line for the mistake, one for where help is");
        StringAssert.Contains(CliRunner.Run("moniter").Stderr, "did you mean 'monitor'?");
        StringAssert.Contains(CliRunner.Run("xyzzy").Stderr, "no command 'xyzzy' (see 'nbnedge --help')");
        Assert.AreEqual(3, CliConventions.Distance("kitten", "sitting"));
    }

    [TestMethod]
    public void PortIsAlwaysASerialPortAndTheWebPortIsDashboardPort()
    {
        foreach (string c in Commands)
        {
            string help = CliRunner.Run(c, "--help").Stdout;
            var portLine = Regex.Match(help, @"^\s+--port <(?<p>[^>]+)>\s+(?<d>.*)$", RegexOptions.Multiline);
            if (portLine.Success)
            {
                Assert.AreEqual("DEVICE", portLine.Groups["p"].Value, c);
                StringAssert.Matches(portLine.Groups["d"].Value, new Regex("[Ss]erial|USB port"), $"{c}: --port is a serial port");
            }
            if (help.Contains("Dashboard port", StringComparison.Ordinal))
                StringAssert.Contains(help, "--dashboard-port <PORT>", c);
        }

        Assert.AreEqual(2, CliRunner.Run("demo", "--port", "8080").ExitCode, "demo has no --port any more");
    }
}
