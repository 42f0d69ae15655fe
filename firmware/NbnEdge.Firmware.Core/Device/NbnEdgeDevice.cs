using NbnEdge.Firmware.Adc;
using NbnEdge.Firmware.Boards;
using NbnEdge.Firmware.Estimation;
using NbnEdge.Firmware.Protocol;
using NbnEdge.Firmware.Sweep;

namespace NbnEdge.Firmware.Device
{
    /// <summary>
    /// The firmware without its hardware: converter driver, sweep assembly, estimator seam, protocol
    /// and counters, wired together. The nanoFramework app (or a simulator) supplies the transport,
    /// platform and threads: one calls <see cref="AcquireOnce"/> in a loop (and only that: it never
    /// waits for the estimator or the UART), one calls <see cref="ProcessPendingSpectrum"/> when
    /// <see cref="WaitForSpectrum"/> says a sweep was handed over, one drains
    /// <see cref="PumpTransmit"/> into the UART, received bytes go to <see cref="OnReceived"/>, and a
    /// timer calls <see cref="SendStatus"/>. Everything is allocated in the constructor; the sample
    /// and spectrum paths allocate nothing.
    /// </summary>
    public sealed class NbnEdgeDevice : ISpectrumSink
    {
        /// <summary>Firmware version sent in HELLO.</summary>
        public const string FirmwareVersion = "0.1.0";
        /// <summary>Most points per spectrum the buffers hold.</summary>
        public const int MaxPoints = 1024;
        /// <summary>Frames the transmit queue holds (about 9 KB).</summary>
        public const int TransmitQueueFrames = 8;
        /// <summary>Consecutive failed reads (DRDY timeouts or bad CRCs) after which the converter is reset.</summary>
        public const int FailuresBeforeRecovery = 20;
        /// <summary>Failed recoveries in a row after which the board reboots.</summary>
        public const int RecoveriesBeforeReboot = 5;

        private readonly BoardDefinition _board;
        private readonly Ads131m04Driver _adc;
        private readonly IPlatform _platform;
        private readonly ISpectrumEstimator _estimator;
        private readonly SweepAssembler _assembler;
        private readonly FrameEncoder _encoder = new FrameEncoder();
        private readonly FrameDecoder _decoder = new FrameDecoder();
        private readonly TransmitQueue _queue = new TransmitQueue(TransmitQueueFrames);
        private readonly SpectrumHandoff _handoff = new SpectrumHandoff(MaxPoints);
        private readonly StatusReport _status = new StatusReport();
        private readonly EstimateReport _estimate = new EstimateReport();
        private readonly AdcSample _sample = new AdcSample();
        private readonly DeviceSettings _settings = new DeviceSettings();
        private readonly byte[] _textBuffer = new byte[MessageType.MaxPayloadBytes];
        private readonly object _sendLock = new object();
        private readonly object _acquisitionLock = new object();
        private byte[] _hello;
        private int _helloLength;
        private bool _running;
        private bool _adcReady;
        private int _failureStreak;
        private int _failedRecoveries;
        private uint _nextSpectrumId;
        private readonly int _drdyTimeoutMs;

        /// <summary>Wires the device; call <see cref="Boot"/> next.</summary>
        public NbnEdgeDevice(BoardDefinition board, IAdcTransport transport, IPlatform platform, ISpectrumEstimator estimator)
        {
            _board = board;
            _adc = new Ads131m04Driver(transport);
            _platform = platform;
            _estimator = estimator;
            _assembler = new SweepAssembler(this, MaxPoints);
            int periodMs = 1000 / board.SampleRateHz;
            _drdyTimeoutMs = periodMs * 4 < 10 ? 10 : periodMs * 4;
            _settings.ApplyTo(_assembler, board.SampleRateHz);
            BuildHello();
        }

        /// <summary>Whether acquisition runs (START received and the converter answered).</summary>
        public bool Running
        {
            get { return _running; }
        }

        /// <summary>The live counters (read under no lock: a snapshot may mix two moments).</summary>
        public StatusReport Status
        {
            get { return _status; }
        }

        /// <summary>The settings in force.</summary>
        public DeviceSettings Settings
        {
            get { return _settings; }
        }

        /// <summary>The sweep assembler, for diagnostics.</summary>
        public SweepAssembler Assembler
        {
            get { return _assembler; }
        }

        /// <summary>The command decoder and its error counters.</summary>
        public FrameDecoder CommandDecoder
        {
            get { return _decoder; }
        }

        /// <summary>Sets up the converter and announces the device with HELLO; returns whether the converter answered.</summary>
        public bool Boot()
        {
            lock (_acquisitionLock)
            {
                _adcReady = _adc.Initialize(_board.Osr, _board.GainBias, _board.GainSignal);
            }

            SendHello();
            if (!_adcReady)
            {
                SendLog("adc init failed: ", _adc.LastError);
            }

            return _adcReady;
        }

