using System.Globalization;
using System.Text;

namespace NbnEdge.Analysis;

/// <summary>
/// Reads the films CSV: a header naming at least <c>name,thickness_nm,tc_K,r_sheet_ohm,delta_meV</c>
/// and one film per row.
/// </summary>
/// <remarks>
/// Columns are found by header name (case-insensitive, surrounding spaces ignored), in any order;
/// other columns are ignored. Fields may be quoted with double quotes (commas inside allowed, a
/// doubled quote is a literal quote); a quoted field cannot span lines. Blank lines and lines whose
/// first non-blank character is <c>#</c> are skipped. Numbers use the invariant culture (a dot as
/// the decimal point). Every problem is reported as an <see cref="InputDataException"/> naming the
/// source and the 1-based line.
/// </remarks>
public static class FilmTable
{
    /// <summary>Column holding the film label.</summary>
    public const string NameColumn = "name";

    /// <summary>Column holding the thickness in nm.</summary>
    public const string ThicknessColumn = "thickness_nm";

    /// <summary>Column holding T_c in K.</summary>
    public const string TcColumn = "tc_K";

    /// <summary>Column holding R_□ in Ω.</summary>
    public const string RSheetColumn = "r_sheet_ohm";

    /// <summary>Column holding Δ in meV.</summary>
    public const string DeltaColumn = "delta_meV";

    /// <summary>Optional column: standard error of Δ in meV.</summary>
    public const string DeltaErrColumn = "delta_err_meV";

    /// <summary>Optional column: standard error of R_□ in Ω.</summary>
    public const string RSheetErrColumn = "r_sheet_err_ohm";

    /// <summary>Optional column: standard error of T_c in K.</summary>
    public const string TcErrColumn = "tc_err_K";

    /// <summary>The optional error columns; an empty field means "not given".</summary>
    public static IReadOnlyList<string> ErrorColumns { get; } = [DeltaErrColumn, RSheetErrColumn, TcErrColumn];

    /// <summary>The required columns, in the order a new file should use.</summary>
    public static IReadOnlyList<string> RequiredColumns { get; } =
        [NameColumn, ThicknessColumn, TcColumn, RSheetColumn, DeltaColumn];

    /// <summary>Parses the films table.</summary>
    /// <param name="reader">The CSV text.</param>
    /// <param name="sourceName">File name (or other label) used in error messages.</param>
    /// <returns>The rows in file order.</returns>
    /// <exception cref="InputDataException">Missing header or column, a bad field, or no rows.</exception>
    public static IReadOnlyList<FilmRow> Parse(TextReader reader, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);

