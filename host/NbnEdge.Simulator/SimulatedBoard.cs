using System.Diagnostics;
using NbnEdge.Firmware.Boards;
using NbnEdge.Firmware.Device;
using NbnEdge.Firmware.Estimation;
using NbnEdge.Firmware.Protocol;
using NbnEdge.Link.Transports;

namespace NbnEdge.Simulator;

/// <summary>How fast a <see cref="SimulatedBoard"/> produces bytes.</summary>
public sealed record SimulationPacing
{
    /// <summary>As fast as the CPU allows (tests, benchmarks, capture generation).</summary>
    public static SimulationPacing Unpaced { get; } = new();

    /// <summary>Like the real board: simulated time follows wall time, bytes leave at 921600 baud.</summary>
    public static SimulationPacing RealTime { get; } = new() { BaudRate = 921600, TimeScale = 1 };

    /// <summary>Line rate in baud (10 bits per byte, 8N1); null: unlimited.</summary>
    public int? BaudRate { get; init; }

    /// <summary>Simulated seconds per wall-clock second (e.g. 20 for a quick demo); null: unlimited.</summary>
    public double? TimeScale { get; init; }
}

/// <summary>
/// A whole board in software: the firmware's <see cref="NbnEdgeDevice"/>, UNMODIFIED, running on
/// a <see cref="VirtualAds131m04"/> fed by a <see cref="VirtualLockIn"/>, all on one
/// <see cref="SimulatedClock"/>. It is a byte source (what the board's UART would send) that
/// accepts commands (what the host would send), so it plugs into a <see cref="NbnEdge.Link.LinkSession"/>
/// directly, or is served on a pseudo-terminal or a socket with <see cref="ServeAsync"/>.
/// </summary>
/// <remarks>
/// The firmware's main loop is modelled as: one <see cref="NbnEdgeDevice.AcquireOnce"/> per
/// conversion, the transmit queue drained to the line after each (at the paced line rate it fills
/// and drops whole frames, as on the board), STATUS every simulated second. With
/// <see cref="AutoStart"/> the board starts acquiring after boot as if the host had sent START
/// (the device then sends an ACK for that command too).
/// </remarks>
public sealed class SimulatedBoard : IDuplexByteSource
{
    private readonly SimulationSettings _settings;
    private readonly SimulationPacing _pacing;
    private readonly Lock _deviceLock = new();
    private readonly Queue<byte> _line = new();
    private readonly byte[] _scratch = new byte[MessageType.MaxEncodedFrameBytes];
    private readonly LineSink _sink;
    private readonly FrameEncoder _bootCommands = new();
    private readonly Stopwatch _wall = new();
    private readonly List<SpectrumTruth> _truth = [];
    private readonly int _lineCapacityBytes;
    private long _nextStatusMs = 1000;
    private long _bytesOut;
    private uint _spectraSeen;
    private bool _rebootRequested;
    private bool _ended;

    /// <summary>Builds and boots the board.</summary>
    /// <param name="settings">what the virtual STM measures</param>
    /// <param name="pacing">how fast bytes come (default: unpaced)</param>
    /// <param name="board">board definition (default: ESP32 DevKitC)</param>
    /// <param name="autoStart">start acquiring after boot without waiting for START</param>
    /// <param name="estimator">on-board estimator (default: the firmware's GapEstimator, as Program.cs builds it)</param>
    public SimulatedBoard(SimulationSettings? settings = null, SimulationPacing? pacing = null, BoardDefinition? board = null,
        bool autoStart = true, ISpectrumEstimator? estimator = null)
    {
        _settings = settings ?? new SimulationSettings();
        _pacing = pacing ?? SimulationPacing.Unpaced;
        Board = board ?? BoardDefinitions.Esp32DevKitC();
        // A UART FIFO and driver buffer's worth: 2 KB.
        _lineCapacityBytes = _pacing.BaudRate is null ? int.MaxValue : 2048;
        AutoStart = autoStart;
        Estimator = estimator ?? new GapEstimator(Board);
        Clock = new SimulatedClock();
        LockIn = new VirtualLockIn(_settings, Board);
        Adc = new VirtualAds131m04(Clock, LockIn, Board.AdcClockHz);
        _sink = new LineSink(this);
        Device = Boot();
        Name = $"simulator:{_settings.Film.Name}";
    }

    /// <inheritdoc />
    public string Name { get; init; }

    /// <inheritdoc />
    public event Action<LinkStateChange>? StateChanged;

    /// <summary>The board definition the firmware runs with.</summary>
    public BoardDefinition Board { get; }

    /// <summary>The simulated clock.</summary>
    public SimulatedClock Clock { get; }

    /// <summary>The virtual converter.</summary>
    public VirtualAds131m04 Adc { get; }

