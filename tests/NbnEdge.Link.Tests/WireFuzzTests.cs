using System.Text;
using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Link.Tests;

/// <summary>
/// Seeded fuzz of the receiver with frames whose CRC holds (so every field is believed): random
/// types, spectrum headers with any total_points, first_index and count, seqs that jump, repeat,
/// go back and wrap; then the same streams mutated byte-wise. For every case: no exception, no
/// negative counter, and memory allocated in proportion to the bytes fed (measured per case).
/// </summary>
[TestClass]
public sealed class WireFuzzTests
{
    /// <summary>Allocation allowed per byte fed, plus a constant per case (the decoder's buffers, event lists).</summary>
    private const double AllocatedBytesPerWireByte = 16;
    private const long AllocatedBytesPerCase = 256 * 1024;

    private static byte[] RandomStream(Random rnd)
    {
        var encoder = new FrameEncoder { NextSeq = rnd.Next(3) == 0 ? (uint)rnd.NextInt64(0, 1L << 32) : 0 };
        var wire = new MemoryStream();
        int frames = rnd.Next(1, 200);
        int max = MessageType.MaxPointsPerChunk;
        var bias = new int[ushort.MaxValue + max];
        var signal = new int[ushort.MaxValue + max];
        uint id = 0;
        for (int f = 0; f < frames; f++)
        {
            switch (rnd.Next(10))
            {
                case 0: encoder.NextSeq = (uint)rnd.NextInt64(0, 1L << 32); break; // seq jumps anywhere
                case 1: encoder.NextSeq = unchecked(encoder.NextSeq - (uint)rnd.Next(1, 80)); break; // back (duplicate seq, or restart)
                case 2: encoder.NextSeq = 0; break;
            }

            int n;
            switch (rnd.Next(6))
            {
                case 0:
                    byte[] t = Encoding.UTF8.GetBytes(rnd.Next(2) == 0 ? WireBuilder.HelloText : "bias_uV_per_lsb=1e400\nsignal_uV_per_lsb=-0\npoints=65535");
                    n = encoder.EncodeText(MessageType.Hello, t, 0, t.Length);
                    break;
                case 1:
                case 2:
                case 3:
                    if (rnd.Next(4) == 0) id = (uint)rnd.Next();
                    else if (rnd.Next(3) == 0) id++;
                    int total = rnd.Next(3) == 0 ? ushort.MaxValue : rnd.Next(0, 2000);
                    int count = rnd.Next(0, max + 1);
                    int first = rnd.Next(0, Math.Max(1, total));
                    for (int i = first; i < first + count; i++) { bias[i] = rnd.Next(); signal[i] = rnd.Next(); }
                    n = encoder.EncodeSpectrumChunk(id, bias, signal, first, count, Math.Min(total, ushort.MaxValue), (ushort)rnd.Next(8));
                    break;
                case 4:
                    n = encoder.EncodeEstimate(new EstimateReport { SpectrumId = id, DeltaUeV = rnd.Next(), Quality = rnd.Next(2000), Valid = rnd.Next(2) == 0 });
                    break;
                default:
                    int payload = rnd.Next(0, 64);
                    for (int i = 0; i < payload; i++) encoder.PayloadBuffer[MessageType.HeaderBytes + i] = (byte)rnd.Next(256);
                    n = encoder.EncodePrepared((byte)rnd.Next(0, 9), (ushort)rnd.Next(), payload);
                    break;
            }

            wire.Write(encoder.Output, 0, n);
            if (rnd.Next(12) == 0) wire.Write(encoder.Output, 0, n); // the same frame twice
        }

        return wire.ToArray();
    }

    [TestMethod]
    public void RandomValidFrames_AndTheirMutations_CostMemoryInProportionToWhatArrived()
    {
        var rnd = new Random(1604);
        const int Cases = 3000;
        long worstAllocated = 0, bytesOfWorst = 0, totalBytes = 0;
        for (int i = 0; i < Cases; i++)
        {
            byte[] wire = RandomStream(rnd);
            if (i % 2 == 1) wire = Mutate(wire, rnd);
            totalBytes += wire.Length;
            var kept = new List<ReceivedSpectrum>();
            var assembler = new SpectrumStreamAssembler();
            assembler.SpectrumReceived += kept.Add;
            long before = GC.GetAllocatedBytesForCurrentThread();
            int at = 0;
            while (at < wire.Length)
            {
                int n = Math.Min(wire.Length - at, rnd.Next(1, 4096));
                assembler.Feed(wire, at, n);
                at += n;
            }

            assembler.Complete();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            LinkCounters c = assembler.Counters;
            string where = $"case {i} ({wire.Length} bytes)";
            Assert.IsTrue(allocated <= AllocatedBytesPerCase + AllocatedBytesPerWireByte * wire.Length, $"{where}: allocated {allocated} bytes");
            Assert.IsTrue(c.FramesLost >= 0 && c.Duplicates >= 0 && c.Reordered >= 0 && c.Reboots >= 0, $"{where}: {c}");
            Assert.IsTrue(c.Duplicates + c.Reordered <= c.FramesOk + c.UnknownType + c.BadPayload, $"{where}: {c}");
            Assert.AreEqual(c.SpectraComplete + c.SpectraIncomplete, kept.Count, where);
            Assert.IsTrue(kept.Sum(s => (long)s.ReceivedPoints) * 8 <= wire.Length, $"{where}: more points than bytes");
            foreach (ReceivedSpectrum s in kept)
            {
                Assert.AreEqual(s.TotalPoints - s.ReceivedPoints, s.MissingRanges.Sum(r => r.Length), where);
                Assert.AreEqual(s.Incomplete, s.ReceivedPoints != s.TotalPoints || s.IncompleteReason is not null, where);
            }

            if (allocated - AllocatedBytesPerCase > worstAllocated - AllocatedBytesPerCase && wire.Length > 0 && (double)allocated / wire.Length > (double)worstAllocated / Math.Max(1, bytesOfWorst))
            {
                worstAllocated = allocated;
                bytesOfWorst = wire.Length;
            }
        }

        Console.WriteLine($"wire fuzz: {Cases} streams, {totalBytes} bytes; worst allocation {worstAllocated} bytes for a {bytesOfWorst}-byte stream");
    }

    private static byte[] Mutate(byte[] original, Random rnd)
    {
        var b = new List<byte>(original);
        for (int e = rnd.Next(1, 10); e > 0 && b.Count > 1; e--)
        {
            int at = rnd.Next(b.Count);
            switch (rnd.Next(4))
            {
                case 0: b[at] ^= (byte)(1 << rnd.Next(8)); break;
                case 1: b.RemoveRange(at, Math.Min(b.Count - at, rnd.Next(1, 300))); break;
                case 2: b.InsertRange(at, b.GetRange(at, Math.Min(b.Count - at, rnd.Next(1, 300)))); break;
                default: b[at] = 0; break;
            }
        }

        return [.. b];
    }
}
