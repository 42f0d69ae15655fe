using System.CommandLine;

namespace NbnEdge.Cli.Commands;

/// <summary>The live-link commands (issue 5) and <c>estimate</c> (issue 4).</summary>
internal static partial class ExtraCommands
{
    static partial void AddCommands(List<Command> list, TextWriter output)
    {
        list.Add(DemoCommand.Create(output));
        list.Add(MonitorCommand.Create(output));
        list.Add(IngestCommand.Create(output));
        list.Add(ReplayCommand.Create(output));
        list.Add(SimulateCommand.Create(output));
        list.Add(EstimateCommand.Create(output));
        list.Add(FlashCommand.Create(output));
        list.Add(BoardsCommand.Create(output));
    }
}
