namespace NbnEdge.Firmware.Estimation
{
    /// <summary>
    /// Integer helpers of the fixed-point estimator (Qn = n fraction bits). Pure functions on long,
    /// no allocation, the same result on the board and on the host.
    /// </summary>
    public static class FixedPointMath
    {
        /// <summary>Number of significant bits of a positive value (0 for 0).</summary>
        public static int BitLength(long value)
        {
            int n = 0;
            while (value > 0)
            {
                value >>= 1;
                n++;
            }

            return n;
        }

        /// <summary>Floor of √<paramref name="value"/> (0 for value ≤ 0), bit by bit.</summary>
        public static long Isqrt(long value)
        {
            if (value <= 0)
            {
                return 0;
            }

            long result = 0;
            long bit = 1L << 62;
            while (bit > value)
            {
                bit >>= 2;
            }

            while (bit != 0)
            {
                if (value >= result + bit)
                {
                    value -= result + bit;
                    result = (result >> 1) + bit;
                }
                else
                {
                    result >>= 1;
                }

                bit >>= 2;
            }

            return result;
        }

        /// <summary>log₂ of a positive Q30 value, as Q16 (16 squarings of the normalised mantissa).</summary>
        public static int Log2Q16(long valueQ30)
        {
            if (valueQ30 <= 0)
            {
                return int.MinValue;
            }

            int bits = BitLength(valueQ30);
            int integerPart = bits - 31;
            // Mantissa in [2^30, 2^31): the number 1.xxx in Q30.
            long m = bits > 31 ? valueQ30 >> (bits - 31) : valueQ30 << (31 - bits);
            int fraction = 0;
            for (int i = 0; i < 16; i++)
            {
                m = (m * m) >> 30;
                fraction <<= 1;
                if (m >= (1L << 31))
                {
                    m >>= 1;
                    fraction |= 1;
                }
            }

            return (integerPart << 16) + fraction;
        }

        /// <summary>value × 2^shift for either sign of shift (arithmetic right shift for shift &lt; 0).</summary>
        public static long ShiftLeft(long value, int shift)
        {
            if (shift >= 0)
            {
                return value << shift;
            }

            return value >> (-shift);
        }

        /// <summary>
        /// a·b/c without forming a·b: exact for |b| &lt; 2^31 and |c| ≤ 2^31 whenever the result and
        /// (a/c)·b fit a long (the quotient and remainder are multiplied separately).
        /// </summary>
        public static long MulDiv(long a, long b, long c)
        {
            long q = a / c;
            long r = a - q * c;
            return q * b + r * b / c;
        }

        /// <summary>Clamps <paramref name="value"/> to [lo, hi].</summary>
        public static long Clamp(long value, long lo, long hi)
        {
            return value < lo ? lo : (value > hi ? hi : value);
        }

        /// <summary>Rounded integer division n/d, d &gt; 0, half away from zero.</summary>
        public static long DivRound(long n, long d)
        {
            return n >= 0 ? (n + d / 2) / d : -((-n + d / 2) / d);
        }
    }
}
