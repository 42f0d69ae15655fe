using System.Diagnostics;

namespace NbnEdge.Cli.Firmware;

/// <summary>
/// Runs nanoff, the nanoFramework flasher (a .NET global tool), passing its progress through line
/// by line. nbnedge does not flash by itself: nanoff knows every chip revision and bootloader
/// quirk, and a home-made flasher would be worse at the one thing it must not get wrong.
/// </summary>
public static class NanoffRunner
{
    /// <summary>The exact command to install nanoff, for the error a user sees when it is missing.</summary>
    public const string InstallCommand = "dotnet tool install --global nanoff";

    /// <summary>The nanoff executable on PATH, or null.</summary>
    public static string? Find()
    {
        string[] names = OperatingSystem.IsWindows() ? ["nanoff.exe", "nanoff.cmd"] : ["nanoff"];
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string name in names)
            {
                string candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        }

        // `dotnet tool install --global` puts tools here, which is not always on PATH yet.
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string global = Path.Combine(home, ".dotnet", "tools", names[0]);
        return File.Exists(global) ? global : null;
    }

    /// <summary>The arguments for a runtime (nanoBooter + nanoCLR) update.</summary>
    public static string[] RuntimeArguments(string target, string port) => ["--target", target, "--serialport", port, "--update"];

    /// <summary>The arguments for deploying the app's image.</summary>
    public static string[] DeployArguments(string target, string port, string image) => ["--target", target, "--serialport", port, "--deploy", "--image", image];

    /// <summary>One command line as a shell would take it (arguments with spaces quoted).</summary>
    public static string Format(IEnumerable<string> arguments) =>
        "nanoff " + string.Join(' ', arguments.Select(a => a.Length == 0 || a.Any(c => char.IsWhiteSpace(c) || c == '"') ? "\"" + a.Replace("\"", "\\\"") + "\"" : a));

    /// <summary>Runs nanoff, writing each line it prints to <paramref name="progress"/>; returns its exit code.</summary>
    public static int Run(string executable, IReadOnlyList<string> arguments, TextWriter progress, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new IOException($"could not start {executable}");
        var gate = new object();
        void Pass(string? line)
        {
            if (line is null) return;
            lock (gate) progress.WriteLine("  nanoff: " + line);
        }

        process.OutputDataReceived += (_, e) => Pass(e.Data);
        process.ErrorDataReceived += (_, e) => Pass(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellationToken.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
        {
            process.WaitForExit();
        }

        cancellationToken.ThrowIfCancellationRequested();
        return process.ExitCode;
    }
}
