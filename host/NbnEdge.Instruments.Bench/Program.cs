// Throughput of NanonisGridReader on a synthetic 128 × 128 pixel, 201-point grid with four channels
// (forward/backward current and lock-in X), the size of a real overnight dI/dV map.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using NbnEdge.Instruments;

const int Width = 128, Height = 128, Points = 201, Channels = 4, Parameters = 10;
int iterations = args.Length > 0 ? int.Parse(args[0]) : 7;

var folder = Path.Combine(Path.GetTempPath(), "nbnedge-bench-" + Environment.ProcessId);
Directory.CreateDirectory(folder);
var path = Path.Combine(folder, "synthetic-128x128x201.3ds");
try
{
    WriteGrid(path, "Bias (V)");
    var zPath = Path.Combine(folder, "synthetic-z-sweep.3ds");
    WriteGrid(zPath, "Z (m)"); // same bytes, but a Z sweep: records only, no spectra to build
    long bytes = new FileInfo(path).Length;
    Console.WriteLine($"file: {bytes / 1e6:F1} MB, {Width}×{Height} pixels × {Channels} channels × {Points} points");

    foreach (var (label, file, options) in new[]
    {
        ("records only (Z sweep, no spectra)", zPath, SpectrumReadOptions.Default),
        ("records + spectra (LI Demod 1 X, fwd/bwd averaged)", path, SpectrumReadOptions.Default),
        ("records + spectra (each sweep: 2 per pixel)", path, new SpectrumReadOptions { Sweeps = SweepSelection.Each }),
    })
    {
        var seconds = new List<double>();
        for (int i = 0; i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            var grid = NanonisGridReader.Read(file, options);
            clock.Stop();
            if (grid.PixelsPresent != Width * Height || (file == path) != (grid.Spectra.Count > 0)) throw new InvalidOperationException("bench grid read wrongly");
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        seconds.Sort();
        Console.WriteLine($"{label}: median {bytes / 1e6 / seconds[seconds.Count / 2]:F0} MB/s, best {bytes / 1e6 / seconds[0]:F0} MB/s (first run {bytes / 1e6 / seconds[^1]:F0} MB/s, file in page cache)");
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
}

static void WriteGrid(string path, string sweepSignal)
{
    var channels = "Current (A);LI Demod 1 X (A);Current [bwd] (A);LI Demod 1 X [bwd] (A)";
    var header = string.Join("\r\n",
        $"Grid dim=\"{Width} x {Height}\"", "Grid settings=0E+0;0E+0;1E-7;1E-7;0E+0", "Filetype=Linear", $"Sweep Signal=\"{sweepSignal}\"",
        "Fixed parameters=\"Sweep Start;Sweep End\"",
        "Experiment parameters=\"X (m);Y (m);Z (m);Z offset (m);Settling time (s);Integration time (s);Z-Ctrl hold;Final Z (m)\"",
        $"# Parameters (4 byte)={Parameters}", $"Experiment size (bytes)={Channels * Points * 4}", $"Points={Points}",
        $"Channels=\"{channels}\"", "Lock-in>Amplitude=50E-6", ":HEADER_END:", "");
    using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
    stream.Write(Encoding.ASCII.GetBytes(header));
    var record = new byte[(Parameters + Channels * Points) * 4];
    var random = new Random(1);
    for (int p = 0; p < Width * Height; p++)
    {
        var values = new float[Parameters + Channels * Points];
        values[0] = 5e-3f; values[1] = -5e-3f; values[2] = p % Width * 1e-9f; values[3] = p / Width * 1e-9f;
        for (int i = Parameters; i < values.Length; i++) values[i] = (float)random.NextDouble();
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleBigEndian(record.AsSpan(i * 4), values[i]);
        stream.Write(record);
    }
}
