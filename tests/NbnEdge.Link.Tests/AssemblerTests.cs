using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Link.Tests;

[TestClass]
public sealed class AssemblerTests
{
    internal static void AssertMatchesSent(Collector c, WireBuilder w)
    {
        foreach (ReceivedSpectrum r in c.Spectra)
        {
            SentSpectrum? s = w.Spectra.SingleOrDefault(x => x.Id == r.SpectrumId && x.Epoch == r.DeviceEpoch);
            Assert.IsNotNull(s, $"spectrum {r.SpectrumId} epoch {r.DeviceEpoch} was never sent");
            Assert.AreEqual(s.Bias.Length, r.TotalPoints);
            Assert.AreEqual(s.Backward, r.Backward);
            for (int i = 0; i < r.TotalPoints; i++)
            {
                if (r.IsReceived(i))
                {
                    Assert.AreEqual(s.Bias[i], r.BiasCodes[i], $"bias of point {i} of spectrum {r.SpectrumId}");
                    Assert.AreEqual(s.Signal[i], r.SignalCodes[i], $"signal of point {i} of spectrum {r.SpectrumId}");
                }
            }

            if (!r.Incomplete)
            {
                Assert.AreEqual(r.TotalPoints, r.ReceivedPoints);
                Assert.IsEmpty(r.MissingRanges);
            }
        }

        var keys = c.Complete.Select(r => (r.DeviceEpoch, r.SpectrumId)).ToList();
        Assert.AreEqual(keys.Count, keys.Distinct().Count(), "a spectrum was accepted twice");
    }

    [TestMethod]
    public void CleanStream_EverySpectrumCompleteAndEqualToWhatWasSent()
    {
        var w = new WireBuilder().Hello().Status();
        w.AddSpectra(6, points: 201);
        w.Spectrum(points: 300); // three chunks
        w.Spectrum(points: 10, overrange: true);
        w.Log("hello log").Ack(7, 0, "running");
        var c = new Collector().Feed(w.ToArray()).End();

        AssertMatchesSent(c, w);
        Assert.AreEqual(8, c.Complete.Count());
        Assert.AreEqual(0, c.Spectra.Count(s => s.Incomplete));
        LinkCounters k = c.Counters;
        Assert.AreEqual(w.Frames.Count, k.FramesOk);
        Assert.AreEqual(w.Length, k.Bytes);
        Assert.AreEqual(0, k.FramesLost);
        Assert.AreEqual(0, k.FramesDropped);
        Assert.AreEqual(8, k.SpectraComplete);
        Assert.AreEqual(8, k.Estimates);
        Assert.AreEqual(0, k.EstimatesUnmatched);
        Assert.IsTrue(c.Spectra.All(s => s.Estimate is { Valid: true } e && e.SpectrumId == s.SpectrumId && e.DeltaUeV == 2000 + (int)s.SpectrumId));
        Assert.IsTrue(c.Spectra.Single(s => s.TotalPoints == 10).Overrange);
        Assert.IsTrue(c.Spectra[1].Backward);
        Assert.AreEqual("hello log", c.Logs.Single().Text);
        Assert.AreEqual(new AckInfo(0, w.Frames.Last().Seq, 7, 0, "running"), c.Acks.Single());
        Assert.AreEqual(12345u, c.Statuses.Single().Samples);
    }

    [TestMethod]
    public void ByteByByteFeeding_GivesTheSameResultAsOneBlock()
    {
        var w = new WireBuilder(3).Hello();
        w.AddSpectra(4, points: 260);
        byte[] bytes = w.ToArray();
        var whole = new Collector().Feed(bytes).End();
        var single = new Collector().Feed(bytes, chunk: 1).End();
        var odd = new Collector().Feed(bytes, chunk: 37).End();
        Assert.AreEqual(whole.Counters, single.Counters);
        Assert.AreEqual(whole.Counters, odd.Counters);
        Assert.AreEqual(4, single.Complete.Count());
        AssertMatchesSent(single, w);
    }

