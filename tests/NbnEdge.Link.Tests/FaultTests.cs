namespace NbnEdge.Link.Tests;

/// <summary>
/// Faults on the wire: every one counted, no wrong spectrum accepted (accepted spectra are
/// compared to what was sent), no crash. Each fault records which sent frames it touched, so the
/// expected counts are exact: an untouched frame is accepted, a touched one never is.
/// </summary>
[TestClass]
public sealed class FaultTests
{
    private sealed class Injector(WireBuilder wire)
    {
        private readonly List<byte> _bytes = [.. wire.ToArray()];
        private readonly List<int> _owner = BuildOwners(wire);
        public readonly HashSet<int> Touched = [];
        public int GarbageRuns;

        public byte[] Bytes => [.. _bytes];

        private static List<int> BuildOwners(WireBuilder w)
        {
            var owner = Enumerable.Repeat(-1, w.Length).ToList();
            foreach (SentFrame f in w.Frames)
            {
                for (int i = f.Start; i < f.Start + f.Length; i++) owner[i] = f.Index;
            }

            return owner;
        }

        private void TouchAt(int position, bool delimiterDamaged)
        {
            int frame = _owner[position];
            if (frame < 0) return;
            Touched.Add(frame);
            // A damaged delimiter runs this frame into the next one.
            if (delimiterDamaged && frame + 1 < wire.Frames.Count) Touched.Add(frame + 1);
        }

        public void FlipBit(int position, int bit)
        {
            bool wasDelimiter = _bytes[position] == 0;
            TouchAt(position, wasDelimiter);
            _bytes[position] ^= (byte)(1 << bit);
        }

        public void Drop(int position)
        {
            TouchAt(position, _bytes[position] == 0);
            _bytes.RemoveAt(position);
            _owner.RemoveAt(position);
        }

        /// <summary>Inserts a non-zero byte before <paramref name="position"/> (inside the frame that owns it).</summary>
        public void Insert(int position, byte value)
        {
            TouchAt(position, false);
            _bytes.Insert(position, value);
            _owner.Insert(position, _owner[position]);
        }

        /// <summary>Cuts <paramref name="count"/> bytes before the delimiter of frame <paramref name="frame"/>.</summary>
        public void Truncate(int frame, int count)
        {
            int delimiter = _owner.LastIndexOf(frame);
            for (int i = 0; i < count; i++)
            {
                _bytes.RemoveAt(delimiter - 1 - i);
                _owner.RemoveAt(delimiter - 1 - i);
            }

            Touched.Add(frame);
        }

        /// <summary>Garbage ending in 0x00 right after frame <paramref name="frame"/>'s delimiter.</summary>
        public void GarbageAfter(int frame, byte[] garbage)
        {
            int at = _owner.LastIndexOf(frame) + 1;
            byte[] run = [.. garbage.Where(b => b != 0), 0];
            _bytes.InsertRange(at, run);
            _owner.InsertRange(at, Enumerable.Repeat(-1, run.Length));
            GarbageRuns++;
        }
    }

    private static WireBuilder LongStream(int seed, int spectra = 30)
    {
        var w = new WireBuilder(seed).Hello();
        for (int i = 0; i < spectra; i++)
        {
            w.Spectrum(points: i % 3 == 0 ? 300 : 201, backward: i % 2 == 1);
            if (i % 5 == 0) w.Status((uint)i);
            if (i % 7 == 0) w.Log("point " + i);
        }

        return w.Status(99999);
    }

