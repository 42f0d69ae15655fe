using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using NbnEdge.Analysis;

namespace NbnEdge.Instruments;

/// <summary>
/// Reads Nanonis <c>.3ds</c> grid spectroscopy: a <c>Key=Value</c> text header ending in <c>:HEADER_END:</c>,
/// then one big-endian float32 record per pixel (its parameters, then each channel's points in turn).
/// </summary>
public static class NanonisGridReader
{
    /// <summary>The header must end within this many bytes; real headers are a few kB.</summary>
    public const int MaximumHeaderBytes = 4 << 20;

    private const int ChunkBytes = 8 << 20;
    private static readonly byte[] HeaderEnd = Encoding.ASCII.GetBytes(":HEADER_END:");
    private static readonly Regex GridDim = new(@"^\s*(\d+)\s*x\s*(\d+)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex SegmentUnit = new(@"Segment Start \(([^)]*)\)", RegexOptions.CultureInvariant);

    /// <summary>Reads a grid file.</summary>
    /// <exception cref="InputDataException">The file is missing, unreadable, or not a valid grid.</exception>
    public static NanonisGrid Read(string path, SpectrumReadOptions? options = null)
    {
        using var stream = InputFiles.OpenRead(path);
        try
        {
            return Parse(path, stream, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputDataException(path, $"cannot read the file: {e.Message}", inner: e);
        }
    }

    /// <summary>Parses a grid from a seekable stream; <paramref name="source"/> names it in errors and in each Spectrum.</summary>
    /// <exception cref="InputDataException">The content is not a valid grid.</exception>
    public static NanonisGrid Parse(string source, Stream stream, SpectrumReadOptions? options = null)
    {
        options ??= SpectrumReadOptions.Default;
        long length = stream.Length;
        if (length == 0) throw new InputDataException(source, "the file is empty.");

        // Header: find the end marker in the first few MB.
        var head = new byte[(int)Math.Min(length, MaximumHeaderBytes)];
        stream.Position = 0;
        stream.ReadExactly(head);
        int marker = head.AsSpan().IndexOf(HeaderEnd);
        if (marker < 0)
            throw new InputDataException(source, $"no :HEADER_END: marker in the first {head.Length} bytes (is this a Nanonis .3ds file?).", byteOffset: 0);
        long dataStart = marker + HeaderEnd.Length;
        if (dataStart + 1 < length && head.Length > dataStart + 1 && head[dataStart] == '\r' && head[dataStart + 1] == '\n') dataStart += 2;
        else if (dataStart < length && head.Length > dataStart && head[dataStart] == '\n') dataStart += 1;
        else if (dataStart < length)
            throw new InputDataException(source, "the :HEADER_END: marker is not followed by a line end.", byteOffset: dataStart);

        var header = ParseHeader(source, NanonisHeader.Decode(head.AsSpan(0, marker)));
        string Required(string key) => NanonisHeader.Find(header, key)?.Value
            ?? throw new InputDataException(source, $"the header has no '{key}' line.", byteOffset: 0);
        int LineOf(string key) => NanonisHeader.Find(header, key)?.Line ?? 0;

        var dim = GridDim.Match(Required("Grid dim"));
        if (!dim.Success || !Numbers.TryParseInt(dim.Groups[1].Value, 1, 100_000, out int width) || !Numbers.TryParseInt(dim.Groups[2].Value, 1, 100_000, out int height)
            || (long)width * height > 100_000_000)
            throw new InputDataException(source, $"Grid dim '{NanonisHeader.Shorten(Required("Grid dim"))}' is not 'W x H' with sizes up to 100000.", LineOf("Grid dim"));
        if (!Numbers.TryParseInt(Required("Points"), 1, 10_000_000, out int points))
            throw new InputDataException(source, $"Points '{NanonisHeader.Shorten(Required("Points"))}' is not a whole number from 1 to 10000000.", LineOf("Points"));
        if (!Numbers.TryParseInt(Required("# Parameters (4 byte)"), 2, 100_000, out int parameterCount))
            throw new InputDataException(source, "# Parameters (4 byte) is not a whole number from 2 to 100000 (Sweep Start and Sweep End come first).", LineOf("# Parameters (4 byte)"));
        var channels = SplitList(Required("Channels"));
        if (channels.Count == 0 || channels.Count > 100_000 || channels.Any(c => c.Length == 0))
            throw new InputDataException(source, "Channels is empty or holds an empty name.", LineOf("Channels"));
        var parameters = SplitList(Required("Fixed parameters"));
        var experimentParameters = NanonisHeader.Find(header, "Experiment parameters")?.Value ?? "";
        if (experimentParameters.Length > 0) parameters.AddRange(SplitList(experimentParameters));
        if (parameters.Count != parameterCount)
            throw new InputDataException(source, $"Fixed and Experiment parameters name {parameters.Count} parameters but '# Parameters (4 byte)' says {parameterCount}.", LineOf("# Parameters (4 byte)"));

        long channelBytes = (long)channels.Count * points * 4;
        var declaredSize = NanonisHeader.Find(header, "Experiment size (bytes)");
        if (declaredSize is not null && !(long.TryParse(declaredSize.Value.Trim(), out long size) && size == channelBytes))
            throw new InputDataException(source, $"Experiment size (bytes) '{NanonisHeader.Shorten(declaredSize.Value)}' does not match {channels.Count} channels × {points} points × 4 bytes = {channelBytes}.", declaredSize.Line);
        long recordFloatsLong = parameterCount + (long)channels.Count * points;
        if (recordFloatsLong > Array.MaxLength / 2)
            throw new InputDataException(source, $"one pixel record would be {recordFloatsLong * 4} bytes, too large for this reader.", LineOf("Points"));
        int recordFloats = (int)recordFloatsLong;
        long recordBytes = recordFloatsLong * 4;

        // Data: count the complete records that are actually there.
        long dataBytes = length - dataStart;
        long expected = (long)width * height;
        long present = Math.Min(expected, dataBytes / recordBytes);
        long partial = present < expected ? dataBytes - present * recordBytes : 0;
        long trailing = present == expected ? dataBytes - expected * recordBytes : 0;
        if (present == 0)
            throw new InputDataException(source, $"the file holds no complete pixel: {dataBytes} data bytes, one pixel takes {recordBytes}.", byteOffset: dataStart);
        if (present * recordFloats > Array.MaxLength)
            throw new InputDataException(source, "the grid holds more values than this reader can keep in memory.", byteOffset: dataStart);

        var records = new float[present * recordFloats];
        ReadBigEndianFloats(stream, dataStart, MemoryMarshal.AsBytes(records.AsSpan()));

        var sweepSignal = Required("Sweep Signal");
        var sweepName = ChannelName.Parse(sweepSignal);
        double[]? multiSegment = MultiSegmentAxis(source, header, points);

        var notes = new List<string>();
        if (present < expected)
            notes.Add($"the grid stopped early: {present} of {expected} pixels present, {expected - present} missing");
        if (partial > 0) notes.Add($"dropped a partially written last pixel ({partial} of {recordBytes} bytes)");
        if (trailing > 0) notes.Add($"ignored {trailing} bytes after the last pixel");

        var settings = GridSettings(source, header);
        var metadata = NanonisHeader.ToMetadata(header);
        double? modulation = NanonisHeader.LockInPeakAmplitudeMV(header, source, options);

        string? noSpectra = null;
        var spectra = new List<Spectrum>();
        double? axisToMV = sweepName.Base.Equals("Bias", StringComparison.OrdinalIgnoreCase) || sweepName.Base.Equals("Bias calc", StringComparison.OrdinalIgnoreCase)
            ? Units.VoltsFactorToMV(sweepName.Unit) : null;
        if (axisToMV is null)
            noSpectra = $"the grid sweeps '{sweepSignal}', not the bias in V, mV or µV: it holds no tunnelling spectra.";
        else if (points < Spectrum.MinimumPoints)
            noSpectra = $"the grid has {points} points per sweep; a spectrum needs at least {Spectrum.MinimumPoints}.";
        else
        {
            var candidates = channels.Select((c, i) => (Index: i, Name: ChannelName.Parse(c))).ToList();
            double sign = 1;
            bool derivative = false;
            IReadOnlyList<SpectrumPlan>? plans = null;
            if (options.Channel is null || options.Channel.Trim().Length == 0)
            {
                // As for .dat files: the channel that IS dI/dV, judged on the grid's mean spectrum
                // against the derivative of its mean Current; names break ties.
                var byName = ChannelSelection.ByName(candidates, header);
                var physics = PhysicsChannel.Choose(candidates, MeanChannels(records, recordFloats, parameters.Count, points, (int)present, channels.Count),
                    MeanAxis(records, recordFloats, points, (int)present, multiSegment), byName);
                if (physics is not null)
                {
                    plans = ChannelSelection.PlanFamily(physics.Family, options.Sweeps, source, LineOf("Channels"));
                    sign = physics.Sign;
                    derivative = physics.DerivativeOfCurrent;
                    if (derivative) plans = plans.Select(p => p with { Name = "dI/dV from " + p.Name }).ToList();
                    notes.Add($"channel {physics.Family[0].Name.Base}: {physics.Why}");
                }
            }
            plans ??= ChannelSelection.Plan(candidates, header, options, source, LineOf("Channels"), out noSpectra);
            if (plans is not null)
                BuildSpectra(source, records, recordFloats, parameters, points, width, (int)present, plans, multiSegment,
                    axisToMV.Value, metadata, modulation, spectra, notes, sign, derivative);
        }
        if (noSpectra is not null) notes.Add(noSpectra);

        return new NanonisGrid(records, recordFloats, multiSegment)
        {
            Source = source,
            Header = header,
            Width = width,
            Height = height,
            PixelsPresent = (int)present,
            PartialPixelBytesDropped = partial,
            TrailingBytesIgnored = trailing,
            CenterXNm = settings?[0] * 1e9,
            CenterYNm = settings?[1] * 1e9,
            SizeXNm = settings?[2] * 1e9,
            SizeYNm = settings?[3] * 1e9,
            AngleDeg = settings?[4],
            SweepSignal = sweepSignal,
            Points = points,
            Channels = channels,
            Parameters = parameters,
            Spectra = spectra,
            NoSpectraReason = noSpectra,
            Notes = notes,
        };
    }

    /// <summary>Each channel's sweep averaged over the pixels present (what the physics check compares).</summary>
    private static Dictionary<int, List<double>> MeanChannels(float[] records, int recordFloats, int parameterCount, int points, int present, int channelCount)
    {
        var means = new Dictionary<int, List<double>>(channelCount);
        for (int c = 0; c < channelCount; c++)
        {
            var sum = new double[points];
            for (int pixel = 0; pixel < present; pixel++)
            {
                var values = records.AsSpan(pixel * recordFloats + parameterCount + c * points, points);
                for (int i = 0; i < points; i++) sum[i] += values[i];
            }
            means[c] = sum.Select(v => v / present).ToList();
        }
        return means;
    }

    /// <summary>The sweep axis of the first pixel (in the file's unit): the physics check only needs its steps.</summary>
    private static List<double> MeanAxis(float[] records, int recordFloats, int points, int present, double[]? multiSegmentAxis)
    {
        if (multiSegmentAxis is not null) return [.. multiSegmentAxis];
        double start = records[0], end = records[1];
        var axis = new List<double>(points);
        for (int i = 0; i < points; i++) axis.Add(start + (end - start) * i / (points - 1));
        return axis;
    }

    /// <summary>Reads <paramref name="target"/>.Length bytes from <paramref name="offset"/> in big chunks and swaps each float to host order.</summary>
    private static void ReadBigEndianFloats(Stream stream, long offset, Span<byte> target)
    {
        stream.Position = offset;
        for (int done = 0; done < target.Length;)
        {
            var chunk = target.Slice(done, Math.Min(ChunkBytes, target.Length - done));
            stream.ReadExactly(chunk);
            if (BitConverter.IsLittleEndian)
            {
                // In place and vectorised: the whole chunk is still in cache right after the read.
                var words = MemoryMarshal.Cast<byte, int>(chunk);
                BinaryPrimitives.ReverseEndianness(words, words);
            }
            done += chunk.Length;
        }
    }

    private static void BuildSpectra(string source, float[] records, int recordFloats, IReadOnlyList<string> parameters, int points,
        int width, int present, IReadOnlyList<SpectrumPlan> plans, double[]? multiSegmentAxisV, double axisToMV,
        Dictionary<string, string> metadata, double? modulation, List<Spectrum> spectra, List<string> notes, double sign = 1, bool derivative = false)
    {
        int xParameter = IndexOf(parameters, "X (m)");
        int yParameter = IndexOf(parameters, "Y (m)");
        var planMetadata = plans.Select(p => NanonisHeader.WithReaderKeys(metadata, derivative ? PhysicsChannel.DerivativeColumns(p.ColumnNames) : p.ColumnNames, p.Sweeps)).ToArray();
        int parameterCount = parameters.Count;
        var built = new Spectrum?[present * plans.Count];


        // Pixels are independent: build them in parallel ranges (allocation of the output arrays is
        // most of the cost), each range with its own scratch index buffer.
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, present, Math.Max(256, present / (4 * Environment.ProcessorCount) + 1)), range =>
        {
            var original = new int[points];
            for (int pixel = range.Item1; pixel < range.Item2; pixel++)
            {
                int px = pixel % width, py = pixel / width;
                var record = records.AsSpan(pixel * recordFloats, recordFloats);
                double start = record[0], end = record[1];
                double? x = xParameter >= 0 && float.IsFinite(record[xParameter]) ? record[xParameter] * 1e9 : null;
                double? y = yParameter >= 0 && float.IsFinite(record[yParameter]) ? record[yParameter] * 1e9 : null;
                for (int p = 0; p < plans.Count; p++)
                {
                    var plan = plans[p];
                    var bias = new double[points];
                    if (multiSegmentAxisV is not null)
                        for (int i = 0; i < points; i++) bias[i] = multiSegmentAxisV[i] * axisToMV;
                    else
                    {
                        double startMV = start * axisToMV, stepMV = (end - start) * axisToMV / (points - 1);
                        for (int i = 0; i < points; i++) bias[i] = startMV + stepMV * i;
                        bias[points - 1] = end * axisToMV; // exact end point, as the instrument states it
                    }
                    var g = new double[points];
                    var columns = plan.Columns;
                    for (int c = 0; c < columns.Length; c++)
                    {
                        var values = record.Slice(parameterCount + columns[c] * points, points);
                        for (int i = 0; i < points; i++) g[i] += values[i];
                    }
                    if (columns.Length > 1 || sign != 1)
                        for (int i = 0; i < points; i++) g[i] *= sign / columns.Length;
                    if (derivative && PhysicsChannel.DerivativePerVolt(bias, 1e-3, g) is { } dIdV) g = dIdV; // bias in mV

                    int kept = SpectrumPoints.DropNonFinite(bias, g, points, original, out int dropped, out int first, out int last);
                    if (kept < Spectrum.MinimumPoints || SpectrumPoints.FirstNonMonotonic(bias.AsSpan(0, kept)) >= 0)
                        continue; // left null: counted and reported below
                    if (kept < points)
                    {
                        Array.Resize(ref bias, kept);
                        Array.Resize(ref g, kept);
                    }
                    IReadOnlyList<string> spectrumNotes = dropped == 0 ? [] :
                        [dropped == 1 ? $"dropped 1 non-finite point (point {first})" : $"dropped {dropped} non-finite points (points {first}–{last})"];
                    built[pixel * plans.Count + p] = new Spectrum
                    {
                        Source = source,
                        Name = SpectrumName(px, py, plans, p),
                        BiasMV = bias,
                        Conductance = g,
                        Metadata = planMetadata[p],
                        Notes = spectrumNotes,
                        XNm = x,
                        YNm = y,
                        PixelX = px,
                        PixelY = py,
                        ModulationAmplitudeMV = modulation,
                    };
                }
            }
        });

