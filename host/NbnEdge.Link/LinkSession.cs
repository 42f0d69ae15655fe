using System.Collections.Concurrent;
using NbnEdge.Link.Journal;
using NbnEdge.Link.Transports;

namespace NbnEdge.Link;

/// <summary>
/// A live link: reads a source, appends every byte to the journal BEFORE decoding it, feeds the
/// <see cref="SpectrumStreamAssembler"/>, and sends commands back. The CLI's <c>monitor</c> and
/// <c>demo</c> wire their fitter to <see cref="SpectrumReceived"/> and write results through
/// <see cref="AppendResult"/>.
/// </summary>
/// <remarks>
/// Events are raised on the thread running <see cref="RunAsync"/>, in stream order; handlers that
/// take long (a fit) should hand the spectrum to a worker so reading never backs up.
/// </remarks>
public sealed class LinkSession : IAsyncDisposable
{
    private readonly IByteSource _source;
    private readonly SessionJournal? _journal;
    private readonly bool _ownsJournal;
    private readonly CommandWriter _commands = new();
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<AckInfo>> _waitingAcks = new();
    private readonly int _readBufferBytes;
    private bool _wasConnected;

    /// <summary>Creates a session on <paramref name="source"/>; <paramref name="journal"/> may be null (no journal).</summary>
    /// <param name="source">the bytes</param>
    /// <param name="journal">where received bytes and results go</param>
    /// <param name="ownsJournal">dispose the journal with the session</param>
    /// <param name="readBufferBytes">size of one read</param>
    public LinkSession(IByteSource source, SessionJournal? journal = null, bool ownsJournal = true, int readBufferBytes = 16 * 1024)
    {
        _source = source;
        _journal = journal;
        _ownsJournal = ownsJournal;
        _readBufferBytes = readBufferBytes;
        Assembler.AckReceived += OnAck;
        source.StateChanged += OnStateChanged;
    }

    /// <summary>The decoding state and its events.</summary>
    public SpectrumStreamAssembler Assembler { get; } = new();

    /// <summary>The source's name: <see cref="NbnEdge.Analysis.Spectrum.Source"/> of converted spectra.</summary>
    public string StreamName => _source.Name;

    /// <summary>The journal, if any.</summary>
    public SessionJournal? Journal => _journal;

    /// <summary>Counters snapshot.</summary>
    public LinkCounters Counters => Assembler.Counters;

    /// <summary>The transport's state changes (connecting, connected, disconnected, retrying).</summary>
    public event Action<LinkStateChange>? StateChanged;

    /// <summary>Every spectrum when it ends (see <see cref="SpectrumStreamAssembler.SpectrumReceived"/>).</summary>
    public event Action<ReceivedSpectrum>? SpectrumReceived
    {
        add => Assembler.SpectrumReceived += value;
        remove => Assembler.SpectrumReceived -= value;
    }

    /// <summary>Reads until the source ends or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[_readBufferBytes];
        try
        {
            while (true)
            {
                int n = await _source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                // Journal first: a crash while decoding must not lose the bytes that caused it.
                if (!TryJournal(() => _journal?.AppendReceived(buffer.AsSpan(0, n))))
                {
                    // Bytes that cannot be kept are not decoded either: the session ends with what is on disk.
                    break;
                }

                Assembler.Feed(buffer, 0, n);
            }
        }
        finally
        {
            Assembler.Complete();
            foreach (var waiting in _waitingAcks.Values)
            {
                waiting.TrySetCanceled(CancellationToken.None);
            }
        }
    }

    /// <summary>Sends CONFIG; returns the command's seq (its ACK carries it).</summary>
    public ValueTask<uint> SendConfigAsync(string keyValueLines, CancellationToken cancellationToken = default) =>
        SendAsync(_commands.Config(keyValueLines), cancellationToken);

    /// <summary>Sends START.</summary>
    public ValueTask<uint> SendStartAsync(CancellationToken cancellationToken = default) => SendAsync(_commands.Start(), cancellationToken);

    /// <summary>Sends STOP.</summary>
    public ValueTask<uint> SendStopAsync(CancellationToken cancellationToken = default) => SendAsync(_commands.Stop(), cancellationToken);

    /// <summary>Sends PING (answered by HELLO, then ACK).</summary>
    public ValueTask<uint> SendPingAsync(CancellationToken cancellationToken = default) => SendAsync(_commands.Ping(), cancellationToken);

    /// <summary>
    /// Sends a command built by <paramref name="build"/> (e.g. <c>c =&gt; c.Start()</c>) and waits for its
    /// ACK; <see cref="RunAsync"/> must be running. Throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public async Task<AckInfo> CommandAsync(Func<CommandWriter, (uint Seq, byte[] Frame)> build, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        (uint seq, byte[] frame) = build(_commands);
        var tcs = new TaskCompletionSource<AckInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waitingAcks[seq] = tcs;
        try
        {
            await SendAsync((seq, frame), cancellationToken).ConfigureAwait(false);
            return await tcs.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _waitingAcks.TryRemove(seq, out _);
        }
    }

    /// <summary>
    /// Appends one fitted result (one line of JSON) to the results journal; no-op without a journal
    /// or once writing it failed (see <see cref="JournalFault"/>).
    /// </summary>
    public void AppendResult(string jsonLine)
    {
        if (JournalFault is null)
        {
            TryJournal(() => _journal?.AppendResult(jsonLine));
        }
    }

    /// <summary>
    /// Why the journal could not be written (disk full, device gone), or null. Reading stops at the
    /// first such failure: everything journaled before it stays on disk, and the caller reports it.
    /// </summary>
    public string? JournalFault { get; private set; }

    private delegate void JournalWrite();

    private bool TryJournal(JournalWrite write)
    {
        try
        {
            write();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            JournalFault ??= $"the session journal could not be written ({e.Message}); reading stopped, {_journal?.Raw.Length ?? 0} bytes are in {_journal?.RawPath}";
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _source.StateChanged -= OnStateChanged;
        await _source.DisposeAsync().ConfigureAwait(false);
        if (_ownsJournal)
        {
            _journal?.Dispose();
        }
    }

    private async ValueTask<uint> SendAsync((uint Seq, byte[] Frame) command, CancellationToken cancellationToken)
    {
        if (_source is not IDuplexByteSource duplex)
        {
            throw new InvalidOperationException($"{_source.Name} is receive-only: commands cannot be sent");
        }

        await duplex.WriteAsync(command.Frame, cancellationToken).ConfigureAwait(false);
        return command.Seq;
    }

    private void OnAck(AckInfo ack)
    {
        if (_waitingAcks.TryGetValue(ack.CommandSeq, out var tcs))
        {
            tcs.TrySetResult(ack);
        }
    }

    private void OnStateChanged(LinkStateChange change)
    {
        // Raised inside ReadAsync, so on the reading flow between two Feeds: no race with decoding.
        if (change.State == LinkState.Disconnected && _wasConnected)
        {
            _journal?.MarkConnectionBoundary();
            Assembler.OnDisconnected();
        }

        if (change.State == LinkState.Connected)
        {
            _wasConnected = true;
        }

        StateChanged?.Invoke(change);
    }
}
