using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NbnEdge.Analysis;
using NbnEdge.Cli.Live;
using NbnEdge.Dashboard;
using NbnEdge.Link.Journal;
using NbnEdge.Live;
using NbnEdge.Session;
using NbnEdge.Simulator;
using Spectre.Console;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// <c>nbnedge demo</c>: the simulated board (the unmodified firmware on a virtual ADC and lock-in)
/// measures a film's line of spectra; the host receives the stream, journals it, fits every
/// spectrum live, and ends with the homogeneity result and the film's Table I row.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(TextWriter output)
    {
        var film = LiveOptions.Film();
        var spectra = new Option<int?>("--spectra") { Description = "Spectra along the line (positions, forward sweeps). Default: the preset's line (200; 50 for 25nm)." };
        var seed = new Option<int>("--seed") { Description = "Random seed of the Δ profile and the noise.", DefaultValueFactory = _ => 1 };
        var xi = new Option<double?>("--xi-nm") { Description = "Correlation length ξ_Δ of the simulated Δ profile in nm (default 20; 0: white noise, no spatial correlation).", HelpName = "NM" };
        var journalDir = LiveOptions.Journal("Folder for the session journal (raw bytes + results). Default: a new folder under the system temp dir.");
        var json = new Option<bool>("--json") { Description = "One JSON object at the end instead of the tables." };
        var dashboard = DashboardHosting.DashboardOption();
        var listen = DashboardHosting.ListenOption();
        var port = DashboardHosting.PortOption();
        var allowHost = DashboardHosting.AllowHostOption();
        var linger = SecondsOption.Checked(new Option<double?>("--linger") { Description = "With --dashboard: keep serving this many seconds after the run (default: until Ctrl+C)." });
        var plot = new Option<string?>("--plot") { Description = "Write figures (PNG and SVG) into this folder." };
        var command = new Command("demo", "Simulated board with a reference film: spectra streamed, decoded, fitted live; homogeneity and the film's Table I row.")
        {
            film, spectra, seed, xi, journalDir, json, dashboard, listen, port, linger, plot, allowHost,
        };
        var plotExtras = new PlotOptions();
        foreach (var o in plotExtras.All) command.Add(o);
        var filmRef = FilmReferenceOption.Create();
        command.Add(filmRef);
        var mqtt = MqttOptions.ForStation();
        mqtt.AddTo(command);
        command.SetAction(p =>
        {
            var publish = mqtt.Read(p);
            FilmPreset preset = LiveOptions.Preset(p.GetValue(film)!);
            int n = p.GetValue(spectra) ?? preset.Positions;
            if (n < HomogeneityStatistics.MinimumCount || n > 100_000)
                throw new UsageException($"--spectra must be between {HomogeneityStatistics.MinimumCount} and 100000.");
            FilmReference? userFilm = p.GetValue(filmRef) is { } refText ? FilmReferenceOption.Parse(refText) : null;
            double? xiNm = p.GetValue(xi);
            if (xiNm is { } x && !(x >= 0 && x <= 1e6))
                throw new UsageException("--xi-nm: give a correlation length in nm, 0 to 1000000 (0: white noise).");
            var extras = new DemoExtras(p.GetValue(dashboard), p.GetValue(listen), p.GetValue(port), p.GetValue(linger), p.GetValue(plot))
                { AllowHosts = p.GetValue(allowHost) ?? [], Figures = plotExtras.Read(p), Film = userFilm, Publish = publish, CorrelationLengthNm = xiNm };
            return Run(output, p.InvocationConfiguration.Error, preset, n, p.GetValue(seed), p.GetValue(journalDir), p.GetValue(json), extras).GetAwaiter().GetResult();
        });
        return command;
    }

    /// <summary>The dashboard and figure options of a demo run.</summary>
    private sealed record DemoExtras(bool Dashboard, string? Listen, int Port, double? LingerSeconds, string? PlotDirectory)
    {
        public string[] AllowHosts { get; init; } = [];
        public FigureRequest? Figures { get; init; }
        /// <summary>The user's film for the Table I row (--film-ref); null takes the paper's row for the preset.</summary>
        public FilmReference? Film { get; init; }
        /// <summary>The broker to publish to (--publish), or null.</summary>
        public (NbnEdge.Mqtt.MqttEndpoint Endpoint, NbnEdge.Mqtt.MqttSecurity Security)? Publish { get; init; }
        /// <summary>ξ_Δ of the simulated profile (--xi-nm); null takes the simulator's default.</summary>
        public double? CorrelationLengthNm { get; init; }
    }

    private static async Task<int> Run(TextWriter output, TextWriter error, FilmPreset preset, int positions, int seed, string? journalDir, bool json, DemoExtras extras)
    {
        // With --json, stdout carries only the final object; the dashboard's address goes to stderr.
        TextWriter info = json ? error : output;
        NbnEdge.Dashboard.DashboardState? state = extras.Dashboard ? new NbnEdge.Dashboard.DashboardState() : null;
        NbnEdge.Dashboard.DashboardServer? server = null;
        state?.SetSessionInfo($"demo: simulated board, {preset.Name} film, {positions} spectra", "distance along the line (nm)");
        try
        {
            return await RunCore(output, info, preset, positions, seed, journalDir, json, extras, state, s => server = s).ConfigureAwait(false);
        }
        finally
        {
            if (server is not null) await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<int> RunCore(TextWriter output, TextWriter info, FilmPreset preset, int positions, int seed, string? journalDir, bool json,
        DemoExtras extras, NbnEdge.Dashboard.DashboardState? state, Action<NbnEdge.Dashboard.DashboardServer> serverStarted)
    {
        var settings = new SimulationSettings { Film = preset, Positions = positions, Seed = seed };
        if (extras.CorrelationLengthNm is { } xiNm) settings = settings with { CorrelationLengthNm = xiNm };
        var board = new SimulatedBoard(settings, SimulationPacing.Unpaced);
        string directory = journalDir ?? LiveOptions.NewTempSessionFolder("demo");
        var journal = SessionJournal.CreateTimestamped(directory);
        var wall = Stopwatch.StartNew();
        SessionSummary summary;
        LiveStatisticsPublisher? livePublisher = null;
        string? journalFault;
        await using (var link = new LiveSession(board, journal, new LivePipelineOptions { SourceName = board.Name },
                         new LiveSessionOptions { JournalCurves = extras.Publish is not null }))
        {
            NbnEdge.Mqtt.StationPublisher? publisher = extras.Publish is { } broker
                ? await StationPublishing.StartAsync(link, broker.Endpoint, broker.Security, info, (extras.Film ?? FilmReference.For(preset.Name)).Label).ConfigureAwait(false)
                : null;
            // One spectrum per position, as in the paper's line: the board sends forward sweeps only.
            await link.Link.SendConfigAsync(SimulateCommand.DemoConfig).ConfigureAwait(false);
            if (state is not null)
            {
                // The board streams no positions; the simulated line's are known: spectrum n is at position n.
                var line = board.LockIn.Profile.PositionsNm;
                livePublisher = LivePipelineFeed.Attach(link.Pipeline, state, r => line[(int)(r.Received.SpectrumId % (uint)line.Length)]);
                serverStarted(await DashboardHosting.StartAsync(state, extras.Listen, extras.Port, info, extras.AllowHosts).ConfigureAwait(false));
            }
            link.Start(CancellationToken.None);
            LiveProgress.Follow(output, link, positions, $"{preset.Name} film", LiveProgress.IsTerminal(output) && !json);
            await link.FinishAsync().ConfigureAwait(false);
            if (publisher is not null) await StationPublishing.FinishAsync(publisher, info, resumable: false).ConfigureAwait(false);
            journalFault = link.Link.JournalFault;
            if (journalFault is not null && !link.Pipeline.Results.Any(r => r.Fit is not null)) throw new IOException(journalFault);
            summary = link.Summarise(requireStatistics: true);
        }

        wall.Stop();
        var truth = new DemoTruth(board, summary.Results);
        var reference = extras.Film ?? FilmReference.For(preset.Name);
        var spatial = SpatialAlongTheLine(board, summary.Results);
        double meanDelta = summary.Statistics!.Statistics.MeanMeV;
        // The mean's error counts the correlation along the line: neighbours sharing Δ do not average out.
        double meanDeltaErr = spatial?.MeanErrorMeV ?? summary.Statistics.MeanErrorMeV;
        var figures = UserFilmRow.Figures(reference, meanDelta, meanDeltaErr);
        double median = summary.LatencyMedianMs, max = summary.LatencyMaxMs;

        var fits = summary.Results.Where(r => r.Fit is not null && r.Spectrum is not null).ToList();
        string finalJson = JsonOutput.ToLine(w =>
            {
                w.WriteStartObject();
                w.WriteString("film", preset.Name);
                w.WriteNumber("positions", positions);
                w.WriteNumber("seed", seed);
                summary.WriteFields(w);
                w.Number("true_mean_delta_meV", truth.MeanMeV);
                w.Number("true_sigma_meV", truth.SigmaMeV);
                w.Number("fit_vs_truth_rms_meV", truth.FitErrorRmsMeV);
                w.Number("true_correlation_length_nm", board.LockIn.Profile.CorrelationLengthNm);
                SpatialOutput.WriteFields(w, spatial?.Spatial, spatial?.SpatialNote);
                w.Number("latency_median_ms", median);
                w.Number("latency_max_ms", max);
                w.Number("wall_time_s", wall.Elapsed.TotalSeconds);
                w.WriteStartObject("table_row");
                UserFilmRow.WriteFields(w, reference, meanDelta, meanDeltaErr);
                w.Number("paper_delta_meV", reference.DeltaMeV);
                w.Number("paper_l_sheet_pH", reference.LSheetPH);
                w.Number("paper_delta_over_kTc", reference.DeltaOverKTc);
                w.WriteEndObject();
                w.WriteString("journal_raw", journal.RawPath);
                w.WriteString("journal_results", journal.ResultsPath);
                w.WriteEndObject();
            });
        if (state is not null)
        {
            livePublisher?.Stop();
            LivePipelineFeed.Publish(state, fits.Select(r => r.Fit!).ToList(), summary.Counters);
            state.SetFinished(finalJson);
        }
        if (extras.PlotDirectory is { } plotDir)
        {
            var files = PlotOutput.ForFits(plotDir, fits.Select(r => r.Spectrum!).ToList(), fits.Select(r => r.Fit!).ToList(), extras.Figures);
            files.AddRange(PlotOutput.ForStatistics(plotDir, summary.Statistics.Statistics, extras.Figures));
            files.AddRange(PlotOutput.ForAverage(plotDir, fits.Select(r => r.Spectrum!).ToList(), new NbnEdge.Analysis.Fitting.GapFitOptions(), extras.Figures));
            files.AddRange(PlotOutput.ForSpatial(plotDir, spatial?.Spatial, extras.Figures));
            info.WriteLine($"figures: {string.Join(", ", files)}");
        }
        // From here on a signal ends the lingering dashboard (the run itself is over).
        using var stop = state is not null ? DashboardHosting.ListenForStop() : null;
        if (json)
        {
            output.WriteLine(finalJson);
            output.Flush();
            if (state is not null) await DashboardHosting.WaitAsync(extras.LingerSeconds, info, stop).ConfigureAwait(false);
            return MonitorCommand.JournalFaultExit(journalFault);
        }

        var ci = CultureInfo.InvariantCulture;
        summary.Print(output, $"Demo: simulated board, {preset.Name} film, {positions} spectra along {preset.LineLengthNm.ToString("G4", ci)} nm");
        SpatialOutput.Print(output, spatial?.Spatial, spatial?.SpatialNote);
        var console = ConsoleFactory.For(output);
        var check = new Table().Border(TableBorder.Rounded).Title("Against the simulator's truth");
        check.AddColumn("quantity");
        check.AddColumn(new TableColumn("value").RightAligned());
        check.AddRow("true mean Δ / measured mean Δ", $"{truth.MeanMeV.ToString("F4", ci)} / {meanDelta.ToString("F4", ci)} meV");
        check.AddRow("true σ of Δ along the line", $"{(truth.SigmaMeV * 1000).ToString("F1", ci)} µeV");
        check.AddRow("measured intrinsic σ_int (95 % CI)", Markup.Escape(
            $"{(summary.Statistics.Statistics.IntrinsicSigmaMeV * 1000).ToString("F1", ci)} µeV ({(summary.Statistics.Statistics.IntrinsicSigmaLowerMeV * 1000).ToString("F1", ci)}–{(summary.Statistics.Statistics.IntrinsicSigmaUpperMeV * 1000).ToString("F1", ci)})"));
        check.AddRow("fit − truth, rms", $"{(truth.FitErrorRmsMeV * 1000).ToString("F2", ci)} µeV");
        double trueXi = board.LockIn.Profile.CorrelationLengthNm;
        check.AddRow("true ξ_Δ / measured ξ_Δ (95 % CI)", Markup.Escape(spatial?.Spatial is { } sp
            ? $"{(trueXi > 0 ? trueXi.ToString("G4", ci) + " nm" : "white noise")} / {sp.CorrelationLengthNm.ToString("F1", ci)} nm ({sp.CorrelationLengthLowerNm.ToString("F1", ci)}–{sp.CorrelationLengthUpperNm.ToString("F1", ci)}), correlated: {(sp.SpatiallyCorrelated ? "yes" : "no")} (p = {sp.PValue.ToString("G3", ci)})"
            : "–"));
        check.AddRow("latency, last chunk → fit: median / max", $"{median.ToString("F2", ci)} / {max.ToString("F2", ci)} ms (target ≤ 50)");
        check.AddRow("wall time", $"{wall.Elapsed.TotalSeconds.ToString("F1", ci)} s");
        console.Write(check);

        var table = new Table().Border(TableBorder.Rounded).Title(extras.Film is null ? "Table I row (R_□ and T_c from the reference table, Δ measured)" : "Table I row (R_□ and T_c from --film-ref, Δ measured)");
        foreach (var h in new[] { "film", "d (nm)", "T_c (K)", "R_□ (Ω)", "Δ (meV)", "L_□ (pH)", "Δ/k_BT_c" })
            table.AddColumn(new TableColumn(h).RightAligned());
        table.AddRow(Markup.Escape(reference.Label), reference.ThicknessNm.ToString("G4", ci), reference.TcK.ToString("G4", ci), reference.RSheetOhm.ToString("G6", ci),
            TableCommand.WithError(meanDelta, meanDeltaErr, "F3"), TableCommand.WithError(figures.LSheetPH, figures.LSheetErrPH, "G4"),
            TableCommand.WithError(figures.DeltaOverKTc, figures.DeltaOverKTcErr, "F2"));
        if (double.IsFinite(reference.DeltaMeV)) table.AddRow("[dim]paper[/]", "", "", "", reference.DeltaMeV.ToString("F2", ci), reference.LSheetPH.ToString("G4", ci), reference.DeltaOverKTc.ToString("F2", ci));
        console.Write(table);
        output.WriteLine($"Journal: {journal.RawPath} (raw bytes), {journal.ResultsPath} (results); 'nbnedge replay {Path.GetDirectoryName(journal.RawPath)}' rebuilds them.");
        if (state is not null) await DashboardHosting.WaitAsync(extras.LingerSeconds, info, stop).ConfigureAwait(false);
        return MonitorCommand.JournalFaultExit(journalFault);
    }

    /// <summary>
    /// The statistics again with each fit placed at its spectrum's position on the simulated line
    /// (the board streams no positions; the simulator's truth knows them), for ξ_Δ.
    /// </summary>
    private static HomogeneitySummary? SpatialAlongTheLine(SimulatedBoard board, IReadOnlyList<LiveResult> results)
    {
        var position = board.Truth.Where(t => t.Boot == 1).ToDictionary(t => t.SpectrumId, t => t.Position.XNm);
        var placed = results.Where(r => !r.Incomplete && r.Fit is not null && r.Received.DeviceEpoch == 0 && position.ContainsKey(r.Received.SpectrumId)).ToList();
        var x = placed.Select(r => position[r.Received.SpectrumId]).ToArray();
        return HomogeneitySummary.Of(placed.Select(r => r.Fit!).ToList(), positions: new SpectrumPositions(x, new double[x.Length], "line"));
    }

    /// <summary>The simulator's truth for the fitted spectra.</summary>
    private sealed class DemoTruth
    {
        public DemoTruth(SimulatedBoard board, IReadOnlyList<LiveResult> results)
        {
            // First boot only (the demo never reboots the board): device epoch 0 is boot 1.
            var byId = board.Truth.Where(t => t.Boot == 1).ToDictionary(t => t.SpectrumId, t => t.Position.DeltaMeV);
            var all = byId.Values.ToArray();
            MeanMeV = all.Length > 0 ? all.Average() : double.NaN;
            SigmaMeV = all.Length > 1 ? Math.Sqrt(all.Sum(d => (d - MeanMeV) * (d - MeanMeV)) / (all.Length - 1)) : double.NaN;
            var errors = results.Where(r => r.UsableFit && r.Received.DeviceEpoch == 0 && byId.ContainsKey(r.Received.SpectrumId))
                .Select(r => r.Fit!.DeltaMeV - byId[r.Received.SpectrumId]).ToArray();
            FitErrorRmsMeV = errors.Length > 0 ? Math.Sqrt(errors.Average(e => e * e)) : double.NaN;
        }

        public double MeanMeV { get; }
        public double SigmaMeV { get; }
        public double FitErrorRmsMeV { get; }
    }
}
