using System.Globalization;
using System.Text;

namespace NbnEdge.Instruments.Tests;

/// <summary>
/// The real Nanonis files in tests/data/nanonis (see SOURCES.md there for origin and license), and plain
/// string/byte helpers that read them independently of the readers under test.
/// </summary>
internal static class Samples
{
    public const string Pb100 = "spectrafox_Pb100_Spectrum001.dat";             // spectrafox/spectrafox, LGPL-3.0
    public const string Generic5e = "pynxtools-spm_generic_5e.dat";              // FAIRmat-NFDI/pynxtools-spm, Apache-2.0
    public const string IV = "nanonis-xarray_i_v.dat";                           // angelo-peronio/nanonis-xarray, MIT
    public const string Filtered = "nanonis-xarray_filtered.dat";                // angelo-peronio/nanonis-xarray, MIT
    public const string BiasSpectroscopy002 = "nanonispy_Bias-Spectroscopy002.dat"; // underchemist/nanonispy, MIT
    public const string DuplicateHeaders = "nanonispy_duplicate_headers.dat";    // underchemist/nanonispy, MIT
    public const string Grid002 = "SpmGrids_Grid-Spectroscopy002.3ds";           // alexriss/SpmGrids.jl, GPL-3.0
    public const string Grid006Incomplete = "SpmGrids_Grid-Spectroscopy006_incomplete.3ds"; // alexriss/SpmGrids.jl, GPL-3.0
    public const string Pb100Line = "spectrafox_Pb100_Line_StepEdge001.dat";       // spectrafox/spectrafox, LGPL-3.0
    public const string MnPcSpec = "spectrafox_MnPc-Pb111_Spec001.dat";           // spectrafox/spectrafox, LGPL-3.0
    public const string MnPcGrid001 = "spectrafox_MnPc-Pb111_grid1_001.dat";      // spectrafox/spectrafox, LGPL-3.0
    public const string MnPcGrid022 = "spectrafox_MnPc-Pb111_grid1_022.dat";      // spectrafox/spectrafox, LGPL-3.0
    public const string MnPcGrid035 = "spectrafox_MnPc-Pb111_grid1_035.dat";      // spectrafox/spectrafox, LGPL-3.0
    public const string MnPcGrid050 = "spectrafox_MnPc-Pb111_grid1_050.dat";      // spectrafox/spectrafox, LGPL-3.0
    public const string Generic5 = "pynxtools-spm_generic_5_Bias-Spectroscopy00015.dat"; // FAIRmat-NFDI/pynxtools-spm, Apache-2.0
    public const string SciFiGrid = "SciFiDatasets_NanonisReader_STS_grid_lockin.3ds";  // pycroscopy/SciFiDatasets, MIT
    public const string Generic45 = "pynxtools-stm_STS_nanonis_generic_4_5.dat";        // FAIRmat-NFDI/pynxtools-stm, Apache-2.0
    public const string FollowMe059 = "SpmImageTycoon_Follow_Me_Bias_Spectroscopy059.dat"; // alexriss/SpmImageTycoon.jl, GPL-3.0
    public const string MatlabNanonis = "matlab_nanonis_Bias-Spectroscopy.dat";         // ethz-micro/matlab_nanonis, GPL-3.0
    public const string NoZeroBias = "SpmSpectroscopy_Bias-Spectroscopy003.dat";         // alexriss/SpmSpectroscopy.jl, GPL-3.0

    public static readonly string[] AllDat = [Pb100, Generic5e, IV, Filtered, BiasSpectroscopy002, DuplicateHeaders,
        Pb100Line, MnPcSpec, MnPcGrid001, MnPcGrid022, MnPcGrid035, MnPcGrid050, Generic5, Generic45, FollowMe059, MatlabNanonis, NoZeroBias];
    public static readonly string[] All3ds = [Grid002, Grid006Incomplete, SciFiGrid];

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "data", "nanonis");

    public static string PathOf(string name) => Path.Combine(Folder, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>The file's lines without line ends (CRLF or LF).</summary>
    public static string[] Lines(string name) =>
        File.ReadAllText(PathOf(name), Encoding.Latin1).Replace("\r\n", "\n").TrimEnd('\n').Split('\n');

    /// <summary>The raw .dat table: column names and the rows' fields as strings, with each row's 1-based line number.</summary>
    public static (string[] Columns, List<(int Line, string[] Fields)> Rows) Table(string name)
    {
        var lines = Lines(name);
        int data = Array.IndexOf(lines, "[DATA]");
        var columns = lines[data + 1].Split('\t');
        var rows = new List<(int, string[])>();
        for (int i = data + 2; i < lines.Length; i++) rows.Add((i + 1, lines[i].Split('\t')));
        return (columns, rows);
    }

    public static double[] Column(string name, string column)
    {
        var (columns, rows) = Table(name);
        int c = Array.IndexOf(columns, column);
        if (c < 0) throw new InvalidOperationException($"test setup: no column '{column}' in {name}");
        return rows.Select(r => double.Parse(r.Fields[c], CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>The value of the first .dat header line with this key.</summary>
    public static string DatHeader(string name, string key) =>
        Lines(name).First(l => l.StartsWith(key + "\t", StringComparison.Ordinal)).Split('\t')[1];

    /// <summary>A .3ds header value by key (text before :HEADER_END:, split on the first '=', quotes removed).</summary>
    public static string GridHeader(string name, string key)
    {
        var line = GridHeaderText(name).Split("\r\n").First(l => l.StartsWith(key + "=", StringComparison.Ordinal));
        return line[(key.Length + 1)..].Trim('"');
    }

    public static string GridHeaderText(string name)
    {
        var text = Encoding.Latin1.GetString(Bytes(name));
        return text[..text.IndexOf(":HEADER_END:", StringComparison.Ordinal)];
    }

    /// <summary>Offset of the first data byte: after ":HEADER_END:" and its CRLF.</summary>
    public static int GridDataStart(string name) => GridHeaderText(name).Length + ":HEADER_END:\r\n".Length;

    public static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);
}
