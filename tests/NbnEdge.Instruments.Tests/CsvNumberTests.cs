using System.Globalization;
using System.Text;

namespace NbnEdge.Instruments.Tests;

/// <summary>
/// The CSV reader's own decimal parser must give exactly the framework's double, bit for bit, on
/// everything it accepts, and hand everything else on.
/// </summary>
[TestClass]
public sealed class CsvNumberTests
{
    private static readonly string[] Formats = ["G7", "G9", "G15", "G17", "R", "F3", "F6", "E3", "E10", "0.############"];

    [TestMethod]
    public void Fast_path_is_bit_identical_to_double_Parse()
    {
        var random = new Random(20261124);
        int fast = 0, checkedCount = 0;
        for (int k = 0; k < 200_000; k++)
        {
            // Magnitudes from 1e-30 to 1e30, both signs, in the formats instruments and scripts write.
            double v = Math.Pow(10, random.NextDouble() * 60 - 30) * (random.Next(2) == 0 ? -1 : 1);
            string text = v.ToString(Formats[k % Formats.Length], CultureInfo.InvariantCulture);
            double expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            byte[] utf8 = Encoding.UTF8.GetBytes(text);
            if (CsvSpectrumReader.TryParseShortDecimal(utf8, out double got))
            {
                fast++;
                Assert.AreEqual(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(got), $"'{text}'");
            }
            Assert.IsTrue(CsvSpectrumReader.TryParseNumber(utf8, out double any), $"'{text}'");
            Assert.AreEqual(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(any), $"'{text}'");
            checkedCount++;
        }
        // The fast path must actually carry the common formats, or it is dead code.
        Assert.IsTrue(fast > checkedCount / 2, $"fast path took only {fast} of {checkedCount}");
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
