using System.CommandLine;
using System.Text.RegularExpressions;

namespace NbnEdge.Cli;

/// <summary>
/// What every nbnedge command shares, applied to the whole tree in one place so that options added
/// later follow it too: help placeholders that name the unit or kind of a value (<c>--vm &lt;MV&gt;</c>,
/// not <c>--vm &lt;vm&gt;</c>), and parse errors in words a user reads (no .NET type names), with the
/// nearest command suggested for a typo.
/// </summary>
internal static partial class CliConventions
{
    /// <summary>Placeholder by option name, where the unit or kind is not the name itself.</summary>
    private static readonly Dictionary<string, string> Placeholders = new(StringComparer.Ordinal)
    {
        ["--vm"] = "MV", ["--gamma"] = "MEV", ["--tip-gap"] = "MEV", ["--tip-gamma"] = "MEV", ["--leakage"] = "FRACTION",
        ["--plot"] = "DIR", ["--journal"] = "DIR", ["--out"] = "FILE", ["--image"] = "FILE", ["--film-ref"] = "NAME,D_NM,TC_K,R_OHM",
        ["--spectra"] = "N", ["--seed"] = "N", ["--plot-dpi"] = "DPI", ["--plot-size"] = "WxH", ["--plot-format"] = "FORMATS",
        ["--port"] = "DEVICE", ["--data-port"] = "DEVICE", ["--dashboard-port"] = "PORT", ["--tcp"] = "PORT", ["--baud"] = "BAUD",
        ["--linger"] = "S", ["--duration"] = "S", ["--timeout"] = "S", ["--time-scale"] = "FACTOR",
        ["--listen"] = "ADDRESS", ["--allow-host"] = "NAME", ["--channel"] = "NAME", ["--board"] = "ID",
        ["--spacing-nm"] = "NM", ["--grid"] = "N",
    };

    /// <summary>Sets a placeholder on every option of the tree that takes a value and has none.</summary>
    public static void Apply(Command root)
    {
        foreach (Command command in Walk(root))
        {
            foreach (Option option in command.Options)
            {
                if (option.ValueType == typeof(bool) || option.HelpName is not null || option.Arity.MaximumNumberOfValues == 0) continue;
                // Options limited to a few words show them (<avg|fwd|bwd|each>): leave those to the parser.
                if (option.CompletionSources.Count > 0 && option.GetCompletions(System.CommandLine.Completions.CompletionContext.Empty).Any()) continue;
                option.HelpName = Placeholders.TryGetValue(option.Name, out string? name) ? name
                    : option.Name.TrimStart('-').Replace('-', '_').ToUpperInvariant();
            }
        }
    }

    /// <summary>Every command under <paramref name="root"/>, itself included.</summary>
    public static IEnumerable<Command> Walk(Command root)
    {
        yield return root;
        foreach (Command sub in root.Subcommands)
            foreach (Command c in Walk(sub)) yield return c;
    }

    /// <summary>The parse errors, said plainly: "--vm: 'abc' is not a number (MV)"; "no command 'fitt': did you mean 'fit'?".</summary>
    public static IEnumerable<string> Explain(RootCommand root, ParseResult parse)
    {
        var messages = new List<string>();
        bool unknownCommand = false;
        // A missing command beside an unknown word is the same mistake: say it once, as the typo.
        bool typo = parse.CommandResult.Command == root && parse.Errors.Any(e => Unrecognized().IsMatch(e.Message));
        foreach (var e in parse.Errors.OrderBy(e => e.Message.StartsWith("Required command", StringComparison.Ordinal) ? 1 : 0))
        {
            string m = e.Message;
            var cannot = CannotParse().Match(m);
            if (cannot.Success)
            {
                string value = cannot.Groups["value"].Value, name = cannot.Groups["option"].Value, type = cannot.Groups["type"].Value;
                Option? option = Walk(root).SelectMany(c => c.Options).FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name));
                string kind = type.Contains("Int", StringComparison.Ordinal) ? "a whole number" : type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "a number" : "valid here";
                string unit = option?.HelpName is { } h ? $" ({h})" : "";
                messages.Add($"{name}: '{value}' is not {kind}{unit}.");
                continue;
            }

            var unrecognized = Unrecognized().Match(m);
            if (unrecognized.Success && parse.CommandResult.Command == root && !unknownCommand && !unrecognized.Groups["token"].Value.StartsWith('-'))
            {
                unknownCommand = true;
                string token = unrecognized.Groups["token"].Value;
                string? nearest = root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)
                    .Select(n => (Name: n, Distance: Distance(token, n))).OrderBy(x => x.Distance).FirstOrDefault(x => x.Distance <= Math.Max(2, token.Length / 3)).Name;
                messages.Add(nearest is null ? $"no command '{token}' (see 'nbnedge --help')." : $"no command '{token}': did you mean '{nearest}'?");
                continue;
            }

            // Once the command is unknown, its arguments and the missing command say nothing more.
            if ((unknownCommand && unrecognized.Success) || (typo && m.StartsWith("Required command", StringComparison.Ordinal))) continue;
            messages.Add(m.StartsWith("Required command", StringComparison.Ordinal) ? "no command given: nbnedge COMMAND …" : m);
        }

        return messages;
    }

    /// <summary>Levenshtein distance, for command suggestions.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'")]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Unrecognized command or argument '(?<token>.*)'")]
    private static partial Regex Unrecognized();
}
