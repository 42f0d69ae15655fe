using NbnEdge.Analysis;

namespace NbnEdge.Instruments;

/// <summary>A Nanonis bias-spectroscopy <c>.dat</c> file as read: its header, its columns and the spectra built from them.</summary>
public sealed class NanonisDatFile
{
    /// <summary>The file path or name the content came from.</summary>
    public required string Source { get; init; }

    /// <summary>Every header line in file order, repeated keys included.</summary>
    public required IReadOnlyList<NanonisHeaderEntry> Header { get; init; }

    /// <summary>The column names of the <c>[DATA]</c> table, as written.</summary>
    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>The spectra the options asked for (one, or one per sweep for <see cref="SweepSelection.Each"/>).</summary>
    public required IReadOnlyList<Spectrum> Spectra { get; init; }
}

/// <summary>
/// Reads Nanonis bias-spectroscopy <c>.dat</c> files (Generic 4, 5 and 5e): <c>key⇥value⇥</c> header lines,
/// a <c>[DATA]</c> line, a row of column names and tab-separated numeric rows.
/// </summary>
public static class NanonisDatReader
{
    /// <summary>Files larger than this are not spectroscopy tables; refusing them keeps a wrong path from eating memory.</summary>
    public const long MaximumFileBytes = 1L << 30;

    /// <summary>Reads the spectra of one file.</summary>
    /// <exception cref="InputDataException">The file is missing, unreadable, or not a valid spectroscopy file.</exception>
    public static IReadOnlyList<Spectrum> Read(string path, SpectrumReadOptions? options = null) => ReadFile(path, options).Spectra;

    /// <summary>Reads one file with its header and column names.</summary>
    /// <exception cref="InputDataException">The file is missing, unreadable, or not a valid spectroscopy file.</exception>
    public static NanonisDatFile ReadFile(string path, SpectrumReadOptions? options = null)
    {
        byte[] content = InputFiles.ReadAllBytes(path, MaximumFileBytes);
        return Parse(path, content, options);
    }

