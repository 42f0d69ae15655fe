using System.Globalization;
using System.Text;
using NbnEdge.Analysis;

namespace NbnEdge.Link;

/// <summary>A half-open range of point indices [<see cref="Start"/>, <see cref="End"/>).</summary>
/// <param name="Start">first index</param>
/// <param name="End">one past the last index</param>
public readonly record struct IndexRange(int Start, int End)
{
    /// <summary>Number of indices.</summary>
    public int Length => End - Start;

    /// <inheritdoc />
    public override string ToString() =>
        Length == 1 ? Start.ToString(CultureInfo.InvariantCulture) : $"{Start}-{End - 1}";
}

/// <summary>
/// One spectrum as it came over the link: the raw codes exactly as sent (the live pipeline
/// re-runs the firmware estimator on them bit for bit), which points arrived, and the HELLO
/// whose scaling converts it to physical units.
/// </summary>
public sealed class ReceivedSpectrum
{
    // Only the points that arrived (in index order) and the index ranges they fill: an incomplete
    // spectrum costs what arrived, however large its total_points.
    private readonly int[] _receivedBias;
    private readonly int[] _receivedSignal;
    private readonly IndexRange[] _receivedRanges;

    internal ReceivedSpectrum(uint id, int epoch, int totalPoints, bool backward, bool overrange, int[] receivedBias, int[] receivedSignal,
        IndexRange[] receivedRanges, int receivedCount, bool lastChunkSeen, string? incompleteReason, uint firstSeq, uint lastSeq, HelloInfo? hello)
    {
        SpectrumId = id;
        DeviceEpoch = epoch;
        TotalPoints = totalPoints;
        Backward = backward;
        Overrange = overrange;
        _receivedBias = receivedBias;
        _receivedSignal = receivedSignal;
        _receivedRanges = receivedRanges;
        ReceivedPoints = receivedCount;
        LastChunkSeen = lastChunkSeen;
        IncompleteReason = incompleteReason;
        FirstSeq = firstSeq;
        LastSeq = lastSeq;
        Hello = hello;
        MissingRanges = FindMissing(receivedRanges, totalPoints);
    }

    /// <summary>spectrum_id as sent (unique within a device epoch).</summary>
    public uint SpectrumId { get; }

    /// <summary>Device life the spectrum belongs to (0 first, +1 per reboot seen).</summary>
    public int DeviceEpoch { get; }

    /// <summary>total_points as sent.</summary>
    public int TotalPoints { get; }

    /// <summary>The bias decreased through the sweep.</summary>
    public bool Backward { get; }

    /// <summary>Some chunk carried the overrange flag: an ADC channel sat at full scale.</summary>
    public bool Overrange { get; }

    /// <summary>
    /// Averaged bias codes, <see cref="TotalPoints"/> long; entries of missing points are 0. For a
    /// complete spectrum this is the stored array; for an incomplete one a new array on every call.
    /// </summary>
    public int[] BiasCodes => Expand(_receivedBias);

    /// <summary>Averaged lock-in X codes, <see cref="TotalPoints"/> long; entries of missing points are 0 (as <see cref="BiasCodes"/>).</summary>
    public int[] SignalCodes => Expand(_receivedSignal);

    /// <summary>Bias codes of the points that arrived, in index order (<see cref="ReceivedPoints"/> long).</summary>
    public ReadOnlySpan<int> ReceivedBiasCodes => _receivedBias;

    /// <summary>Signal codes of the points that arrived, in index order (<see cref="ReceivedPoints"/> long).</summary>
    public ReadOnlySpan<int> ReceivedSignalCodes => _receivedSignal;

    /// <summary>Points that arrived.</summary>
    public int ReceivedPoints { get; }

    /// <summary>Index ranges that never arrived (empty for a complete spectrum).</summary>
    public IReadOnlyList<IndexRange> MissingRanges { get; }

    /// <summary>Whether the chunk flagged "last" arrived.</summary>
    public bool LastChunkSeen { get; }

    /// <summary>Why the spectrum is incomplete, or null when complete.</summary>
    public string? IncompleteReason { get; }

    /// <summary>True when a chunk is missing: kept and flagged, never completed or merged with other data.</summary>
    public bool Incomplete => IncompleteReason is not null;

    /// <summary>seq of the first chunk received.</summary>
    public uint FirstSeq { get; }

    /// <summary>seq of the last chunk received.</summary>
    public uint LastSeq { get; }

    /// <summary>The HELLO in force (its scaling converts codes); null when none was seen yet.</summary>
    public HelloInfo? Hello { get; internal set; }

    /// <summary>The device's ESTIMATE for this spectrum, once it arrived.</summary>
    public EstimateInfo? Estimate { get; internal set; }

    /// <summary>Whether point <paramref name="index"/> arrived.</summary>
    public bool IsReceived(int index)
    {
        foreach (IndexRange r in _receivedRanges)
        {
            if (index >= r.Start && index < r.End)
            {
                return true;
            }
        }

        return false;
    }

    private int[] Expand(int[] received)
    {
        if (ReceivedPoints == TotalPoints)
        {
            return received;
        }

        var full = new int[TotalPoints];
        int n = 0;
        foreach (IndexRange r in _receivedRanges)
        {
            Array.Copy(received, n, full, r.Start, r.Length);
            n += r.Length;
        }

        return full;
    }

