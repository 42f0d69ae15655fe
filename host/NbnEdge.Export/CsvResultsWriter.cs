using System.Globalization;
using System.Text;

namespace NbnEdge.Export;

/// <summary>
/// <c>--out FILE.csv</c>: one row per spectrum (its fit with errors and its position), preceded
/// by <c>#</c> lines holding the units, the settings and the statistics, so
/// <c>pandas.read_csv(path, comment="#")</c> reads the table and a person reads the rest.
/// </summary>
public static class CsvResultsWriter
{
    /// <summary>Writes <paramref name="export"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, ResultsExport export)
    {
        ArgumentNullException.ThrowIfNull(export);
        File.WriteAllText(path, Format(export), new UTF8Encoding(false));
    }

    /// <summary>The file's text.</summary>
    public static string Format(ResultsExport export)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("# nbnedge ").Append(export.ProgramVersion).Append(' ').Append(export.Command).Append('\n');
        sb.Append("# units: ").Append(string.Join(", ", ResultsExport.FitColumns.Where(c => c.Unit.Length > 0).Select(c => $"{c.Name} [{c.Unit}]"))).Append('\n');
        foreach (var (name, value) in export.Settings) sb.Append("# setting ").Append(name).Append(" = ").Append(OneLine(value)).Append('\n');
        foreach (var (name, unit, value) in export.StatisticsFields())
            sb.Append("# statistic ").Append(name).Append(" = ").Append(Number(value)).Append(unit.Length > 0 ? $" {unit}" : "").Append('\n');
        sb.Append("source,spectrum,");
        sb.Append(string.Join(",", ResultsExport.FitColumns.Select(c => c.Name)));
        sb.Append(",flag\n");
        foreach (var s in export.Spectra)
        {
            sb.Append(Quote(s.Fit.Source)).Append(',').Append(Quote(s.Fit.Spectrum));
            foreach (var c in ResultsExport.FitColumns) sb.Append(',').Append(Number(c.Value(s)));
            sb.Append(',').Append(Quote(s.Fit.Flag)).Append('\n');
        }
        return sb.ToString();

        string Number(double v) => double.IsFinite(v) ? v.ToString("R", ci) : "";
    }

    private static string OneLine(string s) => s.Replace('\n', ' ').Replace('\r', ' ');

    /// <summary>RFC 4180 quoting when the field holds a comma, quote or line break (file paths may).</summary>
    private static string Quote(string s) =>
        s.AsSpan().IndexOfAny(",\"\n\r#") >= 0 ? "\"" + OneLine(s).Replace("\"", "\"\"") + "\"" : s;
}
