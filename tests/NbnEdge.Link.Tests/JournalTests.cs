using System.Diagnostics;
using NbnEdge.Link.Journal;
using NbnEdge.Link.Transports;

namespace NbnEdge.Link.Tests;

[TestClass]
public sealed class JournalTests
{
    private static string NewDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "nbnedge-link-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [TestMethod]
    public async Task Session_JournalsEveryByteBeforeDecoding_AndReplayRebuildsEverySpectrum()
    {
        string dir = NewDirectory();
        var w = new WireBuilder(30).Hello();
        w.AddSpectra(5);
        byte[] wire = w.ToArray();
        var live = new List<ReceivedSpectrum>();
        long journalLengthAtFirstSpectrum = -1;
        SessionJournal journal = new(dir, "s1");
        await using (var session = new LinkSession(StreamByteSource.FromBytes(wire, "sim"), journal, readBufferBytes: 97))
        {
            session.SpectrumReceived += s =>
            {
                live.Add(s);
                if (journalLengthAtFirstSpectrum < 0) journalLengthAtFirstSpectrum = journal.Raw.Length;
                session.AppendResult($"{{\"spectrum_id\":{s.SpectrumId}}}");
            };
            await session.RunAsync(CancellationToken.None);
        }

        CollectionAssert.AreEqual(wire, JournalReader.ReadRawBytes(journal.RawPath), "the raw journal is the wire, byte for byte");
        SentFrame lastChunkOfFirst = w.Frames[w.Spectra[0].FrameIndices[^1]];
        Assert.IsTrue(journalLengthAtFirstSpectrum >= lastChunkOfFirst.Start + lastChunkOfFirst.Length, "bytes are journalled before they are decoded");

        CaptureResult replay = JournalReader.ReplayRaw(journal.RawPath);
        Assert.AreEqual(5, replay.Spectra.Count);
        for (int i = 0; i < 5; i++)
        {
            CollectionAssert.AreEqual(live[i].SignalCodes, replay.Spectra[i].Received.SignalCodes);
            Assert.AreEqual(live[i].ToSpectrum("sim").BiasMV.Sum(), replay.Spectra[i].Spectrum!.BiasMV.Sum());
        }

        ResultJournalContent results = JournalReader.ReadResults(journal.ResultsPath);
        CollectionAssert.AreEqual(Enumerable.Range(0, 5).Select(i => $"{{\"spectrum_id\":{i}}}").ToArray(), results.Lines.ToArray());
        Assert.IsFalse(results.TornTail);
    }

    [TestMethod]
    public void TornLastWrites_AreToleratedOnReplay_AndAContinuedJournalStartsClean()
    {
        string dir = NewDirectory();
        var w = new WireBuilder(31).Hello();
        w.AddSpectra(3);
        byte[] wire = w.ToArray();
        int tornAt = w.Frames[w.Spectra[2].FrameIndices[1]].Start + 30;
        File.WriteAllBytes(Path.Combine(dir, "s" + SessionJournal.RawExtension), wire[..tornAt]);
        File.WriteAllText(Path.Combine(dir, "s" + SessionJournal.ResultsExtension), "{\"a\":1}\n{\"a\":2}\n{\"a\":");

        CaptureResult torn = JournalReader.ReplayRaw(Path.Combine(dir, "s" + SessionJournal.RawExtension));
        Assert.AreEqual(2, torn.Counters.SpectraComplete);
        Assert.AreEqual(1, torn.Counters.SpectraIncomplete, "the spectrum cut by the torn write is kept, flagged");
        Assert.AreEqual(30, torn.TrailingPartialFrameBytes);
        Assert.AreEqual(0, torn.Counters.FramesDropped, "a torn frame is never decoded, so never miscounted");
        ResultJournalContent r = JournalReader.ReadResults(Path.Combine(dir, "s" + SessionJournal.ResultsExtension));
        Assert.AreEqual(2, r.Lines.Count);
        Assert.IsTrue(r.TornTail);

        // A new session continues the same journal: the torn frame and line are fenced off.
        using (var journal = new SessionJournal(dir, "s"))
        {
            var more = new WireBuilder(32).Hello();
            more.AddSpectra(2);
            journal.AppendReceived(more.ToArray());
            journal.AppendResult("{\"a\":3}");
        }

        CaptureResult continued = JournalReader.ReplayRaw(Path.Combine(dir, "s" + SessionJournal.RawExtension));
        Assert.AreEqual(4, continued.Counters.SpectraComplete);
        Assert.AreEqual(1, continued.Counters.Reboots, "the new session's device restarts seq: a new epoch");
        ResultJournalContent r2 = JournalReader.ReadResults(Path.Combine(dir, "s" + SessionJournal.ResultsExtension));
        CollectionAssert.AreEqual(new[] { "{\"a\":1}", "{\"a\":2}", "{\"a\":3}" }, r2.Lines.ToArray());
        Assert.AreEqual(1, r2.SkippedLines);
    }