        int[]? column = null; // index of each required column in a row, in RequiredColumns order
        int[] errorColumn = []; // index of each error column, −1 when absent
        int headerFields = 0;
        var rows = new List<FilmRow>();
        long lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            string trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed[0] == '#') continue;

            var fields = SplitFields(line, sourceName, lineNumber);
            if (column is null)
            {
                column = MapHeader(fields, sourceName, lineNumber);
                errorColumn = MapOptional(fields, sourceName, lineNumber);
                headerFields = fields.Count;
                continue;
            }
            if (fields.Count != headerFields)
                throw new InputDataException(sourceName,
                    $"the row has {fields.Count} fields but the header has {headerFields}", lineNumber);

            string name = fields[column[0]].Trim();
            if (name.Length == 0)
                throw new InputDataException(sourceName, $"column {NameColumn} is empty", lineNumber);
            double thickness = ParsePositive(fields[column[1]], ThicknessColumn, sourceName, lineNumber);
            double tc = ParsePositive(fields[column[2]], TcColumn, sourceName, lineNumber);
            double rSheet = ParsePositive(fields[column[3]], RSheetColumn, sourceName, lineNumber);
            double delta = ParsePositive(fields[column[4]], DeltaColumn, sourceName, lineNumber);
            double Error(int k) => errorColumn[k] < 0 ? double.NaN : ParseError(fields[errorColumn[k]], ErrorColumns[k], sourceName, lineNumber);
            rows.Add(new FilmRow(name, thickness, tc, rSheet, delta)
            {
                DeltaErrMeV = Error(0),
                RSheetErrOhm = Error(1),
                TcErrK = Error(2),
            });
        }

        if (column is null)
            throw new InputDataException(sourceName,
                $"no header line; expected the columns {string.Join(",", RequiredColumns)}", lineNumber == 0 ? null : lineNumber);
        if (rows.Count == 0)
            throw new InputDataException(sourceName, "the header is followed by no film rows", lineNumber);
        return rows;
    }

    /// <summary>Parses the films table and computes each film's figures.</summary>
    /// <inheritdoc cref="Parse" path="/param"/>
    /// <exception cref="InputDataException">As for <see cref="Parse"/>.</exception>
    public static IReadOnlyList<FilmFigures> ReadFigures(TextReader reader, string sourceName)
    {
        var rows = Parse(reader, sourceName);
        var figures = new FilmFigures[rows.Count];
        for (int i = 0; i < rows.Count; i++) figures[i] = FilmFigures.From(rows[i]);
        return figures;
    }

    private static int[] MapHeader(List<string> fields, string source, long line)
    {
        var map = new int[RequiredColumns.Count];
        Array.Fill(map, -1);
        for (int f = 0; f < fields.Count; f++)
        {
            string header = fields[f].Trim();
            for (int r = 0; r < RequiredColumns.Count; r++)
            {
                if (!string.Equals(header, RequiredColumns[r], StringComparison.OrdinalIgnoreCase)) continue;
                if (map[r] >= 0)
                    throw new InputDataException(source, $"column '{RequiredColumns[r]}' appears twice in the header", line);
                map[r] = f;
            }
        }
        for (int r = 0; r < map.Length; r++)
            if (map[r] < 0)
                throw new InputDataException(source,
                    $"column '{RequiredColumns[r]}' is missing (the header needs {string.Join(",", RequiredColumns)})", line);
        return map;
    }

    private static int[] MapOptional(List<string> fields, string source, long line)
    {
        var map = new int[ErrorColumns.Count];
        Array.Fill(map, -1);
        for (int f = 0; f < fields.Count; f++)
            for (int r = 0; r < ErrorColumns.Count; r++)
            {
                if (!string.Equals(fields[f].Trim(), ErrorColumns[r], StringComparison.OrdinalIgnoreCase)) continue;
                if (map[r] >= 0) throw new InputDataException(source, $"column '{ErrorColumns[r]}' appears twice in the header", line);
                map[r] = f;
            }
        return map;
    }

    /// <summary>An error field: empty means not given (NaN); otherwise a finite number ≥ 0.</summary>
    private static double ParseError(string field, string columnName, string source, long line)
    {
        string text = field.Trim();
        if (text.Length == 0) return double.NaN;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new InputDataException(source, $"'{text}' is not a number in column {columnName}", line);
        if (value < 0) throw new InputDataException(source, $"{columnName} must be ≥ 0 (got {text})", line);
        return value;
    }

    private static double ParsePositive(string field, string columnName, string source, long line)
    {
        string text = field.Trim();
        if (text.Length == 0)
            throw new InputDataException(source, $"column {columnName} is empty", line);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value))
            throw new InputDataException(source, $"'{text}' is not a number in column {columnName}", line);
        if (!(value > 0))
            throw new InputDataException(source, $"{columnName} must be > 0 (got {text})", line);
        return value;
    }

    /// <summary>Splits one CSV line; quotes group commas, a doubled quote inside quotes is a quote.</summary>
    private static List<string> SplitFields(string line, string source, long lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, wasQuoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch != '"') { field.Append(ch); continue; }
                if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; continue; }
                quoted = false;
                continue;
            }
            switch (ch)
            {
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                    break;
                case '"' when !wasQuoted && field.ToString().Trim().Length == 0:
                    field.Clear(); // spaces before an opening quote are layout, not content
                    quoted = wasQuoted = true;
                    break;
                case '"':
                    throw new InputDataException(source, $"stray quote in field {fields.Count + 1}", lineNumber);
                default:
                    if (wasQuoted && !char.IsWhiteSpace(ch))
                        throw new InputDataException(source, $"text after the closing quote in field {fields.Count + 1}", lineNumber);
                    field.Append(ch);
                    break;
            }
        }
        if (quoted)
            throw new InputDataException(source, $"unterminated quote in field {fields.Count + 1}", lineNumber);
        fields.Add(field.ToString());
        return fields;
    }
}