    /// <summary>Exact expectations from the touched set; checks spectra against what was sent.</summary>
    private static Collector RunAndCheck(WireBuilder w, Injector inj, int chunk = 4096)
    {
        var c = new Collector().Feed(inj.Bytes, chunk).End();
        AssemblerTests.AssertMatchesSent(c, w);
        LinkCounters k = c.Counters;

        Assert.AreEqual(w.Frames.Count - inj.Touched.Count, k.FramesOk, "every untouched frame accepted, no touched one");
        if (!inj.Touched.Contains(w.Frames.Count - 1))
        {
            // The last frame arrived, so seq accounts for every frame that did not.
            Assert.AreEqual(inj.Touched.Count, k.FramesLost);
        }

        if (inj.Touched.Count + inj.GarbageRuns > 0)
        {
            Assert.IsTrue(k.FramesDropped >= 1, "a damaged frame must show in a drop counter");
        }

        foreach (SentSpectrum s in w.Spectra)
        {
            bool damaged = s.FrameIndices.Any(inj.Touched.Contains);
            var got = c.Spectra.Where(r => r.SpectrumId == s.Id).ToList();
            if (!damaged)
            {
                Assert.AreEqual(1, got.Count(r => !r.Incomplete), $"spectrum {s.Id} arrived whole and must be accepted");
            }
            else
            {
                Assert.IsFalse(got.Any(r => !r.Incomplete), $"spectrum {s.Id} lost a chunk and must not be accepted as complete");
            }
        }

        int damagedSpectra = w.Spectra.Count(s => s.FrameIndices.Any(inj.Touched.Contains));
        Assert.AreEqual(w.Spectra.Count - damagedSpectra, k.SpectraComplete);
        Assert.AreEqual(c.Spectra.Count(r => r.Incomplete), k.SpectraIncomplete);
        return c;
    }

    [TestMethod]
    public void BitFlips_AreCountedAndNeverAcceptedAsData()
    {
        var w = LongStream(11);
        var inj = new Injector(w);
        var rng = new Random(5);
        for (int i = 0; i < 12; i++)
        {
            inj.FlipBit(rng.Next(w.Length), rng.Next(8));
        }

        var c = RunAndCheck(w, inj);
        Assert.IsTrue(c.Counters.SpectraIncomplete + c.Counters.EstimatesUnmatched >= 1);
    }

    [TestMethod]
    public void DroppedBytes_AreCountedAndNeverAcceptedAsData()
    {
        var w = LongStream(12);
        var inj = new Injector(w);
        var rng = new Random(6);
        for (int i = 0; i < 10; i++)
        {
            inj.Drop(rng.Next(w.Length - 20));
        }

        RunAndCheck(w, inj);
    }

    [TestMethod]
    public void DroppedDelimiter_LosesBothFramesItJoined()
    {
        var w = LongStream(13, spectra: 4);
        var inj = new Injector(w);
        inj.Drop(w.Frames[3].DelimiterAt);
        var c = RunAndCheck(w, inj);
        Assert.AreEqual(2, c.Counters.FramesLost);
    }

    [TestMethod]
    public void InsertedBytes_AreCountedAndNeverAcceptedAsData()
    {
        var w = LongStream(14);
        var inj = new Injector(w);
        var rng = new Random(7);
        for (int i = 0; i < 10; i++)
        {
            inj.Insert(rng.Next(w.Length - 20), (byte)rng.Next(1, 256));
        }

        RunAndCheck(w, inj);
    }

    [TestMethod]
    public void InsertedZero_SplitsAFrameIntoTwoBadOnes()
    {
        var w = LongStream(15, spectra: 3);
        var inj = new Injector(w);
        SentFrame chunk = w.Frames.First(f => f.Type == 0x02);
        inj.FlipBit(chunk.Start + 100, 0); // make sure the split is not accidentally valid
        byte[] bytes = inj.Bytes;
        var list = bytes.ToList();
        list.Insert(chunk.Start + 50, 0);
        var c = new Collector().Feed([.. list]).End();
        AssemblerTests.AssertMatchesSent(c, w);
        Assert.AreEqual(2, c.Counters.FramesDropped);
        Assert.AreEqual(1, c.Counters.FramesLost);
    }

