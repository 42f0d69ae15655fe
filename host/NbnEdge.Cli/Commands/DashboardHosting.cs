using System.CommandLine;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Dashboard;
using NbnEdge.Link;
using NbnEdge.Live;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// The web dashboard as the commands host it: options, start-up on loopback, and feeding it from
/// the live pipeline or from finished fits.
/// </summary>
internal static class DashboardHosting
{
    public static Option<bool> DashboardOption() => new("--dashboard") { Description = "Serve the live web dashboard (read-only) and print its address." };

    public static Option<string?> ListenOption() => new("--listen")
    {
        Description = "Address to serve the dashboard on (default 127.0.0.1). A non-loopback address is accepted only when named here.",
    };

    public static Option<int> PortOption() => new("--port") { Description = "Dashboard port (0: any free port).", DefaultValueFactory = _ => 0 };

    /// <summary>Starts the server; the address goes to <paramref name="info"/> (stderr when stdout carries JSON).</summary>
    public static async Task<DashboardServer> StartAsync(DashboardState state, string? listen, int port, TextWriter info)
    {
        try
        {
            var server = await DashboardServer.StartAsync(state, new DashboardServerOptions
            {
                ListenAddress = listen ?? "127.0.0.1",
                Port = port,
                AllowNonLoopback = listen is not null,
            }).ConfigureAwait(false);
            info.WriteLine($"dashboard: {server.Url}");
            info.Flush();
            return server;
        }
        catch (DashboardBindException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Every fitted spectrum of the pipeline goes onto the page; statistics and link health follow at most 5 times a second.</summary>
    public static void Attach(LivePipeline pipeline, DashboardState state)
    {
        long lastStats = 0;
        pipeline.SpectrumFitted += r =>
        {
            if (r.Spectrum is { } s)
                state.AddFit(s, r.Fit, r.DeviceEstimate is { Valid: true } e ? e.DeltaMeV : null, r.Index);
            long now = Environment.TickCount64;
            if (now - Interlocked.Read(ref lastStats) < 200) return;
            Interlocked.Exchange(ref lastStats, now);
            Publish(state, pipeline.Results.Where(x => x.Fit is not null).Select(x => x.Fit!).ToList(), r.Counters);
        };
    }

    /// <summary>Statistics over the fits so far (when there are enough) and the link counters.</summary>
    public static void Publish(DashboardState state, IReadOnlyList<GapFitResult> fits, LinkCounters? counters)
    {
        if (fits.Count >= HomogeneityStatistics.MinimumCount && StatsCommand.Summarise(fits) is { } summary)
            state.SetStatistics(summary.Statistics);
        if (counters is not null)
            state.SetLinkHealth(new Dictionary<string, double>
            {
                ["bytes"] = counters.Bytes,
                ["frames ok"] = counters.FramesOk,
                ["frames bad"] = counters.FramesDropped,
                ["frames lost"] = counters.FramesLost,
                ["unknown types"] = counters.UnknownType,
                ["spectra complete"] = counters.SpectraComplete,
                ["spectra incomplete"] = counters.SpectraIncomplete,
                ["estimates"] = counters.Estimates,
                ["reboots"] = counters.Reboots,
                ["disconnects"] = counters.Disconnects,
            });
    }

    /// <summary>Waits for Ctrl+C, or for <paramref name="lingerSeconds"/> when given.</summary>
    public static async Task WaitAsync(double? lingerSeconds, TextWriter info)
    {
        if (lingerSeconds is { } s) { await Task.Delay(TimeSpan.FromSeconds(s)).ConfigureAwait(false); return; }
        info.WriteLine("Press Ctrl+C to stop serving.");
        var stop = new TaskCompletionSource();
        ConsoleCancelEventHandler handler = (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        Console.CancelKeyPress += handler;
        try { await stop.Task.ConfigureAwait(false); }
        finally { Console.CancelKeyPress -= handler; }
    }
}
