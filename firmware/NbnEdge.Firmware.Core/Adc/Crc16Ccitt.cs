namespace NbnEdge.Firmware.Adc
{
    /// <summary>
    /// CRC-16/CCITT as the ADS131M04 computes it (MODE.CRC_TYPE = 0): polynomial 0x1021, seed 0xFFFF,
    /// MSB first, no reflection, no final XOR (the "CCITT-FALSE" variant, check value 0x29B1).
    /// Table-driven: checking every frame bit by bit would cost too much interpreted time per sample.
    /// </summary>
    public static class Crc16Ccitt
    {
        /// <summary>The converter's seed.</summary>
        public const ushort Seed = 0xFFFF;

        private static readonly ushort[] Table = BuildTable();

        private static ushort[] BuildTable()
        {
            ushort[] table = new ushort[256];
            for (int i = 0; i < 256; i++)
            {
                int crc = i << 8;
                for (int bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
                }

                table[i] = (ushort)crc;
            }

            return table;
        }

        /// <summary>CRC of <paramref name="count"/> bytes from <paramref name="offset"/>, starting from <see cref="Seed"/>.</summary>
        public static ushort Compute(byte[] buffer, int offset, int count)
        {
            int crc = Seed;
            int end = offset + count;
            for (int i = offset; i < end; i++)
            {
                crc = ((crc << 8) ^ Table[((crc >> 8) ^ buffer[i]) & 0xFF]) & 0xFFFF;
            }

            return (ushort)crc;
        }
    }
}
