using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;
using NbnEdge.Analysis;

namespace NbnEdge.Instruments;

/// <summary>One <c>key → value</c> line of a Nanonis header, kept in file order (keys may repeat).</summary>
/// <param name="Key">The key as written, e.g. <c>Lock-in&gt;Amplitude</c>.</param>
/// <param name="Value">The value as written, surrounding quotes removed (.3ds).</param>
/// <param name="Line">1-based line number in the file.</param>
public sealed record NanonisHeaderEntry(string Key, string Value, int Line);

/// <summary>What the readers take from a Nanonis header beyond the data: tip position and lock-in settings.</summary>
public static class NanonisHeader
{
    /// <summary>
    /// Factor from the file's <c>Lock-in&gt;Amplitude</c> to the peak (zero-to-peak) modulation amplitude.
    /// </summary>
    /// <remarks>
    /// Nanonis' lock-in module takes the modulation "Amplitude" in the physical units of the modulated
    /// signal and applies it as the amplitude of the sine it adds: the TCP programming interface
    /// documents <c>LockIn.ModAmpSet</c>/<c>ModAmpGet</c> as "Amplitude (V) is the modulation amplitude of
    /// the specified Lock-In modulator", with no RMS qualifier, and the NeXus NXlockin definition
    /// written from Nanonis files (FAIRmat-NFDI/nexus_definitions, contributed_definitions/NXlockin)
    /// describes the field as "the amplitude (in physical units of the modulated signal) of the sine
    /// modulation". Only the demodulated outputs (LIX/LIY) are RMS quantities. So the header value is
    /// taken as the peak amplitude, factor 1. The search of public sources did not turn up a sentence
    /// that says "zero-to-peak" in so many words; a user who knows their file holds an RMS value sets
    /// <see cref="SpectrumReadOptions.LockInAmplitudeIsRms"/> and gets √2 × the value.
    /// </remarks>
    public const double LockInAmplitudeToPeak = 1.0;

    internal static double? LockInPeakAmplitudeMV(IReadOnlyList<NanonisHeaderEntry> header, string source, SpectrumReadOptions options)
    {
        var amplitude = Find(header, "Lock-in>Amplitude");
        if (amplitude is null || IsBlankValue(amplitude.Value)) return null;
        double factorToMV = 1000; // Nanonis' default modulated signal is Bias (V)
        var modulated = Find(header, "Lock-in>Modulated signal");
        if (modulated is not null && !IsBlankValue(modulated.Value))
        {
            var signal = ChannelName.Parse(modulated.Value);
            if (!signal.Base.StartsWith("Bias", StringComparison.OrdinalIgnoreCase)) return null; // not a bias modulation
            factorToMV = Units.VoltsFactorToMV(signal.Unit)
                ?? throw new InputDataException(source, $"Lock-in>Modulated signal has unit '{signal.Unit}', not a voltage unit (V, mV, µV).", modulated.Line);
        }
        if (!Numbers.TryParse(amplitude.Value, out double value) || !double.IsFinite(value) || value < 0)
            throw new InputDataException(source, $"Lock-in>Amplitude '{Shorten(amplitude.Value)}' is not a finite non-negative number.", amplitude.Line);
        double peak = value * factorToMV * (options.LockInAmplitudeIsRms ? Math.Sqrt(2) : LockInAmplitudeToPeak);
        return double.IsFinite(peak) ? peak : throw new InputDataException(source, "Lock-in>Amplitude is too large to be a modulation amplitude.", amplitude.Line);
    }

    /// <summary>Tip position from a header key in metres (<c>X (m)</c>), in nm; null where absent or N/A.</summary>
    internal static double? PositionNm(IReadOnlyList<NanonisHeaderEntry> header, string key, string source)
    {
        var entry = Find(header, key);
        if (entry is null || IsBlankValue(entry.Value)) return null;
        if (!Numbers.TryParse(entry.Value, out double metres) || !double.IsFinite(metres) || Math.Abs(metres) > 1)
            throw new InputDataException(source, $"{key} '{Shorten(entry.Value)}' is not a tip position in metres.", entry.Line);
        return metres * 1e9;
    }

    internal static NanonisHeaderEntry? Find(IReadOnlyList<NanonisHeaderEntry> header, string key)
    {
        foreach (var e in header)
            if (string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase)) return e;
        return null;
    }

    internal static bool IsBlankValue(string value) =>
        value.Length == 0 || value.Equals("N/A", StringComparison.OrdinalIgnoreCase) || value.Equals("n/a", StringComparison.Ordinal);

    /// <summary>All header entries as a dictionary; a repeated key keeps every value, the n-th as <c>key #n</c>.</summary>
    internal static Dictionary<string, string> ToMetadata(IReadOnlyList<NanonisHeaderEntry> header)
    {
        var result = new Dictionary<string, string>(header.Count, StringComparer.Ordinal);
        foreach (var e in header)
        {
            if (result.TryAdd(e.Key, e.Value)) continue;
            for (int n = 2; ; n++)
                if (result.TryAdd($"{e.Key} #{n}", e.Value)) break;
        }
        return result;
    }

    internal static IReadOnlyDictionary<string, string> WithReaderKeys(Dictionary<string, string> metadata, string columns, string sweeps)
    {
        var copy = new Dictionary<string, string>(metadata, StringComparer.Ordinal)
        {
            ["NbnEdge>Columns"] = columns,
            ["NbnEdge>Sweeps"] = sweeps,
        };
        return new ReadOnlyDictionary<string, string>(copy);
    }

    internal static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";

    /// <summary>Text as Nanonis writes it: UTF-8 where the bytes are valid UTF-8, else Windows Latin-1.</summary>
    internal static string Decode(ReadOnlySpan<byte> bytes)
    {
        try { return StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException) { return Encoding.Latin1.GetString(bytes); }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}

internal static class Numbers
{
    /// <summary>Parses a number as Nanonis writes it (<c>-999.82E-3</c>, <c>NaN</c>, <c>Inf</c>, <c>-Inf</c>).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out double value)
    {
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        if (text.Equals("Inf", StringComparison.OrdinalIgnoreCase) || text.Equals("+Inf", StringComparison.OrdinalIgnoreCase)) { value = double.PositiveInfinity; return true; }
        if (text.Equals("-Inf", StringComparison.OrdinalIgnoreCase)) { value = double.NegativeInfinity; return true; }
        value = double.NaN;
        return false;
    }

    public static bool TryParseInt(ReadOnlySpan<char> text, int min, int max, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}

internal static class Units
{
    /// <summary>Factor that turns a value in <paramref name="unit"/> into mV; null for a unit that is not a voltage.</summary>
    public static double? VoltsFactorToMV(string unit) => unit switch
    {
        "V" => 1000,
        "mV" => 1,
        "µV" or "μV" or "uV" => 1e-3,
        "nV" => 1e-6,
        _ => null,
    };
}
