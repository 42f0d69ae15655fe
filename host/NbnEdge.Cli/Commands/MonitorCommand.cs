using System.CommandLine;

namespace NbnEdge.Cli.Commands;

internal static class MonitorCommand
{
    public static Command Create(TextWriter output) => new("monitor", "(not yet)");
}