        /// <summary>Feeds bytes received from the host; complete commands are carried out and answered.</summary>
        public void OnReceived(byte[] data, int offset, int count)
        {
            while (count > 0)
            {
                int used = _decoder.Feed(data, offset, count);
                offset += used;
                count -= used;
                if (_decoder.FrameReady)
                {
                    HandleCommand(_decoder.Frame);
                }
            }
        }

        /// <summary>
        /// Reads one conversion (waiting for DRDY) and feeds it to the sweep assembler; on repeated
        /// failures resets the converter, and reboots the board if that keeps failing. Returns the
        /// driver's read result, or −1 when not running.
        /// </summary>
        public int AcquireOnce()
        {
            lock (_acquisitionLock)
            {
                if (!_running)
                {
                    return -1;
                }

                int result = _adc.ReadSample(_sample, _drdyTimeoutMs);
                _status.DrdyTimeouts = _adc.DrdyTimeouts;
                _status.AdcCrcErrors = _adc.CrcErrors;
                if (result != Ads131m04Driver.ReadOk)
                {
                    _failureStreak++;
                    if (_failureStreak >= FailuresBeforeRecovery)
                    {
                        Recover();
                    }

                    return result;
                }

                _failureStreak = 0;
                _failedRecoveries = 0;
                if (AdcStatusWord.ResetOccurred(_sample.Status))
                {
                    // The converter lost its settings (supply dip, ESD): set it up again.
                    Recover();
                    return result;
                }

                _status.Samples++;
                int bias = _sample.Codes[0];
                int signal = _sample.Codes[1];
                bool clipped = Ads131m04.IsClipped(bias) || Ads131m04.IsClipped(signal);
                if (clipped)
                {
                    _status.Overranges++;
                }

                _assembler.AddSample(bias, signal, clipped);
                return result;
            }
        }

        /// <summary>Moves one queued frame to <paramref name="sink"/> using <paramref name="scratch"/>; returns its length, 0 if none.</summary>
        public int PumpTransmit(IByteSink sink, byte[] scratch)
        {
            int length = _queue.TryDequeue(scratch);
            if (length > 0)
            {
                sink.Write(scratch, 0, length);
            }

            return length;
        }

        /// <summary>Queues a STATUS frame with the current counters.</summary>
        public void SendStatus()
        {
            lock (_sendLock)
            {
                _status.UptimeMs = (uint)_platform.UptimeMs;
                _status.FreeHeapBytes = _platform.FreeHeapBytes;
                _status.TxDroppedFrames = _queue.DroppedFrames;
                Enqueue(_encoder.EncodeStatus(_status));
            }
        }

        /// <summary>Queues HELLO.</summary>
        public void SendHello()
        {
            lock (_sendLock)
            {
                Enqueue(_encoder.EncodeText(MessageType.Hello, _hello, 0, _helloLength));
            }
        }

        /// <summary>Queues a LOG line made of two parts (the second may be null).</summary>
        public void SendLog(string text, string detail)
        {
            lock (_sendLock)
            {
                int n = Utf8Text.Encode(text, _textBuffer, 0);
                if (detail != null)
                {
                    n += Utf8Text.Encode(detail, _textBuffer, n);
                }

                Enqueue(_encoder.EncodeText(MessageType.Log, _textBuffer, 0, n));
            }
        }

        /// <summary>
        /// Acquisition thread (called by the sweep assembler): hands the finished sweep to the
        /// spectrum worker and returns at once. Encoding and estimating happen in
        /// <see cref="ProcessPendingSpectrum"/>, so DRDY is never missed while the estimator runs.
        /// </summary>
        public void OnSpectrum(int[] biasCodes, int[] signalCodes, bool[] overranged, int count, bool backward)
        {
            int wanted = backward ? DeviceSettings.SweepBackward : DeviceSettings.SweepForward;
            if ((_settings.Sweep & wanted) == 0)
            {
                return;
            }

            if (_handoff.TryPublish(biasCodes, signalCodes, overranged, count, backward, _nextSpectrumId))
            {
                _nextSpectrumId++;
                _status.SpectraDone++;
            }

            _status.SpectraDropped = _handoff.Dropped;
        }