    /// <summary>
    /// The spectrum in physical units: BiasMV = bias_code × bias_uV_per_lsb / 1000, Conductance =
    /// signal_code × signal_uV_per_lsb (µV of lock-in output), only the points that arrived, in
    /// sweep order. Throws <see cref="InvalidOperationException"/> without a HELLO scaling.
    /// </summary>
    /// <param name="source">stream or capture name for <see cref="Spectrum.Source"/></param>
    /// <param name="scaling">HELLO to use instead of <see cref="Hello"/> (e.g. one that arrived later in a capture)</param>
    public Spectrum ToSpectrum(string source, HelloInfo? scaling = null)
    {
        HelloInfo hello = scaling ?? Hello ?? throw new InvalidOperationException(
            $"spectrum {SpectrumId} (epoch {DeviceEpoch}): no HELLO with bias_uV_per_lsb and signal_uV_per_lsb seen yet");
        if (!hello.HasScaling)
        {
            throw new InvalidOperationException($"spectrum {SpectrumId}: the HELLO in force has no scaling");
        }

        decimal biasMvPerLsb = hello.BiasUvPerLsb!.Value / 1000m;
        decimal signalUvPerLsb = hello.SignalUvPerLsb!.Value;
        var biasScale = new Scale(biasMvPerLsb);
        var signalScale = new Scale(signalUvPerLsb);
        var bias = new double[ReceivedPoints];
        var g = new double[ReceivedPoints];
        for (int n = 0; n < ReceivedPoints; n++)
        {
            bias[n] = biasScale.Apply(_receivedBias[n]);
            g[n] = signalScale.Apply(_receivedSignal[n]);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["spectrum_id"] = SpectrumId.ToString(CultureInfo.InvariantCulture),
            ["device_epoch"] = DeviceEpoch.ToString(CultureInfo.InvariantCulture),
            ["direction"] = Backward ? "backward" : "forward",
            ["overrange"] = Overrange ? "true" : "false",
            ["incomplete"] = Incomplete ? "true" : "false",
            ["total_points"] = TotalPoints.ToString(CultureInfo.InvariantCulture),
            ["received_points"] = ReceivedPoints.ToString(CultureInfo.InvariantCulture),
            ["first_seq"] = FirstSeq.ToString(CultureInfo.InvariantCulture),
            ["bias_uV_per_lsb"] = hello.BiasUvPerLsb.Value.ToString(CultureInfo.InvariantCulture),
            ["signal_uV_per_lsb"] = signalUvPerLsb.ToString(CultureInfo.InvariantCulture),
            ["conductance_unit"] = "uV",
        };
        if (hello.Board is { } board) metadata["board"] = board;
        if (hello.Firmware is { } fw) metadata["fw"] = fw;
        if (Incomplete) metadata["missing"] = string.Join(",", MissingRanges);

        var notes = new List<string>();
        if (Incomplete)
        {
            notes.Add($"incomplete: {IncompleteReason}; {TotalPoints - ReceivedPoints} of {TotalPoints} points missing ({string.Join(", ", MissingRanges)})");
        }

        if (Overrange)
        {
            notes.Add("an ADC channel overranged during this spectrum");
        }

        return new Spectrum
        {
            Source = source,
            Name = "spectrum " + SpectrumId.ToString(CultureInfo.InvariantCulture),
            BiasMV = bias,
            Conductance = g,
            Metadata = metadata,
            Notes = notes,
            Incomplete = Incomplete,
        };
    }

    /// <summary>
    /// code × scale rounded once to the nearest double: the scalings are exact decimals, and
    /// decimal-to-double conversion is not correctly rounded, so an inexact scale goes through
    /// the exact decimal product and the correctly rounded parser.
    /// </summary>
    private readonly struct Scale
    {
        private readonly decimal _exact;
        private readonly double _binary;
        private readonly bool _binaryIsExact;

        public Scale(decimal exact)
        {
            _exact = exact;
            _binary = double.Parse(exact.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            // A dyadic scale with a short mantissa times a 32-bit code is exact in double.
            // The boards' scalings are dyadic (µV: 93750/2^16; mV: 6/2^22), so this is the usual path.
            // (decimal)double keeps only 15 digits: compare the double's exact expansion instead.
            bool same = decimal.TryParse(_binary.ToString("E40", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal back) && back == exact;
            _binaryIsExact = same && (BitConverter.DoubleToInt64Bits(_binary) & 0xFFFFFFFFFL) == 0;
        }

        public double Apply(int code) => _binaryIsExact
            ? code * _binary
            : double.Parse((code * _exact).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private static IReadOnlyList<IndexRange> FindMissing(IndexRange[] received, int totalPoints)
    {
        List<IndexRange>? ranges = null;
        int next = 0;
        foreach (IndexRange r in received)
        {
            if (r.Start > next)
            {
                (ranges ??= []).Add(new IndexRange(next, r.Start));
            }

            next = r.End;
        }

        if (next < totalPoints)
        {
            (ranges ??= []).Add(new IndexRange(next, totalPoints));
        }

        return ranges ?? (IReadOnlyList<IndexRange>)Array.Empty<IndexRange>();
    }
}
