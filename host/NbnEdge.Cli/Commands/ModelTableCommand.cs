using System.CommandLine;
using NbnEdge.Analysis.Model;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// <c>nbnedge model-table --out FILE</c>: regenerates the shipped conductance table from the exact
/// model (host/NbnEdge.Analysis/Model/bcs-table.bin.br). For developers, and listed as such: a
/// hidden command printed nothing for --help.
/// </summary>
internal static class ModelTableCommand
{
    public static Command Create(TextWriter output)
    {
        var outFile = new Option<string>("--out") { Description = "Where to write the table.", Required = true, HelpName = "FILE" };
        var command = new Command("model-table", "For developers: regenerate the fitter's conductance table from the exact model (about a minute).") { outFile };
        command.SetAction(p =>
        {
            var table = BcsConductanceTable.Build();
            string path = p.GetValue(outFile)!;
            using (var f = File.Create(path)) table.Save(f);
            output.WriteLine($"wrote {path} ({new FileInfo(path).Length:N0} bytes)");
            return ExitCodes.Ok;
        });
        return command;
    }
}
