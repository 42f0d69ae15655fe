namespace NbnEdge.Mqtt;

/// <summary>What a facility does with one result message.</summary>
public enum SequenceVerdict
{
    /// <summary>The next one of its session: apply it.</summary>
    Apply,

    /// <summary>Already applied (same session, seq not above the last): drop it.</summary>
    Duplicate,

    /// <summary>Lines before it are missing: drop it and ask the station to send again from <see cref="StationSequence.Expected"/>.</summary>
    Gap,
}

/// <summary>
/// Exactly once, in order, per station: results are applied only in unbroken sequence within one
/// session (seq 1, 2, 3 …); a repeat is dropped, a jump is dropped and re-requested. A new session
/// id (the station started a new journal) starts again at 1. Not thread-safe (one per station, fed
/// from the subscriber's one message loop).
/// </summary>
public sealed class StationSequence
{
    /// <summary>The session whose results are being applied, or null before the first.</summary>
    public string? Session { get; private set; }

    /// <summary>The seq the next applied result must have.</summary>
    public long Expected { get; private set; } = 1;

    /// <summary>Results applied.</summary>
    public long Applied { get; private set; }

    /// <summary>Repeats dropped (sent again after a broker or station restart, or on another facility's request).</summary>
    public long DuplicatesDropped { get; private set; }

    /// <summary>Results that came after a gap, dropped and asked for again.</summary>
    public long GapsDropped { get; private set; }

    /// <summary>Judges a result; <see cref="SequenceVerdict.Apply"/> advances the sequence.</summary>
    public SequenceVerdict Offer(string session, long seq)
    {
        if (session != Session) StartSession(session);
        if (seq < Expected)
        {
            DuplicatesDropped++;
            return SequenceVerdict.Duplicate;
        }

        if (seq > Expected)
        {
            GapsDropped++;
            return SequenceVerdict.Gap;
        }

        Expected++;
        Applied++;
        return SequenceVerdict.Apply;
    }

    /// <summary>
    /// The station says it has sent up to <paramref name="seq"/> (a status or statistics message):
    /// true when results are missing here (ask from <see cref="Expected"/>).
    /// </summary>
    public bool IsBehind(string session, long seq)
    {
        if (session != Session) StartSession(session);
        return seq >= Expected;
    }

    private void StartSession(string session)
    {
        Session = session;
        Expected = 1;
    }
}
