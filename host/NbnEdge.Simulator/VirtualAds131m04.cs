using NbnEdge.Firmware.Adc;

namespace NbnEdge.Simulator;

/// <summary>The analogue inputs of the converter: volts at its four channel pins at a moment of simulated time.</summary>
public interface IAnalogInputs
{
    /// <summary>Fills <paramref name="volts"/> (4 channels) with the pin voltages at <paramref name="timeSeconds"/>.</summary>
    void Sample(double timeSeconds, Span<double> volts);
}

/// <summary>
/// A TI ADS131M04 (datasheet SBAS899) behind the firmware's <see cref="IAdcTransport"/>, answering
/// SPI frames as the chip does: the response to a command arrives in the next frame; NULL answers
/// with the STATUS word; RREG/WREG/RESET/STANDBY/WAKEUP/LOCK/UNLOCK; 16-, 24- or 32-bit words per
/// MODE.WLENGTH; every output frame ends with CRC-16 (CCITT or ANSI per MODE.CRC_TYPE, computed
/// bitwise here, independent of the firmware's table); input CRC checked when MODE.RX_CRC_EN is set.
/// Conversions happen on the <see cref="SimulatedClock"/> at CLKIN / (2·OSR) (high-resolution mode),
/// DRDY follows them, and each conversion samples <see cref="IAnalogInputs"/> through the PGA gain.
/// </summary>
public sealed class VirtualAds131m04 : IAdcTransport
{
    private const int RegId = 0x00, RegStatus = 0x01, RegMode = 0x02, RegClock = 0x03, RegGain1 = 0x04;
    private const double ReferenceVolts = 1.2;

    private readonly SimulatedClock _clock;
    private readonly IAnalogInputs _inputs;
    private readonly int _clockInHz;
    private readonly int[] _registers = new int[64];
    private readonly int[] _data = new int[4];
    private readonly double[] _volts = new double[4];
    private int _pendingResponse;
    private bool _responseIsStatus;
    private bool _dataReady;
    private bool _locked;
    private bool _standby;
    private bool _inputCrcError;
    private long _conversionOriginNs;
    private long _conversionsDone;

    /// <summary>Creates the converter, powered up (registers at their reset values).</summary>
    public VirtualAds131m04(SimulatedClock clock, IAnalogInputs inputs, int clockInHz)
    {
        _clock = clock;
        _inputs = inputs;
        _clockInHz = clockInHz;
        PowerOn();
    }

    /// <summary>Register values (for tests and diagnostics).</summary>
    public IReadOnlyList<int> Registers => _registers;

    /// <summary>Conversions that completed.</summary>
    public long Conversions => _conversionsDone;

    /// <summary>SPI frames clocked.</summary>
    public long Frames { get; private set; }

    /// <summary>Resets seen (pin or command).</summary>
    public int Resets { get; private set; }

    /// <summary>Fault injection: flip a bit in the CRC of the next this-many output frames.</summary>
    public int CorruptNextFrames { get; set; }

    /// <summary>Fault injection: the converter does not answer (DOUT high, no DRDY), as if unpowered.</summary>
    public bool Mute { get; set; }

    /// <summary>The latest conversion's codes (sign-extended 24-bit).</summary>
    public IReadOnlyList<int> LastCodes => _data;

    /// <summary>Time between conversions in ns, from CLKIN, CLOCK.OSR and CLOCK.PWR.</summary>
    public long ConversionPeriodNs
    {
        get
        {
            int clock = _registers[RegClock];
            int osr = ((clock >> 2) & 0x7) switch { 0 => 128, 1 => 256, 2 => 512, 3 => 1024, 4 => 2048, 5 => 4096, 6 => 8192, _ => 16256 };
            int modulatorDivider = (clock & 0x3) switch { 2 or 3 => 2, 1 => 4, _ => 8 };
            return (long)Math.Round(1e9 * osr * modulatorDivider / _clockInHz);
        }
    }

    /// <inheritdoc />
    public void PulseReset()
    {
        // SYNC/RESET held low for at least 2048 CLKIN periods.
        _clock.Advance((long)Math.Ceiling(2048e9 / _clockInHz));
        PowerOn();
    }

