using System.Buffers.Binary;
using System.Text;
using NbnEdge.Analysis;

namespace NbnEdge.Instruments.Tests;

[TestClass]
public sealed class GridReaderTests
{
    /// <summary>A .3ds file written the way Nanonis writes it: CRLF header, marker, big-endian float32 records.</summary>
    internal static byte[] BuildGrid(IEnumerable<string> headerLines, IEnumerable<float[]> records)
    {
        var bytes = new List<byte>(Encoding.Latin1.GetBytes(string.Join("\r\n", headerLines) + "\r\n:HEADER_END:\r\n"));
        var word = new byte[4];
        foreach (var record in records)
            foreach (var v in record)
            {
                BinaryPrimitives.WriteSingleBigEndian(word, v);
                bytes.AddRange(word);
            }
        return [.. bytes];
    }

    private static float RawFloat(byte[] file, long offset) => BinaryPrimitives.ReadSingleBigEndian(file.AsSpan((int)offset, 4));

    // alexriss/SpmGrids.jl test/Grid Spectroscopy002.3ds (GPL-3.0)
    [TestMethod]
    public void Grid002_geometry_and_each_pixels_own_sweep_from_its_parameters()
    {
        var grid = NanonisGridReader.Read(Samples.PathOf(Samples.Grid002), new() { Channel = "Current" });
        Assert.AreEqual(20, grid.Width);
        Assert.AreEqual(20, grid.Height);
        Assert.AreEqual(400, grid.PixelsPresent);
        Assert.AreEqual(0, grid.PixelsMissing);
        Assert.AreEqual(128, grid.Points);
        Assert.AreEqual(10, grid.Channels.Count);
        Assert.AreEqual(18, grid.Parameters.Count);
        Assert.AreEqual("Sweep Start", grid.Parameters[0]);
        Assert.AreEqual("Sweep End", grid.Parameters[1]);
        Assert.AreEqual("Bias (V)", grid.SweepSignal);
        Assert.IsFalse(grid.IsMultiSegment);
        Assert.AreEqual(0L, grid.PartialPixelBytesDropped);

        var settings = Samples.GridHeader(Samples.Grid002, "Grid settings").Split(';').Select(Samples.Parse).ToArray();
        Assert.AreEqual(settings[0] * 1e9, grid.CenterXNm!.Value, 1e-9);
        Assert.AreEqual(110.662, grid.CenterXNm!.Value, 1e-9);
        Assert.AreEqual(233.166, grid.CenterYNm!.Value, 1e-9);
        Assert.AreEqual(15.0, grid.SizeXNm!.Value, 1e-9);
        Assert.AreEqual(15.0, grid.SizeYNm!.Value, 1e-9);
        Assert.AreEqual(0.0, grid.AngleDeg!.Value);

        Assert.AreEqual(400, grid.Spectra.Count);
        var s = grid.Spectra[7 * 20 + 3];
        Assert.AreEqual("x=3,y=7", s.Name);
        Assert.AreEqual(3, s.PixelX);
        Assert.AreEqual(7, s.PixelY);
        Assert.IsFalse(s.Incomplete);

        // Independently: the record of pixel (3,7) starts at dataStart + 143 records of (18 + 10·128)·4 bytes.
        var file = Samples.Bytes(Samples.Grid002);
        long record = Samples.GridDataStart(Samples.Grid002) + (7 * 20 + 3) * (18 + 10 * 128) * 4L;
        float start = RawFloat(file, record), end = RawFloat(file, record + 4);
        Assert.AreEqual(0.2f, start, 1e-6f, "the sweep runs +0.2 → −0.1 V");
        Assert.AreEqual(-0.1f, end, 1e-6f);
        Assert.AreEqual(start * 1000.0, s.BiasMV[0]);
        Assert.AreEqual(end * 1000.0, s.BiasMV[^1]);
        Assert.AreEqual(128, s.Count);
        double step = (end * 1000.0 - start * 1000.0) / 127;
        for (int i = 0; i < 128; i++) Assert.AreEqual(start * 1000.0 + step * i, s.BiasMV[i], 1e-9);
        for (int i = 0; i < 128; i++) Assert.AreEqual((double)RawFloat(file, record + (18 + i) * 4), s.Conductance[i], $"point {i}");
        int xIndex = Samples.GridHeader(Samples.Grid002, "Experiment parameters").Split(';').ToList().IndexOf("X (m)") + 2;
        Assert.AreEqual(RawFloat(file, record + xIndex * 4) * 1e9, s.XNm!.Value, 1e-6);
        Assert.AreEqual(RawFloat(file, record + (xIndex + 1) * 4) * 1e9, s.YNm!.Value, 1e-6);
        CollectionAssert.AreEqual(Enumerable.Range(0, 128).Select(i => RawFloat(file, record + (18 + 128 + i) * 4)).ToArray(),
            grid.GetChannelValues(7 * 20 + 3, 1).ToArray());
    }

