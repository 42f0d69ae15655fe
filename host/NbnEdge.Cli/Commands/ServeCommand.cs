using System.CommandLine;
using NbnEdge.Analysis;
using NbnEdge.Dashboard;
using NbnEdge.Instruments;
using NbnEdge.Link;
using NbnEdge.Link.Transports;
using NbnEdge.Live;
using NbnEdge.Session;
using NbnEdge.Cli.Live;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// <c>nbnedge serve RESULTS</c>: the dashboard for a finished session (its folder or raw journal)
/// or for spectra files (fitted now).
/// </summary>
internal static class ServeCommand
{
    public static Command Create(TextWriter output)
    {
        var input = new FitInput();
        var listen = DashboardHosting.ListenOption();
        var port = DashboardHosting.PortOption();
        var allowHost = DashboardHosting.AllowHostOption();
        var linger = SecondsOption.Checked(new Option<double?>("--linger") { Description = "Serve for this many seconds, then exit (default: until Ctrl+C)." });
        var command = new Command("serve", "Serve the web dashboard for a finished session (folder or raw journal .nbnraw) or for spectra files (CSV, .dat, .3ds), fitted now; with --mqtt, the facility view of every station publishing to a broker.");
        input.AddTo(command);
        // With --mqtt there is nothing to read from disk: the files become optional, and the action says which is missing.
        input.Files.Arity = ArgumentArity.ZeroOrMore;
        var mqtt = MqttOptions.ForFacility();
        mqtt.AddTo(command);
        command.Add(listen);
        command.Add(port);
        command.Add(linger);
        command.Add(allowHost);
        command.SetAction(async (p, ct) =>
        {
            var args = p.GetValue(input.Files) ?? [];
            if (mqtt.Read(p) is { } broker)
            {
                if (args.Length > 0) throw new UsageException("give either RESULTS to serve or --mqtt URL for the facility view, not both.");
                await ServeFacilityAsync(broker.Endpoint, broker.Security, p.GetValue(listen), p.GetValue(port), p.GetValue(allowHost), p.GetValue(linger), output).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            if (args.Length == 0) throw new UsageException("give RESULTS (a session folder or journal, or spectra files), or --mqtt URL for the facility view.");
            var state = new DashboardState();
            string? journal = args.Length == 1 ? FindJournal(args[0]) : null;
            if (journal is not null) await LoadSessionAsync(journal, state).ConfigureAwait(false);
            else LoadFiles(p, input, state);
            await using var server = await DashboardHosting.StartAsync(state, p.GetValue(listen), p.GetValue(port), output, p.GetValue(allowHost)).ConfigureAwait(false);
            await DashboardHosting.WaitAsync(p.GetValue(linger), output).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// The facility view: a card per station publishing to the broker, each opening the station's
    /// full live view; read-only and on loopback by default like every dashboard.
    /// </summary>
    private static async Task ServeFacilityAsync(NbnEdge.Mqtt.MqttEndpoint endpoint, NbnEdge.Mqtt.MqttSecurity security, string? listen, int port,
        string[]? allowHosts, double? linger, TextWriter output)
    {
        var facility = new FacilityState();
        await using var subscriber = new NbnEdge.Mqtt.FacilitySubscriber(endpoint, security);
        await using var feed = new NbnEdge.Facility.FacilityFeed(facility, subscriber);
        subscriber.StateMessage += line => { lock (output) output.WriteLine($"mqtt: {line}"); };
        try
        {
            await subscriber.StartAsync().ConfigureAwait(false);
        }
        catch (NbnEdge.Mqtt.MqttRefusedException e)
        {
            throw new IOException($"--mqtt {endpoint}: {e.Message}");
        }
        catch (NbnEdge.Mqtt.MqttSettingsException e)
        {
            throw new UsageException(e.Message);
        }

        await using var server = await DashboardHosting.StartAsync(new DashboardState(), listen, port, output, allowHosts, facility).ConfigureAwait(false);
        output.WriteLine($"facility: subscribed to {NbnEdge.Mqtt.StationTopics.Root}/+/… on {endpoint.Host}:{endpoint.Port}");
        output.Flush();
        await DashboardHosting.WaitAsync(linger, output).ConfigureAwait(false);
    }

    /// <summary>A session folder's raw journal, or the argument itself when it is one.</summary>
    private static string? FindJournal(string path)
    {
        if (Directory.Exists(path))
            return Directory.EnumerateFiles(path, "*.nbnraw").OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault();
        return path.EndsWith(".nbnraw", StringComparison.OrdinalIgnoreCase) && File.Exists(path) ? path : null;
    }

    private static async Task LoadSessionAsync(string journal, DashboardState state)
    {
        state.SetSessionInfo($"session {Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(journal)))}");
        await using var link = CaptureReplay.Open(journal);
        var livePublisher = LivePipelineFeed.Attach(link.Pipeline, state);
        link.Start(CancellationToken.None);
        var counters = await link.FinishAsync().ConfigureAwait(false);
        livePublisher.Stop();
        LivePipelineFeed.Publish(state, link.Pipeline.Results.Where(r => r.Fit is not null).Select(r => r.Fit!).ToList(), counters);
        // A journal is a finished session: the page says so (and shows its summary) instead of "live".
        var summary = SessionSummary.From(journal, link.Pipeline, counters, requireStatistics: false);
        state.SetFinished(JsonOutput.ToLine(w =>
        {
            w.WriteStartObject();
            summary.WriteFields(w);
            w.WriteEndObject();
        }));
    }

    private static void LoadFiles(System.CommandLine.ParseResult p, FitInput input, DashboardState state)
    {
        var (spectra, results) = input.ReadAndFit(p);
        var distance = FitCommand.LineDistances(spectra);
        var grids = spectra.Where(s => s.PixelX is not null && s.PixelY is not null).ToList();
        bool isGrid = grids.Count > 0 && grids.Count == spectra.Count;
        state.SetSessionInfo($"{spectra.Count} spectra from {string.Join(", ", spectra.Select(s => Path.GetFileName(s.Source)).Distinct().Take(3))}",
            distance is null ? "spectrum #" : "distance (nm)", isLine: !isGrid);
        for (int i = 0; i < spectra.Count; i++) state.AddFit(spectra[i], results[i], null, distance?[i] ?? i);
        LivePipelineFeed.Publish(state, results, null);
        // A grid also gets its gap map, in nm when the pixels carry positions.
        if (grids.Count > 0)
        {
            int width = grids.Max(s => s.PixelX!.Value) + 1, height = grids.Max(s => s.PixelY!.Value) + 1;
            var map = PlotOutput.GapMap(spectra, results, width, height);
            state.SetGapMap(width, height, PixelSizeNm(grids, width),
                System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref map[0, 0], map.Length));
        }
        int usable = results.Count(r => r.IsUsable);
        state.SetFinished(JsonOutput.ToLine(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("spectra", spectra.Count);
            w.WriteNumber("usable_fits", usable);
            w.WriteEndObject();
        }));
    }

    /// <summary>Grid spacing (nm per pixel) from two pixels of one row with positions (a grid may be rotated); NaN when they carry none.</summary>
    internal static double PixelSizeNm(IReadOnlyList<Spectrum> grid, int width)
    {
        if (width < 2) return double.NaN;
        foreach (var row in grid.Where(s => s.XNm is { } x && double.IsFinite(x) && s.YNm is { } y && double.IsFinite(y)).GroupBy(s => s.PixelY))
        {
            var a = row.MinBy(s => s.PixelX!.Value)!;
            var b = row.MaxBy(s => s.PixelX!.Value)!;
            if (b.PixelX == a.PixelX) continue;
            double d = Math.Sqrt(Math.Pow(b.XNm!.Value - a.XNm!.Value, 2) + Math.Pow(b.YNm!.Value - a.YNm!.Value, 2)) / (b.PixelX!.Value - a.PixelX!.Value);
            if (d > 0 && double.IsFinite(d)) return d;
        }
        return double.NaN;
    }
}
