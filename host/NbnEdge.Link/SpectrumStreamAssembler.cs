using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Link;

/// <summary>
/// The receiving half of docs/PROTOCOL.md: consumes bytes as they come, decodes frames with the
/// firmware's own <see cref="FrameDecoder"/> (the same COBS and CRC code the board runs), and
/// turns them into objects: HELLO, spectra (complete, or incomplete and flagged), ESTIMATE
/// matched to its spectrum, STATUS, LOG and ACK, with counters for every fault.
/// </summary>
/// <remarks>
/// <para>Single-threaded: call <see cref="Feed(byte[], int, int)"/> from one thread; events are raised on it,
/// synchronously, before Feed returns.</para>
/// <para>Rules, so that no wrong spectrum is ever accepted: a spectrum is complete only when every
/// index 0..total_points−1 arrived in chunks of the same spectrum_id and device epoch, in order of
/// first_index, ending with the chunk flagged last. It is closed as incomplete when a chunk skips
/// indices, a chunk of another spectrum or its ESTIMATE arrives first, frames were lost (seq jump)
/// before a frame that is not its next chunk, the device restarts, the transport disconnects, or
/// the stream ends. Points of an incomplete spectrum are kept with their indices; nothing is
/// filled in and nothing from another spectrum is merged in.</para>
/// <para>Device epochs: a HELLO with seq 0 after other frames is a reboot, and so is a seq that
/// goes back to near 0 (below <see cref="RestartWindow"/>) and is no copy of a frame received,
/// or two consecutive frames that go back (the HELLO and the first frames of the new life lost):
/// a new epoch starts, the seq reset is not counted as loss (the new epoch's frames before the
/// first one received are). A seq going back is otherwise no reboot: a frame equal (seq and CRC)
/// to one among the last <see cref="RestartWindow"/> received is a duplicate (skipped, counted in
/// <see cref="LinkCounters.Duplicates"/>); one counted as lost when a later frame came arrived out
/// of order (counted in <see cref="LinkCounters.Reordered"/> and taken back out of
/// <see cref="LinkCounters.FramesLost"/>; its STATUS, LOG or ACK is delivered, but a late SPECTRUM
/// chunk, ESTIMATE or HELLO is not merged into what has moved on).</para>
/// <para>Memory: at most one spectrum is open at a time (a chunk of any other spectrum closes it as
/// incomplete), and an open or finished spectrum holds only the points that arrived (plus a
/// constant), whatever total_points claims: memory follows the bytes received.</para>
/// </remarks>
public sealed class SpectrumStreamAssembler
{
    private const int RecentSpectraKept = 64;

    /// <summary>How many recent seqs are remembered to tell duplicates and late frames from reboots; also the "near 0" of a restart.</summary>
    public const int RestartWindow = 64;

    private readonly FrameDecoder _decoder = new();
    private readonly Queue<ReceivedSpectrum> _recent = new();
    private static readonly byte[] Delimiter = [0];
    private readonly byte[] _spanCopy = new byte[16 * 1024];
    private long _bytes;
    private long _duplicates, _reordered;
    private ulong _seenWindow; // bit k: seq (_expectedSeq - 1 - k) was received in this epoch
    private ulong _lostWindow; // bit k: seq (_expectedSeq - 1 - k) was counted as lost
    private readonly uint[] _crcBySeq = new uint[RestartWindow];
    private uint? _lastStaleSeq;
    private long _inconsistentChunks, _framesLost, _complete, _incomplete, _estimates, _unmatched, _reboots, _unannounced, _disconnects;
    private uint _lastUnknownType, _lastBadPayload;
    private bool _haveSeq;
    private uint _expectedSeq;
    private int _epoch;
    private Pending? _pending;

    /// <summary>The HELLO in force (the last one received), or null.</summary>
    public HelloInfo? Hello { get; private set; }

    /// <summary>The current device epoch (0 until the first reboot).</summary>
    public int DeviceEpoch => _epoch;

    /// <summary>Raised for every HELLO (after <see cref="RebootDetected"/> when it announces a reboot).</summary>
    public event Action<HelloInfo>? HelloReceived;

    /// <summary>Raised for every spectrum when it ends: complete, or flagged incomplete.</summary>
    public event Action<ReceivedSpectrum>? SpectrumReceived;

    /// <summary>Raised for every ESTIMATE, with its spectrum when that was seen (its <see cref="ReceivedSpectrum.Estimate"/> is set first).</summary>
    public event Action<EstimateInfo, ReceivedSpectrum?>? EstimateReceived;

    /// <summary>Raised for every STATUS.</summary>
    public event Action<StatusInfo>? StatusReceived;

    /// <summary>Raised for every LOG.</summary>
    public event Action<LogInfo>? LogReceived;

    /// <summary>Raised for every ACK.</summary>
    public event Action<AckInfo>? AckReceived;

