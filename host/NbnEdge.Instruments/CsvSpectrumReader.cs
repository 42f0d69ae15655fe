using System.Runtime.CompilerServices;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using NbnEdge.Analysis;

namespace NbnEdge.Instruments;

/// <summary>
/// Spectra as CSV: the first column is the bias (header <c>bias_mV</c> or <c>bias_V</c>), every
/// further column one spectrum named by its header. Lines starting with <c>#</c> and blank lines
/// are skipped; fields may be quoted.
/// </summary>
/// <remarks>
/// Non-finite values (NaN, empty cells) are dropped from their own spectrum only, and the
/// spectrum's notes say so; everything else that is wrong stops the read with the file, line and
/// column named, because a half-read table would silently change results.
/// </remarks>
public static class CsvSpectrumReader
{
    /// <summary>Reads a CSV file of spectra.</summary>
    /// <exception cref="InputDataException">Missing file, bad header, ragged row, non-number, non-monotonic bias, too few points.</exception>
    public static IReadOnlyList<Spectrum> Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputDataException(path, File.Exists(path) ? $"cannot be read: {e.Message}" : "file not found.");
        }
        return Parse(path, bytes);
    }

    /// <summary>Parses CSV text; <paramref name="source"/> names it in errors and in the spectra.</summary>
    public static IReadOnlyList<Spectrum> Parse(string source, string text) => Parse(source, Encoding.UTF8.GetBytes(text));

    /// <summary>Parses UTF-8 CSV bytes (numbers are parsed straight from the bytes: no text decoding of the bulk).</summary>
    public static IReadOnlyList<Spectrum> Parse(string source, byte[] utf8)
    {
        int lineNo = 0;
        string[]? header = null;
        int headerLine = 0;
        var rows = new List<(int Line, int Start, int Length)>();
        int start = 0;
        if (utf8.Length >= 3 && utf8[0] == 0xEF && utf8[1] == 0xBB && utf8[2] == 0xBF) start = 3; // BOM
        while (start <= utf8.Length)
        {
            int end = Array.IndexOf(utf8, (byte)'\n', start);
            if (end < 0) end = utf8.Length;
            lineNo++;
            int length = end - start;
            if (length > 0 && utf8[start + length - 1] == (byte)'\r') length--;
            var line = TrimSpaces(utf8.AsSpan(start, length));
            if (!line.IsEmpty && line[0] != (byte)'#')
            {
                if (header is null) { header = SplitFields(Encoding.UTF8.GetString(line), source, lineNo); headerLine = lineNo; }
                else rows.Add((lineNo, start, length));
            }
            start = end + 1;
        }
        if (header is null) throw new InputDataException(source, "the file is empty: expected a header line 'bias_mV,<spectrum>,...'.");

        double biasToMV = header[0].Trim().ToLowerInvariant() switch
        {
            "bias_mv" => 1.0,
            "bias_v" => 1000.0,
            _ => throw new InputDataException(source, $"the first column must be 'bias_mV' or 'bias_V', not '{header[0].Trim()}'.", headerLine),
        };
        int columns = header.Length;
        if (columns < 2) throw new InputDataException(source, "the header names no spectrum column after the bias.", headerLine);
        var names = new string[columns - 1];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int c = 1; c < columns; c++)
        {
            names[c - 1] = header[c].Trim();
            if (names[c - 1].Length == 0) throw new InputDataException(source, $"column {c + 1} has an empty name.", headerLine);
            if (!seen.Add(names[c - 1])) throw new InputDataException(source, $"column name '{names[c - 1]}' appears twice.", headerLine);
        }

        int n = rows.Count;
        int m = columns - 1;
        var bias = new double[n];
        // Parsed row by row into one row-major block (sequential writes), then transposed into the
        // spectra in cache-sized tiles: writing each value straight into its own spectrum's array
        // touches ten thousand arrays per row and cost more than the parsing.
        var matrix = new double[(long)n * m];
        var rowLine = new int[n];
        // Rows parse independently; a 10,000-spectrum table is millions of numbers, so use every core.
        // The first error in file order is the one reported.
        var errors = new InputDataException?[n];
        Parallel.For(0, n, r =>
        {
            var (line, rowStart, rowLength) = rows[r];
            rowLine[r] = line;
            try { ParseRow(utf8.AsSpan(rowStart, rowLength), source, line, columns, header, biasToMV, out bias[r], matrix.AsSpan(r * m, m)); }
            catch (InputDataException e) { errors[r] = e; }
        });
        foreach (var e in errors) if (e is not null) throw e;

        if (n < Spectrum.MinimumPoints)
            throw new InputDataException(source, $"only {n} data rows; a spectrum needs at least {Spectrum.MinimumPoints} points.");
        CheckMonotonic(bias, rowLine, source);

        var values = Transpose(matrix, n, m);
        var spectra = new Spectrum[m];
        for (int c = 0; c < m; c++)
            spectra[c] = BuildSpectrum(source, names[c], bias, values[c], rowLine);
        return spectra;
    }

    /// <summary>Columns of a row-major n×m block as m arrays, in tiles of 8 columns (one cache line of a row).</summary>
    private static double[][] Transpose(double[] matrix, int n, int m)
    {
        var columns = new double[m][];
        const int tile = 8;
        Parallel.For(0, (m + tile - 1) / tile, t =>
        {
            int c0 = t * tile, c1 = Math.Min(m, c0 + tile);
            for (int c = c0; c < c1; c++) columns[c] = new double[n];
            for (int r = 0; r < n; r++)
            {
                int rowStart = r * m;
                for (int c = c0; c < c1; c++) columns[c][r] = matrix[rowStart + c];
            }
        });
        return columns;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the inner loop over two million numbers: optimised from the first call
    private static void ParseRow(ReadOnlySpan<byte> line, string source, int lineNo, int columns, string[] header, double biasToMV,
        out double bias, Span<double> values)
    {
        int column = 0;
        bias = double.NaN;
        while (true)
        {
            if (column >= columns)
                throw new InputDataException(source, $"this row has more fields than the header's {columns}.", lineNo);
            double value;
            int fieldEnd;
            // The common case, a bare number ending at a comma or the end of the line, in one pass.
            if (TryParseShortDecimalPrefix(line, out value, out int consumed) && (consumed == line.Length || line[consumed] == (byte)','))
            {
                fieldEnd = consumed;
            }
            else
            {
                int comma = line.IndexOf((byte)',');
                fieldEnd = comma < 0 ? line.Length : comma;
                var field = TrimSpaces(line[..fieldEnd]);
                if (field.Length >= 2 && field[0] == (byte)'"' && field[^1] == (byte)'"') field = TrimSpaces(field[1..^1]);
                if (field.IsEmpty) value = double.NaN;
                else if (!TryParseNumber(field, out value))
                    throw new InputDataException(source, $"'{Encoding.UTF8.GetString(field)}' in column '{header[column].Trim()}' is not a number.", lineNo);
            }
            if (column == 0)
            {
                if (!double.IsFinite(value)) throw new InputDataException(source, "the bias is missing or not finite.", lineNo);
                bias = value * biasToMV;
            }
            else values[column - 1] = value;
            column++;
            if (fieldEnd == line.Length) break;
            line = line[(fieldEnd + 1)..];
        }
        if (column != columns)
            throw new InputDataException(source, $"this row has {column} fields, the header has {columns}.", lineNo);
    }

    private static ReadOnlySpan<byte> TrimSpaces(ReadOnlySpan<byte> field)
    {
        int start = 0, end = field.Length;
        while (start < end && field[start] == (byte)' ') start++;
        while (end > start && field[end - 1] == (byte)' ') end--;
        return field[start..end];
    }

    /// <summary>
    /// A number, consuming the whole field: plain decimals by <see cref="TryParseShortDecimal"/>,
    /// everything else (NaN, Infinity, a leading '+', long mantissas, large exponents) by the
    /// framework's parser.
    /// </summary>
    internal static bool TryParseNumber(ReadOnlySpan<byte> field, out double value)
    {
        if (TryParseShortDecimal(field, out value)) return true;
        if (Utf8Parser.TryParse(field, out value, out int consumed) && consumed == field.Length) return true;
        return double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// [-]digits[.digits][e[±]digits] with at most 19 significant digits, converted by
    /// <see cref="DecimalToDouble"/> (bit-identical to the framework's parser). Written by hand
    /// because a 10,000-spectrum table is two million numbers and parsing them was where reading
    /// it spent its time; anything else (NaN, a leading '+', more digits, subnormals) returns false.
    /// </summary>
    internal static bool TryParseShortDecimal(ReadOnlySpan<byte> s, out double value) =>
        TryParseShortDecimalPrefix(s, out value, out int consumed) && consumed == s.Length;

    /// <summary>As <see cref="TryParseShortDecimal"/>, for the number at the start of <paramref name="s"/>; <paramref name="consumed"/> bytes are its.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the inner loop over two million numbers: optimised from the first call
    private static bool TryParseShortDecimalPrefix(ReadOnlySpan<byte> s, out double value, out int consumed)
    {
        value = 0;
        consumed = 0;
        int i = 0, n = s.Length;
        bool negative = false;
        if (i < n && s[i] == (byte)'-') { negative = true; i++; }
        ulong mantissa = 0;
        int digits = 0, scale = 0, significant = 0;
        for (; i < n; i++)
        {
            uint d = (uint)(s[i] - (byte)'0');
            if (d > 9) break;
            digits++;
            if (mantissa != 0 || d != 0) significant++;
            mantissa = mantissa * 10 + d;
        }
        if (i < n && s[i] == (byte)'.')
        {
            for (i++; i < n; i++)
            {
                uint d = (uint)(s[i] - (byte)'0');
                if (d > 9) break;
                digits++;
                if (mantissa != 0 || d != 0) significant++;
                mantissa = mantissa * 10 + d;
                scale--;
            }
        }
        if (digits == 0 || significant > 19) return false; // beyond 19 digits the ulong could overflow
        if (i < n && (s[i] | 0x20) == (byte)'e')
        {
            i++;
            bool negativeExponent = false;
            if (i < n && (s[i] == (byte)'-' || s[i] == (byte)'+')) { negativeExponent = s[i] == (byte)'-'; i++; }
            int exponent = 0, exponentDigits = 0;
            for (; i < n; i++)
            {
                uint d = (uint)(s[i] - (byte)'0');
                if (d > 9) break;
                if (exponent < 1000) exponent = exponent * 10 + (int)d;
                exponentDigits++;
            }
            if (exponentDigits == 0) return false;
            scale += negativeExponent ? -exponent : exponent;
        }
        if (!DecimalToDouble.TryConvert(mantissa, scale, out value)) return false;
        if (negative) value = -value;
        consumed = i;
        return true;
    }

    private static void CheckMonotonic(double[] bias, int[] rowLine, string source)
    {
        int direction = Math.Sign(bias[1] - bias[0]);
        for (int i = 1; i < bias.Length; i++)
        {
            int step = Math.Sign(bias[i] - bias[i - 1]);
            if (step == 0 || step != direction)
                throw new InputDataException(source,
                    $"the bias is not strictly monotonic here ({bias[i - 1].ToString("G6", CultureInfo.InvariantCulture)} mV, then {bias[i].ToString("G6", CultureInfo.InvariantCulture)} mV).",
                    rowLine[i]);
        }
    }

    private static Spectrum BuildSpectrum(string source, string name, double[] bias, double[] values, int[] rowLine)
    {
        int bad = 0, firstBad = 0, lastBad = 0;
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
            {
                if (bad == 0) firstBad = rowLine[i];
                lastBad = rowLine[i];
                bad++;
            }
        if (bad == 0) return new Spectrum { Source = source, Name = name, BiasMV = bias, Conductance = values };

        int kept = values.Length - bad;
        if (kept < Spectrum.MinimumPoints)
            throw new InputDataException(source, $"spectrum '{name}' has only {kept} finite points; at least {Spectrum.MinimumPoints} are needed.");
        var b = new double[kept];
        var v = new double[kept];
        for (int i = 0, k = 0; i < values.Length; i++)
            if (double.IsFinite(values[i])) { b[k] = bias[i]; v[k] = values[i]; k++; }
        string where = firstBad == lastBad ? $"line {firstBad}" : $"lines {firstBad}–{lastBad}";
        return new Spectrum
        {
            Source = source, Name = name, BiasMV = b, Conductance = v,
            Notes = [$"{source}: dropped {bad} non-finite point{(bad == 1 ? "" : "s")} of '{name}' ({where})"],
        };
    }

    private static string[] SplitFields(string line, string source, int lineNo)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else current.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(ch);
        }
        if (quoted) throw new InputDataException(source, "a quoted header field is not closed.", lineNo);
        fields.Add(current.ToString());
        return fields.ToArray();
    }
}
