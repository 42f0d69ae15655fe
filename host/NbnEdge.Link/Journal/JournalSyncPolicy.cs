namespace NbnEdge.Link.Journal;

/// <summary>
/// When appended bytes are forced to the disk (fsync). Every append is handed to the OS at once
/// (a write system call, no user-space buffer), so a killed process loses nothing it appended;
/// fsync protects against power loss and costs milliseconds, so it runs at most every
/// <see cref="Interval"/> or <see cref="Bytes"/>, whichever comes first, and once more
/// <see cref="Interval"/> after the last append so an idle link is on disk too.
/// </summary>
/// <param name="Interval">longest time appended bytes stay without fsync</param>
/// <param name="Bytes">most bytes appended without fsync</param>
public sealed record JournalSyncPolicy(TimeSpan Interval, long Bytes)
{
    /// <summary>100 ms or 64 KiB: at 921600 baud (92 KB/s) about ten fsyncs a second.</summary>
    public static JournalSyncPolicy Default { get; } = new(TimeSpan.FromMilliseconds(100), 64 * 1024);
}
