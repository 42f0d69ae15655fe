using System.CommandLine;

namespace NbnEdge.Cli.Commands;

internal static class EstimateCommand
{
    public static Command Create(TextWriter output) => new("estimate", "(not yet)");
}
