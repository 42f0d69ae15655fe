using NbnEdge.Analysis;
using NbnEdge.Link;
using NbnEdge.Link.Transports;
using NbnEdge.Live;

namespace NbnEdge.Session;

/// <summary>
/// Runs a capture file (raw bytes as they came over the wire, e.g. a session's raw journal) through
/// exactly the live path: the same assembler, the same pipeline, in the same order. So the summary
/// of <c>ingest</c> or <c>replay</c> equals what the live session showed for the same bytes.
/// </summary>
public static class CaptureReplay
{
    /// <summary>The summary of the capture at <paramref name="path"/>, with its statistics.</summary>
    /// <exception cref="InputDataException">no such file, an empty one, no frame of the protocol in it, or too few fits for statistics</exception>
    public static async Task<SessionSummary> AnalyseAsync(string path)
    {
        if (Directory.Exists(path)) throw new InputDataException(path, "is a folder, not a capture file.");
        if (!File.Exists(path)) throw new InputDataException(path, "file not found.");
        if (new FileInfo(path).Length == 0) throw new InputDataException(path, "the capture is empty.");

        await using var link = Open(path);
        link.Start(CancellationToken.None);
        LinkCounters counters = await link.FinishAsync().ConfigureAwait(false);
        if (counters.FramesOk == 0)
            throw new InputDataException(path, $"no valid NbnEdge frame in {counters.Bytes} bytes (not a capture of the serial protocol?).");
        return SessionSummary.From(path, link.Pipeline, counters, requireStatistics: true);
    }

    /// <summary>
    /// The live session of a capture file, not started: for a caller that feeds more than the
    /// summary from it (<c>serve</c>'s dashboard).
    /// </summary>
    public static LiveSession Open(string path)
    {
        // A capture started while the device was running meets spectra before any HELLO: the
        // first HELLO with a scaling anywhere in it is the same device and settings.
        HelloInfo? fallback = CaptureAnalysis.DecodeFile(path).Hellos.FirstOrDefault(h => h.HasScaling);
        return new LiveSession(StreamByteSource.OpenCapture(path), journal: null,
            new LivePipelineOptions { SourceName = path, FallbackHello = fallback });
    }
}
