using Spectre.Console;

namespace NbnEdge.Cli;

/// <summary>
/// Spectre consoles on a given writer: plain text (no escape sequences) when the output is not a
/// terminal, no colours when NO_COLOR is set (no-color.org), and wide enough that tables do not
/// wrap when piped.
/// </summary>
internal static class ConsoleFactory
{
    /// <summary>Whether the user asked for no colour (NO_COLOR set to anything but empty).</summary>
    public static bool NoColorRequested => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    public static IAnsiConsole For(TextWriter output)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal && !NoColorRequested ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal) console.Profile.Width = 160;
        return console;
    }
}
