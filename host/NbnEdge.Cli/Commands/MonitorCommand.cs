using System.CommandLine;
using System.Globalization;
using NbnEdge.Analysis;
using NbnEdge.Cli.Live;
using NbnEdge.Dashboard;
using NbnEdge.Link.Journal;
using NbnEdge.Link.Transports;
using NbnEdge.Live;
using NbnEdge.Session;
using Spectre.Console;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// <c>nbnedge monitor</c>: a live link to a board (serial port, TCP, or a capture file played
/// through the same path), journaled, every spectrum fitted as it arrives, with a live terminal view.
/// </summary>
internal static class MonitorCommand
{
    public static Command Create(TextWriter output)
    {
        var source = new Argument<string?>("SOURCE") { Description = "tcp://host:port, or a capture file (instead of --port).", Arity = ArgumentArity.ZeroOrOne };
        var port = new Option<string?>("--port") { Description = "Serial port of the board's data UART, e.g. /dev/ttyUSB0 or COM5." };
        var baud = new Option<int>("--baud") { Description = "Serial rate.", DefaultValueFactory = _ => SerialByteSource.DefaultBaud };
        var journalDir = LiveOptions.Journal("Folder for the session journal. Default: ./nbnedge-sessions/<UTC timestamp>/.");
        var noJournal = new Option<bool>("--no-journal") { Description = "Do not journal (nothing is kept: use only for a quick look)." };
        var spectra = new Option<int?>("--spectra") { Description = "Stop after this many spectra (also scales the progress bar)." };
        var duration = SecondsOption.Checked(new Option<double?>("--duration") { Description = "Stop after this many seconds." });
        var json = new Option<bool>("--json") { Description = "Print only the final summary, as one JSON object." };
        var command = new Command("monitor", "Live view of a board: link health, spectra, last Δ (device and host fit), running mean, σ and σ_int, progress. Ctrl+C ends it with the summary.")
        {
            source, port, baud, journalDir, noJournal, spectra, duration, json,
        };
        // --port is the serial device here, so the dashboard's port has its own name.
        var dashboard = DashboardHosting.DashboardOption();
        var listen = DashboardHosting.ListenOption();
        var dashboardPort = DashboardHosting.PortOption();
        command.Add(dashboard);
        command.Add(listen);
        command.Add(dashboardPort);
        var allowHost = DashboardHosting.AllowHostOption();
        command.Add(allowHost);
        var filmRef = FilmReferenceOption.Create();
        command.Add(filmRef);
        var mqtt = MqttOptions.ForStation();
        mqtt.AddTo(command);
        command.SetAction(p =>
        {
            var publish = mqtt.Read(p);
            if (publish is not null && p.GetValue(noJournal)) throw new UsageException("--publish needs the session journal (it is the outbox): drop --no-journal.");
            string? where = p.GetValue(source);
            string? serial = p.GetValue(port);
            if ((where is null) == (serial is null)) throw new UsageException("give either --port DEVICE or a SOURCE (tcp://host:port or a capture file).");
            if (where is not null && where.StartsWith('-')) throw new UsageException($"unknown option '{where}'.");
            int? stopAfter = p.GetValue(spectra);
            if (stopAfter is < 1) throw new UsageException("--spectra must be at least 1.");
            int rate = p.GetValue(baud);
            if (rate <= 0) throw new UsageException("--baud must be positive.");
            FilmReference? film = p.GetValue(filmRef) is { } refText ? FilmReferenceOption.Parse(refText) : null;
            IByteSource byteSource = Open(where, serial, rate);
            string? journalFolder = p.GetValue(noJournal) ? null
                : Path.GetFullPath(p.GetValue(journalDir) ?? Path.Combine("nbnedge-sessions", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
            SessionFolder? folder = journalFolder is null ? null : SessionFolder.Open(journalFolder);
            SessionJournal? journal = folder?.Journal;
            var web = p.GetValue(dashboard) ? (p.GetValue(listen), p.GetValue(dashboardPort), p.GetValue(allowHost) ?? []) : ((string?, int, string[])?)null;
            long bytes = 0;
            try
            {
                return Run(output, p.InvocationConfiguration.Error, byteSource, journal, stopAfter, p.GetValue(duration), p.GetValue(json), web, b => bytes = b, film, publish).GetAwaiter().GetResult();
            }
            catch (LinkOpenException e)
            {
                string prefix = byteSource.Name + ": ";
                throw new InputDataException(byteSource.Name, e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message);
            }
            finally
            {
                // A session that received no byte leaves no empty folder behind.
                if (bytes == 0) folder?.RemoveIfEmpty();
            }
        });
        return command;
    }

    private static IByteSource Open(string? where, string? serial, int baud)
    {
        // A port that never opened is reported and the command ends; only one that went away is retried.
        if (serial is not null) return new SerialByteSource(serial, baud) { GiveUpBeforeFirstConnection = true };
        if (where!.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                TcpByteSource.Parse(where); // validates
                var uri = new Uri(where);
                return new TcpByteSource(uri.Host, uri.Port) { GiveUpBeforeFirstConnection = true };
            }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
        }

        if (!File.Exists(where)) throw new InputDataException(where, "no such capture file (for a network source write tcp://host:port).");
        return StreamByteSource.OpenCapture(where);
    }

    /// <summary>After the summary: a journal that could not be written is the session's one error line (exit 1).</summary>
    internal static int JournalFaultExit(string? fault) => fault is null ? ExitCodes.Ok : throw new IOException(fault);

    private static async Task<int> Run(TextWriter output, TextWriter error, IByteSource source, SessionJournal? journal, int? stopAfter, double? seconds, bool json,
        (string? Listen, int Port, string[] AllowHosts)? web, Action<long> bytesReceived, FilmReference? film,
        (NbnEdge.Mqtt.MqttEndpoint Endpoint, NbnEdge.Mqtt.MqttSecurity Security)? publish)
    {
        using var cts = new CancellationTokenSource();
        if (seconds is { } s) cts.CancelAfter(TimeSpan.FromSeconds(s));
        ConsoleCancelEventHandler stop = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += stop;
        bool interactive = LiveProgress.IsTerminal(output) && !json;
        string state = "connecting";
        SessionSummary summary;
        string? journalFault;
        try
        {
            await using var link = new LiveSession(source, journal, new LivePipelineOptions { SourceName = source.Name, KeepResults = true },
                new LiveSessionOptions { JournalCurves = publish is not null, StopAfterSpectra = stopAfter });
            // Status lines go to stderr: stdout is the live view, the per-spectrum lines or the JSON.
            NbnEdge.Mqtt.StationPublisher? publisher = publish is { } broker
                ? await StationPublishing.StartAsync(link, broker.Endpoint, broker.Security, error, film?.Label).ConfigureAwait(false)
                : null;
            NbnEdge.Dashboard.DashboardServer? server = null;
            if (web is { } w)
            {
                var dashState = new NbnEdge.Dashboard.DashboardState();
                dashState.SetSessionInfo($"monitor: {source.Name}", "spectrum #");
                LivePipelineFeed.Attach(link.Pipeline, dashState);
                server = await DashboardHosting.StartAsync(dashState, w.Listen, w.Port, json ? error : output, w.AllowHosts).ConfigureAwait(false);
            }
            await using var serverLifetime = server;
            link.Link.StateChanged += change =>
            {
                state = change.State switch
                {
                    LinkState.WaitingToRetry => $"waiting to retry ({change.Detail}; next in {change.RetryIn?.TotalSeconds:F1} s)",
                    LinkState.Disconnected => $"disconnected ({change.Detail})",
                    _ => change.State.ToString().ToLowerInvariant(),
                };
                // Retrying is visible also in a pipe or with --json: one line on stderr per attempt.
                if (!interactive && change.State is LinkState.WaitingToRetry or LinkState.Disconnected)
                    error.WriteLine($"nbnedge monitor: {source.Name}: {state}");
            };
            if (!interactive && !json)
            {
                var spread = new RunningSpread();
                link.Pipeline.ResultCompleted += r => output.WriteLine(LiveProgress.Describe($"spectrum {r.Received.SpectrumId}", link.Pipeline.Snapshot,
                    SessionSummary.CompleteFits(link.Pipeline.Results), spread));
            }
            link.Start(cts.Token);
            if (interactive) Show(output, link, () => state, stopAfter, source.Name, journal);
            var counters = await link.FinishAsync().ConfigureAwait(false);
            bytesReceived(counters.Bytes);
            if (publisher is not null) await StationPublishing.FinishAsync(publisher, error, resumable: true).ConfigureAwait(false);
            summary = link.Summarise(requireStatistics: false);
            journalFault = link.Link.JournalFault;
        }
        finally
        {
            Console.CancelKeyPress -= stop;
        }

        double median = summary.LatencyMedianMs, max = summary.LatencyMaxMs;
        if (json)
        {
            JsonOutput.Line(output, w =>
            {
                w.WriteStartObject();
                summary.WriteFields(w);
                if (film is not null && summary.Statistics is { } st) UserFilmRow.Write(w, film, st.Statistics.MeanMeV, st.MeanErrorMeV);
                w.Number("latency_median_ms", median);
                w.Number("latency_max_ms", max);
                if (journal is not null) { w.WriteString("journal_raw", journal.RawPath); w.WriteString("journal_results", journal.ResultsPath); }
                w.WriteEndObject();
            });
            return JournalFaultExit(journalFault);
        }

        summary.Print(output, $"Monitor: {source.Name}");
        if (film is not null) UserFilmRow.Print(output, film, summary.Statistics?.Statistics.MeanMeV ?? double.NaN, summary.Statistics?.MeanErrorMeV ?? double.NaN);
        output.WriteLine(summary.LatenciesMs.Count == 0
            ? "Latency, last chunk → fit: no spectra."
            : string.Create(CultureInfo.InvariantCulture, $"Latency, last chunk → fit: median {median:F2} ms, max {max:F2} ms."));
        if (journal is not null) output.WriteLine($"Journal: {journal.RawPath}, {journal.ResultsPath}");
        return JournalFaultExit(journalFault);
    }

    /// <summary>The live view: redrawn a few times a second from the pipeline's snapshot, until the link ends.</summary>
    private static void Show(TextWriter output, LiveSession link, Func<string> state, int? expected, string name, SessionJournal? journal)
    {
        var console = ConsoleFactory.For(output);
        var table = new LiveTable();
        LiveView View() => new(name, state(), link.Link.Counters, link.Pipeline.Snapshot, SessionSummary.CompleteFits(link.Pipeline.Results),
            link.Pipeline.HeldSpectra, expected, journal is null ? null : Path.GetDirectoryName(journal.RawPath) ?? journal.RawPath);

        console.Live(table.Build(View())).Start(ctx =>
        {
            while (!link.Reading.IsCompleted)
            {
                ((IAsyncResult)link.Reading).AsyncWaitHandle.WaitOne(250);
                ctx.UpdateTarget(table.Build(View()));
            }
        });
    }
}
