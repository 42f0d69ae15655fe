using System.Text;
using System.Text.RegularExpressions;
using NbnEdge.Analysis;

namespace NbnEdge.Instruments;

/// <summary>A Nanonis column or channel name taken apart: <c>LI Demod 1 X [00002] [bwd] (A) [filt]</c>.</summary>
internal sealed record ChannelName(string Header, string Base, string Unit, int? Repetition, bool IsAverage, bool IsBackward, bool IsFiltered)
{
    public static ChannelName Parse(string header)
    {
        var text = header.Trim();
        var baseName = new StringBuilder(text.Length);
        string unit = "";
        int? repetition = null;
        bool average = false, backward = false, filtered = false;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            int close = c == '[' ? text.IndexOf(']', i + 1) : c == '(' ? text.IndexOf(')', i + 1) : -1;
            if (close < 0) { baseName.Append(c); i++; continue; }
            var inner = text.AsSpan(i + 1, close - i - 1).Trim();
            if (c == '(')
            {
                // The unit is the last parenthesised group; an earlier one belongs to the name.
                if (unit.Length > 0) baseName.Append('(').Append(unit).Append(')');
                unit = inner.ToString();
            }
            else if (inner.Equals("AVG", StringComparison.OrdinalIgnoreCase)) average = true;
            else if (inner.Equals("bwd", StringComparison.OrdinalIgnoreCase)) backward = true;
            else if (inner.Equals("filt", StringComparison.OrdinalIgnoreCase)) filtered = true;
            else if (inner.Length > 0 && IsDigits(inner) && int.TryParse(inner, out int n)) repetition = n;
            else baseName.Append('[').Append(inner).Append(']'); // unknown tag: part of the name, its own channel
            i = close + 1;
        }
        var collapsed = Regex.Replace(baseName.ToString(), @"\s+", " ").Trim();
        return new ChannelName(text, collapsed, unit, repetition, average, backward, filtered);
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (char c in s) if (c is < '0' or > '9') return false;
        return true;
    }

    /// <summary>The channel a column belongs to, whatever sweep it holds.</summary>
    public string FamilyKey => $"{Base.ToUpperInvariant()}\u0001{Unit}\u0001{IsFiltered}";

    /// <summary>Name of one sweep for <see cref="SweepSelection.Each"/>: base plus its sweep tags.</summary>
    public string SweepName =>
        Base + (IsAverage ? " [AVG]" : "") + (Repetition is { } r ? $" [{r:D5}]" : "") + (IsBackward ? " [bwd]" : "") + (IsFiltered ? " [filt]" : "");
}

/// <summary>One spectrum to build: the columns (channels) whose point-wise mean is its conductance.</summary>
internal sealed record SpectrumPlan(string Name, int[] Columns, string ColumnNames, string Sweeps);

