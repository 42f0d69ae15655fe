namespace NbnEdge.Mqtt;

/// <summary>
/// Reads a session's results journal as the publisher's outbox: line by line from a position, the
/// sequence number of a line being its 1-based line number in the file (a torn line from a killed
/// writer keeps its number and is skipped). Nothing is held but one read buffer and a position every
/// <see cref="CheckpointEvery"/> lines, so a broker that is down for hours costs no memory: the
/// lines wait on disk, where the session put them anyway.
/// </summary>
internal sealed class ResultsOutbox : IDisposable
{
    /// <summary>Lines between two remembered file positions (a rewind scans at most this many lines).</summary>
    public const int CheckpointEvery = 1024;

    private readonly FileStream _file;
    private readonly List<long> _checkpoints = [0]; // offset of line 1, 1 + CheckpointEvery, …
    private byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;
    private long _bufferFileOffset; // file offset of _buffer[0]
    private long _nextSeq = 1;

    public ResultsOutbox(string resultsPath)
    {
        // The session appends while this reads: share everything, never lock the writer out.
        _file = new FileStream(resultsPath, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
    }

    /// <summary>The sequence number the next <see cref="TryReadNext"/> returns.</summary>
    public long NextSeq => _nextSeq;

    /// <summary>The next complete line (without its newline) and its number; false when the file has no complete line more (yet).</summary>
    public bool TryReadNext(out long seq, out ReadOnlyMemory<byte> line)
    {
        while (true)
        {
            int nl = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (nl >= 0)
            {
                seq = _nextSeq++;
                line = _buffer.AsMemory(_start, nl - _start);
                _start = nl + 1;
                if ((_nextSeq - 1) % CheckpointEvery == 0 && _checkpoints.Count == (_nextSeq - 1) / CheckpointEvery)
                    _checkpoints.Add(_bufferFileOffset + _start);
                return true;
            }

            if (!Fill())
            {
                seq = 0;
                line = default;
                return false;
            }
        }
    }

    /// <summary>Positions before line <paramref name="seq"/> (1-based); a number past the lines written so far is taken as it comes.</summary>
    public void Rewind(long seq)
    {
        if (seq < 1) seq = 1;
        int checkpoint = (int)Math.Min((seq - 1) / CheckpointEvery, _checkpoints.Count - 1);
        _bufferFileOffset = _checkpoints[checkpoint];
        _start = _end = 0;
        _nextSeq = (long)checkpoint * CheckpointEvery + 1;
        while (_nextSeq < seq && TryReadNext(out _, out _))
        {
        }
    }

    private bool Fill()
    {
        // Keep the unfinished line, make room (a line longer than the buffer grows it), read on.
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _bufferFileOffset += _start;
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        _file.Position = _bufferFileOffset + _end;
        int n = _file.Read(_buffer, _end, _buffer.Length - _end);
        _end += n;
        return n > 0;
    }

    public void Dispose() => _file.Dispose();
}
