using System.Diagnostics;

namespace NbnEdge.Link.Journal;

/// <summary>
/// An append-only file: each <see cref="Append"/> goes straight to the OS (unbuffered FileStream:
/// one write system call), fsync follows the <see cref="JournalSyncPolicy"/> on the process's one
/// journal fsync thread (<see cref="JournalSyncThread"/>), never on the appender's. Other processes
/// may read while it is written. Thread-safe.
/// </summary>
/// <remarks>
/// Why not fsync inline: the appenders are the link's reader (raw bytes, before decoding) and the
/// pipeline's worker (results, before publishing). An fsync waits for the disk, tens to hundreds of
/// milliseconds when other programs write, and every spectrum behind it waited too. A kill -9 loses
/// nothing either way (the bytes are in the OS when <see cref="Append"/> returns); a power cut loses
/// at most what the policy allows plus one fsync's time.
/// </remarks>
public sealed class AppendOnlyFile : IDisposable
{
    private readonly FileStream _file;
    private readonly JournalSyncPolicy _policy;
    private readonly Lock _sync = new(); // appends and the counters
    private readonly Lock _flush = new(); // one fsync of this file at a time, none after closing; taken before _sync
    private readonly Timer _idleSync;
    private readonly Stopwatch _sinceSync = Stopwatch.StartNew();
    private long _unsyncedBytes;
    private bool _syncQueued;
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
        _idleSync = new Timer(_ => QueueSyncIfDirty(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>Bytes in the file (handed to the OS).</summary>
    public long Length { get; private set; }

    /// <summary>Bytes known to be on the disk (fsync'd).</summary>
    public long SyncedLength { get; private set; }

    /// <summary>fsync calls made.</summary>
    public long Syncs { get; private set; }

    /// <summary>
    /// Appends <paramref name="data"/>; when this returns the bytes are in the OS. An fsync that
    /// failed on the fsync thread is reported here, by the next append.
    /// </summary>
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
                QueueSyncLocked();
            }
            else
            {
                _idleSync.Change(_policy.Interval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Forces everything appended so far to the disk now, on the caller's thread.</summary>
    public void Sync()
    {
        lock (_flush)
        {
            long target;
            lock (_sync)
            {
                if (_disposed)
                {
                    return;
                }

                target = TakeUnsyncedLocked();
            }

            _file.Flush(flushToDisk: true);
            MarkSynced(target);
        }
    }

    /// <summary>Syncs and closes.</summary>
    public void Dispose()
    {
        lock (_flush)
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
                    long target = TakeUnsyncedLocked();
                    _file.Flush(flushToDisk: true);
                    SyncedLength = target;
                    Syncs++;
                    _file.Dispose();
                }
                catch (IOException)
                {
                    // Disk full or gone: what reached the OS stays; the appender was told when it failed.
                }
            }
        }
    }

    /// <summary>The fsync the policy asked for, on <see cref="JournalSyncThread"/>; never throws (a failure is kept for the next append).</summary>
    internal void SyncQueued()
    {
        lock (_flush)
        {
            long target;
            lock (_sync)
            {
                _syncQueued = false;
                if (_disposed || _fault is not null || _unsyncedBytes == 0)
                {
                    return;
                }

                target = TakeUnsyncedLocked();
            }

            try
            {
                // Appends go on meanwhile: an unbuffered FileStream's fsync and write share no state but the descriptor.
                _file.Flush(flushToDisk: true);
                MarkSynced(target);
            }
            catch (IOException e)
            {
                // On the fsync thread nobody could catch it: the next Append reports it.
                lock (_sync) _fault = e;
            }
        }
    }

    private void QueueSyncIfDirty()
    {
        lock (_sync)
        {
            if (!_disposed && _unsyncedBytes > 0 && _fault is null)
            {
                QueueSyncLocked();
            }
        }
    }

    private void QueueSyncLocked()
    {
        if (_syncQueued)
        {
            return;
        }

        _syncQueued = true;
        JournalSyncThread.Enqueue(this);
    }

    private long TakeUnsyncedLocked()
    {
        _unsyncedBytes = 0;
        _sinceSync.Restart();
        return Length;
    }

    private void MarkSynced(long target)
    {
        lock (_sync)
        {
            SyncedLength = Math.Max(SyncedLength, target);
            Syncs++;
        }
    }
}

/// <summary>
/// The process's one thread that fsyncs journal files: a dedicated thread, since fsync blocks for
/// as long as the disk takes, and fifty stations' journals on pool threads would starve the pool
/// that the link readers and MQTT clients run on.
/// </summary>
internal static class JournalSyncThread
{
    private static readonly System.Collections.Concurrent.BlockingCollection<AppendOnlyFile> Queue = StartThread();

    /// <summary>Asks for an fsync of <paramref name="file"/> (the caller makes sure it is queued once).</summary>
    public static void Enqueue(AppendOnlyFile file) => Queue.Add(file);

    private static System.Collections.Concurrent.BlockingCollection<AppendOnlyFile> StartThread()
    {
        var queue = new System.Collections.Concurrent.BlockingCollection<AppendOnlyFile>();
        new Thread(() =>
        {
            foreach (var file in queue.GetConsumingEnumerable()) file.SyncQueued();
        })
        { IsBackground = true, Name = "journal fsync" }.Start();
        return queue;
    }
}
