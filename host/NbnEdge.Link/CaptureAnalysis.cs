using NbnEdge.Analysis;

namespace NbnEdge.Link;

/// <summary>Options of <see cref="CaptureAnalysis.Decode"/>.</summary>
public sealed record CaptureOptions
{
    /// <summary>Name for <see cref="Spectrum.Source"/> (the capture's path).</summary>
    public string SourceName { get; init; } = "capture";

    /// <summary>
    /// Scaling for spectra received before any HELLO of their device epoch when none arrives later
    /// either (a capture started while the device was running); null leaves them unconverted.
    /// </summary>
    public HelloInfo? FallbackHello { get; init; }
}

/// <summary>One spectrum of a capture: the raw codes as received and, where a scaling is known, physical units.</summary>
/// <param name="Received">codes, received mask, flags, estimate</param>
/// <param name="Spectrum">bias in mV and conductance in µV of lock-in output; null when no HELLO scaling was available</param>
public sealed record DecodedSpectrum(ReceivedSpectrum Received, Spectrum? Spectrum)
{
    /// <summary>The device's ESTIMATE of this spectrum, when it arrived.</summary>
    public EstimateInfo? Estimate => Received.Estimate;
}

/// <summary>Everything a capture (or raw journal) holds.</summary>
public sealed record CaptureResult
{
    /// <summary>Spectra in the order they ended, complete and incomplete.</summary>
    public required IReadOnlyList<DecodedSpectrum> Spectra { get; init; }
    /// <summary>Every ESTIMATE, in order.</summary>
    public required IReadOnlyList<EstimateInfo> Estimates { get; init; }
    /// <summary>Every HELLO, in order.</summary>
    public required IReadOnlyList<HelloInfo> Hellos { get; init; }
    /// <summary>Every STATUS, in order.</summary>
    public required IReadOnlyList<StatusInfo> Statuses { get; init; }
    /// <summary>Every LOG, in order.</summary>
    public required IReadOnlyList<LogInfo> Logs { get; init; }
    /// <summary>Every ACK, in order.</summary>
    public required IReadOnlyList<AckInfo> Acks { get; init; }
    /// <summary>Reboots seen.</summary>
    public required IReadOnlyList<RebootInfo> Reboots { get; init; }
    /// <summary>The receiver's counters at the end.</summary>
    public required LinkCounters Counters { get; init; }
    /// <summary>Bytes after the last 0x00: a frame the capture cut short (a torn last write), never decoded.</summary>
    public long TrailingPartialFrameBytes { get; init; }

    /// <summary>The complete spectra in physical units.</summary>
    public IEnumerable<Spectrum> CompleteSpectra =>
        Spectra.Where(s => !s.Received.Incomplete && s.Spectrum is not null).Select(s => s.Spectrum!);
}

/// <summary>
/// The core of <c>nbnedge ingest CAPTURE</c>: decodes a capture (raw bytes exactly as they came
/// over the wire, e.g. a session's raw journal) the same way the live link does.
/// </summary>
public static class CaptureAnalysis
{
    /// <summary>Decodes <paramref name="capture"/> to its end.</summary>
    public static CaptureResult Decode(Stream capture, CaptureOptions? options = null)
    {
        options ??= new CaptureOptions();
        var assembler = new SpectrumStreamAssembler();
        var received = new List<ReceivedSpectrum>();
        var estimates = new List<EstimateInfo>();
        var hellos = new List<HelloInfo>();
        var statuses = new List<StatusInfo>();
        var logs = new List<LogInfo>();
        var acks = new List<AckInfo>();
        var reboots = new List<RebootInfo>();
        assembler.SpectrumReceived += received.Add;
        assembler.EstimateReceived += (e, _) => estimates.Add(e);
        assembler.HelloReceived += hellos.Add;
        assembler.StatusReceived += statuses.Add;
        assembler.LogReceived += logs.Add;
        assembler.AckReceived += acks.Add;
        assembler.RebootDetected += reboots.Add;

        byte[] buffer = new byte[1 << 16];
        long sinceDelimiter = 0;
        int n;
        while ((n = capture.Read(buffer, 0, buffer.Length)) > 0)
        {
            int last = Array.LastIndexOf(buffer, (byte)0, n - 1, n);
            sinceDelimiter = last < 0 ? sinceDelimiter + n : n - 1 - last;
            assembler.Feed(buffer, 0, n);
        }

        assembler.Complete();

        var spectra = new List<DecodedSpectrum>(received.Count);
        foreach (ReceivedSpectrum r in received)
        {
            // A capture that began mid-stream meets spectra before their epoch's HELLO: the first
            // HELLO with a scaling later in the same epoch is the same device and settings.
            HelloInfo? scaling = r.Hello
                ?? hellos.FirstOrDefault(h => h.DeviceEpoch == r.DeviceEpoch && h.HasScaling)
                ?? options.FallbackHello;
            if (r.Hello is null && scaling is not null)
            {
                r.Hello = scaling;
            }

            spectra.Add(new DecodedSpectrum(r, scaling is { HasScaling: true } ? r.ToSpectrum(options.SourceName, scaling) : null));
        }

        return new CaptureResult
        {
            Spectra = spectra,
            Estimates = estimates,
            Hellos = hellos,
            Statuses = statuses,
            Logs = logs,
            Acks = acks,
            Reboots = reboots,
            Counters = assembler.Counters,
            TrailingPartialFrameBytes = sinceDelimiter,
        };
    }

    /// <summary>Decodes the capture file at <paramref name="path"/>.</summary>
    public static CaptureResult DecodeFile(string path, CaptureOptions? options = null)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        return Decode(f, options ?? new CaptureOptions { SourceName = path });
    }
}
