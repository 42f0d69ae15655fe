using NbnEdge.Firmware.Adc;

namespace NbnEdge.Firmware.Tests
{
    /// <summary>
    /// A minimal ADS131M04 behind <see cref="IAdcTransport"/> for driver and device tests: register
    /// map, pipelined command responses, CRC-16 on every output frame, and scripted conversions.
    /// Its CRC is the plain bitwise definition, independent of the driver's table.
    /// </summary>
    public sealed class FakeAds131m04 : IAdcTransport
    {
        public readonly int[] Registers = new int[64];
        public int[] BiasSequence = new int[0];
        public int[] SignalSequence = new int[0];
        public int Cursor;
        public int ResetPulses;
        public int CommandFrames;
        public bool CorruptNextDataFrame;
        public bool Mute;
        private int _pendingResponse;
        private readonly int[] _codes = new int[4];

        public FakeAds131m04()
        {
            PowerOn();
        }

        public void PowerOn()
        {
            for (int i = 0; i < Registers.Length; i++)
            {
                Registers[i] = 0;
            }

            Registers[0] = 0x2400;
            Registers[2] = 0x0510;
            Registers[3] = 0x0F0E;
            _pendingResponse = 0;
        }

        public int Status()
        {
            // RESET mirrors MODE.RESET; 24-bit words; channels 0..3 data ready.
            return (Registers[2] & 0x0400) | 0x0100 | 0x000F;
        }

        public void TransferFrame(byte[] transmit, byte[] receive, int count)
        {
            if (Mute)
            {
                for (int i = 0; i < count; i++)
                {
                    receive[i] = 0xFF;
                }

                return;
            }

            Put16(receive, 0, _pendingResponse);
            for (int ch = 0; ch < 4; ch++)
            {
                int word = _codes[ch] & 0xFFFFFF;
                int p = (ch + 1) * 3;
                receive[p] = (byte)(word >> 16);
                receive[p + 1] = (byte)(word >> 8);
                receive[p + 2] = (byte)word;
            }

            int crc = BitwiseCrc16(receive, 0, 15);
            if (CorruptNextDataFrame)
            {
                crc ^= 0x0001;
                CorruptNextDataFrame = false;
            }

            Put16(receive, 5, crc);

            int command = (transmit[0] << 8) | transmit[1];
            if (command == 0x0000)
            {
                _pendingResponse = Status();
            }
            else if (command == 0x0011)
            {
                PowerOn();
                _pendingResponse = 0xFF24;
                CommandFrames++;
            }
            else if ((command & 0xE000) == 0xA000)
            {
                _pendingResponse = Registers[(command >> 7) & 0x3F];
                CommandFrames++;
            }
            else if ((command & 0xE000) == 0x6000)
            {
                int address = (command >> 7) & 0x3F;
                Registers[address] = (transmit[3] << 8) | transmit[4];
                _pendingResponse = 0x4000 | (command & 0x1FFF);
                CommandFrames++;
            }
            else
            {
                _pendingResponse = command;
                CommandFrames++;
            }
        }

        public bool WaitForDataReady(int timeoutMs)
        {
            if (Mute || Cursor >= BiasSequence.Length)
            {
                return false;
            }

            _codes[0] = BiasSequence[Cursor];
            _codes[1] = SignalSequence[Cursor];
            Cursor++;
            return true;
        }

        public void PulseReset()
        {
            ResetPulses++;
            PowerOn();
        }

        public static int BitwiseCrc16(byte[] data, int offset, int count)
        {
            int crc = 0xFFFF;
            for (int i = offset; i < offset + count; i++)
            {
                crc ^= data[i] << 8;
                for (int bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
                }
            }

            return crc;
        }

        private static void Put16(byte[] frame, int word, int value)
        {
            frame[word * 3] = (byte)(value >> 8);
            frame[word * 3 + 1] = (byte)value;
            frame[word * 3 + 2] = 0;
        }
    }
}