    /// <summary>Raised when a device reboot starts a new epoch.</summary>
    public event Action<RebootInfo>? RebootDetected;

    /// <summary>A snapshot of every counter.</summary>
    public LinkCounters Counters => new()
    {
        Bytes = _bytes,
        FramesOk = _decoder.FramesAccepted,
        BadCrc = _decoder.BadCrc,
        TooShort = _decoder.TooShort,
        TooLong = _decoder.TooLong,
        UnknownVersion = _decoder.UnknownVersion,
        UnknownType = _decoder.UnknownType,
        MalformedCobs = _decoder.MalformedCobs,
        BadPayload = _decoder.BadPayload,
        InconsistentChunks = _inconsistentChunks,
        FramesLost = _framesLost,
        SpectraComplete = _complete,
        SpectraIncomplete = _incomplete,
        Estimates = _estimates,
        EstimatesUnmatched = _unmatched,
        Reboots = _reboots,
        UnannouncedRestarts = _unannounced,
        Disconnects = _disconnects,
        Duplicates = _duplicates,
        Reordered = _reordered,
    };

    /// <summary>Feeds received bytes (any split: frames may straddle calls).</summary>
    public void Feed(byte[] buffer, int offset, int count)
    {
        _bytes += count;
        while (count > 0)
        {
            int used = _decoder.Feed(buffer, offset, count);
            offset += used;
            count -= used;
            if (_decoder.FrameReady)
            {
                OnFrame(_decoder.Frame);
            }
            else if (_decoder.UnknownType != _lastUnknownType || _decoder.BadPayload != _lastBadPayload)
            {
                // The CRC held, so seq is trustworthy: a skipped frame was received, not lost.
                _lastUnknownType = _decoder.UnknownType;
                _lastBadPayload = _decoder.BadPayload;
                byte[] body = _decoder.Body;
                TrackSeq(body[1], LittleEndian.ReadUInt32(body, 4), out _);
            }
        }
    }