        /// <summary>
        /// Spectrum worker: encodes the oldest handed-over spectrum as SPECTRUM chunks, runs the
        /// estimator and queues the ESTIMATE. Returns false when nothing was waiting.
        /// </summary>
        public bool ProcessPendingSpectrum()
        {
            int slot = _handoff.Take();
            if (slot < 0)
            {
                return false;
            }

            int[] biasCodes = _handoff.Bias(slot);
            int[] signalCodes = _handoff.Signal(slot);
            bool[] overranged = _handoff.Overranged(slot);
            int count = _handoff.Count(slot);
            bool backward = _handoff.Backward(slot);
            uint id = _handoff.SpectrumId(slot);
            lock (_sendLock)
            {
                for (int first = 0; first < count; first += MessageType.MaxPointsPerChunk)
                {
                    int n = count - first;
                    if (n > MessageType.MaxPointsPerChunk)
                    {
                        n = MessageType.MaxPointsPerChunk;
                    }

                    ushort flags = backward ? MessageType.SpectrumFlagBackward : (ushort)0;
                    if (first + n == count)
                    {
                        flags |= MessageType.SpectrumFlagLastChunk;
                    }

                    for (int i = first; i < first + n; i++)
                    {
                        if (overranged[i])
                        {
                            flags |= MessageType.SpectrumFlagOverrange;
                            break;
                        }
                    }

                    Enqueue(_encoder.EncodeSpectrumChunk(id, biasCodes, signalCodes, first, n, count, flags));
                }

                _estimator.Estimate(biasCodes, signalCodes, count, backward, _estimate);
                _estimate.SpectrumId = id;
                Enqueue(_encoder.EncodeEstimate(_estimate));
            }

            _handoff.Release(slot);
            return true;
        }

        /// <summary>Spectrum worker: waits up to <paramref name="timeoutMs"/> for a spectrum to process.</summary>
        public bool WaitForSpectrum(int timeoutMs)
        {
            return _handoff.WaitForSpectrum(timeoutMs);
        }

        private void Enqueue(int length)
        {
            _queue.TryEnqueue(_encoder.Output, 0, length);
        }

        private void Recover()
        {
            _assembler.Reset();
            _adcReady = _adc.Initialize(_board.Osr, _board.GainBias, _board.GainSignal);
            _failureStreak = 0;
            if (_adcReady)
            {
                _failedRecoveries = 0;
                SendLog("adc recovered", null);
                return;
            }

            _failedRecoveries++;
            SendLog("adc recovery failed: ", _adc.LastError);
            if (_failedRecoveries >= RecoveriesBeforeReboot)
            {
                _platform.Reboot();
            }
        }

        private void HandleCommand(DecodedFrame frame)
        {
            switch (frame.Type)
            {
                case MessageType.Config:
                    string bad;
                    lock (_acquisitionLock)
                    {
                        bad = _settings.Parse(frame.GetText(), MaxPoints);
                        if (bad == null)
                        {
                            _settings.ApplyTo(_assembler, _board.SampleRateHz);
                            _assembler.Reset();
                        }
                    }

                    if (bad == null)
                    {
                        BuildHello();
                        SendAck(frame.Seq, MessageType.AckOk, "ok");
                    }
                    else
                    {
                        SendAck(frame.Seq, MessageType.AckBadConfig, bad);
                    }

                    break;

                case MessageType.Start:
                    bool started;
                    lock (_acquisitionLock)
                    {
                        if (!_adcReady)
                        {
                            _adcReady = _adc.Initialize(_board.Osr, _board.GainBias, _board.GainSignal);
                        }

                        _assembler.Reset();
                        _failureStreak = 0;
                        _running = _adcReady;
                        started = _running;
                    }

                    SendAck(frame.Seq, started ? MessageType.AckOk : MessageType.AckFailed, started ? "running" : "adc not answering");
                    break;

                case MessageType.Stop:
                    lock (_acquisitionLock)
                    {
                        _running = false;
                    }

                    SendAck(frame.Seq, MessageType.AckOk, "stopped");
                    break;

                case MessageType.Ping:
                    SendHello();
                    SendAck(frame.Seq, MessageType.AckOk, "pong");
                    break;

                default:
                    // Device-to-host types echoed back to the device mean nothing here.
                    break;
            }
        }

        private void SendAck(uint commandSeq, ushort status, string detail)
        {
            lock (_sendLock)
            {
                int n = Utf8Text.Encode(detail, _textBuffer, 0);
                Enqueue(_encoder.EncodeAck(commandSeq, status, _textBuffer, 0, n));
            }
        }

        private void BuildHello()
        {
            string text = "fw=" + FirmwareVersion
                + "\nboard=" + _board.Id
                + "\nadc=ADS131M04"
                + "\nbias_uV_per_lsb=" + _board.BiasUvPerLsb
                + "\nsignal_uV_per_lsb=" + _board.SignalUvPerLsb
                + "\npoints=" + _settings.Points.ToString()
                + "\nsweep=" + _settings.SweepName
                + "\nsample_rate_hz=" + _board.SampleRateHz.ToString()
                + "\nsettle_ms=" + _settings.SettleMs.ToString()
                + "\naverage=" + _settings.Average.ToString()
                + "\nstep_codes=" + _settings.StepCodes.ToString()
                + "\n";
            byte[] bytes = new byte[MessageType.MaxPayloadBytes];
            int length = Utf8Text.Encode(text, bytes, 0);
            lock (_sendLock)
            {
                _hello = bytes;
                _helloLength = length;
            }
        }
    }
}
