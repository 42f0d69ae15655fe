using System.Diagnostics;

namespace NbnEdge.Link.Journal;

/// <summary>
/// An append-only file: each <see cref="Append"/> goes straight to the OS (unbuffered FileStream:
/// one write system call), fsync follows the <see cref="JournalSyncPolicy"/>. Other processes may
/// read while it is written. Thread-safe.
/// </summary>
public sealed class AppendOnlyFile : IDisposable
{
    private readonly FileStream _file;
    private readonly JournalSyncPolicy _policy;
    private readonly Lock _sync = new();
    private readonly Timer _idleSync;
    private readonly Stopwatch _sinceSync = Stopwatch.StartNew();
    private long _unsyncedBytes;
    private bool _disposed;
    private IOException? _fault;

    /// <summary>Opens (creating if needed) <paramref name="path"/> for appending.</summary>
    public AppendOnlyFile(string path, JournalSyncPolicy? policy = null)
    {
        Path = path;
        _policy = policy ?? JournalSyncPolicy.Default;
        // bufferSize 0: no user-space buffer, so an append is in the OS (and survives kill -9) when Append returns.
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.None);
        Length = _file.Length;
        SyncedLength = Length;
        _idleSync = new Timer(_ => SyncIfDirty(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>Bytes in the file (handed to the OS).</summary>
    public long Length { get; private set; }

    /// <summary>Bytes known to be on the disk (fsync'd).</summary>
    public long SyncedLength { get; private set; }

    /// <summary>fsync calls made.</summary>
    public long Syncs { get; private set; }

    /// <summary>Appends <paramref name="data"/>; when this returns the bytes are in the OS.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_fault is not null)
            {
                throw new IOException($"{Path}: {_fault.Message}", _fault);
            }

            _file.Write(data);
            Length += data.Length;
            _unsyncedBytes += data.Length;
            if (_unsyncedBytes >= _policy.Bytes || _sinceSync.Elapsed >= _policy.Interval)
            {
                SyncLocked();
            }
            else
            {
                _idleSync.Change(_policy.Interval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Forces everything appended so far to the disk now.</summary>
    public void Sync()
    {
        lock (_sync)
        {
            if (!_disposed)
            {
                SyncLocked();
            }
        }
    }

    /// <summary>Syncs and closes.</summary>
    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _idleSync.Dispose();
            try
            {
                SyncLocked();
                _file.Dispose();
            }
            catch (IOException)
            {
                // Disk full or gone: what reached the OS stays; the appender was told when it failed.
            }
        }
    }

    private void SyncIfDirty()
    {
        lock (_sync)
        {
            if (!_disposed && _unsyncedBytes > 0 && _fault is null)
            {
                try
                {
                    SyncLocked();
                }
                catch (IOException e)
                {
                    // On the timer's thread nobody could catch it: the next Append reports it.
                    _fault = e;
                }
            }
        }
    }

    private void SyncLocked()
    {
        _file.Flush(flushToDisk: true);
        _unsyncedBytes = 0;
        SyncedLength = Length;
        Syncs++;
        _sinceSync.Restart();
    }
}
