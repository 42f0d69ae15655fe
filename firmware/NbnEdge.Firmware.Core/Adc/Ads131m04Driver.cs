namespace NbnEdge.Firmware.Adc
{
    /// <summary>
    /// Drives an ADS131M04 through an <see cref="IAdcTransport"/>: reset, register setup with
    /// read-back, and reading data frames with their CRC checked. Frames are 24-bit words, the reset
    /// word length. A command's response arrives in the frame after it, so each command is followed
    /// by a NULL frame that collects it. Preallocated buffers; no allocation per sample.
    /// </summary>
    public sealed class Ads131m04Driver
    {
        /// <summary><see cref="ReadSample"/> result: a good sample.</summary>
        public const int ReadOk = 0;
        /// <summary><see cref="ReadSample"/> result: DRDY did not come in time.</summary>
        public const int ReadTimeout = 1;
        /// <summary><see cref="ReadSample"/> result: the frame's CRC did not match; the sample was dropped.</summary>
        public const int ReadCrcError = 2;

        /// <summary>Response value <see cref="Exchange"/> reports when the collecting frame's CRC failed.</summary>
        public const int ResponseCrcFailed = -1;

        private readonly IAdcTransport _transport;
        private readonly byte[] _transmit = new byte[Ads131m04.FrameBytes];
        private readonly byte[] _receive = new byte[Ads131m04.FrameBytes];
        private readonly byte[] _nullFrame = new byte[Ads131m04.FrameBytes];

        /// <summary>Frames whose CRC failed (data and command responses).</summary>
        public uint CrcErrors;
        /// <summary>DRDY waits that timed out.</summary>
        public uint DrdyTimeouts;
        /// <summary>Why the last <see cref="Initialize"/> failed, or null.</summary>
        public string LastError;

        /// <summary>Creates a driver on a transport.</summary>
        public Ads131m04Driver(IAdcTransport transport)
        {
            _transport = transport;
        }

        /// <summary>The last frame received, for diagnostics and tests.</summary>
        public byte[] LastFrame
        {
            get { return _receive; }
        }

        /// <summary>
        /// Resets the converter and sets it up: channels 0 and 1 on, the given OSR and gains, 24-bit
        /// words, SPI timeout on, the RESET flag cleared (so a later spontaneous reset shows in STATUS).
        /// Every register written is read back. Returns false, with <see cref="LastError"/>, if the
        /// converter does not answer as the datasheet says.
        /// </summary>
        public bool Initialize(int oversamplingRatio, int gainChannel0, int gainChannel1)
        {
            LastError = null;
            if (Ads131m04.OsrCode(oversamplingRatio) < 0 || Ads131m04.GainCode(gainChannel0) < 0 || Ads131m04.GainCode(gainChannel1) < 0)
            {
                LastError = "bad osr or gain";
                return false;
            }

            _transport.PulseReset();
            int response = Exchange(Ads131m04.CommandReset, -1);
            if (response != Ads131m04.ResponseReset)
            {
                LastError = "no reset response";
                return false;
            }

            int clock = Ads131m04.ClockRegister(0x3, oversamplingRatio);
            int gain = Ads131m04.Gain1Register(gainChannel0, gainChannel1, 1, 1);
            int mode = Ads131m04.ModeWordLength24 | Ads131m04.ModeSpiTimeout;
            if (!WriteAndVerify(Ads131m04.RegisterClock, clock)
                || !WriteAndVerify(Ads131m04.RegisterGain1, gain)
                || !WriteAndVerify(Ads131m04.RegisterMode, mode))
            {
                return false;
            }

            return true;
        }

        /// <summary>Writes one register, checks the WREG acknowledgement, reads it back and compares.</summary>
        public bool WriteAndVerify(int address, int value)
        {
            int ack = Exchange(Ads131m04.WriteRegisterCommand(address, 1), value);
            if (ack != Ads131m04.WriteRegisterResponse(address, 1))
            {
                LastError = "bad WREG ack";
                return false;
            }

            int readBack = Exchange(Ads131m04.ReadRegisterCommand(address, 1), -1);
            if (readBack != value)
            {
                LastError = "register read-back differs";
                return false;
            }

            return true;
        }

        /// <summary>
        /// Sends one command frame (with <paramref name="dataWord"/> in word 1 unless negative), then a
        /// NULL frame, and returns the response word the NULL frame carried, or
        /// <see cref="ResponseCrcFailed"/> if that frame's CRC failed.
        /// </summary>
        public int Exchange(int commandWord, int dataWord)
        {
            System.Array.Clear(_transmit, 0, _transmit.Length);
            Ads131m04.WriteWord16(_transmit, 0, commandWord);
            if (dataWord >= 0)
            {
                Ads131m04.WriteWord16(_transmit, 1, dataWord);
            }

            _transport.TransferFrame(_transmit, _receive, Ads131m04.FrameBytes);
            _transport.TransferFrame(_nullFrame, _receive, Ads131m04.FrameBytes);
            if (!Ads131m04.FrameCrcMatches(_receive))
            {
                CrcErrors++;
                return ResponseCrcFailed;
            }

            return Ads131m04.ReadWord16(_receive, 0);
        }

        /// <summary>
        /// Waits for DRDY, reads one data frame with a NULL command and decodes it into
        /// <paramref name="sample"/>. Returns <see cref="ReadOk"/>, <see cref="ReadTimeout"/> or
        /// <see cref="ReadCrcError"/>; only ReadOk leaves a new sample.
        /// </summary>
        public int ReadSample(AdcSample sample, int timeoutMs)
        {
            if (!_transport.WaitForDataReady(timeoutMs))
            {
                DrdyTimeouts++;
                return ReadTimeout;
            }

            _transport.TransferFrame(_nullFrame, _receive, Ads131m04.FrameBytes);
            if (!Ads131m04.DecodeDataFrame(_receive, sample))
            {
                CrcErrors++;
                return ReadCrcError;
            }

            return ReadOk;
        }
    }
}
