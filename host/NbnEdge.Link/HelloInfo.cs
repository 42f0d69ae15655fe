using System.Globalization;

namespace NbnEdge.Link;

/// <summary>
/// A parsed HELLO: the device's <c>key=value</c> lines. The two scalings are kept as the exact
/// decimals the board sends (BoardDefinition keeps them as decimal text for that reason), so a
/// code converts to µV without a binary rounding step in between.
/// </summary>
public sealed class HelloInfo
{
    /// <summary>Every key and value as sent (later duplicates win).</summary>
    public IReadOnlyDictionary<string, string> Values { get; }

    /// <summary>The HELLO text as received.</summary>
    public string Text { get; }

    /// <summary>Device epoch (0 for the first device life seen, +1 per reboot) the HELLO arrived in.</summary>
    public int DeviceEpoch { get; init; }

    /// <summary>seq of the HELLO frame.</summary>
    public uint Seq { get; init; }

    /// <summary>Firmware version (<c>fw</c>), or null.</summary>
    public string? Firmware => Get("fw");

    /// <summary>Board id (<c>board</c>, a folder under boards/), or null.</summary>
    public string? Board => Get("board");

    /// <summary>Converter part (<c>adc</c>), or null.</summary>
    public string? Adc => Get("adc");

    /// <summary>Tunnel-junction bias per bias code, in µV (<c>bias_uV_per_lsb</c>); null if missing or not a number.</summary>
    public decimal? BiasUvPerLsb { get; }

    /// <summary>Lock-in output at the connector per signal code, in µV (<c>signal_uV_per_lsb</c>); null if missing or not a number.</summary>
    public decimal? SignalUvPerLsb { get; }

    /// <summary>Points per spectrum (<c>points</c>; 0 = whole sweeps), or null.</summary>
    public int? Points => GetInt("points");

    /// <summary>Sweep directions sent (<c>sweep</c>: fwd, bwd, both), or null.</summary>
    public string? Sweep => Get("sweep");

    /// <summary>Converter output rate in Hz (<c>sample_rate_hz</c>), or null.</summary>
    public int? SampleRateHz => GetInt("sample_rate_hz");

    /// <summary>Whether both scalings are present: spectra can be converted to physical units.</summary>
    public bool HasScaling => BiasUvPerLsb.HasValue && SignalUvPerLsb.HasValue;

    private HelloInfo(string text, Dictionary<string, string> values)
    {
        Text = text;
        Values = values;
        BiasUvPerLsb = ParseDecimal(values.GetValueOrDefault("bias_uV_per_lsb"));
        SignalUvPerLsb = ParseDecimal(values.GetValueOrDefault("signal_uV_per_lsb"));
    }

    /// <summary>
    /// Parses HELLO text: one <c>key=value</c> per line, surrounding spaces and blank lines ignored,
    /// lines without '=' skipped (a newer device may send other shapes; they must not break parsing).
    /// </summary>
    public static HelloInfo Parse(string text, int deviceEpoch = 0, uint seq = 0)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            int eq = line.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }

        return new HelloInfo(text, values) { DeviceEpoch = deviceEpoch, Seq = seq };
    }

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public string? Get(string key) => Values.TryGetValue(key, out string? v) ? v : null;

    private int? GetInt(string key) =>
        int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : null;

    private static decimal? ParseDecimal(string? text) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal v) && v > 0 ? v : null;
}
