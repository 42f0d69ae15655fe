using System.Text;
using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Link.Tests;

/// <summary>One frame as put on the wire: where its bytes sit in the stream.</summary>
public sealed record SentFrame(int Index, byte Type, uint Seq, int Start, int Length, uint SpectrumId)
{
    /// <summary>Offset of the frame's 0x00 delimiter.</summary>
    public int DelimiterAt => Start + Length - 1;
}

/// <summary>A spectrum as sent, with the frames that carried it.</summary>
public sealed record SentSpectrum(uint Id, int Epoch, int[] Bias, int[] Signal, bool Backward, List<int> FrameIndices);

/// <summary>
/// Builds a device-side byte stream with the firmware's own FrameEncoder, chunking spectra the way
/// NbnEdgeDevice does, and remembers what it sent: the reference the receiver's output is compared to.
/// </summary>
public sealed class WireBuilder
{
    public const string HelloText = "fw=0.1.0\nboard=esp32-devkitc-ads131m04\nadc=ADS131M04\nbias_uV_per_lsb=0.001430511474609375\nsignal_uV_per_lsb=1.430511474609375\npoints=201\nsweep=both\n";

    private FrameEncoder _encoder = new();
    private readonly MemoryStream _bytes = new();
    private readonly Random _random;
    private uint _nextId;
    public int Epoch;
    public readonly List<SentFrame> Frames = [];
    public readonly List<SentSpectrum> Spectra = [];

    public WireBuilder(int seed = 1) => _random = new Random(seed);

    public byte[] ToArray() => _bytes.ToArray();

    public int Length => (int)_bytes.Length;

    public uint NextSeq { get => _encoder.NextSeq; set => _encoder.NextSeq = value; }

    /// <summary>The device restarts: seq and spectrum ids from 0 again.</summary>
    public WireBuilder Reboot()
    {
        _encoder = new FrameEncoder();
        _nextId = 0;
        Epoch++;
        return this;
    }

    public WireBuilder Hello(string text = HelloText)
    {
        byte[] t = Encoding.UTF8.GetBytes(text);
        return Put(MessageType.Hello, _encoder.EncodeText(MessageType.Hello, t, 0, t.Length), uint.MaxValue);
    }

    public WireBuilder Log(string text)
    {
        byte[] t = Encoding.UTF8.GetBytes(text);
        return Put(MessageType.Log, _encoder.EncodeText(MessageType.Log, t, 0, t.Length), uint.MaxValue);
    }

    public WireBuilder Status(uint uptime = 1000)
    {
        var s = new StatusReport { UptimeMs = uptime, SpectraDone = (uint)Spectra.Count, Samples = 12345, FreeHeapBytes = 60000 };
        return Put(MessageType.Status, _encoder.EncodeStatus(s), uint.MaxValue);
    }

    public WireBuilder Ack(uint commandSeq, int status, string detail)
    {
        byte[] t = Encoding.UTF8.GetBytes(detail);
        return Put(MessageType.Ack, _encoder.EncodeAck(commandSeq, status, t, 0, t.Length), uint.MaxValue);
    }

    public WireBuilder UnknownType(byte type = 0x07, int payload = 5)
    {
        for (int i = 0; i < payload; i++) _encoder.PayloadBuffer[MessageType.HeaderBytes + i] = (byte)(i + 1);
        return Put(type, _encoder.EncodePrepared(type, 0, payload), uint.MaxValue);
    }

    /// <summary>One spectrum of <paramref name="points"/> random codes, its chunks and its ESTIMATE.</summary>
    public SentSpectrum Spectrum(int points = 201, bool backward = false, bool overrange = false, bool estimate = true)
    {
        uint id = _nextId++;
        var bias = new int[points];
        var signal = new int[points];
        for (int i = 0; i < points; i++)
        {
            int step = backward ? -35000 : 35000;
            bias[i] = -3_500_000 * (backward ? -1 : 1) + step * i + _random.Next(-50, 50);
            signal[i] = _random.Next(-8_388_608, 8_388_607);
        }

        var sent = new SentSpectrum(id, Epoch, bias, signal, backward, []);
        for (int first = 0; first < points; first += MessageType.MaxPointsPerChunk)
        {
            int n = Math.Min(points - first, MessageType.MaxPointsPerChunk);
            ushort flags = backward ? MessageType.SpectrumFlagBackward : (ushort)0;
            if (first + n == points) flags |= MessageType.SpectrumFlagLastChunk;
            if (overrange) flags |= MessageType.SpectrumFlagOverrange;
            sent.FrameIndices.Add(Frames.Count);
            Put(MessageType.Spectrum, _encoder.EncodeSpectrumChunk(id, bias, signal, first, n, points, flags), id);
        }

        if (estimate)
        {
            var e = new EstimateReport { SpectrumId = id, DeltaUeV = 2000 + (int)id, TEffMk = 3030, BiasOffsetUv = -12, Quality = 900, Valid = true };
            Put(MessageType.Estimate, _encoder.EncodeEstimate(e), id);
        }

        Spectra.Add(sent);
        return sent;
    }

    public WireBuilder AddSpectra(int count, int points = 201)
    {
        for (int i = 0; i < count; i++) Spectrum(points, backward: i % 2 == 1);
        return this;
    }

    /// <summary>Raw bytes (garbage, or a hand-made frame).</summary>
    public WireBuilder Raw(byte[] bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    private WireBuilder Put(byte type, int length, uint spectrumId)
    {
        uint seq = unchecked(_encoder.NextSeq - 1);
        Frames.Add(new SentFrame(Frames.Count, type, seq, (int)_bytes.Length, length, spectrumId));
        _bytes.Write(_encoder.Output, 0, length);
        return this;
    }
}

/// <summary>Runs bytes through an assembler and collects what comes out.</summary>
public sealed class Collector
{
    public readonly SpectrumStreamAssembler Assembler = new();
    public readonly List<ReceivedSpectrum> Spectra = [];
    public readonly List<EstimateInfo> Estimates = [];
    public readonly List<HelloInfo> Hellos = [];
    public readonly List<StatusInfo> Statuses = [];
    public readonly List<LogInfo> Logs = [];
    public readonly List<AckInfo> Acks = [];
    public readonly List<RebootInfo> Reboots = [];

    public Collector()
    {
        Assembler.SpectrumReceived += Spectra.Add;
        Assembler.EstimateReceived += (e, _) => Estimates.Add(e);
        Assembler.HelloReceived += Hellos.Add;
        Assembler.StatusReceived += Statuses.Add;
        Assembler.LogReceived += Logs.Add;
        Assembler.AckReceived += Acks.Add;
        Assembler.RebootDetected += Reboots.Add;
    }

    public Collector Feed(byte[] bytes, int chunk = int.MaxValue)
    {
        for (int i = 0; i < bytes.Length; i += chunk)
        {
            Assembler.Feed(bytes, i, Math.Min(chunk, bytes.Length - i));
        }

        return this;
    }

    public Collector End()
    {
        Assembler.Complete();
        return this;
    }

    public LinkCounters Counters => Assembler.Counters;

    public IEnumerable<ReceivedSpectrum> Complete => Spectra.Where(s => !s.Incomplete);
}
