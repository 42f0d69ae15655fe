namespace NbnEdge.Link;

/// <summary>
/// What the receiver saw, as a snapshot. Every fault on the link lands in exactly one frame
/// counter (a frame is either accepted, or dropped for one reason); seq jumps are counted
/// separately as <see cref="FramesLost"/> because a lost frame may leave no bytes at all.
/// </summary>
public sealed record LinkCounters
{
    /// <summary>Bytes fed to the decoder.</summary>
    public long Bytes { get; init; }
    /// <summary>Frames accepted (CRC, length, version, type and payload good).</summary>
    public long FramesOk { get; init; }
    /// <summary>Frames dropped for a CRC-32 mismatch.</summary>
    public long BadCrc { get; init; }
    /// <summary>Frames dropped for being shorter than header and CRC.</summary>
    public long TooShort { get; init; }
    /// <summary>Frames dropped for a body over 1024 bytes.</summary>
    public long TooLong { get; init; }
    /// <summary>Frames dropped for a protocol version other than 1.</summary>
    public long UnknownVersion { get; init; }
    /// <summary>Frames of a message type this version does not know: skipped (their seq still counts as received).</summary>
    public long UnknownType { get; init; }
    /// <summary>Byte runs between delimiters that are not valid COBS (garbage on the line).</summary>
    public long MalformedCobs { get; init; }
    /// <summary>Frames of a known type whose payload is too short for its fields.</summary>
    public long BadPayload { get; init; }
    /// <summary>SPECTRUM chunks whose fields contradict each other (first_index + count beyond total_points, count 0).</summary>
    public long InconsistentChunks { get; init; }
    /// <summary>Frames the device sent that never arrived, from seq jumps (2^32 wrap handled).</summary>
    public long FramesLost { get; init; }
    /// <summary>Spectra with every chunk, in order.</summary>
    public long SpectraComplete { get; init; }
    /// <summary>Spectra kept with a chunk missing.</summary>
    public long SpectraIncomplete { get; init; }
    /// <summary>ESTIMATEs that arrived.</summary>
    public long Estimates { get; init; }
    /// <summary>ESTIMATEs whose spectrum was never seen (its chunks were all lost).</summary>
    public long EstimatesUnmatched { get; init; }
    /// <summary>Device reboots (a new device epoch each).</summary>
    public long Reboots { get; init; }
    /// <summary>Reboots seen only from seq going backwards (the HELLO that announces a reboot was lost).</summary>
    public long UnannouncedRestarts { get; init; }
    /// <summary>Frames whose seq was already received (a duplicated frame): skipped, not a reboot and not a loss.</summary>
    public long Duplicates { get; init; }
    /// <summary>Frames that arrived after a later one (out of order): not a loss and not a reboot.</summary>
    public long Reordered { get; init; }
    /// <summary>Transport disconnections the session was told about.</summary>
    public long Disconnects { get; init; }

    /// <summary>Frames dropped for any reason (not counting lost frames, which left no trace).</summary>
    public long FramesDropped => BadCrc + TooShort + TooLong + UnknownVersion + MalformedCobs + BadPayload;
}