    [TestMethod]
    public void Grid002_has_no_lock_in_channel_so_the_derivative_of_Current_is_taken_and_said()
    {
        var grid = NanonisGridReader.Read(Samples.PathOf(Samples.Grid002));
        Assert.AreEqual(400, grid.Spectra.Count);
        Assert.IsTrue(grid.Notes.Any(n => n.Contains("numerical derivative of Current")), string.Join(" | ", grid.Notes));
        // Pixel (3, 7), point 40: the central difference of its raw Current floats over its own sweep axis.
        int pixel = 7 * 20 + 3, current = grid.Channels.ToList().FindIndex(c => c.StartsWith("Current"));
        var raw = grid.GetChannelValues(pixel, current);
        var axisV = grid.GetSweepAxis(pixel);
        double expected = (raw[41] - raw[39]) / (axisV[41] - axisV[39]); // per volt: the channel is labelled in S
        StringAssert.Contains(grid.Spectra[0].Metadata["NbnEdge>Columns"], "(S)");
        var spectrum = grid.Spectra.Single(s => s.PixelX == 3 && s.PixelY == 7);
        Assert.AreEqual(expected, spectrum.Conductance[40], Math.Abs(expected) * 1e-9);
        StringAssert.StartsWith(spectrum.Name, "x=3,y=7");
    }

    // alexriss/SpmGrids.jl test/Grid Spectroscopy006.3ds (GPL-3.0): stopped after 88 of 1024 pixels
    [TestMethod]
    public void Grid006_stopped_early_yields_the_88_pixels_present_and_reports_the_rest()
    {
        var grid = NanonisGridReader.Read(Samples.PathOf(Samples.Grid006Incomplete));
        var file = Samples.Bytes(Samples.Grid006Incomplete);
        long recordBytes = (20 + 16 * 256) * 4L;
        long dataBytes = file.Length - Samples.GridDataStart(Samples.Grid006Incomplete);
        Assert.AreEqual(88L, dataBytes / recordBytes, "test setup");
        Assert.AreEqual(0L, dataBytes % recordBytes, "test setup: the last record is complete");

        Assert.AreEqual(32, grid.Width);
        Assert.AreEqual(32, grid.Height);
        Assert.AreEqual(88, grid.PixelsPresent);
        Assert.AreEqual(1024 - 88, grid.PixelsMissing);
        Assert.AreEqual(256, grid.Points);
        Assert.AreEqual(16, grid.Channels.Count);
        Assert.AreEqual(20, grid.Parameters.Count);
        Assert.IsTrue(grid.Notes.Any(n => n.Contains("88 of 1024 pixels present")));

        // A Z sweep: no tunnelling spectra, but the raw sweep axis of each pixel is there.
        Assert.AreEqual("Z (m)", grid.SweepSignal);
        Assert.AreEqual(0, grid.Spectra.Count);
        StringAssert.Contains(grid.NoSpectraReason, "Z (m)");
        long last = Samples.GridDataStart(Samples.Grid006Incomplete) + 87 * recordBytes;
        float start = RawFloat(file, last), end = RawFloat(file, last + 4);
        var axis = grid.GetSweepAxis(87);
        Assert.AreEqual(256, axis.Length);
        Assert.AreEqual((double)start, axis[0]);
        Assert.AreEqual((double)end, axis[^1]);
        Assert.AreEqual(start + (end - (double)start) * 100 / 255, axis[100], 1e-18);
        Assert.ThrowsExactly<InputDataException>(() => SpectrumFiles.Read(Samples.PathOf(Samples.Grid006Incomplete), SpectrumReadOptions.Default));
    }

