using System.Diagnostics;
using NbnEdge.Firmware.Protocol;
using NbnEdge.Link;

// Usage: NbnEdge.LinkBench [spectra=20000] [points=201] [rounds=5]
// Builds a capture of that many spectra as the firmware sends them (chunks, ESTIMATE, a STATUS
// every 20 spectra) with the firmware's FrameEncoder, then times, per round, the best of:
//  decode            FrameDecoder alone (COBS, CRC-32, parse)
//  decode+assemble   SpectrumStreamAssembler (seq tracking, chunk assembly, estimate matching)
//  +to Spectrum      and conversion of every spectrum to NbnEdge.Analysis.Spectrum
int spectra = args.Length > 0 ? int.Parse(args[0]) : 20000;
int points = args.Length > 1 ? int.Parse(args[1]) : 201;
int rounds = args.Length > 2 ? int.Parse(args[2]) : 5;

byte[] capture = BuildCapture(spectra, points);
Console.WriteLine($"capture: {spectra} spectra of {points} points, {capture.Length / 1e6:F1} MB; {Environment.ProcessorCount} cores, 1 thread used");

Measure("decode", () =>
{
    var decoder = new FrameDecoder();
    int frames = 0;
    for (int off = 0; off < capture.Length;)
    {
        int n = Math.Min(65536, capture.Length - off);
        while (n > 0)
        {
            int used = decoder.Feed(capture, off, n);
            off += used;
            n -= used;
            if (decoder.FrameReady) frames++;
        }
    }

    return frames;
});

Measure("decode+assemble", () =>
{
    var a = new SpectrumStreamAssembler();
    int got = 0;
    a.SpectrumReceived += _ => got++;
    Feed(a);
    Check(a, got);
    return got;
});

Measure("decode+assemble+to Spectrum", () =>
{
    var a = new SpectrumStreamAssembler();
    int got = 0;
    a.SpectrumReceived += s => { if (s.ToSpectrum("bench").Count == points) got++; };
    Feed(a);
    Check(a, got);
    return got;
});

void Feed(SpectrumStreamAssembler a)
{
    for (int off = 0; off < capture.Length; off += 65536)
    {
        a.Feed(capture, off, Math.Min(65536, capture.Length - off));
    }

    a.Complete();
}

void Check(SpectrumStreamAssembler a, int got)
{
    LinkCounters k = a.Counters;
    if (got != spectra || k.SpectraComplete != spectra || k.FramesLost != 0 || k.FramesDropped != 0)
    {
        throw new InvalidOperationException($"bench decoded wrongly: {got} spectra, {k}");
    }
}

void Measure(string what, Func<int> run)
{
    run(); // warm-up (tiered JIT, PGO)
    double best = double.MaxValue;
    for (int r = 0; r < rounds; r++)
    {
        var sw = Stopwatch.StartNew();
        run();
        best = Math.Min(best, sw.Elapsed.TotalSeconds);
    }

    Console.WriteLine($"{what,-30} {capture.Length / 1e6 / best,8:F0} MB/s  ({best * 1e3:F1} ms best of {rounds})");
}

static byte[] BuildCapture(int spectra, int points)
{
    var encoder = new FrameEncoder();
    var output = new MemoryStream();
    var rng = new Random(1);
    void Put(int n) => output.Write(encoder.Output, 0, n);
    byte[] hello = System.Text.Encoding.UTF8.GetBytes("fw=0.1.0\nboard=esp32-devkitc-ads131m04\nadc=ADS131M04\nbias_uV_per_lsb=0.001430511474609375\nsignal_uV_per_lsb=1.430511474609375\npoints=201\nsweep=both\n");
    Put(encoder.EncodeText(MessageType.Hello, hello, 0, hello.Length));
    var bias = new int[points];
    var signal = new int[points];
    var estimate = new EstimateReport { Valid = true, DeltaUeV = 2020, TEffMk = 1730, Quality = 900 };
    var status = new StatusReport();
    for (uint id = 0; id < spectra; id++)
    {
        bool backward = (id & 1) == 1;
        for (int i = 0; i < points; i++)
        {
            int k = backward ? points - 1 - i : i;
            bias[i] = -3_495_253 + k * 34_952 + rng.Next(-30, 30);
            signal[i] = 700_000 + rng.Next(-20_000, 20_000);
        }

        for (int first = 0; first < points; first += MessageType.MaxPointsPerChunk)
        {
            int n = Math.Min(points - first, MessageType.MaxPointsPerChunk);
            ushort flags = (ushort)((backward ? MessageType.SpectrumFlagBackward : 0) | (first + n == points ? MessageType.SpectrumFlagLastChunk : 0));
            Put(encoder.EncodeSpectrumChunk(id, bias, signal, first, n, points, flags));
        }

        estimate.SpectrumId = id;
        Put(encoder.EncodeEstimate(estimate));
        if (id % 20 == 0)
        {
            status.SpectraDone = id;
            Put(encoder.EncodeStatus(status));
        }
    }

    return output.ToArray();
}
