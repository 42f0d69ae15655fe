using System.CommandLine;
using NbnEdge.Cli.Firmware;

namespace NbnEdge.Cli.Commands;

/// <summary><c>nbnedge boards</c>: the supported boards, their nanoff targets and pins.</summary>
internal static class BoardsCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("boards", "List the supported boards: id, nanoFramework target for 'flash', pins and data UART.");
        command.SetAction(_ =>
        {
            foreach (BoardInfo b in BoardCatalog.All)
            {
                output.WriteLine(b.Id);
                output.WriteLine($"  {b.Mcu}: {b.Module}");
                output.WriteLine($"  nanoff target: {b.NanoffTarget}");
                output.WriteLine($"  pins: {b.Pins}");
                output.WriteLine($"  data UART: {b.DataUart}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