    /// <summary>Feeds received bytes from a span (copies through a buffer: the decoder works on arrays).</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int n = Math.Min(data.Length, _spanCopy.Length);
            data[..n].CopyTo(_spanCopy);
            Feed(_spanCopy, 0, n);
            data = data[n..];
        }
    }

    /// <summary>
    /// The transport lost the connection: bytes in flight are gone. Ends a half-received frame
    /// (as the 0x00 the session writes to its journal at the same point does on replay) and closes
    /// a spectrum in progress as incomplete.
    /// </summary>
    public void OnDisconnected()
    {
        _disconnects++;
        // Through Feed, exactly as the 0x00 in the journal is decoded on replay.
        Feed(Delimiter, 0, 1);
        ClosePending("the link disconnected before its last chunk");
    }

    /// <summary>The stream ended (end of a capture): a spectrum in progress is closed as incomplete.</summary>
    public void Complete()
    {
        ClosePending("the stream ended before its last chunk");
    }

    private void OnFrame(DecodedFrame f)
    {
        bool gap = TrackSeq(f.Type, f.Seq, out SeqOrder order);
        if (order == SeqOrder.Duplicate)
        {
            return;
        }

        if (order == SeqOrder.Late && f.Type is MessageType.Spectrum or MessageType.Estimate or MessageType.Hello)
        {
            return;
        }

        switch (f.Type)
        {
            case MessageType.Spectrum:
                OnChunk(f, gap);
                return;
            case MessageType.Estimate:
                OnEstimate(f);
                return;
        }

        if (gap)
        {
            // Chunks of one spectrum go out back to back: frames lost before a frame that is not its
            // next chunk took the rest of it.
            ClosePending("frames were lost before its last chunk");
        }

        switch (f.Type)
        {
            case MessageType.Hello:
                var hello = HelloInfo.Parse(f.GetText(), _epoch, f.Seq);
                if (hello.HasScaling)
                {
                    Hello = hello;
                }

                HelloReceived?.Invoke(hello);
                break;
            case MessageType.Status:
                StatusReport s = f.Status;
                StatusReceived?.Invoke(new StatusInfo(_epoch, f.Seq, s.UptimeMs, s.SpectraDone, s.Samples, s.Overranges,
                    s.AdcCrcErrors, s.DrdyTimeouts, s.TxDroppedFrames, s.FreeHeapBytes, s.SpectraDropped));
                break;
            case MessageType.Log:
                LogReceived?.Invoke(new LogInfo(_epoch, f.Seq, f.GetText()));
                break;
            case MessageType.Ack:
                AckReceived?.Invoke(new AckInfo(_epoch, f.Seq, f.Ack.CommandSeq, f.Ack.Status, f.GetText()));
                break;
            default:
                // Host-to-device commands echoed on the line: nothing to do.
                break;
        }
    }

    private enum SeqOrder { InOrder, Duplicate, Late }

    /// <summary>The CRC-32 of the frame just decoded (it follows the body): tells a duplicate from a new frame with an old seq.</summary>
    private uint FrameCrc() => LittleEndian.ReadUInt32(_decoder.Body, _decoder.BodyLength);

    /// <summary>Window bits 1..n (seqs expected−2 … expected−1−n): frames counted as lost.</summary>
    private static ulong LostBits(long n) => n <= 0 ? 0 : n >= RestartWindow - 1 ? ~1UL : ((1UL << (int)n) - 1) << 1;

    /// <summary>Follows seq; returns true when frames were lost right before this one.</summary>
    private bool TrackSeq(byte type, uint seq, out SeqOrder order)
    {
        order = SeqOrder.InOrder;
        uint crc = FrameCrc();
        if (!_haveSeq)
        {
            _haveSeq = true;
            _expectedSeq = unchecked(seq + 1);
            _seenWindow = 1;
            _lostWindow = 0;
            _crcBySeq[seq % RestartWindow] = crc;
            return false;
        }

        int diff = unchecked((int)(seq - _expectedSeq));
        long behind = -(long)diff; // 1 = the frame just before the expected one
        bool inWindow = diff < 0 && behind <= RestartWindow;
        ulong bit = inWindow ? 1UL << (int)(behind - 1) : 0;
        // A rebooted board's HELLO is byte for byte its first one: a HELLO with seq 0 announces a
        // reboot unless it repeats the frame just received.
        bool announced = type == MessageType.Hello && seq == 0 && _expectedSeq > 1;
        if (!announced && (_seenWindow & bit) != 0 && _crcBySeq[seq % RestartWindow] == crc)
        {
            _duplicates++;
            order = SeqOrder.Duplicate;
            return false;
        }

        if (!announced && (_lostWindow & bit) != 0)
        {
            // Sent before the last frame received and counted lost then: it was only late.
            _reordered++;
            _framesLost--;
            _lostWindow &= ~bit;
            _seenWindow |= bit;
            _crcBySeq[seq % RestartWindow] = crc;
            order = SeqOrder.Late;
            return false;
        }

        // Behind, yet neither a copy of a frame received nor one counted lost: the device's seq
        // restarted (a HELLO with seq 0, a seq near 0, or two consecutive such frames), or a stale frame.
        bool backwards = diff < 0;
        bool followsStale = backwards && _lastStaleSeq is { } previous && seq == unchecked(previous + 1);
        bool restart = announced || (backwards && (seq < RestartWindow || followsStale));
        _lastStaleSeq = null;
        if (backwards && !restart)
        {
            // Wait for the next frame to tell a restart whose first frames were all lost from one stray frame.
            _reordered++;
            _lastStaleSeq = seq;
            order = SeqOrder.Late;
            return false;
        }

        bool gap;
        if (restart)
        {
            ClosePending("the device restarted before its last chunk");
            _epoch++;
            _reboots++;
            if (!announced)
            {
                _unannounced++;
            }

            if (followsStale && seq >= RestartWindow)
            {
                // The stray frame just before was this life's first one received, counted as late then.
                _reordered--;
                _framesLost += seq - 1;
                _seenWindow = 3;
                _lostWindow = LostBits(seq) & ~3UL;
            }
            else
            {
                // The new life counts from 0: frames before this one were sent and lost.
                _framesLost += seq;
                _seenWindow = 1;
                _lostWindow = LostBits(seq);
            }

            gap = seq != 0;
            RebootDetected?.Invoke(new RebootInfo(_epoch, announced, seq));
        }
        else
        {
            _framesLost += diff;
            gap = diff > 0;
            if (diff + 1 >= RestartWindow)
            {
                _seenWindow = 1;
                _lostWindow = LostBits(diff);
            }
            else
            {
                _seenWindow = (_seenWindow << (diff + 1)) | 1UL;
                _lostWindow = (_lostWindow << (diff + 1)) | LostBits(diff);
            }
        }

        _crcBySeq[seq % RestartWindow] = crc;
        _expectedSeq = unchecked(seq + 1);
        return gap;
    }

    private void OnChunk(DecodedFrame f, bool gap)
    {
        SpectrumChunk c = f.Spectrum;
        if (c.Count == 0 || c.TotalPoints == 0 || c.FirstIndex + c.Count > c.TotalPoints)
        {
            _inconsistentChunks++;
            if (gap)
            {
                ClosePending("frames were lost before its last chunk");
            }

            return;
        }

        Pending? p = _pending;
        if (p is not null)
        {
            bool sameSpectrum = p.Id == c.SpectrumId && p.Epoch == _epoch && p.Total == c.TotalPoints && p.Backward == c.Backward;
            if (!sameSpectrum || c.FirstIndex < p.NextIndex)
            {
                ClosePending("the next spectrum began before its last chunk");
                p = null;
            }
            else if (c.FirstIndex > p.NextIndex)
            {
                p.Reason ??= "a chunk is missing";
            }
        }

        if (p is null)
        {
            p = new Pending(c.SpectrumId, _epoch, c.TotalPoints, c.Backward, f.Seq, Hello);
            if (c.FirstIndex > 0)
            {
                p.Reason = "its first chunk is missing";
            }

            _pending = p;
        }

        p.Append(c.BiasCodes, c.SignalCodes, c.FirstIndex, c.Count);
        p.NextIndex = c.FirstIndex + c.Count;
        p.Overrange |= c.Overrange;
        p.LastSeq = f.Seq;
        if (c.LastChunk)
        {
            p.LastChunkSeen = true;
            if (p.NextIndex != p.Total)
            {
                p.Reason ??= "the chunk flagged last ends before total_points";
            }

            Finish(p);
        }
    }

    private void OnEstimate(DecodedFrame f)
    {
        EstimateReport e = f.Estimate;
        // The ESTIMATE follows its spectrum's last chunk: a spectrum still open lost that chunk.
        ClosePending("its last chunk was lost (the ESTIMATE came first)");
        _estimates++;
        var info = new EstimateInfo(e.SpectrumId, _epoch, f.Seq, e.DeltaUeV, e.TEffMk, e.BiasOffsetUv, e.Quality, e.Valid);
        ReceivedSpectrum? match = null;
        foreach (ReceivedSpectrum s in _recent)
        {
            if (s.SpectrumId == e.SpectrumId && s.DeviceEpoch == _epoch)
            {
                match = s;
            }
        }

        if (match is null)
        {
            _unmatched++;
        }
        else
        {
            match.Estimate = info;
        }

        EstimateReceived?.Invoke(info, match);
    }

    private void ClosePending(string reason)
    {
        if (_pending is { } p)
        {
            p.Reason ??= reason;
            Finish(p);
        }
    }

    private void Finish(Pending p)
    {
        _pending = null;
        if (p.ReceivedCount != p.Total)
        {
            p.Reason ??= "a chunk is missing";
        }

        var spectrum = new ReceivedSpectrum(p.Id, p.Epoch, p.Total, p.Backward, p.Overrange, p.TrimmedBias(), p.TrimmedSignal(),
            p.Ranges.ToArray(), p.ReceivedCount, p.LastChunkSeen, p.Reason, p.FirstSeq, p.LastSeq, p.Hello);
        if (spectrum.Incomplete)
        {
            _incomplete++;
        }
        else
        {
            _complete++;
        }

        _recent.Enqueue(spectrum);
        if (_recent.Count > RecentSpectraKept)
        {
            _recent.Dequeue();
        }

        SpectrumReceived?.Invoke(spectrum);
    }

    private sealed class Pending(uint id, int epoch, int total, bool backward, uint firstSeq, HelloInfo? hello)
    {
        public readonly uint Id = id;
        public readonly int Epoch = epoch;
        public readonly int Total = total;
        public readonly bool Backward = backward;
        public readonly uint FirstSeq = firstSeq;
        public readonly HelloInfo? Hello = hello;
        // Only the points that arrived, in index order, and where they sit: a chunk claiming
        // total_points = 65535 costs what it carried, not 65535 points.
        public int[] Bias = [];
        public int[] Signal = [];
        public readonly List<IndexRange> Ranges = [];
        public int ReceivedCount;
        public int NextIndex;
        public bool Overrange;
        public bool LastChunkSeen;
        public uint LastSeq = firstSeq;
        public string? Reason;

        /// <summary>Appends a chunk (first_index at or past every index so far: chunks come in order).</summary>
        public void Append(int[] bias, int[] signal, int firstIndex, int count)
        {
            if (ReceivedCount + count > Bias.Length)
            {
                int capacity = (int)Math.Min(Total, Math.Max((long)ReceivedCount + count, 2L * Bias.Length));
                Array.Resize(ref Bias, capacity);
                Array.Resize(ref Signal, capacity);
            }

            Array.Copy(bias, 0, Bias, ReceivedCount, count);
            Array.Copy(signal, 0, Signal, ReceivedCount, count);
            ReceivedCount += count;
            if (Ranges.Count > 0 && Ranges[^1].End == firstIndex)
            {
                Ranges[^1] = new IndexRange(Ranges[^1].Start, firstIndex + count);
            }
            else
            {
                Ranges.Add(new IndexRange(firstIndex, firstIndex + count));
            }
        }

        public int[] TrimmedBias() => Bias.Length == ReceivedCount ? Bias : Bias[..ReceivedCount];

        public int[] TrimmedSignal() => Signal.Length == ReceivedCount ? Signal : Signal[..ReceivedCount];
    }
}