    /// <summary>The virtual STM and lock-in.</summary>
    public VirtualLockIn LockIn { get; }

    /// <summary>The firmware instance now running (a new one after each reboot).</summary>
    public NbnEdgeDevice Device { get; private set; }

    /// <summary>The estimator the firmware runs.</summary>
    public ISpectrumEstimator Estimator { get; }

    /// <summary>Start acquisition after every boot.</summary>
    public bool AutoStart { get; }

    /// <summary>Firmware lives so far (1 + reboots).</summary>
    public int Boots { get; private set; }

    /// <summary>Bytes put on the line.</summary>
    public long BytesOut => Interlocked.Read(ref _bytesOut);

    /// <summary>The truth of every spectrum the firmware emitted, in order (device epoch = <see cref="SpectrumTruth.Boot"/> − 1).</summary>
    public IReadOnlyList<SpectrumTruth> Truth
    {
        get { lock (_deviceLock) return [.. _truth]; }
    }

    /// <summary>Whether the line is done and every byte was read (only without <see cref="SimulationSettings.Repeat"/>).</summary>
    public bool Ended => _ended;

    /// <summary>Restarts the firmware (as the reset button would): seq and spectrum ids start again, HELLO first.</summary>
    public void Reboot()
    {
        lock (_deviceLock)
        {
            Device = Boot();
        }
    }

    /// <summary>Runs the firmware until at least one byte waits on the line, or the line is done; returns bytes waiting.</summary>
    public int Step()
    {
        lock (_deviceLock)
        {
            while (_line.Count == 0 && !LockIn.Finished(Clock.Seconds))
            {
                RunOneConversion();
            }

            if (_line.Count == 0)
            {
                // Line done: flush what the queue still holds.
                while (Device.PumpTransmit(_sink, _scratch) > 0) { }
            }

            return _line.Count;
        }
    }

    /// <summary>Runs the firmware for <paramref name="simulatedSeconds"/> of simulated time, keeping every byte on the line.</summary>
    public void RunFor(double simulatedSeconds)
    {
        lock (_deviceLock)
        {
            long end = Clock.Nanoseconds + (long)(simulatedSeconds * 1e9);
            while (Clock.Nanoseconds < end)
            {
                RunOneConversion();
            }
        }
    }

    /// <summary>Takes up to <paramref name="buffer"/>.Length bytes off the line without running the firmware.</summary>
    public int TakeBytes(Span<byte> buffer)
    {
        lock (_deviceLock)
        {
            int n = Math.Min(buffer.Length, _line.Count);
            for (int i = 0; i < n; i++) buffer[i] = _line.Dequeue();
            return n;
        }
    }