    [TestMethod]
    public void TruncatedFrames_AreCountedAndNeverAcceptedAsData()
    {
        var w = LongStream(16);
        var inj = new Injector(w);
        foreach (int frame in new[] { 2, 9, 17, 30, 41 })
        {
            inj.Truncate(frame, 1 + frame % 7);
        }

        RunAndCheck(w, inj);
    }

    [TestMethod]
    public void GarbageBetweenFrames_IsCountedAndTouchesNoFrame()
    {
        var w = LongStream(17);
        var inj = new Injector(w);
        var rng = new Random(8);
        foreach (int frame in new[] { 0, 4, 12, 25, 33 })
        {
            byte[] garbage = new byte[rng.Next(1, 300)];
            rng.NextBytes(garbage);
            inj.GarbageAfter(frame, garbage);
        }

        var c = RunAndCheck(w, inj);
        Assert.AreEqual(0, c.Counters.FramesLost);
        Assert.AreEqual(5, c.Counters.FramesDropped, "one drop per garbage run");
        Assert.AreEqual(0, c.Counters.SpectraIncomplete);
    }

    [TestMethod]
    public void ReaderStartingMidStream_ResynchronisesAtTheNextDelimiter()
    {
        var w = LongStream(18, spectra: 6);
        byte[] bytes = w.ToArray();
        SentFrame cutInside = w.Frames[5];
        var c = new Collector().Feed(bytes[(cutInside.Start + 7)..]).End();
        AssemblerTests.AssertMatchesSent(c, w);
        Assert.AreEqual(w.Frames.Count - 6, c.Counters.FramesOk);
        Assert.AreEqual(0, c.Counters.FramesLost, "frames before the first one seen are not counted as lost");
    }

    [TestMethod]
    public void DisconnectMidSpectrum_KeepsItIncompleteAndGoesOn()
    {
        var w = new WireBuilder(19).Hello();
        w.AddSpectra(2);
        SentSpectrum cut = w.Spectrum(points: 300);
        w.AddSpectra(3);
        byte[] bytes = w.ToArray();
        SentFrame during = w.Frames[cut.FrameIndices[1]];
        int disconnectAt = during.Start + 40;
        int reconnectAt = w.Frames[cut.FrameIndices[2] + 1].Start + 13; // lose the rest, and part of the ESTIMATE

        var c = new Collector().Feed(bytes[..disconnectAt]);
        c.Assembler.OnDisconnected();
        c.Feed(bytes[reconnectAt..]).End();

        AssemblerTests.AssertMatchesSent(c, w);
        ReceivedSpectrum r = c.Spectra.Single(s => s.SpectrumId == cut.Id);
        Assert.IsTrue(r.Incomplete);
        Assert.AreEqual(125, r.ReceivedPoints);
        Assert.AreEqual(5, c.Counters.SpectraComplete);
        Assert.AreEqual(1, c.Counters.SpectraIncomplete);
        Assert.AreEqual(1, c.Counters.Disconnects);
        Assert.AreEqual(3, c.Counters.FramesLost, "the cut chunk, the last chunk, the ESTIMATE");
    }

