using System.CommandLine;
using System.Globalization;
using NbnEdge.Cli.Commands;

namespace NbnEdge.Cli.Live;

/// <summary>
/// <c>--film-ref</c>: the user's own film for the live Table I row, instead of the paper's rows.
/// Either <c>name,d_nm,tc_K,r_sheet_ohm</c> (e.g. <c>"my film,12,11.5,310"</c>) or a file of
/// <c>key = value</c> lines with the keys <c>name</c>, <c>d_nm</c>, <c>tc_K</c>, <c>r_sheet_ohm</c>
/// (blank lines and lines starting with <c>#</c> are ignored).
/// </summary>
internal static class FilmReferenceOption
{
    private static readonly string[] Keys = ["name", "d_nm", "tc_K", "r_sheet_ohm"];

    public static Option<string?> Create() => new("--film-ref")
    {
        Description = "Your film for the Table I row: name,d_nm,tc_K,r_sheet_ohm (e.g. \"NbN 12 nm,12,11.5,310\"), or a FILE of key = value lines (name, d_nm, tc_K, r_sheet_ohm).",
        HelpName = "NAME,D_NM,TC_K,R_SHEET_OHM|FILE",
    };

    /// <summary>Parses the option's value; a usage error (exit 2) names what is wrong.</summary>
    public static FilmReference Parse(string value)
    {
        if (File.Exists(value)) return ParseFile(value);
        string[] parts = value.Split(',');
        if (parts.Length != 4)
            throw new UsageException($"--film-ref '{value}': expected name,d_nm,tc_K,r_sheet_ohm (4 comma-separated fields, got {parts.Length}), or an existing file.");
        return Build("--film-ref", parts.Select((p, i) => (Keys[i], p.Trim())).ToDictionary(kv => kv.Item1, kv => kv.Item2));
    }

    private static FilmReference ParseFile(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int eq = line.IndexOf('=');
            if (eq <= 0) throw new UsageException($"--film-ref {path}, line {i + 1}: expected key = value, got '{line}'.");
            string key = line[..eq].Trim();
            if (!Keys.Contains(key)) throw new UsageException($"--film-ref {path}, line {i + 1}: unknown key '{key}' (keys: {string.Join(", ", Keys)}).");
            if (!values.TryAdd(key, line[(eq + 1)..].Trim())) throw new UsageException($"--film-ref {path}, line {i + 1}: '{key}' given twice.");
        }

        foreach (string key in Keys)
            if (!values.ContainsKey(key)) throw new UsageException($"--film-ref {path}: missing '{key}' (keys: {string.Join(", ", Keys)}).");
        return Build($"--film-ref {path}", values);
    }

    private static FilmReference Build(string where, IReadOnlyDictionary<string, string> v)
    {
        string name = v["name"];
        if (name.Length == 0) throw new UsageException($"{where}: the film's name is empty.");
        double Positive(string key, string unit)
        {
            if (!double.TryParse(v[key], NumberStyles.Float, CultureInfo.InvariantCulture, out double x) || !double.IsFinite(x) || x <= 0)
                throw new UsageException($"{where}: {key} must be a positive number in {unit}, got '{v[key]}'.");
            return x;
        }

        double d = Positive("d_nm", "nm"), tc = Positive("tc_K", "K"), r = Positive("r_sheet_ohm", "Ω");
        // The paper's figures do not exist for the user's film: NaN leaves the "paper" row out.
        return new FilmReference("user", name, d, tc, r, double.NaN, double.NaN, double.NaN);
    }
}