    /// <inheritdoc />
    public bool WaitForDataReady(int timeoutMs)
    {
        if (Mute || _standby)
        {
            _clock.Advance(timeoutMs * 1_000_000L);
            return false;
        }

        CatchUp();
        if (_dataReady)
        {
            return true;
        }

        long next = _conversionOriginNs + (_conversionsDone + 1) * ConversionPeriodNs;
        if (next - _clock.Nanoseconds > timeoutMs * 1_000_000L)
        {
            _clock.Advance(timeoutMs * 1_000_000L);
            return false;
        }

        _clock.AdvanceTo(next);
        CatchUp();
        return true;
    }

    /// <inheritdoc />
    public void TransferFrame(byte[] transmit, byte[] receive, int count)
    {
        Frames++;
        if (Mute)
        {
            Array.Fill(receive, (byte)0xFF, 0, count);
            return;
        }

        CatchUp();
        int wordBytes = WordBytes();
        // Output: response word, four channel words, CRC word; bytes beyond the frame read as 0.
        Array.Clear(receive, 0, count);
        int response = _responseIsStatus ? StatusWord() : _pendingResponse;
        PutWord16(receive, 0, wordBytes, response, count);
        for (int ch = 0; ch < 4; ch++)
        {
            PutData(receive, (ch + 1) * wordBytes, wordBytes, ChannelEnabled(ch) ? _data[ch] : 0, count);
        }

        int crcOffset = 5 * wordBytes;
        int crc = Crc(receive, 0, Math.Min(crcOffset, count));
        if (CorruptNextFrames > 0)
        {
            CorruptNextFrames--;
            crc ^= 0x0100;
        }

        PutWord16(receive, crcOffset, wordBytes, crc, count);
        // Reading a frame takes the data out: DRDY returns high until the next conversion.
        _dataReady = false;
        Execute(transmit, count, wordBytes);
    }

    private void Execute(byte[] tx, int count, int wordBytes)
    {
        int command = (tx[0] << 8) | tx[1];
        _responseIsStatus = false;
        if ((_registers[RegMode] & 0x1000) != 0 && !InputCrcMatches(tx, count, wordBytes, command))
        {
            // RX_CRC_EN: a frame with a bad input CRC is not executed; STATUS reports CRC_ERR.
            _inputCrcError = true;
            _responseIsStatus = true;
            return;
        }

        if (command == Ads131m04.CommandNull)
        {
            _responseIsStatus = true;
        }
        else if (command == Ads131m04.CommandReset && !_locked)
        {
            PowerOn();
        }
        else if (command == Ads131m04.CommandStandby && !_locked)
        {
            _standby = true;
            _pendingResponse = command;
        }
        else if (command == Ads131m04.CommandWakeup && !_locked)
        {
            _standby = false;
            RestartConversions();
            _pendingResponse = command;
        }
        else if (command == Ads131m04.CommandLock)
        {
            _locked = true;
            _pendingResponse = command;
        }
        else if (command == Ads131m04.CommandUnlock)
        {
            _locked = false;
            _pendingResponse = command;
        }
        else if ((command & 0xE000) == Ads131m04.CommandReadRegisterBase)
        {
            int address = (command >> 7) & 0x3F;
            int n = (command & 0x7F) + 1;
            // Single register: the value is the response word. Several: the datasheet sends them in
            // an extended frame after an ack; the firmware reads one at a time, so only the first is modelled.
            _pendingResponse = n == 1 ? _registers[address] : 0xE000 | (command & 0x1FFF);
        }
        else if ((command & 0xE000) == Ads131m04.CommandWriteRegisterBase && !_locked)
        {
            int address = (command >> 7) & 0x3F;
            int n = (command & 0x7F) + 1;
            for (int i = 0; i < n && (i + 1) * wordBytes + 1 < count; i++)
            {
                int value = (tx[(i + 1) * wordBytes] << 8) | tx[(i + 1) * wordBytes + 1];
                WriteRegister(address + i, value);
            }

            _pendingResponse = Ads131m04.WriteRegisterResponse(address, n);
        }
        else
        {
            // Unknown or locked-out commands: the chip ignores them and reports STATUS.
            _responseIsStatus = true;
        }
    }

    private void WriteRegister(int address, int value)
    {
        if (address is RegId or RegStatus or > 0x3F)
        {
            return; // read-only
        }

        int before = _registers[RegClock];
        _registers[address] = value & 0xFFFF;
        if (address == RegClock && before != _registers[RegClock])
        {
            // A new OSR or power mode restarts the digital filter.
            RestartConversions();
        }
    }

