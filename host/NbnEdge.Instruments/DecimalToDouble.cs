using System.Numerics;

namespace NbnEdge.Instruments;

/// <summary>
/// w·10^q to the nearest double (ties to even) for a decimal significand w of at most 19 digits,
/// exactly as <see cref="double.Parse(string)"/> rounds it: Clinger's fast path where w and 10^|q|
/// are exact doubles, otherwise the Eisel–Lemire algorithm (Lemire, "Number parsing at a gigabyte
/// per second", 2021), whose 128-bit product is always sufficient for binary64 (Mushtak and
/// Lemire, "Fast number parsing without fallback", 2023).
/// </summary>
/// <remarks>
/// Written by hand because CSV files written by numpy (<c>%.18e</c>) or with round-trip
/// formatting carry 17–19 digits per number, and a 10,000-spectrum table is two million of them:
/// the framework's parser takes 60–200 ns for such a number, this about 10. Subnormal results
/// return false (the caller falls back to the framework's parser); a test compares this with
/// <see cref="double.Parse(string)"/> bit for bit over random inputs and exact halfway cases.
/// </remarks>
internal static partial class DecimalToDouble
{
    private const int SmallestPowerOfTen = -342, LargestPowerOfTen = 308;
    private const int MantissaBits = 52, MinimumExponent = -1023, InfinitePower = 0x7FF;

    private static readonly double[] ExactPowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>The nearest double to w·10^q; false when it would be subnormal (left to the framework).</summary>
    public static bool TryConvert(ulong w, int q, out double value)
    {
        value = 0;
        if (w == 0 || q < SmallestPowerOfTen) return true; // zero (the caller applies the sign)
        if (q > LargestPowerOfTen) { value = double.PositiveInfinity; return true; }
        if (w <= 1UL << 53 && q is >= -22 and <= 22)
        {
            // Clinger: both operands exact, one IEEE operation, one rounding.
            value = q >= 0 ? w * ExactPowersOfTen[q] : w / ExactPowersOfTen[-q];
            return true;
        }

        int lz = BitOperations.LeadingZeroCount(w);
        w <<= lz;
        // The 128-bit product of w and the 128-bit truncation of 5^q; the low table word is needed
        // only when the high product's bits below the 55 kept are all ones.
        int index = 2 * (q - SmallestPowerOfTen);
        var table = PowersOfFive;
        ulong high = Math.BigMul(w, table[index], out ulong low);
        const ulong precisionMask = ulong.MaxValue >> (MantissaBits + 3);
        if ((high & precisionMask) == precisionMask)
        {
            ulong secondHigh = Math.BigMul(w, table[index + 1], out _);
            low += secondHigh;
            if (secondHigh > low) high++;
        }

        int upperBit = (int)(high >> 63);
        int shift = upperBit + 64 - MantissaBits - 3;
        ulong mantissa = high >> shift;
        // floor(log2(10^q)) + 63, exact over the table's range.
        int power2 = (int)(((152170L + 65536) * q) >> 16) + 63 + upperBit - lz - MinimumExponent;
        if (power2 <= 0) return false; // subnormal: rare enough for the slow path

        // Round half to even: an exact tie can only occur for small |q|.
        if (low <= 1 && q is >= -4 and <= 23 && (mantissa & 3) == 1 && (mantissa << shift) == high)
            mantissa &= ~1UL;
        mantissa += mantissa & 1;
        mantissa >>= 1;
        if (mantissa >= 2UL << MantissaBits)
        {
            mantissa = 1UL << MantissaBits;
            power2++;
        }
        mantissa &= ~(1UL << MantissaBits);
        if (power2 >= InfinitePower) { value = double.PositiveInfinity; return true; }
        value = BitConverter.Int64BitsToDouble((long)(mantissa | ((ulong)power2 << MantissaBits)));
        return true;
    }
}
