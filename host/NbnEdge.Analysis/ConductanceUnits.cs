using System.Globalization;
using System.Text.RegularExpressions;

namespace NbnEdge.Analysis;

/// <summary>
/// The physical unit of a spectrum's dI/dV values, as far as its source says, and engineering
/// prefixes to show them with (2.2E-09 A reads 2.2 nA). Nanonis files name the unit in the column
/// header ("LIX 1 omega (A)"); a live spectrum's conductance is in µV of lock-in output.
/// </summary>
public static partial class ConductanceUnits
{
    /// <summary>Metadata key the Nanonis readers fill with the spectrum's column headers.</summary>
    private const string ColumnsKey = "NbnEdge>Columns";

    [GeneratedRegex(@"\(([^()]*)\)")]
    private static partial Regex Parenthesised();

    /// <summary>
    /// The SI base unit of <paramref name="spectrum"/>'s conductance values ("A", "V" or "S") and the
    /// factor that turns the values into it; (null, 1) when the source does not say (arbitrary units).
    /// </summary>
    public static (string? Unit, double ToSi) Of(Spectrum spectrum)
    {
        ArgumentNullException.ThrowIfNull(spectrum);
        if (spectrum.Metadata.ContainsKey("signal_uV_per_lsb")) return ("V", 1e-6); // live: µV of lock-in output
        if (spectrum.Metadata.TryGetValue(ColumnsKey, out var columns))
            foreach (Match m in Parenthesised().Matches(columns))
                if (Parse(m.Groups[1].Value) is { } u) return u;
        return (null, 1);
    }

    /// <summary>Parses "A", "pA", "nS", "mV", "µV", "uV"… into an SI base unit and its factor; null for anything else.</summary>
    public static (string Unit, double ToSi)? Parse(string text)
    {
        string t = text.Trim();
        if (t.Length == 0) return null;
        char baseUnit = t[^1];
        if (baseUnit is not ('A' or 'V' or 'S')) return null;
        double f = t.Length switch
        {
            1 => 1,
            2 => t[0] switch { 'f' => 1e-15, 'p' => 1e-12, 'n' => 1e-9, 'µ' or 'μ' or 'u' => 1e-6, 'm' => 1e-3, 'k' => 1e3, _ => double.NaN },
            _ => double.NaN,
        };
        return double.IsNaN(f) ? null : (baseUnit.ToString(), f);
    }

    /// <summary>
    /// The engineering prefix for values whose largest magnitude is <paramref name="maxAbs"/> (in the
    /// base unit): the factor to multiply them by, so they read 1 to 999, and its prefix ("n", "µ", "").
    /// </summary>
    public static (double Factor, string Prefix) Engineering(double maxAbs)
    {
        if (!(maxAbs > 0) || !double.IsFinite(maxAbs)) return (1, "");
        int exp3 = (int)Math.Floor(Math.Log10(maxAbs) / 3) * 3;
        exp3 = Math.Clamp(exp3, -15, 12);
        string prefix = exp3 switch { -15 => "f", -12 => "p", -9 => "n", -6 => "µ", -3 => "m", 0 => "", 3 => "k", 6 => "M", 9 => "G", _ => "T" };
        return (Math.Pow(10, -exp3), prefix);
    }

    /// <summary>
    /// A value with its standard error in one unit, rounded where the error is (one significant
    /// digit, two when it starts with 1 or 2): "2.1002 ± 0.0006 meV", never a mix of meV and µeV.
    /// </summary>
    public static string WithError(double value, double error, string unit)
    {
        var ci = CultureInfo.InvariantCulture;
        if (!double.IsFinite(value)) return "–";
        if (!(error > 0) || !double.IsFinite(error)) return value.ToString("G5", ci) + " " + unit;
        int decimals = Math.Clamp(ErrorDecimals(error), 0, 9);
        string format = "F" + decimals.ToString(ci);
        return $"{value.ToString(format, ci)} ± {error.ToString(format, ci)} {unit}";
    }

    /// <summary>Decimal places that show <paramref name="error"/> to one significant digit (two when it starts with 1 or 2).</summary>
    public static int ErrorDecimals(double error)
    {
        int exp = (int)Math.Floor(Math.Log10(error));
        double lead = error / Math.Pow(10, exp);
        return -exp + (lead < 3 ? 1 : 0);
    }
}