/// <summary>Finds the dI/dV channel among a file's columns and plans the spectra the sweep option asks for.</summary>
internal static class ChannelSelection
{
    private static readonly Regex LiDemodX = new(@"^LI Demod (\d+) X$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex LixOmega = new(@"^LIX (\d+|n) omega$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex ExternalLockInX = new(@"^X%?\s*Lock-?In$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex CommentKey = new(@"^Comment\d*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>
    /// The spectra to build from <paramref name="columns"/> (index into the file's columns, parsed name).
    /// Returns null with <paramref name="whyNone"/> set when no channel was named and none was recognised;
    /// throws for a named channel that does not exist or is ambiguous, or a missing requested sweep.
    /// </summary>
    public static IReadOnlyList<SpectrumPlan>? Plan(
        IReadOnlyList<(int Index, ChannelName Name)> columns,
        IReadOnlyList<NanonisHeaderEntry> header,
        SpectrumReadOptions options,
        string source,
        long? line,
        out string? whyNone)
    {
        whyNone = null;
        if (options.Channel is { } wanted && wanted.Trim().Length > 0)
        {
            wanted = wanted.Trim();
            foreach (var c in columns)
                if (string.Equals(c.Name.Header, wanted, StringComparison.OrdinalIgnoreCase))
                {
                    var only = c.Name.SweepName;
                    return [new SpectrumPlan(only, [c.Index], c.Name.Header, "the one column named")];
                }
            var family = FindNamedFamily(columns, wanted, source, line);
            return PlanSweeps(family, options.Sweeps, source, line);
        }

        var automatic = FindAutomatically(columns, header);
        if (automatic is null)
        {
            var names = string.Join(", ", columns.Select(c => c.Name.Base).Distinct(StringComparer.OrdinalIgnoreCase));
            whyNone = $"no dI/dV channel found (looked for LI Demod n X, LIX n omega, X% LockIn and an input named in the comments); the channels are: {names}; name one with the channel option.";
            return null;
        }
        return PlanSweeps(automatic, options.Sweeps, source, line);
    }

    /// <summary>The channel family the header names and comments point to (the automatic choice by name), or null.</summary>
    internal static List<(int Index, ChannelName Name)>? ByName(
        IReadOnlyList<(int Index, ChannelName Name)> columns, IReadOnlyList<NanonisHeaderEntry> header) => FindAutomatically(columns, header);

    /// <summary>The spectra the sweep option asks for from one channel family.</summary>
    internal static IReadOnlyList<SpectrumPlan> PlanFamily(
        List<(int Index, ChannelName Name)> family, SweepSelection sweeps, string source, long? line) => PlanSweeps(family, sweeps, source, line);

    private static List<(int Index, ChannelName Name)> FindNamedFamily(
        IReadOnlyList<(int Index, ChannelName Name)> columns, string wanted, string source, long? line)
    {
        var parsed = ChannelName.Parse(wanted);
        bool wantsFiltered = parsed.IsFiltered;
        var families = columns.GroupBy(c => c.Name.FamilyKey).Select(g => g.ToList()).ToList();

        var exact = families.Where(f => string.Equals(f[0].Name.Base, parsed.Base, StringComparison.OrdinalIgnoreCase)
                                        && (parsed.Unit.Length == 0 || f[0].Name.Unit == parsed.Unit)).ToList();
        var candidates = exact.Count > 0
            ? exact
            : families.Where(f => f[0].Name.Base.StartsWith(parsed.Base.Length > 0 ? parsed.Base : wanted, StringComparison.OrdinalIgnoreCase)).ToList();
        if (candidates.Count == 0)
            throw new InputDataException(source, $"no channel matches '{wanted}'; the channels are: {string.Join(", ", families.Select(f => f[0].Name.Base).Distinct(StringComparer.OrdinalIgnoreCase))}.", line);

        var byFilter = candidates.Where(f => f[0].Name.IsFiltered == wantsFiltered).ToList();
        if (byFilter.Count > 0) candidates = byFilter;
        var distinct = candidates.Select(f => $"{f[0].Name.Base} ({f[0].Name.Unit}){(f[0].Name.IsFiltered ? " [filt]" : "")}").Distinct().ToList();
        if (distinct.Count > 1)
            throw new InputDataException(source, $"channel '{wanted}' is ambiguous: it matches {string.Join(", ", distinct)}.", line);
        return candidates[0];
    }

    private static List<(int Index, ChannelName Name)>? FindAutomatically(
        IReadOnlyList<(int Index, ChannelName Name)> columns, IReadOnlyList<NanonisHeaderEntry> header)
    {
        // Filtered copies are the instrument's display smoothing: never the default.
        var families = columns.Where(c => !c.Name.IsFiltered).GroupBy(c => c.Name.FamilyKey).Select(g => g.ToList()).ToList();

        // Internal lock-in, newer software: prefer the demodulator set to the first harmonic (dI/dV), then the lowest number.
        var demod = families
            .Select(f => (Family: f, Match: LiDemodX.Match(f[0].Name.Base)))
            .Where(x => x.Match.Success)
            .Select(x => (x.Family, Number: int.Parse(x.Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(x => HarmonicOf(header, x.Number) == 1 ? 0 : 1).ThenBy(x => x.Number)
            .ToList();
        if (demod.Count > 0) return demod[0].Family;

        // Internal lock-in, Generic 4: "LIX 1 omega" is the first harmonic, "LIX n omega" the n-th.
        var lix = families
            .Select(f => (Family: f, Match: LixOmega.Match(f[0].Name.Base)))
            .Where(x => x.Match.Success)
            .OrderBy(x => x.Match.Groups[1].Value == "n" ? int.MaxValue : int.Parse(x.Match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        if (lix.Count > 0) return lix[0].Family;

        var external = families.FirstOrDefault(f => ExternalLockInX.IsMatch(f[0].Name.Base));
        if (external is not null) return external;

        // An external lock-in wired to an input the user named in a comment ("dI/dV on Input 3").
        var comments = string.Join("\n", header.Where(e => CommentKey.IsMatch(e.Key)).Select(e => e.Value));
        if (comments.Length == 0) return null;
        var named = families
            .Where(f => !IsHousekeeping(f[0].Name.Base) && MentionsWord(comments, f[0].Name.Base))
            .ToList();
        return named.Select(f => f[0].Name.Base.ToUpperInvariant()).Distinct().Count() == 1 ? named[0] : null;
    }

    private static int? HarmonicOf(IReadOnlyList<NanonisHeaderEntry> header, int demodulator)
    {
        var e = NanonisHeader.Find(header, $"Lock-in>Harmonic D{demodulator}");
        return e is not null && int.TryParse(e.Value.Trim(), out int h) ? h : null;
    }

    private static bool IsHousekeeping(string baseName) =>
        baseName.Equals("Current", StringComparison.OrdinalIgnoreCase)
        || baseName.StartsWith("Bias", StringComparison.OrdinalIgnoreCase)
        || baseName.Equals("Z", StringComparison.OrdinalIgnoreCase);

    private static bool MentionsWord(string text, string word)
    {
        int at = 0;
        while ((at = text.IndexOf(word, at, StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            bool startOk = at == 0 || !char.IsLetterOrDigit(text[at - 1]);
            int end = at + word.Length;
            bool endOk = end >= text.Length || !char.IsLetterOrDigit(text[end]);
            if (startOk && endOk) return true;
            at = end;
        }
        return false;
    }

    private static IReadOnlyList<SpectrumPlan> PlanSweeps(
        List<(int Index, ChannelName Name)> family, SweepSelection sweeps, string source, long? line)
    {
        var first = family[0].Name;
        string baseName = first.Base + (first.IsFiltered ? " [filt]" : "");
        var averages = family.Where(c => c.Name.IsAverage).ToList();
        var singles = family.Where(c => !c.Name.IsAverage).ToList();

        SpectrumPlan Make(string name, List<(int Index, ChannelName Name)> cols, string what) =>
            new(name, cols.Select(c => c.Index).ToArray(), string.Join("; ", cols.Select(c => c.Name.Header)), what);

        switch (sweeps)
        {
            case SweepSelection.Average:
            {
                var cols = averages.Count > 0 ? averages : singles;
                return [Make(cols.Count == 1 ? baseName : baseName + " [avg]", cols, "average of all sweeps")];
            }
            case SweepSelection.Forward:
            case SweepSelection.Backward:
            {
                bool backward = sweeps == SweepSelection.Backward;
                var avg = averages.Where(c => c.Name.IsBackward == backward).ToList();
                var cols = avg.Count > 0 ? avg : singles.Where(c => c.Name.IsBackward == backward).ToList();
                if (cols.Count == 0)
                    throw new InputDataException(source, $"channel {baseName} has no {(backward ? "backward" : "forward")} sweep.", line);
                return [Make(baseName + (backward ? " [bwd]" : ""), cols, backward ? "backward" : "forward")];
            }
            default:
            {
                var cols = singles.Count > 0 ? singles : averages;
                return cols.Select(c => Make(c.Name.SweepName, [c], "one sweep")).ToList();
            }
        }
    }
}