    /// <summary>Runs the simulation for <paramref name="simulatedSeconds"/> and returns every byte sent: a capture.</summary>
    public byte[] Capture(double simulatedSeconds)
    {
        RunFor(simulatedSeconds);
        lock (_deviceLock)
        {
            while (Device.PumpTransmit(_sink, _scratch) > 0) { }
            byte[] bytes = [.. _line];
            _line.Clear();
            return bytes;
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!_wall.IsRunning)
        {
            _wall.Start();
            StateChanged?.Invoke(new LinkStateChange(LinkState.Connected, Name));
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int limit = buffer.Length;
            if (_pacing.TimeScale is { } scale)
            {
                // Do not let simulated time run ahead of the (scaled) wall clock.
                double ahead = Clock.Seconds - _wall.Elapsed.TotalSeconds * scale;
                if (ahead > 0.002)
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(ahead / scale, 0.05)), cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            if (_pacing.BaudRate is { } baud)
            {
                double allowed = _wall.Elapsed.TotalSeconds * baud / 10.0 - BytesOut;
                if (allowed < 1)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(2), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                limit = (int)Math.Min(limit, allowed);
            }

            int waiting;
            lock (_deviceLock)
            {
                if (_pacing.TimeScale is not null)
                {
                    // Paced: advance simulated time only up to the wall clock; the line may stay empty.
                    double until = _wall.Elapsed.TotalSeconds * _pacing.TimeScale.Value;
                    while (_line.Count == 0 && Clock.Seconds < until && !LockIn.Finished(Clock.Seconds))
                    {
                        RunOneConversion();
                    }

                    waiting = _line.Count;
                }
                else
                {
                    waiting = Step();
                }
            }

            if (waiting > 0)
            {
                int n = TakeBytes(buffer.Span[..Math.Min(limit, waiting)]);
                Interlocked.Add(ref _bytesOut, n);
                return n;
            }

            if (LockIn.Finished(Clock.Seconds))
            {
                _ended = true;
                StateChanged?.Invoke(new LinkStateChange(LinkState.Closed, "the simulated line is done"));
                return 0;
            }

            if (_pacing.TimeScale is null)
            {
                continue;
            }

            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        Receive(data.Span);
        return ValueTask.CompletedTask;
    }

    /// <summary>Hands bytes from the host to the firmware (commands).</summary>
    public void Receive(ReadOnlySpan<byte> data)
    {
        byte[] copy = data.ToArray();
        lock (_deviceLock)
        {
            Device.OnReceived(copy, 0, copy.Length);
            while (Device.PumpTransmit(_sink, _scratch) > 0) { }
        }
    }

    /// <summary>
    /// Serves the board on a duplex stream (a pseudo-terminal's master side, a socket): board bytes
    /// are written to it, bytes read from it are commands. Returns when cancelled or the stream ends.
    /// </summary>
    public async Task ServeAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task commands = Task.Run(async () =>
        {
            byte[] buffer = new byte[4096];
            try
            {
                int n;
                while ((n = await stream.ReadAsync(buffer, linked.Token).ConfigureAwait(false)) > 0)
                {
                    Receive(buffer.AsSpan(0, n));
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The peer went away or we are stopping.
            }
        }, CancellationToken.None);

        byte[] output = new byte[4096];
        try
        {
            while (!linked.IsCancellationRequested)
            {
                int n = await ReadAsync(output, linked.Token).ConfigureAwait(false);
                if (n == 0) break;
                await stream.WriteAsync(output.AsMemory(0, n), linked.Token).ConfigureAwait(false);
                await stream.FlushAsync(linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            await linked.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(commands, Task.Delay(1000, CancellationToken.None)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        StateChanged?.Invoke(new LinkStateChange(LinkState.Closed, "disposed"));
        return ValueTask.CompletedTask;
    }

    private NbnEdgeDevice Boot()
    {
        Boots++;
        _spectraSeen = 0;
        var device = new NbnEdgeDevice(Board, Adc, new Platform(this), Estimator);
        device.Boot();
        if (AutoStart)
        {
            // A seq no host counter starts at, so its ACK ("running") never answers a host's command.
            _bootCommands.NextSeq = 0xFFFFFFF0u;
            int n = _bootCommands.EncodeEmpty(MessageType.Start);
            device.OnReceived(_bootCommands.Output, 0, n);
        }

        while (device.PumpTransmit(_sink, _scratch) > 0) { }
        return device;
    }

    private void RunOneConversion()
    {
        NbnEdgeDevice device = Device;
        if (device.Running)
        {
            device.AcquireOnce();
            // The board's spectrum worker: takes what acquisition handed over. Simulated time does
            // not pass for it (the real worker runs beside acquisition on the other core's time),
            // so the simulated board never drops a spectrum for a busy worker; the handoff is the
            // same code either way.
            while (device.ProcessPendingSpectrum()) { }
        }
        else
        {
            // Stopped: the board idles; time still passes for STATUS.
            Clock.Advance(1_000_000);
        }

        if (device.Status.SpectraDone != _spectraSeen)
        {
            _spectraSeen = device.Status.SpectraDone;
            // The firmware emits a spectrum at the first sample of the plateau after its last point,
            // which is still the same position (the tip moves only during the setpoint dwell).
            (int position, _, _) = LockIn.Where(Clock.Seconds - _settings.DwellMs * 1e-3);
            _truth.Add(new SpectrumTruth(Boots, _spectraSeen - 1, LockIn.Truth(position)));
        }

        if (Clock.Milliseconds >= _nextStatusMs)
        {
            _nextStatusMs = Clock.Milliseconds + 1000;
            device.SendStatus();
        }

        // Paced, the UART takes bytes only as fast as the line runs: the transmit queue fills and
        // drops whole frames as on the board. Unpaced, the line takes everything.
        while (_line.Count < _lineCapacityBytes && device.PumpTransmit(_sink, _scratch) > 0) { }
        if (_rebootRequested)
        {
            _rebootRequested = false;
            Device = Boot();
        }
    }

    private sealed class LineSink(SimulatedBoard board) : IByteSink
    {
        public void Write(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++) board._line.Enqueue(buffer[offset + i]);
        }
    }

    private sealed class Platform(SimulatedBoard board) : IPlatform
    {
        public long UptimeMs => board.Clock.Milliseconds;
        public uint FreeHeapBytes => 150_000;
        public void Reboot() => board._rebootRequested = true;
    }
}

/// <summary>The truth behind one emitted spectrum.</summary>
/// <param name="Boot">firmware life (1 for the first; the host's device epoch is Boot − 1 when it saw every boot)</param>
/// <param name="SpectrumId">spectrum_id the firmware gave it</param>
/// <param name="Position">the position's truth</param>
public sealed record SpectrumTruth(int Boot, uint SpectrumId, PositionTruth Position);
