using NbnEdge.Cli.Commands;
using NbnEdge.Link;
using NbnEdge.Link.Journal;
using NbnEdge.Link.Transports;
using NbnEdge.Live;

namespace NbnEdge.Cli.Live;

/// <summary>
/// A link session with the live pipeline attached and, when journaled, every completed result
/// appended to the session's results journal. The reading runs on its own task: an unpaced source
/// (the simulator, a file) never yields inside its reads, so awaiting it inline would block the
/// caller until the stream ends.
/// </summary>
internal sealed class LiveLink : IAsyncDisposable
{
    private Task? _reading;

    public LiveLink(IByteSource source, SessionJournal? journal, LivePipelineOptions options)
    {
        Session = new LinkSession(source, journal);
        Pipeline = new LivePipeline(options);
        Pipeline.Attach(Session.Assembler);
        if (journal is not null)
        {
            Pipeline.ResultCompleted += r => Session.AppendResult(JsonOutput.ToLine(w => LiveSummary.WriteResult(w, r)));
        }
    }

    public LinkSession Session { get; }

    public LivePipeline Pipeline { get; }

    /// <summary>The reading task (started by <see cref="Start"/>).</summary>
    public Task Reading => _reading ?? throw new InvalidOperationException("not started");

    public void Start(CancellationToken cancellationToken)
    {
        // A fraction of a second of JIT before the first byte, not inside the first spectrum's latency.
        Pipeline.Ready.GetAwaiter().GetResult();
        _reading = Task.Run(() => Session.RunAsync(cancellationToken), CancellationToken.None);
    }

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
        return Session.Counters;
    }

    public ValueTask DisposeAsync() => Session.DisposeAsync();

    /// <summary>Whether <paramref name="output"/> is the process's terminal (live views only there).</summary>
    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
}
