using System.Text.Json;

namespace NbnEdge.Cli.Tests;

/// <summary>
/// Issue 16 item 5: faults of the environment, not of nbnedge (a full disk, a folder that cannot
/// be written, a port or address that cannot be had) get one line and exit 1 or 2, never an
/// internal error; what was received stays on disk and the summary is still printed.
/// </summary>
[TestClass]
public sealed class EnvironmentFaultTests
{
    private static readonly Lazy<string> Capture = new(() =>
    {
        string capture = Path.Combine(CliRunner.TempDir(), "line.nbnraw");
        var simulate = CliRunner.Run("simulate", "--spectra", "6", "--out", capture);
        Assert.AreEqual(0, simulate.ExitCode, simulate.Stderr);
        return capture;
    });

    private static void AssertOneLine(CliRunner.Outcome o, int exitCode, string expected)
    {
        Assert.AreEqual(exitCode, o.ExitCode, o.Stderr);
        Assert.IsFalse(o.Stderr.Contains("internal error", StringComparison.Ordinal), o.Stderr);
        Assert.IsFalse(o.Stderr.Contains("   at ", StringComparison.Ordinal), "no stack trace: " + o.Stderr);
        Assert.IsTrue(o.Stderr.Contains(expected, StringComparison.Ordinal), o.Stderr);
    }

    /// <summary>A journal folder whose file <paramref name="name"/> is /dev/full: every write fails with ENOSPC, as on a full disk.</summary>
    private static string JournalOnAFullDisk(string name)
    {
        string dir = CliRunner.TempDir();
        File.CreateSymbolicLink(Path.Combine(dir, name), "/dev/full");
        return dir;
    }

    [TestMethod]
    public void Monitor_ResultsJournalOnAFullDisk_KeepsTheRawBytes_PrintsTheSummary_ExitsOne()
    {
        if (!File.Exists("/dev/full")) Assert.Inconclusive("no /dev/full on this system");
        string dir = JournalOnAFullDisk("session.results.jsonl");
        var o = CliRunner.Run("monitor", Capture.Value, "--journal", dir, "--json");
        AssertOneLine(o, 1, "could not be written");
        Assert.HasCount(1, o.ErrorLines, o.Stderr);
        JsonElement j = o.Json();
        Assert.AreEqual(6, j.GetProperty("spectra_complete").GetInt32(), "the summary of everything received");
        CollectionAssert.AreEqual(File.ReadAllBytes(Capture.Value), File.ReadAllBytes(Path.Combine(dir, "session.nbnraw")), "every received byte is on disk");
    }

    [TestMethod]
    public void Monitor_RawJournalOnAFullDisk_StopsWithOneLine_AndASummary()
    {
        if (!File.Exists("/dev/full")) Assert.Inconclusive("no /dev/full on this system");
        string dir = JournalOnAFullDisk("session.nbnraw");
        var o = CliRunner.Run("monitor", Capture.Value, "--journal", dir);
        AssertOneLine(o, 1, "could not be written");
        Assert.HasCount(1, o.ErrorLines, o.Stderr);
        StringAssert.Contains(o.Stdout, "Monitor:", "the summary is printed");
    }

    [TestMethod]
    public void JournalFolderThatCannotBeCreated_IsOneLine_ExitOne()
    {
        // A folder under a regular file cannot be created, even by root (ENOTDIR).
        string file = Path.Combine(CliRunner.TempDir(), "a-file");
        File.WriteAllText(file, "x");
        string journal = Path.Combine(file, "journal");
        AssertOneLine(CliRunner.Run("monitor", Capture.Value, "--journal", journal), 1, "cannot write the session journal in " + journal);
        AssertOneLine(CliRunner.Run("demo", "--spectra", "3", "--journal", journal), 1, "cannot write the session journal in " + journal);
    }

    [TestMethod]
    public void DashboardPortOutOfRange_IsAUsageError()
    {
        AssertOneLine(CliRunner.Run("demo", "--spectra", "3", "--dashboard", "--dashboard-port", "70000"), 2, "--dashboard-port 70000: a TCP port is 0 to 65535");
        AssertOneLine(CliRunner.Run("demo", "--spectra", "3", "--dashboard", "--dashboard-port", "-1"), 2, "--dashboard-port -1");
        AssertOneLine(CliRunner.Run("monitor", Capture.Value, "--dashboard", "--dashboard-port", "65536"), 2, "--dashboard-port 65536");
    }

    [TestMethod]
    public void ListenOnAnAddressNotOfThisHost_IsOneClearLine()
    {
        var o = CliRunner.Run("demo", "--spectra", "3", "--dashboard", "--listen", "10.0.0.1");
        Assert.IsTrue(o.ExitCode is 1 or 2, $"exit {o.ExitCode}: {o.Stderr}");
        AssertOneLine(o, o.ExitCode, "10.0.0.1");
    }

    [TestMethod]
    public void Replay_ResultsJournalWithAWrongTypedLine_StillRebuildsFromTheRawBytes()
    {
        string dir = CliRunner.TempDir();
        Assert.AreEqual(0, CliRunner.Run("demo", "--spectra", "5", "--json", "--journal", dir).ExitCode);
        string results = Directory.GetFiles(dir, "*.results.jsonl").Single();
        string[] lines = File.ReadAllLines(results);
        lines[1] = lines[1].Replace("\"spectrum_id\":", "\"spectrum_id\":\"x\",\"was\":", StringComparison.Ordinal);
        lines[3] = "[1,2,3]";
        File.WriteAllLines(results, lines);
        var o = CliRunner.Run("replay", dir, "--json");
        Assert.AreEqual(0, o.ExitCode, o.Stderr);
        Assert.IsFalse(o.Stderr.Contains("internal error", StringComparison.Ordinal), o.Stderr);
        JsonElement j = o.Json();
        Assert.AreEqual(5, j.GetProperty("spectra_complete").GetInt32(), "the raw rebuild is whole");
        Assert.AreEqual(3, j.GetProperty("journal_results_matching").GetInt32());
    }
}