    [TestMethod]
    public void A_grid_cut_inside_a_pixel_drops_that_pixel_and_never_zero_fills()
    {
        var file = Samples.Bytes(Samples.Grid002);
        long recordBytes = (18 + 10 * 128) * 4L;
        int cutAt = (int)(Samples.GridDataStart(Samples.Grid002) + 100 * recordBytes + 777);
        var full = NanonisGridReader.Read(Samples.PathOf(Samples.Grid002), new() { Channel = "Current" });
        var cut = NanonisGridReader.Parse("cut.3ds", new MemoryStream(file, 0, cutAt), new() { Channel = "Current" });
        Assert.AreEqual(100, cut.PixelsPresent);
        Assert.AreEqual(300, cut.PixelsMissing);
        Assert.AreEqual(777L, cut.PartialPixelBytesDropped);
        Assert.AreEqual(100, cut.Spectra.Count);
        Assert.IsTrue(cut.Notes.Any(n => n.Contains("777 of 5192 bytes")));
        for (int i = 0; i < 100; i++) CollectionAssert.AreEqual(full.Spectra[i].Conductance, cut.Spectra[i].Conductance);
    }

    private static readonly string[] MlsHeader =
    [
        "Grid dim=\"2 x 1\"",
        "Grid settings=1E-8;2E-8;3E-9;3E-9;15",
        "Filetype=MLS",
        "Sweep Signal=\"Bias (V)\"",
        "Fixed parameters=\"Sweep Start;Sweep End\"",
        "Experiment parameters=\"X (m);Y (m)\"",
        "# Parameters (4 byte)=4",
        // The layout xarray-nanonis documents for MLS grids (30 + 10 points sharing one → 39).
        "Segment Start (V), Segment End (V), Settling (s), Integration (s), Steps (xn), Lockin, Init. Settling (s)=300E-3,0E+0,10E-3,100E-3,30,0E+0,0E+0;0E+0,-500E-3,10E-3,100E-3,10,0E+0,0E+0",
        "Experiment size (bytes)=312",
        "Points=39",
        "Channels=\"LI Demod 1 X (A);LI Demod 1 X [bwd] (A)\"",
        "Comment=\"a=b; c=d\"",
        "Lock-in>Amplitude=1E-3",
    ];

    private static float[] Record(float x, float y, Func<int, float> fwd, Func<int, float> bwd) =>
        [0.3f, -0.5f, x, y, .. Enumerable.Range(0, 39).Select(fwd), .. Enumerable.Range(0, 39).Select(bwd)];

    [TestMethod]
    public void MLS_grid_builds_the_segment_axis_and_parses_quoted_values_with_equals_signs()
    {
        var bytes = BuildGrid(MlsHeader, [Record(1e-9f, 2e-9f, i => i, i => 100 + i), Record(3e-9f, 4e-9f, i => 2 * i, i => 0)]);
        var grid = NanonisGridReader.Parse("mls.3ds", new MemoryStream(bytes));
        Assert.IsTrue(grid.IsMultiSegment);
        Assert.AreEqual("a=b; c=d", grid.Header.Single(h => h.Key == "Comment").Value);
        Assert.AreEqual(15.0, grid.AngleDeg!.Value);

        var expected = new List<double>();
        for (int i = 0; i < 30; i++) expected.Add(300.0 - 300.0 * i / 29);
        for (int i = 1; i < 10; i++) expected.Add(-500.0 * i / 9);
        var s = grid.Spectra[0];
        Assert.AreEqual("x=0,y=0", s.Name);
        Assert.AreEqual(39, s.Count);
        for (int i = 0; i < 39; i++) Assert.AreEqual(expected[i], s.BiasMV[i], 1e-9, $"point {i}");
        Assert.AreEqual((7 + 107) / 2.0, s.Conductance[7]);
        Assert.AreEqual(1.0, s.XNm!.Value, 1e-6);
        Assert.AreEqual(4.0, grid.Spectra[1].YNm!.Value, 1e-6);
        Assert.AreEqual(1.0, s.ModulationAmplitudeMV!.Value, 1e-12);

        var each = NanonisGridReader.Parse("mls.3ds", new MemoryStream(bytes), new() { Sweeps = SweepSelection.Each }).Spectra;
        CollectionAssert.AreEqual(new[] { "x=0,y=0 LI Demod 1 X", "x=0,y=0 LI Demod 1 X [bwd]", "x=1,y=0 LI Demod 1 X", "x=1,y=0 LI Demod 1 X [bwd]" },
            each.Select(e => e.Name).ToArray());
    }

