namespace NbnEdge.Link.Transports;

/// <summary>Connection state of a transport, reported as it changes.</summary>
public enum LinkState
{
    /// <summary>Trying to open the port or connect.</summary>
    Connecting,
    /// <summary>Open: bytes can flow.</summary>
    Connected,
    /// <summary>The connection broke (adapter unplugged, peer closed); a reconnecting source retries.</summary>
    Disconnected,
    /// <summary>An attempt failed; the next one follows after <see cref="LinkStateChange.RetryIn"/>.</summary>
    WaitingToRetry,
    /// <summary>The source ended for good (end of a capture, disposed).</summary>
    Closed,
}

/// <summary>A state change of a transport.</summary>
/// <param name="State">the new state</param>
/// <param name="Detail">what happened (the exception's message, the port name)</param>
/// <param name="RetryIn">for <see cref="LinkState.WaitingToRetry"/>: the backoff before the next attempt</param>
public sealed record LinkStateChange(LinkState State, string Detail, TimeSpan? RetryIn = null);

/// <summary>
/// Where received bytes come from: a serial port, a TCP connection, a capture file, a pipe, a
/// simulator. A reconnecting source hides reconnection inside <see cref="ReadAsync"/> and reports
/// it through <see cref="StateChanged"/> (raised on the reading thread, before the next bytes of
/// the new connection are returned).
/// </summary>
public interface IByteSource : IAsyncDisposable
{
    /// <summary>Name for <see cref="NbnEdge.Analysis.Spectrum.Source"/> and messages (port, URL, file path).</summary>
    string Name { get; }

    /// <summary>Raised on every connection state change.</summary>
    event Action<LinkStateChange>? StateChanged;

    /// <summary>
    /// Reads at least one byte into <paramref name="buffer"/>, waiting as long as needed; returns
    /// 0 only when the source has ended for good. Throws <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}

/// <summary>A source that also carries commands back to the device (serial, TCP, pipe, simulator).</summary>
public interface IDuplexByteSource : IByteSource
{
    /// <summary>Writes bytes towards the device; throws <see cref="IOException"/> while disconnected.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}