    [TestMethod]
    public void Reboot_StartsANewEpoch_WithoutCountingTheSeqResetAsLoss()
    {
        var w = new WireBuilder(20).Hello();
        w.AddSpectra(3);
        SentSpectrum interrupted = w.Spectrum(points: 201, estimate: false);
        byte[] before = w.ToArray();
        SentFrame lastChunk = w.Frames[interrupted.FrameIndices[1]];
        // The board resets while sending: its last chunk never goes out.
        int cutAt = lastChunk.Start;
        w.Reboot().Hello().Status();
        w.AddSpectra(3);
        byte[] all = w.ToArray();
        byte[] wire = [.. before[..cutAt], .. all[before.Length..]];

        var c = new Collector().Feed(wire).End();

        Assert.AreEqual(1, c.Counters.Reboots);
        Assert.AreEqual(0, c.Counters.UnannouncedRestarts);
        Assert.AreEqual(0, c.Counters.FramesLost);
        Assert.AreEqual(1, c.Reboots.Single().NewEpoch);
        Assert.IsTrue(c.Reboots[0].Announced);
        Assert.AreEqual(6, c.Counters.SpectraComplete);
        ReceivedSpectrum r = c.Spectra.Single(s => s.Incomplete);
        Assert.AreEqual(interrupted.Id, r.SpectrumId);
        Assert.AreEqual(0, r.DeviceEpoch);
        // Spectrum ids restart: the same id in two epochs is two spectra, each with its own estimate.
        var zeros = c.Spectra.Where(s => s.SpectrumId == 0).ToList();
        Assert.AreEqual(2, zeros.Count);
        CollectionAssert.AreEquivalent(new[] { 0, 1 }, zeros.Select(s => s.DeviceEpoch).ToArray());
        Assert.IsTrue(zeros.All(s => s.Estimate!.DeviceEpoch == s.DeviceEpoch));
        Assert.AreEqual(0, c.Counters.EstimatesUnmatched);
        Assert.AreEqual(1, c.Assembler.DeviceEpoch);
        Assert.AreEqual(1, c.Assembler.Hello!.DeviceEpoch);
    }

    [TestMethod]
    public void RebootWhoseHelloWasLost_IsSeenFromSeqGoingBack()
    {
        var w = new WireBuilder(21).Hello();
        w.AddSpectra(5);
        int rebootAt = w.Length;
        w.Reboot().Hello();
        int helloEnd = w.Length;
        w.Status();
        w.AddSpectra(2);
        byte[] all = w.ToArray();
        var c = new Collector().Feed([.. all[..rebootAt], .. all[helloEnd..]]).End();
        Assert.AreEqual(1, c.Counters.Reboots);
        Assert.AreEqual(1, c.Counters.UnannouncedRestarts);
        Assert.AreEqual(1, c.Counters.FramesLost, "the lost HELLO of the new epoch");
        Assert.AreEqual(7, c.Counters.SpectraComplete);
        AssemblerTests.AssertMatchesSent(c, w);
    }

    [TestMethod]
    public void PingAnsweredByHello_IsNotAReboot()
    {
        var w = new WireBuilder(22).Hello();
        w.AddSpectra(2);
        w.Hello().Ack(0, 0, "pong");
        w.AddSpectra(2);
        var c = new Collector().Feed(w.ToArray()).End();
        Assert.AreEqual(0, c.Counters.Reboots);
        Assert.AreEqual(2, c.Hellos.Count);
        Assert.AreEqual(4, c.Counters.SpectraComplete);
    }

    [TestMethod]
    public void RandomFaultMix_OverManySeeds_HoldsEveryInvariant()
    {
        for (int seed = 0; seed < 40; seed++)
        {
            var w = LongStream(100 + seed, spectra: 12);
            var inj = new Injector(w);
            var rng = new Random(seed);
            int faults = rng.Next(1, 8);
            for (int i = 0; i < faults; i++)
            {
                int kind = rng.Next(5);
                int len = inj.Bytes.Length;
                switch (kind)
                {
                    case 0: inj.FlipBit(rng.Next(len - 30), rng.Next(8)); break;
                    case 1: inj.Drop(rng.Next(len - 30)); break;
                    case 2: inj.Insert(rng.Next(len - 30), (byte)rng.Next(1, 256)); break;
                    case 3: inj.Truncate(rng.Next(1, w.Frames.Count - 2), rng.Next(1, 5)); break;
                    default:
                        byte[] g = new byte[rng.Next(1, 64)];
                        rng.NextBytes(g);
                        inj.GarbageAfter(rng.Next(0, w.Frames.Count - 2), g);
                        break;
                }
            }

            RunAndCheck(w, inj, chunk: 1 + seed * 13);
        }
    }
}