    /// <summary>Parses file content already in memory; <paramref name="source"/> names it in errors and in each Spectrum.</summary>
    /// <exception cref="InputDataException">The content is not a valid spectroscopy file.</exception>
    public static NanonisDatFile Parse(string source, ReadOnlySpan<byte> content, SpectrumReadOptions? options = null)
    {
        options ??= SpectrumReadOptions.Default;
        if (content.Length == 0) throw new InputDataException(source, "the file is empty.");
        var text = NanonisHeader.Decode(content);
        // Nanonis ends every row with a line end; a last row without one is where a copy or a save was cut.
        bool cutShort = !text.EndsWith('\n');
        var lines = SplitLines(text);

        var header = new List<NanonisHeaderEntry>();
        int at = 0;
        for (; at < lines.Length; at++)
        {
            var line = lines[at];
            if (line.Trim() == "[DATA]") break;
            if (line.Trim().Length == 0) continue;
            int tab = line.IndexOf('\t');
            if (tab <= 0)
                throw new InputDataException(source, $"header line '{NanonisHeader.Shorten(line)}' is not 'key<TAB>value' (is this a Nanonis .dat file?).", at + 1);
            int end = line.IndexOf('\t', tab + 1);
            var value = end < 0 ? line[(tab + 1)..] : line[(tab + 1)..end];
            header.Add(new NanonisHeaderEntry(line[..tab].Trim(), value.Trim(), at + 1));
        }
        if (at >= lines.Length) throw new InputDataException(source, "no [DATA] line: the file has no data table.", lines.Length);
        int dataLine = at + 1;
        if (at + 1 >= lines.Length || lines[at + 1].Trim().Length == 0)
            throw new InputDataException(source, "the line after [DATA] should name the columns but is missing or empty.", dataLine + 1);

        int columnsLine = at + 2;
        var columns = lines[at + 1].Split('\t').Select(c => c.Trim()).ToList();
        while (columns.Count > 0 && columns[^1].Length == 0) columns.RemoveAt(columns.Count - 1);
        if (columns.Any(c => c.Length == 0)) throw new InputDataException(source, "a column name in the [DATA] table is empty.", columnsLine);
        var parsed = columns.Select(ChannelName.Parse).ToList();

        int biasColumn = parsed.FindIndex(c => c.Base.Equals("Bias calc", StringComparison.OrdinalIgnoreCase));
        if (biasColumn < 0)
            biasColumn = parsed.FindIndex(c => c.Base.Equals("Bias", StringComparison.OrdinalIgnoreCase) && !c.IsBackward && !c.IsAverage && c.Repetition is null && !c.IsFiltered);
        if (biasColumn < 0) throw new InputDataException(source, "the [DATA] table has no bias column ('Bias calc (V)' or 'Bias (V)').", columnsLine);
        double biasToMV = Units.VoltsFactorToMV(parsed[biasColumn].Unit)
            ?? throw new InputDataException(source, $"bias column '{columns[biasColumn]}' has unit '{parsed[biasColumn].Unit}', not V, mV or µV.", columnsLine);

        var candidates = parsed.Select((p, i) => (Index: i, Name: p))
            .Where(c => c.Index != biasColumn && !c.Name.Base.Equals("Bias calc", StringComparison.OrdinalIgnoreCase)).ToList();
        // A named channel is read alone; otherwise every candidate is read so the physics can choose.
        bool automatic = options.Channel is null || options.Channel.Trim().Length == 0;
        IReadOnlyList<SpectrumPlan>? plans = automatic
            ? null
            : ChannelSelection.Plan(candidates, header, options, source, columnsLine, out _);
        var needed = (plans is null ? candidates.Select(c => c.Index) : plans.SelectMany(p => p.Columns)).Append(biasColumn).Distinct().Order().ToArray();
        var values = needed.ToDictionary(c => c, _ => new List<double>());
        // In automatic mode a non-number only matters if its column is chosen: remember the first per column.
        var badCell = new Dictionary<int, (string Text, int Line)>();
        var rowLine = new List<int>();
        int droppedCutRow = 0;
        for (int l = at + 2; l < lines.Length; l++)
        {
            var line = lines[l];
            if (line.Trim().Length == 0) continue;
            if (cutShort && l == lines.Length - 1) { droppedCutRow = l + 1; break; }
            var fields = line.Split('\t');
            int count = fields.Length;
            while (count > columns.Count && fields[count - 1].Trim().Length == 0) count--;
            if (count != columns.Count)
                throw new InputDataException(source, $"the row has {count} values but the [DATA] table has {columns.Count} columns.", l + 1);
            foreach (int c in needed)
            {
                if (!Numbers.TryParse(fields[c], out double v))
                {
                    if (!automatic || c == biasColumn)
                        throw new InputDataException(source, $"'{NanonisHeader.Shorten(fields[c].Trim())}' in column '{columns[c]}' is not a number.", l + 1);
                    badCell.TryAdd(c, (fields[c].Trim(), l + 1));
                    v = double.NaN;
                }
                values[c].Add(v);
            }
            rowLine.Add(l + 1);
        }
        if (rowLine.Count == 0) throw new InputDataException(source, "the [DATA] table has no rows.", columnsLine);

        double sign = 1;
        bool derivative = false;
        string? channelNote = null;
        if (plans is null)
        {
            var byName = ChannelSelection.ByName(candidates, header);
            var physics = PhysicsChannel.Choose(candidates, values, values[biasColumn], byName);
            if (physics is not null)
            {
                plans = ChannelSelection.PlanFamily(physics.Family, options.Sweeps, source, columnsLine);
                sign = physics.Sign;
                derivative = physics.DerivativeOfCurrent;
                if (derivative)
                    plans = plans.Select(p => p with { Name = "dI/dV from " + p.Name }).ToList();
                channelNote = $"channel {physics.Family[0].Name.Base}: {physics.Why}";
            }
            else if (byName is not null)
            {
                plans = ChannelSelection.PlanFamily(byName, options.Sweeps, source, columnsLine);
                channelNote = $"channel {byName[0].Name.Base}: taken by its name (no Current channel to check it against)";
            }
            else
            {
                ChannelSelection.Plan(candidates, header, options, source, columnsLine, out var whyNone);
                throw new InputDataException(source, whyNone ?? "no dI/dV channel found.", columnsLine);
            }
            foreach (int c in plans.SelectMany(p => p.Columns))
                if (badCell.TryGetValue(c, out var bad))
                    throw new InputDataException(source, $"'{NanonisHeader.Shorten(bad.Text)}' in column '{columns[c]}' is not a number.", bad.Line);
        }

        var metadata = NanonisHeader.ToMetadata(header);
        double? x = NanonisHeader.PositionNm(header, "X (m)", source);
        double? y = NanonisHeader.PositionNm(header, "Y (m)", source);
        double? modulation = NanonisHeader.LockInPeakAmplitudeMV(header, source, options);

        var spectra = new List<Spectrum>(plans.Count);
        var biasValues = values[biasColumn];
        foreach (var plan in plans)
        {
            int n = rowLine.Count;
            var bias = new double[n];
            var g = new double[n];
            for (int i = 0; i < n; i++)
            {
                bias[i] = biasValues[i] * biasToMV;
                double sum = 0;
                foreach (int c in plan.Columns) sum += values[c][i];
                g[i] = sign * sum / plan.Columns.Length;
            }
            if (derivative)
                g = PhysicsChannel.DerivativePerVolt(biasValues, biasToMV / 1000.0, g)
                    ?? throw new InputDataException(source, "the bias axis repeats a value, so Current cannot be differentiated.", rowLine[0]);
            var original = new int[n];
            int kept = SpectrumPoints.DropNonFinite(bias, g, n, original, out int dropped, out int first, out int last);
            if (kept < Spectrum.MinimumPoints)
                throw new InputDataException(source, $"{plan.Name} has {kept} finite points; a spectrum needs at least {Spectrum.MinimumPoints}.", rowLine[0]);
            Array.Resize(ref bias, kept);
            Array.Resize(ref g, kept);
            // Keep the single sweeps an average is made of: the fitter takes the noise from their
            // scatter and the lock-in lag from forward against backward.
            var sweeps = new List<SweepConductance>();
            if (plan.Columns.Length > 1)
                foreach (int c in plan.Columns)
                {
                    var one = new double[kept];
                    for (int j = 0; j < kept; j++) one[j] = values[c][original[j]];
                    if (one.All(double.IsFinite))
                        sweeps.Add(new SweepConductance(one, columns[c].Contains("[bwd]", StringComparison.OrdinalIgnoreCase)));
                }
            if (sweeps.Count != plan.Columns.Length) sweeps.Clear();
            int bad = SpectrumPoints.FirstNonMonotonic(bias);
            if (bad >= 0)
                throw new InputDataException(source,
                    $"the bias axis is not strictly monotonic: {bias[bad]:G6} mV follows {bias[bad - 1]:G6} mV.", rowLine[original[bad]]);
            var notes = new List<string>();
            if (channelNote is not null) notes.Add(channelNote);
            if (droppedCutRow > 0)
                notes.Add($"the file ends inside line {droppedCutRow} (no line end): that row was dropped and the spectrum may be incomplete");
            if (dropped > 0)
                notes.Add(dropped == 1
                    ? $"dropped 1 non-finite point (line {rowLine[first]})"
                    : $"dropped {dropped} non-finite points (lines {rowLine[first]}–{rowLine[last]})");
            spectra.Add(new Spectrum
            {
                Source = source,
                Name = plan.Name,
                BiasMV = bias,
                Conductance = g,
                Metadata = NanonisHeader.WithReaderKeys(metadata, derivative ? PhysicsChannel.DerivativeColumns(plan.ColumnNames) : plan.ColumnNames, plan.Sweeps),
                Notes = notes,
                XNm = x,
                YNm = y,
                ModulationAmplitudeMV = modulation,
                Incomplete = droppedCutRow > 0,
                Sweeps = sweeps,
            });
        }
        return new NanonisDatFile { Source = source, Header = header, Columns = columns, Spectra = spectra };
    }

    private static string[] SplitLines(string text)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if (lines[i].EndsWith('\r')) lines[i] = lines[i][..^1];
        return lines;
    }
}

/// <summary>File access that turns the operating system's complaints into InputDataException.</summary>
internal static class InputFiles
{
    public static byte[] ReadAllBytes(string path, long maximumBytes)
    {
        try
        {
            using var stream = OpenRead(path);
            if (stream.Length > maximumBytes)
                throw new InputDataException(path, $"the file is {stream.Length} bytes, more than the {maximumBytes} this reader accepts.");
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputDataException(path, $"cannot read the file: {e.Message}", inner: e);
        }
    }

    public static FileStream OpenRead(string path)
    {
        if (Directory.Exists(path)) throw new InputDataException(path, "this is a folder, not a file.");
        if (!File.Exists(path)) throw new InputDataException(path, "file not found.");
        try
        {
            return new FileStream(path, FileMode.Open, System.IO.FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputDataException(path, $"cannot open the file: {e.Message}", inner: e);
        }
    }
}
