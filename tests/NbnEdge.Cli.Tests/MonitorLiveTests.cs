using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NbnEdge.Firmware.Protocol;
using NbnEdge.Link.Transports;

namespace NbnEdge.Cli.Tests;

/// <summary>Issue 15 items 5 and 6: a monitor that cannot open its port, and one that joins a running board.</summary>
[TestClass]
public sealed class MonitorLiveTests
{
    [TestMethod]
    public void Monitor_MissingSerialPort_SaysNoSuchDevice_ListsPorts_AndLeavesNoFolder()
    {
        string dir = CliRunner.TempDir();
        string session = Path.Combine(dir, "session");
        var r = CliRunner.Run("monitor", "--port", "/dev/nbnedge-no-such-port", "--journal", session);
        Assert.AreEqual(1, r.ExitCode, r.Stderr);
        Assert.HasCount(1, r.ErrorLines, r.Stderr);
        StringAssert.Contains(r.Stderr, "/dev/nbnedge-no-such-port: no such serial device");
        StringAssert.Contains(r.Stderr, "serial port");
        Assert.IsFalse(r.Stderr.Contains("denied", StringComparison.OrdinalIgnoreCase), r.Stderr);
        Assert.IsFalse(Directory.Exists(session), "a session that received no byte leaves no folder");
    }

    [TestMethod]
    public void Monitor_TcpWithNothingListening_SaysSo_AndLeavesNoFolder()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        string session = Path.Combine(CliRunner.TempDir(), "session");
        var r = CliRunner.Run("monitor", $"tcp://127.0.0.1:{port}", "--journal", session);
        Assert.AreEqual(1, r.ExitCode, r.Stderr);
        StringAssert.Contains(r.Stderr, $"tcp://127.0.0.1:{port}: nothing listening there");
        Assert.IsFalse(Directory.Exists(session));
    }

    [TestMethod]
    public void Monitor_TcpBoardHangsUp_SaysItWillRetry_OnStderr_AndKeepsWhatArrived()
    {
        string dir = CliRunner.TempDir();
        string capture = Path.Combine(dir, "line.nbnraw");
        Assert.AreEqual(0, CliRunner.Run("simulate", "--spectra", "3", "--out", capture).ExitCode);
        byte[] bytes = File.ReadAllBytes(capture);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // One connection gets the whole line, then the "board" hangs up and stops answering.
        var board = Task.Run(() =>
        {
            using var client = listener.AcceptTcpClient();
            client.GetStream().Write(bytes);
            client.GetStream().Flush();
            Thread.Sleep(300);
            listener.Stop();
        });
        var r = CliRunner.Run("monitor", $"tcp://127.0.0.1:{port}", "--no-journal", "--duration", "4", "--json");
        board.Wait(TimeSpan.FromSeconds(30));
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        StringAssert.Contains(r.Stderr, $"nbnedge monitor: tcp://127.0.0.1:{port}: waiting to retry (");
        Assert.AreEqual(3, r.Json().GetProperty("spectra_complete").GetInt32(), r.Stdout);
    }

    [TestMethod]
    public void Monitor_CaptureWithoutASpectrum_SaysLatencyHasNoSpectra()
    {
        string dir = CliRunner.TempDir();
        string capture = Path.Combine(dir, "line.nbnraw");
        Assert.AreEqual(0, CliRunner.Run("simulate", "--spectra", "2", "--out", capture).ExitCode);
        string head = Path.Combine(dir, "head.nbnraw");
        File.WriteAllBytes(head, File.ReadAllBytes(capture)[..100]); // the HELLO and a few frames: no whole spectrum
        var r = CliRunner.Run("monitor", head, "--no-journal");
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        StringAssert.Contains(r.Stdout, "Latency, last chunk → fit: no spectra.");
        StringAssert.Contains(r.Stdout, "Fewer than 3 usable fits: no homogeneity statistics.");
    }

    [TestMethod]
    public void SerialOpenFailure_PermissionDenied_NamesTheDialoutGroup_AndThePortsPresent()
    {
        string text = SerialByteSource.DescribeOpenFailure("/dev/ttyUSB0", new UnauthorizedAccessException("Access to the port is denied"), exists: true, ["/dev/ttyUSB1", "/dev/ttyACM0"]);
        if (!OperatingSystem.IsWindows()) StringAssert.Contains(text, "'dialout' group");
        StringAssert.Contains(text, "serial ports present: /dev/ttyACM0, /dev/ttyUSB1");
        string missing = SerialByteSource.DescribeOpenFailure("/dev/ttyUSB0", new UnauthorizedAccessException("Access to the port is denied"), exists: false, []);
        Assert.AreEqual("/dev/ttyUSB0: no such serial device (no serial ports found).", missing);
    }

    [TestMethod]
    public void Monitor_JoiningMidStream_FitsTheSpectrumBeforeHello_AndEqualsIngest()
    {
        string dir = CliRunner.TempDir();
        string capture = Path.Combine(dir, "line.nbnraw");
        var simulate = CliRunner.Run("simulate", "--spectra", "8", "--out", capture);
        Assert.AreEqual(0, simulate.ExitCode, simulate.Stderr);
        string joined = Path.Combine(dir, "joined.nbnraw");
        File.WriteAllBytes(joined, HelloAfterFirstSpectrum(File.ReadAllBytes(capture)));

        var live = CliRunner.Run("monitor", joined, "--no-journal", "--json");
        var replay = CliRunner.Run("ingest", joined, "--json");
        Assert.AreEqual(0, live.ExitCode, live.Stderr);
        Assert.AreEqual(0, replay.ExitCode, replay.Stderr);
        JsonElement l = live.Json(), p = replay.Json();
        Assert.AreEqual(8, l.GetProperty("spectra_fitted").GetInt32(), "the spectrum before HELLO is held and fitted once HELLO comes");
        foreach (string field in new[] { "bytes", "frames_ok", "spectra_received", "spectra_fitted", "estimates", "n", "mean_delta_meV", "sd_meV", "gauss_sigma_meV", "intrinsic_sigma_meV", "intrinsic_sigma_ci_meV", "outliers", "rms_fit_error_meV", "estimate_vs_fit_rms_meV", "recompute_checked", "recompute_mismatches" })
            Assert.AreEqual(p.GetProperty(field).GetRawText(), l.GetProperty(field).GetRawText(), field);
    }

    /// <summary>
    /// The bytes a monitor sees when it joins a running board and PINGs: the first spectrum (with
    /// its ESTIMATE) before any HELLO, the HELLO after it. Frames are moved whole (split at 0x00).
    /// </summary>
    private static byte[] HelloAfterFirstSpectrum(byte[] capture)
    {
        var frames = new List<(byte[] Bytes, byte Type)>();
        var decoder = new FrameDecoder();
        int start = 0;
        for (int i = 0; i < capture.Length; i++)
        {
            bool ready = decoder.Push(capture[i]);
            if (capture[i] != 0) continue;
            frames.Add((capture[start..(i + 1)], ready ? decoder.Frame.Type : (byte)0));
            start = i + 1;
        }

        Assert.AreEqual(capture.Length, start, "the capture ends with a frame delimiter");
        int hello = frames.FindIndex(f => f.Type == MessageType.Hello);
        int firstSpectrum = frames.FindIndex(f => f.Type == MessageType.Spectrum);
        int firstEstimate = frames.FindIndex(f => f.Type == MessageType.Estimate);
        Assert.IsTrue(hello >= 0 && hello < firstSpectrum && firstSpectrum < firstEstimate, $"hello {hello}, spectrum {firstSpectrum}, estimate {firstEstimate}");
        var moved = frames.Where((_, i) => i != hello && i < hello).ToList();
        moved.AddRange(frames.Skip(hello + 1).Take(firstEstimate - hello));
        moved.Add(frames[hello]);
        moved.AddRange(frames.Skip(firstEstimate + 1));
        Assert.AreEqual(frames.Count, moved.Count);
        return moved.SelectMany(f => f.Bytes).ToArray();
    }
}

