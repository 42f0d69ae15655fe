using System.Globalization;
using System.Numerics;
using System.Text;

namespace NbnEdge.Instruments.Tests;

/// <summary>
/// The CSV reader's own decimal parser must give exactly the framework's double, bit for bit, on
/// everything it accepts, and hand everything else on.
/// </summary>
[TestClass]
public sealed class CsvNumberTests
{
    // numpy's savetxt default is %.18e (19 significant digits): "E18".
    private static readonly string[] Formats = ["G7", "G9", "G15", "G17", "R", "F3", "F6", "E3", "E10", "E18", "G19", "0.############"];

    private static void AssertSameAsFramework(string text, ref int fast)
    {
        double expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        if (CsvSpectrumReader.TryParseShortDecimal(utf8, out double got))
        {
            fast++;
            Assert.AreEqual(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(got), $"'{text}'");
        }
        Assert.IsTrue(CsvSpectrumReader.TryParseNumber(utf8, out double any), $"'{text}'");
        Assert.AreEqual(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(any), $"'{text}'");
    }

    [TestMethod]
    public void Any_double_written_with_17_to_19_digits_reads_back_bit_identical()
    {
        // Random bit patterns cover every exponent, subnormals included (those go to the framework).
        var random = new Random(7);
        int fast = 0;
        for (int k = 0; k < 200_000; k++)
        {
            double v = BitConverter.Int64BitsToDouble(random.NextInt64());
            if (!double.IsFinite(v)) continue;
            AssertSameAsFramework(v.ToString(k % 2 == 0 ? "R" : "E18", CultureInfo.InvariantCulture), ref fast);
        }
        Assert.IsGreaterThan(190_000, fast, $"fast path took only {fast}");
    }

    [TestMethod]
    public void Integers_between_2_53_and_1e19_round_half_to_even_as_the_framework_does()
    {
        // Above 2^53 not every integer is a double: half of these are exact ties between two
        // neighbouring doubles (d + ulp/2), the other half fall anywhere between them.
        var random = new Random(8);
        int fast = 0;
        for (int k = 0; k < 200_000; k++)
        {
            int e = random.Next(53, 63); // 2^e ≤ n < 2^(e+1) ≤ 2^63 < 10^19: at most 19 digits
            ulong ulp = 1UL << (e - 52);
            ulong d = (1UL << e) + (ulong)random.NextInt64(0, 1L << 52) * ulp;
            ulong n = k % 2 == 0 ? d + ulp / 2 : d + (ulong)random.NextInt64(1, (long)ulp);
            AssertSameAsFramework(n.ToString(CultureInfo.InvariantCulture), ref fast);
        }
        Assert.AreEqual(200_000, fast);
    }

    [TestMethod]
    public void Fast_path_is_bit_identical_to_double_Parse()
    {
        var random = new Random(20261124);
        int fast = 0, checkedCount = 0;
        for (int k = 0; k < 200_000; k++)
        {
            // Magnitudes from 1e-30 to 1e30, both signs, in the formats instruments and scripts write.
            double v = Math.Pow(10, random.NextDouble() * 60 - 30) * (random.Next(2) == 0 ? -1 : 1);
            AssertSameAsFramework(v.ToString(Formats[k % Formats.Length], CultureInfo.InvariantCulture), ref fast);
            checkedCount++;
        }
        // The fast path must actually carry the common formats, or it is dead code.
        Assert.IsTrue(fast > checkedCount / 2, $"fast path took only {fast} of {checkedCount}");
    }

    [TestMethod]
    public void Shipped_powers_of_five_are_the_exact_truncations()
    {
        // Rebuilt from exact integers: 5^q truncated to its top 128 bits for q ≥ 0, and
        // ⌊2^b / 5^−q⌋ + 1 truncated for q < 0 (b as in fast_float's generator).
        var table = DecimalToDouble.PowersOfFive;
        Assert.HasCount(2 * (308 + 342 + 1), table);
        BigInteger two128 = BigInteger.One << 128, two127 = BigInteger.One << 127;
        for (int q = -342; q <= 308; q++)
        {
            BigInteger c;
            if (q < 0)
            {
                BigInteger power5 = BigInteger.Pow(5, -q);
                int z = (int)(power5 - 1).GetBitLength(); // smallest z with 2^z ≥ 5^−q
                int b = q >= -27 ? z + 127 : 2 * z + 128;
                c = (BigInteger.One << b) / power5 + 1;
                while (c >= two128) c >>= 1;
            }
            else
            {
                c = BigInteger.Pow(5, q);
                while (c < two127) c <<= 1;
                while (c >= two128) c >>= 1;
            }
            int i = 2 * (q + 342);
            Assert.AreEqual((ulong)(c >> 64), table[i], $"q = {q}, high word");
            Assert.AreEqual((ulong)(c & ulong.MaxValue), table[i + 1], $"q = {q}, low word");
        }
    }

    [TestMethod]
    [DataRow("0", 0.0)]
    [DataRow("-0", -0.0)]
    [DataRow("1.", 1.0)]
    [DataRow(".5", 0.5)]
    [DataRow("-.25e1", -2.5)]
    [DataRow("9007199254740992", 9007199254740992.0)]
    [DataRow("1E22", 1e22)]
    [DataRow("1e-22", 1e-22)]
    [DataRow("0.000000000000000000000000001", 1e-27)]
    [DataRow("123456789012345678901234", 1.2345678901234568e23)]
    [DataRow("+1.5", 1.5)]
    [DataRow("9007199254740993", 9007199254740992.0)]
    [DataRow("9007199254740995", 9007199254740996.0)]
    [DataRow("1.7976931348623157e308", double.MaxValue)]
    [DataRow("1.7976931348623159e308", double.PositiveInfinity)]
    [DataRow("2.2250738585072014e-308", 2.2250738585072014e-308)]
    [DataRow("2.2250738585072011e-308", 2.2250738585072011e-308)]
    [DataRow("4.9406564584124654e-324", double.Epsilon)]
    [DataRow("1e-400", 0.0)]
    [DataRow("1.00000000000000011102230246251565404236316680908203125", 1.0)]
    [DataRow("0.1000000000000000055511151231257827021181583404541015625", 0.1)]
    [DataRow("NaN", double.NaN)]
    [DataRow("-Infinity", double.NegativeInfinity)]
    [DataRow("1e400", double.PositiveInfinity)]
    public void Edge_cases_match_the_framework(string text, double expected)
    {
        Assert.IsTrue(CsvSpectrumReader.TryParseNumber(Encoding.UTF8.GetBytes(text), out double got), text);
        Assert.AreEqual(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(got), text);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("-")]
    [DataRow(".")]
    [DataRow("1e")]
    [DataRow("1e+")]
    [DataRow("1.2.3")]
    [DataRow("12a")]
    [DataRow("0x10")]
    [DataRow("1,5")]
    public void Non_numbers_are_refused(string text)
    {
        Assert.IsFalse(CsvSpectrumReader.TryParseNumber(Encoding.UTF8.GetBytes(text), out _), text);
    }
}
