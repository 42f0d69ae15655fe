using System.Text;
using NbnEdge.Analysis;

namespace NbnEdge.Instruments.Tests;

/// <summary>
/// Seeded random damage to every real sample: truncation, byte flips, inserted and deleted runs, absurd
/// header sizes. Each case must end in a result or an InputDataException, never anything else, and
/// allocate memory in proportion to the bytes given (not to what a header claims).
/// </summary>
[TestClass]
public sealed class RandomFuzzTests
{
    /// <summary>Allocation allowed per case: a generous multiple of the input's size plus a fixed floor.</summary>
    private static long Bound(int inputBytes) => 64L * inputBytes + (32L << 20);

    private static byte[] Damage(byte[] original, Random rng, string[] absurdKeys)
    {
        var b = new List<byte>(original);
        switch (rng.Next(5))
        {
            case 0: // truncated at a random point (a copy taken while the file was written)
            {
                int cut = rng.Next(b.Count);
                b.RemoveRange(cut, b.Count - cut);
            }
                break;
            case 1: // byte flips
                for (int k = rng.Next(1, 8); k > 0; k--) b[rng.Next(b.Count)] ^= (byte)(1 << rng.Next(8));
                break;
            case 2: // an inserted run of random bytes
            {
                var run = new byte[rng.Next(1, 64)];
                rng.NextBytes(run);
                b.InsertRange(rng.Next(b.Count), run);
                break;
            }
            case 3: // a deleted run
            {
                int at = rng.Next(b.Count);
                b.RemoveRange(at, Math.Min(b.Count - at, rng.Next(1, 256)));
                break;
            }
            default: // an absurd size in the header
            {
                var text = Encoding.Latin1.GetString(original);
                string key = absurdKeys[rng.Next(absurdKeys.Length)];
                int at = text.IndexOf(key, StringComparison.Ordinal);
                if (at < 0) goto case 1;
                int end = text.IndexOfAny(['\r', '\n', '\t'], at + key.Length);
                string[] absurd = ["100000 x 1000", "2147483647", "-1", "99999999999999999999", "1e308", "NaN", "0", ""];
                text = text[..(at + key.Length)] + absurd[rng.Next(absurd.Length)] + (end < 0 ? "" : text[end..]);
                return Encoding.Latin1.GetBytes(text);
            }
        }
        return b.ToArray();
    }

    private static (int Ok, int Rejected, long MaxAllocated) Run(IEnumerable<(string Name, byte[] Bytes)> samples, int casesPerSample, string[] absurdKeys,
        Action<string, byte[]> read)
    {
        int ok = 0, rejected = 0;
        long maxAllocated = 0;
        foreach (var (name, bytes) in samples)
        {
            var rng = new Random(name.Length * 7919 + bytes.Length);
            for (int i = 0; i < casesPerSample; i++)
            {
                var damaged = Damage(bytes, rng, absurdKeys);
                long before = GC.GetAllocatedBytesForCurrentThread();
                try { read(name, damaged); ok++; }
                catch (InputDataException) { rejected++; }
                catch (Exception e) { Assert.Fail($"{name} case {i}: {e.GetType().Name}: {e.Message}"); }
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                maxAllocated = Math.Max(maxAllocated, allocated);
                Assert.IsTrue(allocated <= Bound(damaged.Length), $"{name} case {i}: {allocated} bytes allocated for {damaged.Length} bytes of input");
            }
        }
        Console.WriteLine($"{ok} read, {rejected} rejected, max allocated {maxAllocated / 1e6:F1} MB");
        return (ok, rejected, maxAllocated);
    }

    [TestMethod]
    public void Dat_files_under_random_damage()
    {
        var (ok, rejected, _) = Run(Samples.AllDat.Select(n => (n, Samples.Bytes(n))), 250,
            ["Lock-in>Amplitude\t", "X (m)\t", "Bias>Bias (V)\t", "Lock-in>Harmonic D1\t"],
            (n, b) => NanonisDatReader.Parse(n, b));
        Assert.AreEqual(Samples.AllDat.Length * 250, ok + rejected);
        Assert.IsTrue(ok > 0 && rejected > 0, $"the damage must sometimes be survivable and sometimes not: {ok} read, {rejected} rejected");
    }

    [TestMethod]
    public void Grid_files_under_random_damage()
    {
        var (ok, rejected, _) = Run(Samples.All3ds.Select(n => (n, Samples.Bytes(n))), 150,
            ["Grid dim=\"", "Points=", "# Parameters (4 byte)=", "Experiment size (bytes)="],
            (n, b) => NanonisGridReader.Parse(n, new MemoryStream(b)));
        Assert.AreEqual(Samples.All3ds.Length * 150, ok + rejected);
    }

    [TestMethod]
    public void Csv_under_random_damage()
    {
        var csv = new StringBuilder("bias_mV,a,b\n");
        var rng = new Random(3);
        for (int i = 0; i < 201; i++)
            csv.Append((-5 + 0.05 * i).ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(',')
               .Append((1 + 0.01 * rng.NextDouble()).ToString("E6", System.Globalization.CultureInfo.InvariantCulture)).Append(',')
               .Append((2e-9 * rng.NextDouble()).ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        var (ok, rejected, _) = Run([("made.csv", Encoding.UTF8.GetBytes(csv.ToString()))], 3000, ["bias_mV"],
            (n, b) => CsvSpectrumReader.Parse(n, b));
        Assert.AreEqual(3000, ok + rejected);
    }
}