    [TestMethod]
    public void MLS_table_that_disagrees_with_Points_is_rejected()
    {
        var header = MlsHeader.Select(l => l.StartsWith("Points=") ? "Points=40" : l.StartsWith("Experiment size") ? "Experiment size (bytes)=320" : l).ToArray();
        var bytes = BuildGrid(header, [new float[4 + 80]]);
        var e = Assert.ThrowsExactly<InputDataException>(() => NanonisGridReader.Parse("mls.3ds", new MemoryStream(bytes)));
        StringAssert.Contains(e.Problem, "gives 39 points but Points says 40");
        Assert.AreEqual(8L, e.Line);
    }

    [TestMethod]
    public void Pixels_with_NaN_points_drop_them_and_pixels_that_cannot_be_spectra_are_skipped_and_counted()
    {
        var bytes = BuildGrid(MlsHeader.Select(l => l.StartsWith("Filetype") ? "Filetype=Linear" : l).Where(l => !l.StartsWith("Segment")),
        [
            Record(0, 0, i => i is 3 or 4 ? float.NaN : i, i => i),
            Record(0, 0, i => i < 35 ? float.NaN : i, i => i), // only 4 finite points
        ]);
        var grid = NanonisGridReader.Parse("nan.3ds", new MemoryStream(bytes));
        Assert.AreEqual(1, grid.Spectra.Count);
        Assert.AreEqual(37, grid.Spectra[0].Count);
        Assert.AreEqual("dropped 2 non-finite points (points 3–4)", grid.Spectra[0].Notes.Single());
        Assert.IsTrue(grid.Notes.Any(n => n.StartsWith("skipped 1 spectra (first: x=1,y=0)")));
    }

    [TestMethod]
    public void Broken_grid_headers_give_clear_errors()
    {
        var noMarker = Assert.ThrowsExactly<InputDataException>(() => NanonisGridReader.Parse("x.3ds", new MemoryStream(Encoding.ASCII.GetBytes("Grid dim=\"2 x 1\"\r\n"))));
        StringAssert.Contains(noMarker.Problem, ":HEADER_END:");

        string[] With(string prefix, string line) => MlsHeader.Select(l => l.StartsWith(prefix) ? line : l).ToArray();
        var badDim = Assert.ThrowsExactly<InputDataException>(() => NanonisGridReader.Parse("x.3ds", new MemoryStream(BuildGrid(With("Grid dim", "Grid dim=\"two x 1\""), [new float[82]]))));
        Assert.AreEqual(1L, badDim.Line);
        var badCount = Assert.ThrowsExactly<InputDataException>(() => NanonisGridReader.Parse("x.3ds", new MemoryStream(BuildGrid(With("# Parameters", "# Parameters (4 byte)=5"), [new float[83]]))));
        StringAssert.Contains(badCount.Problem, "name 4 parameters");
        var empty = Assert.ThrowsExactly<InputDataException>(() => NanonisGridReader.Parse("x.3ds", new MemoryStream(BuildGrid(MlsHeader, []))));
        StringAssert.Contains(empty.Problem, "no complete pixel");
        Assert.IsNotNull(empty.ByteOffset);
    }
}
