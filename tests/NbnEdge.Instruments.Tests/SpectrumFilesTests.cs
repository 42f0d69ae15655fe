using NbnEdge.Analysis;

namespace NbnEdge.Instruments.Tests;

[TestClass]
public sealed class SpectrumFilesTests
{
    private string _folder = "";

    [TestInitialize]
    public void MakeFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "nbnedge-files-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        foreach (var name in new[] { "b.dat", "a.dat", "c.3ds", "d.csv", "notes.txt", "a.dat~", "Z.DAT" })
            File.WriteAllText(Path.Combine(_folder, name), "");
        Directory.CreateDirectory(Path.Combine(_folder, "sub.dat"));
    }

    [TestCleanup]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    private string In(string name) => Path.Combine(_folder, name);

    [TestMethod]
    public void Read_dispatches_on_extension()
    {
        var dat = SpectrumFiles.Read(Samples.PathOf(Samples.Pb100), SpectrumReadOptions.Default);
        Assert.AreEqual(2396, dat.Single().Count);
        var grid = SpectrumFiles.Read(Samples.PathOf(Samples.Grid002), new SpectrumReadOptions { Channel = "Current" });
        Assert.AreEqual(400, grid.Count);
        Assert.AreEqual("x=19,y=19", grid[^1].Name);
    }

    [TestMethod]
    public void Read_rejects_missing_files_folders_and_unknown_extensions()
    {
        var missing = Assert.ThrowsExactly<InputDataException>(() => SpectrumFiles.Read(In("nope.dat"), SpectrumReadOptions.Default));
        Assert.AreEqual("file not found.", missing.Problem);
        Assert.AreEqual(In("nope.dat"), missing.InputName);
        StringAssert.Contains(Assert.ThrowsExactly<InputDataException>(() => SpectrumFiles.Read(In("notes.txt"), SpectrumReadOptions.Default)).Problem, "unknown file type '.txt'");
        StringAssert.Contains(Assert.ThrowsExactly<InputDataException>(() => SpectrumFiles.Read(_folder, SpectrumReadOptions.Default)).Problem, "folder");
        StringAssert.Contains(Assert.ThrowsExactly<InputDataException>(() => SpectrumFiles.Read(In("d.csv"), SpectrumReadOptions.Default)).Problem, "empty");
        Assert.AreEqual("the file is empty.", Assert.ThrowsExactly<InputDataException>(() => SpectrumFiles.Read(In("a.dat"), SpectrumReadOptions.Default)).Problem);
        Assert.AreEqual("the file is empty.", Assert.ThrowsExactly<InputDataException>(() => SpectrumFiles.Read(In("c.3ds"), SpectrumReadOptions.Default)).Problem);
    }

    [TestMethod]
    public void Expand_takes_spectrum_files_from_folders_sorted_by_name()
    {
        var files = SpectrumFiles.Expand([_folder]).Select(Path.GetFileName).ToArray();
        CollectionAssert.AreEqual(new[] { "Z.DAT", "a.dat", "b.dat", "c.3ds", "d.csv" }, files, "ordinal order; a.dat~, notes.txt and the folder sub.dat are not spectrum files");
    }

    [TestMethod]
    public void Expand_matches_globs_in_the_file_name_part_only()
    {
        CollectionAssert.AreEqual(new[] { In("a.dat"), In("b.dat") }, SpectrumFiles.Expand([In("*.dat")]).ToArray());
        CollectionAssert.AreEqual(new[] { In("a.dat~") }, SpectrumFiles.Expand([In("a.dat?")]).ToArray(), "'?' is exactly one character");
        CollectionAssert.AreEqual(new[] { In("c.3ds"), In("a.dat"), In("b.dat") }, SpectrumFiles.Expand([In("c.3ds"), In("?.dat"), In("a.dat")]).ToArray(), "argument order kept, duplicates once");

        var none = Assert.ThrowsExactly<InputDataException>(() => SpectrumFiles.Expand([In("*.sxm")]));
        Assert.AreEqual("no file matches this pattern.", none.Problem);
        Assert.ThrowsExactly<InputDataException>(() => SpectrumFiles.Expand([Path.Combine(_folder, "*", "a.dat")]));
        Assert.AreEqual("file not found.", Assert.ThrowsExactly<InputDataException>(() => SpectrumFiles.Expand([In("x.dat")])).Problem);
        var emptyFolder = Path.Combine(_folder, "sub.dat");
        StringAssert.Contains(Assert.ThrowsExactly<InputDataException>(() => SpectrumFiles.Expand([emptyFolder])).Problem, "no .dat, .3ds or .csv");
    }

    [TestMethod]
    public void Expand_of_the_sample_folder_finds_every_sample()
    {
        var files = SpectrumFiles.Expand([Samples.Folder]).Select(Path.GetFileName).ToHashSet();
        foreach (var sample in Samples.AllDat.Concat(Samples.All3ds)) Assert.IsTrue(files.Contains(sample), sample);
        Assert.AreEqual(Samples.AllDat.Length + Samples.All3ds.Length, files.Count, "every file in the folder is listed in Samples");
    }

    private static Spectrum At(double? x, double? y) =>
        new() { Source = "s", Name = $"{x},{y}", BiasMV = [], Conductance = [], XNm = x, YNm = y };

    [TestMethod]
    public void Distance_along_line_projects_on_the_first_to_last_direction()
    {
        // Line from (1,1) to (4,5): direction (0.6, 0.8), length 5.
        var d = LineProfile.DistanceAlongLineNm([At(1, 1), At(1 + 0.6 * 2 - 0.8 * 0.5, 1 + 0.8 * 2 + 0.6 * 0.5), At(0.4, 0.2), At(4, 5)]);
        Assert.AreEqual(0.0, d[0]);
        Assert.AreEqual(2.0, d[1], 1e-12, "a sideways offset of 0.5 nm adds nothing");
        Assert.AreEqual(-1.0, d[2], 1e-12);
        Assert.AreEqual(5.0, d[3], 1e-12);
        Assert.AreEqual(0, LineProfile.DistanceAlongLineNm([]).Length);
        CollectionAssert.AreEqual(new[] { 0.0 }, LineProfile.DistanceAlongLineNm([At(3, 3)]));
        StringAssert.Contains(Assert.ThrowsExactly<InputDataException>(() => LineProfile.DistanceAlongLineNm([At(1, 1), At(null, 2), At(3, 3)])).Problem, "no tip position");
        StringAssert.Contains(Assert.ThrowsExactly<InputDataException>(() => LineProfile.DistanceAlongLineNm([At(1, 1), At(2, 2), At(1, 1)])).Problem, "same tip position");
    }

    [TestMethod]
    public void Distance_along_line_of_real_files_uses_their_header_positions()
    {
        var spectra = new[] { Samples.IV, Samples.Generic5e, Samples.Pb100 }.Select(f => SpectrumFiles.Read(Samples.PathOf(f), SpectrumReadOptions.Default)[0]).ToList();
        var p = new[] { Samples.IV, Samples.Generic5e, Samples.Pb100 }
            .Select(f => (X: Samples.Parse(Samples.DatHeader(f, "X (m)")) * 1e9, Y: Samples.Parse(Samples.DatHeader(f, "Y (m)")) * 1e9)).ToArray();
        double lx = p[2].X - p[0].X, ly = p[2].Y - p[0].Y, len = Math.Sqrt(lx * lx + ly * ly);
        var d = LineProfile.DistanceAlongLineNm(spectra);
        Assert.AreEqual(((p[1].X - p[0].X) * lx + (p[1].Y - p[0].Y) * ly) / len, d[1], 1e-9);
        Assert.AreEqual(len, d[2], 1e-9);
    }

    /// <summary>
    /// A line with sideways drift is a line; point spectra over an area are not. The area is SpectraFox's
    /// MnPc grid as its .dat files place it: 10 × 10 positions 0.18 nm apart on axes rotated by 38°
    /// (projected on the first-to-last direction, whole rows stacked at one distance).
    /// </summary>
    [TestMethod]
    public void A_line_with_drift_is_a_line_and_a_grid_of_point_spectra_is_not()
    {
        var rng = new Random(5);
        var drifting = Enumerable.Range(0, 50).Select(i => At(2.0 * i, 0.6 * Math.Sin(i / 7.0) + 0.3 * rng.NextDouble())).ToList();
        Assert.IsTrue(LineProfile.IsAlongALine(drifting), "2 nm steps, up to 0.9 nm sideways");
        double c = Math.Cos(38 * Math.PI / 180), s = Math.Sin(38 * Math.PI / 180);
        var grid = Enumerable.Range(0, 100).Select(k => (Col: k % 10, Row: k / 10))
            .Select(p => At(50 + 0.18 * (p.Col * c - p.Row * s), 255.8 + 0.18 * (p.Col * s + p.Row * c))).ToList();
        Assert.IsFalse(LineProfile.IsAlongALine(grid));
        Assert.IsTrue(LineProfile.IsAlongALine(grid.Take(10).ToList()), "one row of the grid is a line");
        Assert.IsTrue(LineProfile.IsAlongALine([At(0, 0), At(5, 3)]), "two points are always a line");
    }
}
