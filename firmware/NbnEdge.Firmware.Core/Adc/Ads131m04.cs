namespace NbnEdge.Firmware.Adc
{
    /// <summary>
    /// Facts of the TI ADS131M04 (datasheet SBAS899) the driver is built on: command words,
    /// register addresses and fields, frame layout, and the decoding of its words. Pure functions,
    /// no hardware access.
    /// </summary>
    public static class Ads131m04
    {
        /// <summary>NULL: no operation; the response word is the STATUS register.</summary>
        public const int CommandNull = 0x0000;
        /// <summary>RESET: software reset; answered by <see cref="ResponseReset"/> in the next frame.</summary>
        public const int CommandReset = 0x0011;
        /// <summary>STANDBY: stop conversions, low power; echoed.</summary>
        public const int CommandStandby = 0x0022;
        /// <summary>WAKEUP: leave standby; echoed.</summary>
        public const int CommandWakeup = 0x0033;
        /// <summary>LOCK: ignore all commands but NULL, RREG and UNLOCK.</summary>
        public const int CommandLock = 0x0555;
        /// <summary>UNLOCK.</summary>
        public const int CommandUnlock = 0x0655;
        /// <summary>RREG opcode bits: 101a aaaa annn nnnn.</summary>
        public const int CommandReadRegisterBase = 0xA000;
        /// <summary>WREG opcode bits: 011a aaaa annn nnnn.</summary>
        public const int CommandWriteRegisterBase = 0x6000;
        /// <summary>Acknowledgement of WREG: 010a aaaa ammm mmmm.</summary>
        public const int ResponseWriteRegisterBase = 0x4000;
        /// <summary>Response to RESET on the four-channel part: 0xFF20 plus the channel count.</summary>
        public const int ResponseReset = 0xFF24;

        /// <summary>ID register (upper byte 0x24 on the ADS131M04).</summary>
        public const int RegisterId = 0x00;
        /// <summary>STATUS register.</summary>
        public const int RegisterStatus = 0x01;
        /// <summary>MODE register (word length, CRC type, DRDY format, SPI timeout, reset flag).</summary>
        public const int RegisterMode = 0x02;
        /// <summary>CLOCK register (channel enables, OSR, power mode).</summary>
        public const int RegisterClock = 0x03;
        /// <summary>GAIN1 register (PGA gain of channels 0 to 3).</summary>
        public const int RegisterGain1 = 0x04;
        /// <summary>CFG register (global chop, current detect).</summary>
        public const int RegisterCfg = 0x06;
        /// <summary>CH0_CFG; channel n's CFG is at 0x09 + 5 n.</summary>
        public const int RegisterCh0Cfg = 0x09;
        /// <summary>REGMAP_CRC register.</summary>
        public const int RegisterRegmapCrc = 0x3E;

        /// <summary>MODE reset value: RESET flag set, 24-bit words, SPI timeout on, CCITT CRC, DRDY active low.</summary>
        public const int ModeResetValue = 0x0510;
        /// <summary>CLOCK reset value: all channels on, OSR 1024, high-resolution power mode.</summary>
        public const int ClockResetValue = 0x0F0E;
        /// <summary>MODE.RESET (bit 10): set at power-up or reset until written 0.</summary>
        public const int ModeResetFlag = 0x0400;
        /// <summary>MODE.WLENGTH = 01: 24-bit words (bits 9:8).</summary>
        public const int ModeWordLength24 = 0x0100;
        /// <summary>MODE.TIMEOUT (bit 4): a frame left incomplete for 2^14 CLKIN periods is discarded.</summary>
        public const int ModeSpiTimeout = 0x0010;
        /// <summary>CLOCK.PWR = 10: high-resolution mode, fMOD = CLKIN / 2.</summary>
        public const int ClockPowerHighResolution = 0x0002;

        /// <summary>Channels on the part.</summary>
        public const int Channels = 4;
        /// <summary>Bytes per word at the reset word length (24 bits).</summary>
        public const int WordBytes = 3;
        /// <summary>Words per frame: status/response, four channels, CRC.</summary>
        public const int FrameWords = 2 + Channels;
        /// <summary>Bytes per frame at 24-bit words.</summary>
        public const int FrameBytes = FrameWords * WordBytes;
        /// <summary>Largest positive code (+FS).</summary>
        public const int MaxCode = 0x7FFFFF;
        /// <summary>Most negative code (−FS).</summary>
        public const int MinCode = -0x800000;
        /// <summary>Full-scale input at gain 1, in µV (internal 1.2 V reference).</summary>
        public const int FullScaleUv = 1200000;

        /// <summary>The RREG command word reading <paramref name="count"/> registers from <paramref name="address"/>.</summary>
        public static int ReadRegisterCommand(int address, int count)
        {
            return CommandReadRegisterBase | ((address & 0x3F) << 7) | ((count - 1) & 0x7F);
        }

        /// <summary>The WREG command word writing <paramref name="count"/> registers from <paramref name="address"/>.</summary>
        public static int WriteRegisterCommand(int address, int count)
        {
            return CommandWriteRegisterBase | ((address & 0x3F) << 7) | ((count - 1) & 0x7F);
        }

        /// <summary>The response the converter gives to a WREG of <paramref name="count"/> registers at <paramref name="address"/>.</summary>
        public static int WriteRegisterResponse(int address, int count)
        {
            return ResponseWriteRegisterBase | ((address & 0x3F) << 7) | ((count - 1) & 0x7F);
        }

        /// <summary>The 3-bit OSR code for an oversampling ratio; −1 if the part has no such ratio.</summary>
        public static int OsrCode(int oversamplingRatio)
        {
            switch (oversamplingRatio)
            {
                case 128: return 0;
                case 256: return 1;
                case 512: return 2;
                case 1024: return 3;
                case 2048: return 4;
                case 4096: return 5;
                case 8192: return 6;
                case 16256: return 7;
                default: return -1;
            }
        }

        /// <summary>The 3-bit PGA code for a gain of 1 to 128 (powers of two); −1 otherwise.</summary>
        public static int GainCode(int gain)
        {
            for (int code = 0; code < 8; code++)
            {
                if ((1 << code) == gain)
                {
                    return code;
                }
            }

            return -1;
        }

        /// <summary>CLOCK register value: channel enables (bit n+8 for channel n), OSR (bits 4:2), high-resolution power.</summary>
        public static int ClockRegister(int enabledChannelMask, int oversamplingRatio)
        {
            return ((enabledChannelMask & 0x0F) << 8) | (OsrCode(oversamplingRatio) << 2) | ClockPowerHighResolution;
        }

        /// <summary>GAIN1 register value from the gains of channels 0 to 3 (fields at bits 2:0, 6:4, 10:8, 14:12).</summary>
        public static int Gain1Register(int gain0, int gain1, int gain2, int gain3)
        {
            return GainCode(gain0) | (GainCode(gain1) << 4) | (GainCode(gain2) << 8) | (GainCode(gain3) << 12);
        }

        /// <summary>Output data rate in samples per second: fMOD / OSR with fMOD = CLKIN / 2 in high-resolution mode.</summary>
        public static int SampleRateHz(int clockInHz, int oversamplingRatio)
        {
            return clockInHz / 2 / oversamplingRatio;
        }

        /// <summary>Sign-extends a 24-bit two's-complement word given as three bytes, MSB first.</summary>
        public static int DecodeCode24(byte msb, byte mid, byte lsb)
        {
            int raw = (msb << 16) | (mid << 8) | lsb;
            // Shift the sign bit to bit 31 and back: arithmetic right shift replicates it.
            return (raw << 8) >> 8;
        }

        /// <summary>Whether a code sits at either end of the range: the input drove the modulator to full scale.</summary>
        public static bool IsClipped(int code)
        {
            return code >= MaxCode || code <= MinCode;
        }

        /// <summary>The 16-bit value MSB-aligned in word <paramref name="wordIndex"/> of a frame.</summary>
        public static int ReadWord16(byte[] frame, int wordIndex)
        {
            int p = wordIndex * WordBytes;
            return (frame[p] << 8) | frame[p + 1];
        }

        /// <summary>Writes a 16-bit command or register value MSB-aligned into word <paramref name="wordIndex"/>, padding with zeros.</summary>
        public static void WriteWord16(byte[] frame, int wordIndex, int value)
        {
            int p = wordIndex * WordBytes;
            frame[p] = (byte)(value >> 8);
            frame[p + 1] = (byte)value;
            frame[p + 2] = 0;
        }

        /// <summary>
        /// Checks the output CRC of a received frame: CRC-16/CCITT over every byte before the last
        /// word, against the 16 bits MSB-aligned in the last word.
        /// </summary>
        public static bool FrameCrcMatches(byte[] frame)
        {
            int crcWordOffset = (FrameWords - 1) * WordBytes;
            int expected = (frame[crcWordOffset] << 8) | frame[crcWordOffset + 1];
            return Crc16Ccitt.Compute(frame, 0, crcWordOffset) == expected;
        }

        /// <summary>
        /// Decodes a received data frame into <paramref name="sample"/> if its CRC matches; returns
        /// false (sample untouched) if not: a frame with a bad CRC is never used.
        /// </summary>
        public static bool DecodeDataFrame(byte[] frame, AdcSample sample)
        {
            if (!FrameCrcMatches(frame))
            {
                return false;
            }

            sample.Status = ReadWord16(frame, 0);
            for (int ch = 0; ch < Channels; ch++)
            {
                int p = (ch + 1) * WordBytes;
                sample.Codes[ch] = DecodeCode24(frame[p], frame[p + 1], frame[p + 2]);
            }

            return true;
        }
    }
}