    [TestMethod]
    public void Hello_IsParsedWithExactDecimalScalings()
    {
        var c = new Collector().Feed(new WireBuilder().Hello().ToArray());
        HelloInfo h = c.Hellos.Single();
        Assert.AreEqual(0.001430511474609375m, h.BiasUvPerLsb);
        Assert.AreEqual(1.430511474609375m, h.SignalUvPerLsb);
        Assert.AreEqual(201, h.Points);
        Assert.AreEqual("esp32-devkitc-ads131m04", h.Board);
        Assert.AreEqual("0.1.0", h.Firmware);
        Assert.AreEqual("both", h.Sweep);
        Assert.AreSame(h, c.Assembler.Hello);
    }

    [TestMethod]
    public void ToSpectrum_ScalesCodesAndCarriesMetadata()
    {
        var w = new WireBuilder().Hello();
        SentSpectrum s = w.Spectrum(points: 201, backward: true);
        var c = new Collector().Feed(w.ToArray()).End();
        var spectrum = c.Spectra.Single().ToSpectrum("tcp://127.0.0.1:5000");

        Assert.AreEqual("tcp://127.0.0.1:5000", spectrum.Source);
        Assert.AreEqual("spectrum 0", spectrum.Name);
        Assert.AreEqual(201, spectrum.Count);
        for (int i = 0; i < 201; i++)
        {
            // The exact decimal product, correctly rounded once.
            double exactMv = double.Parse((s.Bias[i] * 0.000001430511474609375m).ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
            Assert.AreEqual(exactMv, spectrum.BiasMV[i]);
            Assert.AreEqual(s.Signal[i] * 1.430511474609375, spectrum.Conductance[i]); // dyadic: exact in double
        }

        Assert.AreEqual(5.0, spectrum.BiasMV[0], 0.01, "a backward sweep starts at +5 mV");
        Assert.AreEqual("backward", spectrum.Metadata["direction"]);
        Assert.AreEqual("0", spectrum.Metadata["device_epoch"]);
        Assert.AreEqual("false", spectrum.Metadata["incomplete"]);
        Assert.AreEqual("false", spectrum.Metadata["overrange"]);
        Assert.IsFalse(spectrum.Incomplete);
    }

    [TestMethod]
    public void ToSpectrum_WithANonDyadicScaling_RoundsTheExactDecimalProductOnce()
    {
        var w = new WireBuilder(4);
        w.Spectrum(points: 20);
        var c = new Collector().Feed(w.ToArray()).End();
        var hello = HelloInfo.Parse("bias_uV_per_lsb=0.001\nsignal_uV_per_lsb=0.1\n");
        var spectrum = c.Spectra.Single().ToSpectrum("x", hello);
        for (int i = 0; i < 20; i++)
        {
            Assert.AreEqual(double.Parse((w.Spectra[0].Bias[i] / 1_000_000m).ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture), spectrum.BiasMV[i]);
            Assert.AreEqual(double.Parse((w.Spectra[0].Signal[i] / 10m).ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture), spectrum.Conductance[i]);
        }
    }

    [TestMethod]
    public void SpectrumBeforeAnyHello_CannotBeScaledUntilOneIsGiven()
    {
        var w = new WireBuilder();
        w.Spectrum();
        var c = new Collector().Feed(w.ToArray()).End();
        ReceivedSpectrum r = c.Spectra.Single();
        Assert.IsNull(r.Hello);
        Assert.ThrowsExactly<InvalidOperationException>(() => r.ToSpectrum("x"));
        Assert.AreEqual(201, r.ToSpectrum("x", HelloInfo.Parse(WireBuilder.HelloText)).Count);
    }

    [TestMethod]
    public void MissingMiddleChunk_KeepsTheRestFlaggedIncompleteWithoutFillingIn()
    {
        var w = new WireBuilder().Hello();
        SentSpectrum s = w.Spectrum(points: 300); // chunks 0-124, 125-249, 250-299
        w.Spectrum(points: 300);
        byte[] bytes = w.ToArray();
        SentFrame middle = w.Frames[s.FrameIndices[1]];
        byte[] cut = bytes[..middle.Start].Concat(bytes[(middle.Start + middle.Length)..]).ToArray();
        var c = new Collector().Feed(cut).End();

        AssertMatchesSent(c, w);
        ReceivedSpectrum r = c.Spectra[0];
        Assert.IsTrue(r.Incomplete);
        Assert.AreEqual(175, r.ReceivedPoints);
        CollectionAssert.AreEqual(new[] { new IndexRange(125, 250) }, r.MissingRanges.ToArray());
        Assert.AreEqual(1, c.Counters.FramesLost);
        Assert.AreEqual(1, c.Counters.SpectraIncomplete);
        Assert.AreEqual(1, c.Counters.SpectraComplete);
        Assert.IsNotNull(r.Estimate, "the ESTIMATE still finds its (incomplete) spectrum");

        var spectrum = r.ToSpectrum("x");
        Assert.IsTrue(spectrum.Incomplete);
        Assert.AreEqual(175, spectrum.Count);
        Assert.AreEqual("125-249", spectrum.Metadata["missing"]);
        Assert.IsTrue(spectrum.Notes.Single().Contains("125-249"));
    }

    [TestMethod]
    public void LostLastChunk_IsDetectedByTheEstimateArrivingFirst()
    {
        var w = new WireBuilder().Hello();
        SentSpectrum s = w.Spectrum(points: 201);
        byte[] bytes = w.ToArray();
        SentFrame last = w.Frames[s.FrameIndices[1]];
        byte[] cut = bytes[..last.Start].Concat(bytes[(last.Start + last.Length)..]).ToArray();
        var c = new Collector().Feed(cut);

        Assert.AreEqual(1, c.Spectra.Count, "closed when the ESTIMATE arrived, not at the end of the stream");
        Assert.IsTrue(c.Spectra[0].Incomplete);
        Assert.IsFalse(c.Spectra[0].LastChunkSeen);
        Assert.AreEqual(125, c.Spectra[0].ReceivedPoints);
    }

    [TestMethod]
    public void LostFirstChunk_IsIncomplete()
    {
        var w = new WireBuilder().Hello();
        SentSpectrum s = w.Spectrum(points: 201);
        byte[] bytes = w.ToArray();
        SentFrame first = w.Frames[s.FrameIndices[0]];
        var c = new Collector().Feed(bytes[..first.Start].Concat(bytes[(first.Start + first.Length)..]).ToArray()).End();
        Assert.IsTrue(c.Spectra.Single().Incomplete);
        CollectionAssert.AreEqual(new[] { new IndexRange(0, 125) }, c.Spectra[0].MissingRanges.ToArray());
    }

    [TestMethod]
    public void NewSpectrumIdBeforeLastChunk_ClosesTheOldOneIncomplete()
    {
        var w = new WireBuilder().Hello();
        SentSpectrum a = w.Spectrum(points: 201, estimate: false);
        w.Spectrum(points: 201);
        byte[] bytes = w.ToArray();
        SentFrame lastOfA = w.Frames[a.FrameIndices[1]];
        var c = new Collector().Feed(bytes[..lastOfA.Start].Concat(bytes[(lastOfA.Start + lastOfA.Length)..]).ToArray()).End();
        Assert.AreEqual(2, c.Spectra.Count);
        Assert.IsTrue(c.Spectra[0].Incomplete);
        Assert.IsFalse(c.Spectra[1].Incomplete);
        AssertMatchesSent(c, w);
    }

    [TestMethod]
    public void EstimateWhoseSpectrumWasLost_IsCountedUnmatched()
    {
        var w = new WireBuilder().Hello();
        SentSpectrum s = w.Spectrum(points: 100);
        byte[] bytes = w.ToArray();
        SentFrame only = w.Frames[s.FrameIndices[0]];
        var c = new Collector().Feed(bytes[..only.Start].Concat(bytes[(only.Start + only.Length)..]).ToArray()).End();
        Assert.AreEqual(0, c.Spectra.Count);
        Assert.AreEqual(1, c.Counters.EstimatesUnmatched);
        Assert.AreEqual(1, c.Counters.FramesLost);
    }

    [TestMethod]
    public void SeqWrap_IsNotLoss_AndALostFrameAtTheWrapIsCountedOnce()
    {
        var w = new WireBuilder { NextSeq = uint.MaxValue - 4 }.Hello();
        w.AddSpectra(3);
        var clean = new Collector().Feed(w.ToArray()).End();
        Assert.AreEqual(0, clean.Counters.FramesLost);
        Assert.AreEqual(0, clean.Counters.Reboots);
        Assert.AreEqual(3, clean.Complete.Count());
        Assert.IsTrue(w.Frames.Any(f => f.Seq == 0) && w.Frames.Any(f => f.Seq == uint.MaxValue));

        SentFrame atWrap = w.Frames.Single(f => f.Seq == uint.MaxValue);
        byte[] bytes = w.ToArray();
        var lossy = new Collector().Feed(bytes[..atWrap.Start].Concat(bytes[(atWrap.Start + atWrap.Length)..]).ToArray()).End();
        Assert.AreEqual(1, lossy.Counters.FramesLost);
        Assert.AreEqual(0, lossy.Counters.Reboots);
        AssertMatchesSent(lossy, w);
    }

    [TestMethod]
    public void UnknownType_IsSkippedAndCounted_NotLost()
    {
        var w = new WireBuilder().Hello().UnknownType();
        w.Spectrum();
        var c = new Collector().Feed(w.ToArray()).End();
        Assert.AreEqual(1, c.Counters.UnknownType);
        Assert.AreEqual(0, c.Counters.FramesLost);
        Assert.AreEqual(1, c.Complete.Count());
    }

    [TestMethod]
    public void UnknownVersion_IsDroppedAndCounted()
    {
        var w = new WireBuilder().Hello();
        // A version-2 frame made by hand: right CRC, wrong version.
        byte[] body = new byte[8 + 4 + 4];
        body[0] = 2;
        body[1] = MessageType.Log;
        LittleEndian.WriteUInt32(body, 4, w.NextSeq);
        body[8] = (byte)'x';
        uint crc = new FrameCrc().Compute(body, 0, 12);
        LittleEndian.WriteUInt32(body, 12, crc);
        byte[] encoded = new byte[Cobs.MaxEncodedLength(body.Length) + 1];
        int n = Cobs.Encode(body, 0, body.Length, encoded, 0);
        w.Raw(encoded[..(n + 1)]);
        w.NextSeq++;
        w.Spectrum();
        var c = new Collector().Feed(w.ToArray()).End();
        Assert.AreEqual(1, c.Counters.UnknownVersion);
        Assert.AreEqual(1, c.Complete.Count());
    }

    [TestMethod]
    public void OverlongRunWithoutDelimiter_IsCountedTooLongAndReadingResumes()
    {
        var w = new WireBuilder().Hello();
        w.Raw(Enumerable.Repeat((byte)0x55, 5000).Append((byte)0).ToArray());
        w.Spectrum();
        var c = new Collector().Feed(w.ToArray()).End();
        Assert.AreEqual(1, c.Counters.TooLong);
        Assert.AreEqual(1, c.Complete.Count());
    }

    [TestMethod]
    public void ShortFrame_IsCountedTooShort()
    {
        var c = new Collector().Feed([0x03, 0x01, 0x02, 0x00]);
        Assert.AreEqual(1, c.Counters.TooShort);
        Assert.AreEqual(0, c.Counters.FramesOk);
    }
}
