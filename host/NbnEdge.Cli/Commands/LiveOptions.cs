using System.CommandLine;
using System.Globalization;
using NbnEdge.Simulator;

namespace NbnEdge.Cli.Commands;

/// <summary>Options and helpers the live-link commands share.</summary>
internal static class LiveOptions
{
    public static Option<string> Film() => new Option<string>("--film")
    {
        Description = "Film preset of the simulator: 25nm, 5nm or 4nm (docs/DESIGN.md's reference films).",
        DefaultValueFactory = _ => "5nm",
    }.AcceptOnlyFromAmong("25nm", "5nm", "4nm");

    public static Option<string?> Journal(string description) => new("--journal") { Description = description };

    public static FilmPreset Preset(string name) => FilmPreset.Get(name);

    /// <summary>A fresh folder under the system temp dir (unique, so two runs in the same second never share a journal).</summary>
    public static string NewTempSessionFolder(string kind) =>
        Path.Combine(Path.GetTempPath(), "nbnedge-sessions",
            $"{kind}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Environment.ProcessId}-{Random.Shared.Next(0x10000):x4}");
}
