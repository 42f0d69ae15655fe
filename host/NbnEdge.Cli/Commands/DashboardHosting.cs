using System.CommandLine;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Dashboard;
using NbnEdge.Link;
using NbnEdge.Live;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// The web dashboard as the commands host it: options, start-up on loopback, and waiting for
/// Ctrl+C (the feeding is <see cref="LivePipelineFeed"/>'s).
/// </summary>
internal static class DashboardHosting
{
    public static Option<bool> DashboardOption() => new("--dashboard") { Description = "Serve the live web dashboard (read-only) and print its address." };

    public static Option<string?> ListenOption() => new("--listen")
    {
        Description = "Address to serve the dashboard on (default 127.0.0.1). A non-loopback address is accepted only when named here.",
    };

    public static Option<string[]> AllowHostOption() => new("--allow-host")
    {
        Description = "With --listen beyond loopback: another host name the dashboard answers to (besides this machine's own names and addresses). Repeatable.",
        HelpName = "NAME",
        AllowMultipleArgumentsPerToken = true,
    };

    /// <summary>The web port: <c>--dashboard-port</c> in every command, since <c>--port</c> always means a serial port.</summary>
    public static Option<int> PortOption() =>
        ValidatedPort(new Option<int>("--dashboard-port") { Description = "Dashboard port (0: any free port).", DefaultValueFactory = _ => 0, HelpName = "PORT" });
    /// <summary>Adds the 0–65535 check to a TCP port option (a usage error, exit 2, outside it).</summary>
    public static Option<int> ValidatedPort(Option<int> option)
    {
        option.Validators.Add(r =>
        {
            // A value that is no integer at all is already the parser's error.
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int port)
                && port is < 0 or > 65535)
                r.AddError($"{option.Name} {port}: a TCP port is 0 to 65535 (0: any free port).");
        });
        return option;
    }

    /// <summary>
    /// Starts the server; the address goes to <paramref name="info"/> (stderr when stdout carries JSON).
    /// <paramref name="port"/> comes from <see cref="PortOption"/>, whose validator already refused anything outside 0–65535.
    /// </summary>
    public static async Task<DashboardServer> StartAsync(DashboardState state, string? listen, int port, TextWriter info,
        IReadOnlyList<string>? allowHosts = null, FacilityState? facility = null)
    {
        try
        {
            var server = await DashboardServer.StartAsync(state, new DashboardServerOptions
            {
                ListenAddress = listen ?? "127.0.0.1",
                Port = port,
                AllowNonLoopback = listen is not null,
                AllowedHosts = allowHosts ?? [],
                Facility = facility,
            }).ConfigureAwait(false);
            info.WriteLine($"dashboard: {server.Url}");
            var bound = System.Net.IPAddress.Parse(server.Url.Host.Trim('[', ']'));
            if (bound.Equals(System.Net.IPAddress.Any) || bound.Equals(System.Net.IPAddress.IPv6Any))
                info.WriteLine($"WARNING: the dashboard listens on every network interface ({bound}): anyone who can reach this machine can read the session. " +
                    "It answers only to this machine's own names and addresses" + (allowHosts is { Count: > 0 } ? $" and {string.Join(", ", allowHosts)}" : "") + ".");
            info.Flush();
            return server;
        }
        catch (DashboardBindException e)
        {
            throw new UsageException(e.Message);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new UsageException($"--listen {listen ?? "127.0.0.1"} --port {port}: the dashboard cannot be served there ({e.Message}); give an address of this host and a free port.");
        }
    }

    /// <summary>
    /// Takes SIGINT and SIGTERM from now on (call it before printing the line a caller may wait
    /// for: a signal sent right after it must end the wait, not kill the process with 143).
    /// </summary>
    public static StopSignal ListenForStop() => new();

    /// <summary>
    /// Waits for <paramref name="lingerSeconds"/> (when given) or until Ctrl+C / SIGINT / SIGTERM,
    /// whichever comes first; a signal ends the wait normally, so the server is disposed and the
    /// process exits 0 with everything written.
    /// </summary>
    public static async Task WaitAsync(double? lingerSeconds, TextWriter info, StopSignal? stop = null)
    {
        using var owned = stop is null ? ListenForStop() : null;
        StopSignal signal = stop ?? owned!;
        if (lingerSeconds is null) info.WriteLine("Press Ctrl+C to stop serving.");
        if (lingerSeconds is { } s)
        {
            if (!(s >= 0) || s > int.MaxValue / 1000.0) throw new UsageException($"--linger {s} is not a number of seconds (0 to {int.MaxValue / 1000}).");
            await Task.WhenAny(signal.Stopped, Task.Delay(TimeSpan.FromSeconds(s))).ConfigureAwait(false);
        }
        else await signal.Stopped.ConfigureAwait(false);
    }
}

/// <summary>SIGINT/SIGTERM caught while it lives: <see cref="Stopped"/> completes on the first one.</summary>
internal sealed class StopSignal : IDisposable
{
    private readonly TaskCompletionSource _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Runtime.InteropServices.PosixSignalRegistration _sigint;
    private readonly System.Runtime.InteropServices.PosixSignalRegistration _sigterm;

    public StopSignal()
    {
        Action<System.Runtime.InteropServices.PosixSignalContext> handler = c => { c.Cancel = true; _stop.TrySetResult(); };
        _sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, handler);
        _sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, handler);
    }

    /// <summary>Completes when a signal arrives.</summary>
    public Task Stopped => _stop.Task;

    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
    }
}