/// <summary>Issue 15 item 7: --film-ref for the live Table I row.</summary>
[TestClass]
public sealed class FilmReferenceOptionTests
{
    [TestMethod]
    public void Demo_WithFilmRef_UsesTheUsersFilm_AndLSheetIsHbarROverPiDelta()
    {
        var r = CliRunner.Run("demo", "--spectra", "5", "--film-ref", "my NbN,12,11.5,310", "--journal", Path.Combine(CliRunner.TempDir(), "j"), "--json");
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        JsonElement row = r.Json().GetProperty("table_row");
        Assert.AreEqual("my NbN", row.GetProperty("film").GetString());
        Assert.AreEqual(12.0, row.GetProperty("thickness_nm").GetDouble());
        Assert.AreEqual(11.5, row.GetProperty("tc_K").GetDouble());
        Assert.AreEqual(310.0, row.GetProperty("r_sheet_ohm").GetDouble());
        double deltaMeV = row.GetProperty("delta_meV").GetDouble();
        // Independent: L_□ = ħ R_□ / (π Δ), Δ/k_BT_c with CODATA constants.
        const double hbar = 1.054571817e-34, eV = 1.602176634e-19, kB = 1.380649e-23;
        Assert.AreEqual(hbar * 310 / (Math.PI * deltaMeV * 1e-3 * eV) * 1e12, row.GetProperty("l_sheet_pH").GetDouble(), 1e-6);
        Assert.AreEqual(deltaMeV * 1e-3 * eV / (kB * 11.5), row.GetProperty("delta_over_kTc").GetDouble(), 1e-6);
        Assert.AreEqual(JsonValueKind.Null, row.GetProperty("paper_delta_meV").ValueKind, "no paper figures for the user's film");
    }

    [TestMethod]
    public void FilmRefFile_IsRead_AndBadValuesExitTwoWithTheLine()
    {
        string dir = CliRunner.TempDir();
        string good = Path.Combine(dir, "film.conf");
        File.WriteAllText(good, "# my film\nname = sputtered NbN\nd_nm = 8\ntc_K = 10.1\nr_sheet_ohm = 520\n");
        var r = CliRunner.Run("demo", "--spectra", "4", "--film-ref", good, "--journal", Path.Combine(dir, "j"), "--json");
        Assert.AreEqual(0, r.ExitCode, r.Stderr);
        Assert.AreEqual("sputtered NbN", r.Json().GetProperty("table_row").GetProperty("film").GetString());

        string bad = Path.Combine(dir, "bad.conf");
        File.WriteAllText(bad, "name = x\nd_nm = 8\ntc = 10\n");
        foreach (var (value, expected) in new[]
                 {
                     ("x,1,2", "4 comma-separated fields, got 3"),
                     ("x,-1,10,300", "d_nm must be a positive number in nm, got '-1'"),
                     ("x,5,abc,300", "tc_K must be a positive number in K, got 'abc'"),
                     (",5,10,300", "name is empty"),
                     (bad, "line 3: unknown key 'tc'"),
                 })
        {
            foreach (string command in new[] { "demo", "monitor" })
            {
                string[] args = command == "demo" ? ["demo", "--film-ref", value] : ["monitor", "tcp://127.0.0.1:9", "--film-ref", value];
                var e = CliRunner.Run(args);
                Assert.AreEqual(2, e.ExitCode, $"{command} {value}: {e.Stderr}");
                StringAssert.Contains(e.Stderr, expected);
            }
        }
    }
}
