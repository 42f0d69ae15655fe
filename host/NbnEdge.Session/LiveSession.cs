using NbnEdge.Link;
using NbnEdge.Link.Journal;
using NbnEdge.Link.Transports;
using NbnEdge.Live;

namespace NbnEdge.Session;

/// <summary>Settings of a <see cref="LiveSession"/> beyond the pipeline's.</summary>
public sealed record LiveSessionOptions
{
    /// <summary>
    /// Journal each result with its spectrum and fitted curve (<see cref="ResultJson.WriteCurve"/>):
    /// needed when the journal is an MQTT outbox, so a remote facility can draw what the local
    /// dashboard draws. About 5 KB a result instead of 1 KB.
    /// </summary>
    public bool JournalCurves { get; init; }

    /// <summary>
    /// With <see cref="JournalCurves"/>: shortest time between two results that carry the fitted
    /// model curve. The exact model costs about 1 ms a spectrum (the fitter's fast table is internal
    /// to it), which is nothing at a board's pace of one spectrum in seconds but the whole budget at
    /// 1000 results a second; the views draw the model only for the latest spectra, so at a high rate
    /// a few models a second are all anyone sees. Zero: every result carries its model.
    /// </summary>
    public TimeSpan CurveModelInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Stop reading once this many results are complete (<c>monitor --spectra</c>); null: read until the source ends or the caller stops it.</summary>
    public int? StopAfterSpectra { get; init; }
}

/// <summary>
/// One live session: a byte source, its journal (every byte before decoding, every result after
/// fitting), the live pipeline, and the results as journal lines. <c>demo</c>, <c>monitor</c>,
/// <c>ingest</c>, <c>replay</c>, <c>serve</c> and the MQTT publisher all run this one type.
/// </summary>
/// <remarks>
/// The reading runs on its own task: an unpaced source (the simulator, a file) never yields inside
/// its reads, so awaiting it inline would block the caller until the stream ends.
/// <see cref="ResultJournaled"/> is raised on the pipeline's worker, after the line is in the OS,
/// so a reader of the results file (the publisher) always finds it there.
/// </remarks>
public sealed class LiveSession : IAsyncDisposable
{
    private readonly LiveSessionOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private Task? _reading;
    private long _lastModel; // Stopwatch timestamp of the last journaled model curve (pipeline worker only)

    /// <summary>Creates the session; nothing is read before <see cref="Start"/>.</summary>
    /// <param name="source">the bytes (serial port, TCP, simulator, capture file)</param>
    /// <param name="journal">where bytes and results go; null keeps nothing</param>
    /// <param name="pipelineOptions">the live pipeline's settings</param>
    /// <param name="options">what else is journaled</param>
    public LiveSession(IByteSource source, SessionJournal? journal, LivePipelineOptions pipelineOptions, LiveSessionOptions? options = null)
    {
        _options = options ?? new LiveSessionOptions();
        Link = new LinkSession(source, journal);
        Pipeline = new LivePipeline(pipelineOptions);
        Pipeline.Attach(Link.Assembler);
        if (source is ReconnectingByteSource)
        {
            // A board joined mid-stream has sent its HELLO long ago: PING asks for it again.
            Link.StateChanged += change =>
            {
                if (change.State == LinkState.Connected)
                    _ = Task.Run(async () => { try { await Link.SendPingAsync(_stop.Token); } catch (Exception) { /* best effort */ } });
            };
        }

        if (journal is not null)
        {
            Pipeline.ResultCompleted += r =>
            {
                bool withModel = false;
                if (_options.JournalCurves && (_lastModel == 0 || System.Diagnostics.Stopwatch.GetElapsedTime(_lastModel) >= _options.CurveModelInterval))
                {
                    withModel = true;
                    _lastModel = System.Diagnostics.Stopwatch.GetTimestamp();
                }

                Link.AppendResult(ResultJson.ToLine(w => ResultJson.WriteResult(w, r, _options.JournalCurves, withModel)));
                if (Link.JournalFault is null) ResultJournaled?.Invoke(r);
            };
        }

        // After the journal's handler: the last result is journaled (and published) like any other.
        if (_options.StopAfterSpectra is { } last)
            Pipeline.ResultCompleted += r => { if (r.Index + 1 >= last) Stop(); };
    }

    /// <summary>The link: transport, journal, decoder, commands to the board.</summary>
    public LinkSession Link { get; }

    /// <summary>The fits and running statistics.</summary>
    public LivePipeline Pipeline { get; }

    /// <summary>The journal, or null.</summary>
    public SessionJournal? Journal => Link.Journal;

    /// <summary>Raised on the pipeline's worker once a result's line is in the results journal.</summary>
    public event Action<LiveResult>? ResultJournaled;

    /// <summary>The reading task (started by <see cref="Start"/>).</summary>
    public Task Reading => _reading ?? throw new InvalidOperationException("the session was not started");

    /// <summary>Starts reading once the pipeline is warm (a fraction of a second of JIT before the first byte, not inside the first spectrum's latency).</summary>
    /// <param name="cancellationToken">stops the reading (Ctrl+C, a duration); what arrived so far is still summarised</param>
    public void Start(CancellationToken cancellationToken)
    {
        Pipeline.Ready.GetAwaiter().GetResult();
        var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        _reading = Task.Run(async () =>
        {
            using (reading) await Link.RunAsync(reading.Token).ConfigureAwait(false);
        }, CancellationToken.None);
    }

    /// <summary>Stops reading, as the token given to <see cref="Start"/> would.</summary>
    public void Stop() => _stop.Cancel();

    /// <summary>Waits for the source to end (or the token to stop it), then for the pipeline; returns the link's final counters.</summary>
    public async Task<LinkCounters> FinishAsync()
    {
        try
        {
            await Reading.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C on a live link: what arrived so far is still summarised.
        }

        Pipeline.Complete();
        await Pipeline.Completion.ConfigureAwait(false);
        return Link.Counters;
    }

    /// <summary>
    /// The summary once <see cref="FinishAsync"/> has returned: counters, results, statistics and
    /// latencies, under the source's name.
    /// </summary>
    /// <param name="requireStatistics">throw <see cref="NbnEdge.Analysis.InputDataException"/> when no spectrum could be fitted (demo, ingest, replay)</param>
    public SessionSummary Summarise(bool requireStatistics) => SessionSummary.From(Link.StreamName, Pipeline, Link.Counters, requireStatistics);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Link.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
