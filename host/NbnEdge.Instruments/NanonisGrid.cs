using NbnEdge.Analysis;

namespace NbnEdge.Instruments;

/// <summary>
/// A Nanonis <c>.3ds</c> grid as read: geometry, the per-pixel parameters and channel data of every complete
/// pixel, and the spectra built from them.
/// </summary>
public sealed class NanonisGrid
{
    private readonly float[] _records;
    private readonly double[]? _multiSegmentAxis;

    internal NanonisGrid(float[] records, int recordFloats, double[]? multiSegmentAxis)
    {
        _records = records;
        RecordFloats = recordFloats;
        _multiSegmentAxis = multiSegmentAxis;
    }

    /// <summary>The file path or name the grid came from.</summary>
    public required string Source { get; init; }

    /// <summary>Every header line in file order, repeated keys included.</summary>
    public required IReadOnlyList<NanonisHeaderEntry> Header { get; init; }

    /// <summary>Pixels per row (<c>Grid dim</c>, first number).</summary>
    public required int Width { get; init; }

    /// <summary>Rows (<c>Grid dim</c>, second number).</summary>
    public required int Height { get; init; }

    /// <summary>Complete pixel records in the file, in acquisition order (rows of <see cref="Width"/>, y outer).</summary>
    public required int PixelsPresent { get; init; }

    /// <summary>Pixels the grid was set up for but the file does not hold (a grid stopped early).</summary>
    public int PixelsMissing => Width * Height - PixelsPresent;

    /// <summary>Bytes of a partially written last pixel that were dropped (0 when the last record is complete).</summary>
    public required long PartialPixelBytesDropped { get; init; }

    /// <summary>Bytes after the last expected pixel that were ignored (0 for a well-formed file).</summary>
    public required long TrailingBytesIgnored { get; init; }

    /// <summary>Grid centre (<c>Grid settings</c>), in nm; null where the header does not state it.</summary>
    public double? CenterXNm { get; init; }

    /// <summary>Grid centre (<c>Grid settings</c>), in nm; null where the header does not state it.</summary>
    public double? CenterYNm { get; init; }

    /// <summary>Grid extent along its x axis, in nm; null where the header does not state it.</summary>
    public double? SizeXNm { get; init; }

    /// <summary>Grid extent along its y axis, in nm; null where the header does not state it.</summary>
    public double? SizeYNm { get; init; }

    /// <summary>Rotation of the grid, in degrees; null where the header does not state it.</summary>
    public double? AngleDeg { get; init; }

    /// <summary>The swept signal as named in the header, e.g. <c>Bias (V)</c> or <c>Z (m)</c>.</summary>
    public required string SweepSignal { get; init; }

    /// <summary>True when the bias axis is built from the multi-segment (MLS) table rather than start/end.</summary>
    public bool IsMultiSegment => _multiSegmentAxis is not null;

    /// <summary>Points per sweep.</summary>
    public required int Points { get; init; }

    /// <summary>Channel names in record order.</summary>
    public required IReadOnlyList<string> Channels { get; init; }

    /// <summary>Per-pixel parameter names in record order; the first two are <c>Sweep Start</c> and <c>Sweep End</c>.</summary>
    public required IReadOnlyList<string> Parameters { get; init; }

    /// <summary>The spectra the options asked for, one per usable pixel (or per pixel and sweep).</summary>
    public required IReadOnlyList<Spectrum> Spectra { get; init; }

    /// <summary>Why <see cref="Spectra"/> is empty (a sweep that is not the bias, no dI/dV channel); null when it is not.</summary>
    public string? NoSpectraReason { get; init; }

    /// <summary>What the reader wants the user to know: missing pixels, dropped bytes, pixels skipped.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    internal int RecordFloats { get; }

    /// <summary>The parameters of pixel <paramref name="pixelIndex"/> (0 ≤ index &lt; <see cref="PixelsPresent"/>), in <see cref="Parameters"/> order.</summary>
    public ReadOnlySpan<float> GetParameterValues(int pixelIndex) =>
        _records.AsSpan(CheckedOffset(pixelIndex), Parameters.Count);

    /// <summary>The values of one channel at one pixel, in sweep order.</summary>
    public ReadOnlySpan<float> GetChannelValues(int pixelIndex, int channelIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channelIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channelIndex, Channels.Count);
        return _records.AsSpan(CheckedOffset(pixelIndex) + Parameters.Count + channelIndex * Points, Points);
    }

    /// <summary>
    /// The sweep axis of one pixel in the sweep signal's own unit (V for a bias sweep): the MLS segments
    /// where the grid has them, else evenly from the pixel's own Sweep Start to Sweep End.
    /// </summary>
    public double[] GetSweepAxis(int pixelIndex)
    {
        if (_multiSegmentAxis is not null) return (double[])_multiSegmentAxis.Clone();
        var p = GetParameterValues(pixelIndex);
        return NanonisGridReader.Linear(p[0], p[1], Points);
    }

    private int CheckedOffset(int pixelIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pixelIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(pixelIndex, PixelsPresent);
        return checked(pixelIndex * RecordFloats);
    }
}
