namespace NbnEdge.Link.Transports;

/// <summary>
/// A source over any stream: a pipe to a simulator, a capture file (raw bytes exactly as they came
/// over the wire), a socket already connected. Ends when the stream does; no reconnection.
/// </summary>
public class StreamByteSource : IDuplexByteSource
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private bool _announced;

    /// <summary>Wraps <paramref name="stream"/>; disposes it on dispose when <paramref name="ownsStream"/>.</summary>
    public StreamByteSource(Stream stream, string name, bool ownsStream = true)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        Name = name;
    }

    /// <summary>A capture file, read from the start.</summary>
    public static StreamByteSource OpenCapture(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan), path);

    /// <summary>Bytes in memory (tests, replay of a buffer).</summary>
    public static StreamByteSource FromBytes(byte[] data, string name = "memory") => new(new MemoryStream(data, writable: false), name);

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public event Action<LinkStateChange>? StateChanged;

    /// <inheritdoc />
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!_announced)
        {
            _announced = true;
            StateChanged?.Invoke(new LinkStateChange(LinkState.Connected, Name));
        }

        int n = await _stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            StateChanged?.Invoke(new LinkStateChange(LinkState.Closed, "end of stream"));
        }

        return n;
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!_stream.CanWrite)
        {
            throw new IOException($"{Name}: read-only source, commands cannot be sent");
        }

        await _stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        if (_ownsStream)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }
}