    private void PowerOn()
    {
        Array.Clear(_registers);
        _registers[RegId] = 0x2400;
        _registers[RegMode] = Ads131m04.ModeResetValue;
        _registers[RegClock] = Ads131m04.ClockResetValue;
        _registers[0x06] = 0x0600; // CFG
        for (int ch = 0; ch < 4; ch++)
        {
            _registers[0x09 + 5 * ch + 3] = 0x8000; // CHn_GCAL_MSB: gain calibration 1.0
        }

        Array.Clear(_data);
        _locked = false;
        _standby = false;
        _inputCrcError = false;
        _pendingResponse = Ads131m04.ResponseReset;
        _responseIsStatus = false;
        _dataReady = false;
        Resets++;
        RestartConversions();
    }

    private void RestartConversions()
    {
        _conversionOriginNs = _clock.Nanoseconds;
        _conversionsDone = 0;
    }

    /// <summary>Runs every conversion due by now; only the latest one's data is kept, as in the chip.</summary>
    private void CatchUp()
    {
        if (_standby)
        {
            return;
        }

        long period = ConversionPeriodNs;
        long due = (_clock.Nanoseconds - _conversionOriginNs) / period;
        if (due > _conversionsDone)
        {
            _conversionsDone = due;
            Convert(_conversionOriginNs + due * period);
            _dataReady = true;
        }
    }

    private void Convert(long timeNs)
    {
        _inputs.Sample(timeNs * 1e-9, _volts);
        int gains = _registers[RegGain1];
        for (int ch = 0; ch < 4; ch++)
        {
            int gain = 1 << ((gains >> (4 * ch)) & 0x7);
            double code = Math.Round(_volts[ch] * gain / ReferenceVolts * 8388608.0);
            _data[ch] = (int)Math.Clamp(code, Ads131m04.MinCode, Ads131m04.MaxCode);
        }
    }

    private int StatusWord()
    {
        int mode = _registers[RegMode];
        int status = (_locked ? 0x8000 : 0)
            | (_inputCrcError ? 0x1000 : 0)
            | ((mode & 0x0800) != 0 ? 0x0800 : 0)     // CRC_TYPE mirrors MODE
            | (mode & 0x0400)                          // RESET mirrors MODE.RESET
            | (mode & 0x0300)                          // WLENGTH mirrors MODE
            | (_dataReady ? (_registers[RegClock] >> 8) & 0x0F : 0);
        _inputCrcError = false;
        return status;
    }

    private bool ChannelEnabled(int ch) => (_registers[RegClock] & (0x100 << ch)) != 0;

    private int WordBytes() => ((_registers[RegMode] >> 8) & 0x3) switch { 0 => 2, 1 => 3, _ => 4 };

    private bool InputCrcMatches(byte[] tx, int count, int wordBytes, int command)
    {
        // The input CRC follows the command word (and, for WREG, its data words).
        int words = (command & 0xE000) == Ads131m04.CommandWriteRegisterBase ? 1 + (command & 0x7F) + 1 : 1;
        int at = words * wordBytes;
        if (at + 1 >= count) return false;
        return Crc(tx, 0, at) == ((tx[at] << 8) | tx[at + 1]);
    }

    private int Crc(byte[] data, int offset, int length)
    {
        bool ansi = (_registers[RegMode] & 0x0800) != 0;
        int poly = ansi ? 0x8005 : 0x1021;
        int crc = 0xFFFF;
        for (int i = offset; i < offset + length; i++)
        {
            crc ^= data[i] << 8;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ poly) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }

        return crc;
    }

    private static void PutWord16(byte[] frame, int offset, int wordBytes, int value, int count)
    {
        // 16-bit words sit MSB-aligned, zero-padded to the word length.
        if (offset < count) frame[offset] = (byte)(value >> 8);
        if (offset + 1 < count) frame[offset + 1] = (byte)value;
    }

    private void PutData(byte[] frame, int offset, int wordBytes, int code, int count)
    {
        int wlength = (_registers[RegMode] >> 8) & 0x3;
        uint word = wlength switch
        {
            0 => (uint)(code >> 8) << 16,                 // 16-bit: the 16 MSBs
            1 => (uint)(code & 0xFFFFFF) << 8,            // 24-bit
            2 => (uint)(code & 0xFFFFFF) << 8,            // 32-bit, zero-padded LSB byte
            _ => (uint)code,                              // 32-bit, sign-extended MSB byte
        };
        for (int i = 0; i < wordBytes; i++)
        {
            if (offset + i < count)
            {
                frame[offset + i] = (byte)(word >> (24 - 8 * i));
            }
        }
    }
}
