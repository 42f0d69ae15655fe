using System.CommandLine;

namespace NbnEdge.Cli.Commands;

/// <summary>Commands contributed by the later parts of the product (live link, firmware, dashboard).</summary>
internal static partial class ExtraCommands
{
    public static IEnumerable<Command> Create(TextWriter output)
    {
        var list = new List<Command>();
        AddCommands(list, output);
        return list;
    }

    static partial void AddCommands(List<Command> list, TextWriter output);
}
