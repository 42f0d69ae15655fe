using System.CommandLine;
using NbnEdge.Analysis;
using NbnEdge.Cli.Commands;

namespace NbnEdge.Cli;

/// <summary>Exit codes other tools can rely on.</summary>
public static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Ok = 0;

    /// <summary>The input (a file, a stream) was wrong; one line on stderr says where and what.</summary>
    public const int BadInput = 1;

    /// <summary>The command line itself was wrong.</summary>
    public const int Usage = 2;

    /// <summary>A fault in nbnedge itself.</summary>
    public const int InternalError = 70;
}

/// <summary>The <c>nbnedge</c> command tree and its error policy.</summary>
public static class CommandLine
{
    /// <summary>Parses and runs; never throws for user mistakes.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("NbnEdge: superconducting-gap homogeneity of thin films, from STM spectra.")
        {
            FitCommand.Create(output),
            StatsCommand.Create(output),
            TableCommand.Create(output),
            BenchCommand.Create(output),
            MapCommand.Create(output),
            ServeCommand.Create(output),
            ModelTableCommand.Create(output),
        };
        foreach (var extra in ExtraCommands.Create(output)) root.Add(extra);
        // --version names nbnedge's own version and commit (the informational version the SDK
        // stamps from git), whoever the entry assembly is (a test host, the tool shim).
        foreach (var option in root.Options.OfType<VersionOption>())
        {
            option.Action = new VersionAction(output);
        }

        CliConventions.Apply(root);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (string message in CliConventions.Explain(root, parse)) error.WriteLine($"nbnedge: {message}");
            error.WriteLine("Run 'nbnedge --help' (or 'nbnedge COMMAND --help') for usage.");
            return ExitCodes.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (InputDataException e)
        {
            error.WriteLine($"nbnedge: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (UsageException e)
        {
            error.WriteLine($"nbnedge: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The environment (a full disk, a folder that cannot be written, an address not of this host), not nbnedge.
            error.WriteLine($"nbnedge: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("nbnedge: cancelled.");
            return 130;
        }
        catch (Exception e)
        {
            error.WriteLine($"nbnedge: internal error ({e.GetType().Name}): {e.Message}");
            error.WriteLine("This is a fault in nbnedge, not in your input; please report it with the command line used.");
            if (Environment.GetEnvironmentVariable("NBNEDGE_DEBUG") == "1") error.WriteLine(e);
            return ExitCodes.InternalError;
        }
    }
}

/// <summary>Prints nbnedge's version and the commit it was built from.</summary>
internal sealed class VersionAction(TextWriter output) : System.CommandLine.Invocation.SynchronousCommandLineAction
{
    /// <summary>The version, with <c>+commit</c> when the build knew it.</summary>
    public static string Version =>
        typeof(CommandLine).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
        ?? typeof(CommandLine).Assembly.GetName().Version?.ToString() ?? "unknown";

    public override int Invoke(ParseResult parseResult)
    {
        output.WriteLine(Version);
        return ExitCodes.Ok;
    }
}

/// <summary>A combination of options that cannot work (reported with exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
