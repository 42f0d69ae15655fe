namespace NbnEdge.Firmware.Adc
{
    /// <summary>Fields of the ADS131M04 STATUS word, the response to NULL that heads every data frame.</summary>
    public static class AdcStatusWord
    {
        /// <summary>LOCK (bit 15): the interface is locked.</summary>
        public static bool Locked(int status) { return (status & 0x8000) != 0; }

        /// <summary>F_RESYNC (bit 14): the converter resynchronised (a SYNC pulse arrived out of step).</summary>
        public static bool Resynchronised(int status) { return (status & 0x4000) != 0; }

        /// <summary>REG_MAP (bit 13): the register map CRC changed.</summary>
        public static bool RegisterMapChanged(int status) { return (status & 0x2000) != 0; }

        /// <summary>CRC_ERR (bit 12): the converter saw a bad CRC on its input.</summary>
        public static bool InputCrcError(int status) { return (status & 0x1000) != 0; }

        /// <summary>CRC_TYPE (bit 11): 0 CCITT, 1 ANSI.</summary>
        public static bool AnsiCrc(int status) { return (status & 0x0800) != 0; }

        /// <summary>RESET (bit 10): the converter was reset since the flag was last cleared.</summary>
        public static bool ResetOccurred(int status) { return (status & 0x0400) != 0; }

        /// <summary>WLENGTH (bits 9:8): word length in bits (16, 24, 32, 32).</summary>
        public static int WordLengthBits(int status)
        {
            int code = (status >> 8) & 0x3;
            return code == 0 ? 16 : (code == 1 ? 24 : 32);
        }

        /// <summary>DRDY3..DRDY0 (bits 3:0): which channels hold new data.</summary>
        public static int DataReadyMask(int status) { return status & 0x0F; }
    }
}
