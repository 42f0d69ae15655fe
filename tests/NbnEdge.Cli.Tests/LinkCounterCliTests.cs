using System.Text.Json;

namespace NbnEdge.Cli.Tests;

/// <summary>Issue 16 item 8 as the user sees it: the counters in <c>ingest --json</c>, and the reason a capture gives nothing.</summary>
[TestClass]
public sealed class LinkCounterCliTests
{
    private static byte[] SimulatedCapture(int spectra)
    {
        string capture = Path.Combine(CliRunner.TempDir(), "line.nbnraw");
        var simulate = CliRunner.Run("simulate", "--spectra", spectra.ToString(), "--out", capture);
        Assert.AreEqual(0, simulate.ExitCode, simulate.Stderr);
        return File.ReadAllBytes(capture);
    }

    private static string Write(byte[] bytes)
    {
        string path = Path.Combine(CliRunner.TempDir(), "capture.nbnraw");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [TestMethod]
    public void CaptureWithoutHello_SaysTheHelloIsMissing()
    {
        byte[] capture = SimulatedCapture(4);
        int helloEnd = Array.IndexOf(capture, (byte)0) + 1; // the board's first frame is its HELLO
        var o = CliRunner.Run("ingest", Write(capture[helloEnd..]));
        Assert.AreEqual(1, o.ExitCode, o.Stderr);
        StringAssert.Contains(o.Stderr, "no HELLO");
        Assert.HasCount(1, o.ErrorLines);
    }

    [TestMethod]
    public void DuplicatedAndSwappedFrames_AreCountedAsSuch_InTheJson()
    {
        byte[] capture = SimulatedCapture(4);
        var frames = new List<byte[]>();
        int start = 0;
        for (int i = 0; i < capture.Length; i++)
        {
            if (capture[i] == 0) { frames.Add(capture[start..(i + 1)]); start = i + 1; }
        }

        // Frame 3 twice; frames 5 and 6 swapped.
        var mangled = new List<byte[]>(frames);
        mangled.Insert(4, frames[3]);
        (mangled[6], mangled[7]) = (mangled[7], mangled[6]);
        var o = CliRunner.Run("ingest", Write([.. mangled.SelectMany(f => f)]), "--json");
        Assert.AreEqual(0, o.ExitCode, o.Stderr);
        JsonElement j = o.Json();
        Assert.AreEqual(1, j.GetProperty("frames_duplicated").GetInt32());
        Assert.AreEqual(1, j.GetProperty("frames_reordered").GetInt32());
        Assert.AreEqual(0, j.GetProperty("frames_lost").GetInt32());
        Assert.AreEqual(0, j.GetProperty("reboots").GetInt32());
    }
}
