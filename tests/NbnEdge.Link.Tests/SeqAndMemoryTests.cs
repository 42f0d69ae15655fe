using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Link.Tests;

/// <summary>
/// Issue 16 items 3 and 8: what a hostile or merely unlucky stream costs, and what its seqs are
/// counted as. Duplicates and swapped frames are no loss and no reboot; incomplete spectra cost
/// the points that arrived, not the points their total_points claims.
/// </summary>
[TestClass]
public sealed class SeqAndMemoryTests
{
    /// <summary>A stream of chunks each opening a new spectrum of 65535 points with 100 of them: never finished.</summary>
    private static byte[] OpenedSpectra(int frames, int pointsPerChunk = 100)
    {
        var encoder = new FrameEncoder();
        var bias = new int[pointsPerChunk];
        var signal = new int[pointsPerChunk];
        for (int i = 0; i < pointsPerChunk; i++) { bias[i] = i * 1000; signal[i] = -i; }
        var wire = new MemoryStream();
        byte[] hello = System.Text.Encoding.UTF8.GetBytes(WireBuilder.HelloText);
        wire.Write(encoder.Output, 0, encoder.EncodeText(MessageType.Hello, hello, 0, hello.Length));
        for (int f = 0; f < frames; f++)
        {
            int n = encoder.EncodeSpectrumChunk((uint)f, bias, signal, 0, pointsPerChunk, ushort.MaxValue, 0);
            wire.Write(encoder.Output, 0, n);
        }

        return wire.ToArray();
    }

    [TestMethod]
    public void ChunksClaimingHugeSpectra_CostWhatArrived_NotWhatTotalPointsClaims()
    {
        byte[] wire = OpenedSpectra(2000);
        var kept = new List<ReceivedSpectrum>();
        var assembler = new SpectrumStreamAssembler();
        assembler.SpectrumReceived += kept.Add; // as every consumer does: all spectra stay referenced
        GC.Collect();
        long retainedBefore = GC.GetTotalMemory(forceFullCollection: true);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        assembler.Feed(wire, 0, wire.Length);
        assembler.Complete();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        long retained = GC.GetTotalMemory(forceFullCollection: true) - retainedBefore;
        GC.KeepAlive(kept);

        Assert.AreEqual(2000, kept.Count);
        Assert.IsTrue(kept.All(s => s.Incomplete && s.ReceivedPoints == 100 && s.TotalPoints == 65535));
        Assert.AreEqual(2000, assembler.Counters.SpectraIncomplete);
        // One chunk of 100 points is ~830 bytes on the wire; 65535 points would be ~590 KB.
        double retainedPerWireByte = (double)retained / wire.Length;
        double allocatedPerWireByte = (double)allocated / wire.Length;
        Console.WriteLine($"wire {wire.Length} B: retained {retained} B ({retainedPerWireByte:F2}/byte), allocated {allocated} B ({allocatedPerWireByte:F2}/byte)");
        Assert.IsTrue(retainedPerWireByte < 4, $"retained {retainedPerWireByte:F1} bytes per wire byte");
        Assert.IsTrue(allocatedPerWireByte < 8, $"allocated {allocatedPerWireByte:F1} bytes per wire byte");
        // What arrived is all there, at its indices.
        ReceivedSpectrum s = kept[1234];
        Assert.IsTrue(s.IsReceived(99));
        Assert.IsFalse(s.IsReceived(100));
        CollectionAssert.AreEqual(new[] { new IndexRange(100, 65535) }, s.MissingRanges.ToArray());
        Assert.AreEqual(99 * 1000, s.BiasCodes[99]);
        Assert.AreEqual(-99, s.SignalCodes[99]);
        Assert.AreEqual(0, s.BiasCodes[100]);
    }

    [TestMethod]
    public void SpectrumWithAGap_KeepsEachPointAtItsIndex()
    {
        var w = new WireBuilder(31).Hello();
        SentSpectrum sent = w.Spectrum(points: 600);
        byte[] all = w.ToArray();
        SentFrame second = w.Frames[sent.FrameIndices[1]];
        var c = new Collector().Feed([.. all[..second.Start], .. all[(second.Start + second.Length)..]]).End();
        ReceivedSpectrum r = c.Spectra.Single();
        Assert.IsTrue(r.Incomplete);
        int chunk = MessageType.MaxPointsPerChunk;
        CollectionAssert.AreEqual(new[] { new IndexRange(chunk, 2 * chunk) }, r.MissingRanges.ToArray());
        for (int i = 0; i < 600; i++)
        {
            bool arrived = i < chunk || i >= 2 * chunk;
            Assert.AreEqual(arrived, r.IsReceived(i));
            Assert.AreEqual(arrived ? sent.Bias[i] : 0, r.BiasCodes[i]);
            Assert.AreEqual(arrived ? sent.Signal[i] : 0, r.SignalCodes[i]);
        }

        Assert.AreEqual(600 - chunk, r.ToSpectrum("t").Count);
    }

