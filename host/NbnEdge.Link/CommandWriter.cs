using System.Globalization;
using System.Text;
using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Link;

/// <summary>
/// Encodes host-to-device commands (CONFIG, START, STOP, PING) with the firmware's own
/// <see cref="FrameEncoder"/>. Each command takes the host's next seq; the device's ACK carries it
/// back (<see cref="AckInfo.CommandSeq"/>). Thread-safe.
/// </summary>
public sealed class CommandWriter
{
    private readonly FrameEncoder _encoder = new();
    private readonly Lock _sync = new();

    /// <summary>Creates a writer whose first command carries <paramref name="firstSeq"/>.</summary>
    /// <param name="firstSeq">
    /// null: a random start, so that an ACK still in flight from an earlier host session (or a
    /// simulator's own start-up command) cannot be taken for the answer to this session's command
    /// </param>
    public CommandWriter(uint? firstSeq = null)
    {
        _encoder.NextSeq = firstSeq ?? (uint)Random.Shared.Next(1 << 16, int.MaxValue);
    }

    /// <summary>seq the next command will carry.</summary>
    public uint NextSeq
    {
        get { lock (_sync) return _encoder.NextSeq; }
    }

    /// <summary>A CONFIG frame from <c>key=value</c> settings (points, settle_ms, average, step_codes, sweep).</summary>
    public (uint Seq, byte[] Frame) Config(IEnumerable<KeyValuePair<string, string>> settings)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in settings)
        {
            if (key.Contains('=') || key.Contains('\n') || value.Contains('\n'))
            {
                throw new ArgumentException($"CONFIG key or value cannot hold '=' or a newline: {key}={value}", nameof(settings));
            }

            text.Append(key).Append('=').Append(value).Append('\n');
        }

        return Config(text.ToString());
    }

    /// <summary>A CONFIG frame from raw <c>key=value</c> lines.</summary>
    public (uint Seq, byte[] Frame) Config(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length > MessageType.MaxPayloadBytes)
        {
            throw new ArgumentException($"CONFIG text is {bytes.Length} bytes, over the {MessageType.MaxPayloadBytes}-byte payload limit", nameof(text));
        }

        lock (_sync)
        {
            uint seq = _encoder.NextSeq;
            int n = _encoder.EncodeText(MessageType.Config, bytes, 0, bytes.Length);
            return (seq, _encoder.Output[..n]);
        }
    }

    /// <summary>A START frame.</summary>
    public (uint Seq, byte[] Frame) Start() => Empty(MessageType.Start);

    /// <summary>A STOP frame.</summary>
    public (uint Seq, byte[] Frame) Stop() => Empty(MessageType.Stop);

    /// <summary>A PING frame (the device answers HELLO, then ACK).</summary>
    public (uint Seq, byte[] Frame) Ping() => Empty(MessageType.Ping);

    /// <summary>Formats a CONFIG value the way the firmware parses it (invariant integers).</summary>
    public static string Value(int value) => value.ToString(CultureInfo.InvariantCulture);

    private (uint, byte[]) Empty(byte type)
    {
        lock (_sync)
        {
            uint seq = _encoder.NextSeq;
            int n = _encoder.EncodeEmpty(type);
            return (seq, _encoder.Output[..n]);
        }
    }
}
