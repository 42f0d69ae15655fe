namespace NbnEdge.Link.Transports;

/// <summary>
/// A source over a connection that can break and come back (a USB-UART adapter unplugged and
/// plugged in again, a TCP peer restarting): <see cref="ReadAsync"/> opens the connection on
/// demand, retries with backoff while it cannot, and reports every state change.
/// Reads and writes may run on different threads; one reader at a time.
/// </summary>
public abstract class ReconnectingByteSource : IDuplexByteSource
{
    private readonly ReconnectPolicy _policy;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile Stream? _stream;
    private int _failures;
    private bool _disposed;

    /// <summary>Creates the source; nothing is opened until the first read.</summary>
    protected ReconnectingByteSource(string name, ReconnectPolicy? policy)
    {
        Name = name;
        _policy = policy ?? ReconnectPolicy.Default;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public event Action<LinkStateChange>? StateChanged;

    /// <summary>Connections made so far (the first counts).</summary>
    public int Connections { get; private set; }

    /// <summary>
    /// Throw <see cref="LinkOpenException"/> when the very first open fails instead of retrying:
    /// a port that never existed will not appear by waiting; only one that went away is retried.
    /// </summary>
    public bool GiveUpBeforeFirstConnection { get; init; }

    /// <summary>Whether a connection is open now.</summary>
    public bool IsConnected => _stream is not null;

    /// <summary>Opens one connection; throws (IOException, SocketException, UnauthorizedAccessException…) when it cannot.</summary>
    protected abstract Task<Stream> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Reads from an open stream; lets a subclass map its own end-of-connection signals.</summary>
    protected virtual ValueTask<int> ReadFromAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken) =>
        stream.ReadAsync(buffer, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Stream stream = _stream ?? await ConnectAsync(cancellationToken).ConfigureAwait(false);
            string? why;
            try
            {
                int n = await ReadFromAsync(stream, buffer, cancellationToken).ConfigureAwait(false);
                if (n > 0)
                {
                    return n;
                }

                why = "the peer closed the connection";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
            {
                why = ex.Message;
            }

            Drop(stream);
            Report(new LinkStateChange(LinkState.Disconnected, why));
        }
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        Stream stream = _stream ?? throw new IOException($"{Name}: not connected");
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public virtual ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (_stream is { } s)
            {
                Drop(s);
            }

            Report(new LinkStateChange(LinkState.Closed, "disposed"));
        }

        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    private async Task<Stream> ConnectAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Report(new LinkStateChange(LinkState.Connecting, Name));
            try
            {
                Stream stream = await OpenAsync(cancellationToken).ConfigureAwait(false);
                _failures = 0;
                _stream = stream;
                Connections++;
                Report(new LinkStateChange(LinkState.Connected, Name));
                return stream;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (GiveUpBeforeFirstConnection && Connections == 0)
            {
                throw ex as LinkOpenException ?? new LinkOpenException($"{Name}: {ex.Message}", ex);
            }
            catch (Exception ex)
            {
                // Whatever the OS says (no such port, busy, refused): the adapter may come back.
                _failures++;
                TimeSpan delay = _policy.Delay(_failures);
                Report(new LinkStateChange(LinkState.WaitingToRetry, ex.Message, delay));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Drop(Stream stream)
    {
        _stream = null;
        try
        {
            stream.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // Closing a port whose device vanished may fail; it is gone either way.
        }
    }

    private void Report(LinkStateChange change) => StateChanged?.Invoke(change);
}