        int skipped = 0;
        string? firstSkipped = null;
        spectra.Capacity = built.Length;
        for (int k = 0; k < built.Length; k++)
        {
            if (built[k] is { } s) { spectra.Add(s); continue; }
            skipped++;
            firstSkipped ??= SpectrumName(k / plans.Count % width, k / plans.Count / width, plans, k % plans.Count);
        }
        if (skipped > 0)
            notes.Add($"skipped {skipped} spectra (first: {firstSkipped}) whose sweep start/end or data give fewer than {Spectrum.MinimumPoints} finite points on a strictly monotonic bias axis");
    }

    private static string SpectrumName(int px, int py, IReadOnlyList<SpectrumPlan> plans, int plan) =>
        plans.Count == 1 ? $"x={px},y={py}" : $"x={px},y={py} {plans[plan].Name}";

    /// <summary>Evenly spaced values from <paramref name="start"/> to <paramref name="end"/> inclusive.</summary>
    internal static double[] Linear(double start, double end, int points)
    {
        var axis = new double[points];
        if (points == 1) { axis[0] = start; return axis; }
        double step = (end - start) / (points - 1);
        for (int i = 0; i < points; i++) axis[i] = start + step * i;
        axis[^1] = end;
        return axis;
    }

    /// <summary>
    /// The bias axis (in V) of a multi-segment (MLS) sweep, or null for a linear one. Nanonis writes the
    /// table as <c>Segment Start (V), Segment End (V), Settling (s), Integration (s), Steps (xn)[, Lockin,
    /// Init. Settling (s)]=s0,e0,…,n0,…;s1,e1,…</c>: each segment is n evenly spaced points from start to end,
    /// and consecutive segments share their boundary point, so the sweep has Σn − (segments − 1) points
    /// (the layout public readers such as xarray-nanonis and stm_data_processing use; it matches the
    /// 2396 points of the five-segment Pb(100) sample: 200+900+200+900+200−4).
    /// </summary>
    private static double[]? MultiSegmentAxis(string source, IReadOnlyList<NanonisHeaderEntry> header, int points)
    {
        var isMls = NanonisHeader.Find(header, "Filetype")?.Value.Trim().Equals("MLS", StringComparison.OrdinalIgnoreCase) == true;
        // The top-level table describes this grid's sweep; "Bias Spectroscopy>MultiLine Settings" is the
        // module's stored MLS setup, present even in linear grids, so it only counts for Filetype=MLS.
        var table = header.FirstOrDefault(e => e.Key.StartsWith("Segment Start (", StringComparison.Ordinal))
            ?? (isMls ? header.FirstOrDefault(e => e.Key.Contains("Segment Start (", StringComparison.Ordinal)) : null);
        if (table is null)
        {
            if (isMls) throw new InputDataException(source, "Filetype is MLS but the header has no 'Segment Start (V), Segment End (V), …' table.", byteOffset: 0);
            return null;
        }
        var unitMatch = SegmentUnit.Match(table.Key);
        double toV = unitMatch.Success ? (Units.VoltsFactorToMV(unitMatch.Groups[1].Value) ?? double.NaN) / 1000 : 1;
        if (double.IsNaN(toV)) throw new InputDataException(source, $"the segment table's unit '{unitMatch.Groups[1].Value}' is not V, mV or µV.", table.Line);

        var axis = new List<double>(points);
        var segments = table.Value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0) throw new InputDataException(source, "the segment table is empty.", table.Line);
        foreach (var segment in segments)
        {
            var f = segment.Split(',');
            if (f.Length < 5 || !Numbers.TryParse(f[0], out double s) || !Numbers.TryParse(f[1], out double e)
                || !double.IsFinite(s) || !double.IsFinite(e) || !Numbers.TryParseInt(f[4], 1, points + 1, out int n))
                throw new InputDataException(source, $"segment '{NanonisHeader.Shorten(segment)}' is not 'start,end,settling,integration,steps' with finite start/end and 1 ≤ steps ≤ Points.", table.Line);
            var part = Linear(s * toV, e * toV, n);
            axis.AddRange(axis.Count == 0 ? part : part.Skip(1));
            if (axis.Count > points) break;
        }
        if (axis.Count != points)
            throw new InputDataException(source, $"the segment table gives {axis.Count} points but Points says {points}.", table.Line);
        return [.. axis];
    }

    private static double[]? GridSettings(string source, IReadOnlyList<NanonisHeaderEntry> header)
    {
        var entry = NanonisHeader.Find(header, "Grid settings");
        if (entry is null) return null;
        var parts = entry.Value.Split(';');
        var values = new double[5];
        if (parts.Length != 5 || parts.Select((p, i) => Numbers.TryParse(p, out values[i]) && double.IsFinite(values[i])).Any(ok => !ok))
            throw new InputDataException(source, "Grid settings is not 'centre x;centre y;width;height;angle' with five finite numbers.", entry.Line);
        return values;
    }

    private static List<NanonisHeaderEntry> ParseHeader(string source, string text)
    {
        var result = new List<NanonisHeaderEntry>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            int eq = line.IndexOf('=');
            if (eq <= 0)
                throw new InputDataException(source, $"header line '{NanonisHeader.Shorten(line)}' is not 'Key=Value'.", i + 1);
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            result.Add(new NanonisHeaderEntry(line[..eq].Trim(), value, i + 1));
        }
        return result;
    }

    private static List<string> SplitList(string value) =>
        value.Length == 0 ? [] : value.Split(';').Select(s => s.Trim()).ToList();

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
            if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}