    [TestMethod]
    public void SyncPolicy_FsyncsByBytesAndOnceMoreWhenIdle()
    {
        string dir = NewDirectory();
        var policy = new JournalSyncPolicy(TimeSpan.FromMilliseconds(50), 1000);
        using var file = new AppendOnlyFile(Path.Combine(dir, "f.bin"), policy);
        file.Append(new byte[600]);
        file.Append(new byte[600]); // crosses 1000 bytes: queued for the journal's fsync thread now, whatever the clock says
        SpinWait.SpinUntil(() => file.SyncedLength == 1200, TimeSpan.FromSeconds(20));
        Assert.AreEqual(1200, file.SyncedLength);
        file.Append(new byte[10]);
        // The idle timer syncs the tail; wait for it without asserting how long it takes.
        SpinWait.SpinUntil(() => file.SyncedLength == 1210, TimeSpan.FromSeconds(20));
        Assert.AreEqual(1210, file.SyncedLength);
        Assert.AreEqual(1210, new FileInfo(file.Path).Length);
    }

    [TestMethod]
    public void AppendResult_RefusesMultiLineJson()
    {
        using var journal = new SessionJournal(NewDirectory(), "x");
        Assert.ThrowsExactly<ArgumentException>(() => journal.AppendResult("{\n}"));
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void KillDashNine_LosesNothingTheWriterReportedFlushed()
    {
        string dir = NewDirectory();
        string child = Path.Combine(AppContext.BaseDirectory, "NbnEdge.Link.JournalChild.dll");
        Assert.IsTrue(File.Exists(child), child);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(child);
        psi.ArgumentList.Add(dir);
        psi.ArgumentList.Add("killed");
        using var process = Process.Start(psi)!;
        long reportedRaw = 0;
        int reportedSpectra = 0;
        int reports = 0;
        // Let it run for a while (a varying number of reports), then kill it mid-loop.
        int killAfter = 150 + Random.Shared.Next(200);
        while (reports < killAfter && process.StandardOutput.ReadLine() is { } line)
        {
            var fields = line.Split(' ').Skip(1).Select(f => f.Split('=')).ToDictionary(f => f[0], f => long.Parse(f[1]));
            reportedRaw = fields["raw"];
            reportedSpectra = (int)fields["spectra"];
            reports++;
        }

        process.Kill(); // SIGKILL: no finaliser, no flush, no Dispose runs
        process.WaitForExit();
        Assert.AreEqual(killAfter, reports, "the child must have been running when killed");

        string raw = Path.Combine(dir, "killed" + SessionJournal.RawExtension);
        Assert.IsTrue(new FileInfo(raw).Length >= reportedRaw, "bytes reported flushed are in the file");
        CaptureResult replay = JournalReader.ReplayRaw(raw);
        var complete = replay.Spectra.Where(s => !s.Received.Incomplete).ToList();
        Assert.IsTrue(complete.Count >= reportedSpectra, $"{complete.Count} spectra in the journal, {reportedSpectra} reported");
        Assert.AreEqual(0, replay.Counters.FramesDropped);
        Assert.AreEqual(0, replay.Counters.FramesLost);
        for (int n = 0; n < complete.Count; n++)
        {
            ReceivedSpectrum s = complete[n].Received;
            Assert.AreEqual((uint)n, s.SpectrumId);
            for (int i = 0; i < 201; i++)
            {
                Assert.AreEqual(n * 1000 + i, s.BiasCodes[i]);
                Assert.AreEqual(n * 7 - i, s.SignalCodes[i]);
            }
        }

        Assert.IsNotNull(complete[0].Spectrum, "the HELLO at the start scales every spectrum");
        ResultJournalContent results = JournalReader.ReadResults(Path.Combine(dir, "killed" + SessionJournal.ResultsExtension));
        Assert.IsTrue(results.Lines.Count >= reportedSpectra);
        for (int n = 0; n < results.Lines.Count; n++)
        {
            Assert.AreEqual($"{{\"spectrum_id\":{n},\"delta_meV\":2.11}}", results.Lines[n]);
        }
    }
}