    private static byte[] FrameBytes(WireBuilder w, int index) =>
        w.ToArray()[w.Frames[index].Start..(w.Frames[index].Start + w.Frames[index].Length)];

    [TestMethod]
    public void DuplicatedStatusFrame_IsADuplicate_NotLossNorReboot()
    {
        var w = new WireBuilder(32).Hello();
        w.NextSeq = 999;
        w.Status();
        int status = w.Frames.Count - 1;
        Assert.AreEqual(999u, w.Frames[status].Seq);
        byte[] before = w.ToArray();
        w.AddSpectra(2);
        byte[] all = w.ToArray();
        byte[] wire = [.. before, .. FrameBytes(w, status), .. all[before.Length..]];
        var c = new Collector().Feed(wire).End();
        Assert.AreEqual(1, c.Counters.Duplicates);
        Assert.AreEqual(0, c.Counters.Reboots);
        Assert.AreEqual(0, c.Counters.Reordered);
        Assert.AreEqual(998, c.Counters.FramesLost, "the seq jump from HELLO (0) to 999 only");
        Assert.AreEqual(1, c.Statuses.Count, "a duplicate is not delivered twice");
        Assert.AreEqual(2, c.Counters.SpectraComplete);
    }

    [TestMethod]
    public void DuplicatedChunk_DoesNotBreakItsSpectrum()
    {
        var w = new WireBuilder(33).Hello();
        SentSpectrum s = w.Spectrum(points: 400);
        byte[] all = w.ToArray();
        SentFrame first = w.Frames[s.FrameIndices[0]];
        int end = first.Start + first.Length;
        var c = new Collector().Feed([.. all[..end], .. all[first.Start..end], .. all[end..]]).End();
        Assert.AreEqual(1, c.Counters.Duplicates);
        Assert.AreEqual(1, c.Counters.SpectraComplete);
        Assert.AreEqual(0, c.Counters.SpectraIncomplete);
        Assert.AreEqual(0, c.Counters.FramesLost);
        AssemblerTests.AssertMatchesSent(c, w);
    }

    [TestMethod]
    public void TwoSwappedFrames_AreOneReorder_NotLossNorReboot()
    {
        var w = new WireBuilder(34).Hello();
        w.NextSeq = 1000;
        w.Status(1).Status(2);
        int a = w.Frames.Count - 2, b = w.Frames.Count - 1;
        byte[] head = w.ToArray()[..w.Frames[a].Start];
        w.AddSpectra(2);
        byte[] all = w.ToArray();
        int tail = w.Frames[b].Start + w.Frames[b].Length;
        byte[] wire = [.. head, .. FrameBytes(w, b), .. FrameBytes(w, a), .. all[tail..]];
        var c = new Collector().Feed(wire).End();
        Assert.AreEqual(1, c.Counters.Reordered);
        Assert.AreEqual(0, c.Counters.Reboots);
        Assert.AreEqual(0, c.Counters.Duplicates);
        Assert.AreEqual(999, c.Counters.FramesLost, "only the jump from HELLO (0) to 1000");
        CollectionAssert.AreEqual(new uint[] { 2, 1 }, c.Statuses.Select(x => x.UptimeMs).ToArray(), "a late STATUS is still delivered");
        Assert.AreEqual(2, c.Counters.SpectraComplete);
    }

    [TestMethod]
    public void RebootWhoseFirstFramesWereAllLost_IsSeenFromTwoConsecutiveFramesGoingBack()
    {
        var w = new WireBuilder(35).Hello();
        w.NextSeq = 5000;
        w.AddSpectra(2);
        int cut = w.Length;
        w.Reboot().Hello();
        w.NextSeq = 200; // frames 1..199 of the new life never arrived
        int resume = w.Length;
        w.AddSpectra(2);
        byte[] all = w.ToArray();
        var c = new Collector().Feed([.. all[..cut], .. all[resume..]]).End();
        Assert.AreEqual(1, c.Counters.Reboots);
        Assert.AreEqual(1, c.Counters.UnannouncedRestarts);
        Assert.AreEqual(0, c.Counters.Reordered);
        Assert.AreEqual(4999 + 200, c.Counters.FramesLost);
        Assert.AreEqual(3, c.Counters.SpectraComplete, "the new life's first chunk came before the restart was known");
    }
}
