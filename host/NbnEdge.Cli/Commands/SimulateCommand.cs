using System.CommandLine;
using System.Globalization;
using System.Net;
using NbnEdge.Link;
using NbnEdge.Simulator;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// <c>nbnedge simulate</c>: the simulated board offered to any reader: as a pseudo-terminal (a
/// serial port to <c>monitor --port</c>), on TCP, or written to a capture file for <c>ingest</c>.
/// </summary>
internal static class SimulateCommand
{
    /// <summary>
    /// The CONFIG the demo and <c>simulate</c> send first: forward sweeps only, so each position of
    /// the line gives one spectrum, as in the paper's line of 200 spectra.
    /// </summary>
    public const string DemoConfig = "sweep=fwd";

    public static Command Create(TextWriter output)
    {
        var film = LiveOptions.Film();
        var spectra = new Option<int?>("--spectra") { Description = "Positions along the line (one forward-sweep spectrum each). Default: the preset's line." };
        var seed = new Option<int>("--seed") { Description = "Random seed of the Δ profile and the noise.", DefaultValueFactory = _ => 1 };
        var pty = new Option<bool>("--pty") { Description = "Serve on a new pseudo-terminal (prints its path for 'monitor --port PATH')." };
        var tcp = new Option<int?>("--tcp") { Description = "Serve on TCP 127.0.0.1:PORT (0: any free port; prints tcp://127.0.0.1:PORT)." };
        var outFile = new Option<string?>("--out") { Description = "Write the whole line as a capture file (as fast as the CPU allows)." };
        var timeScale = new Option<double>("--time-scale") { Description = "--pty/--tcp: simulated seconds per wall second (1: like the real board; a position takes about 8 s).", DefaultValueFactory = _ => 1.0 };
        var duration = SecondsOption.Checked(new Option<double?>("--duration") { Description = "--pty/--tcp: stop serving after this many seconds (default: until Ctrl+C)." });
        var command = new Command("simulate", "The simulated board (unmodified firmware, virtual ADC and lock-in) as a pseudo-terminal, a TCP server or a capture file.")
        {
            film, spectra, seed, pty, tcp, outFile, timeScale, duration,
        };
        command.SetAction(p =>
        {
            string? path = p.GetValue(outFile);
            bool usePty = p.GetValue(pty);
            int? port = p.GetValue(tcp);
            int modes = (path is null ? 0 : 1) + (usePty ? 1 : 0) + (port is null ? 0 : 1);
            if (modes != 1) throw new UsageException("choose exactly one of --pty, --tcp PORT and --out FILE.");
            FilmPreset preset = LiveOptions.Preset(p.GetValue(film)!);
            int positions = p.GetValue(spectra) ?? preset.Positions;
            if (positions < 1 || positions > 100_000) throw new UsageException("--spectra must be between 1 and 100000.");
            var settings = new SimulationSettings { Film = preset, Positions = positions, Seed = p.GetValue(seed) };
            if (path is not null) return WriteCapture(output, settings, path);

            double scale = p.GetValue(timeScale);
            if (!(scale > 0)) throw new UsageException("--time-scale must be positive.");
            if (port is < 0 or > 65535) throw new UsageException("--tcp PORT must be between 0 and 65535.");
            // Served boards run the line again and again, as a board on the bench keeps measuring.
            var board = new SimulatedBoard(settings with { Repeat = true }, new SimulationPacing { BaudRate = 921600, TimeScale = scale });
            Configure(board);
            using var cts = new CancellationTokenSource();
            if (p.GetValue(duration) is { } seconds) cts.CancelAfter(TimeSpan.FromSeconds(seconds));
            ConsoleCancelEventHandler stop = (_, e) => { e.Cancel = true; cts.Cancel(); };
            Console.CancelKeyPress += stop;
            try
            {
                Task serving = usePty
                    ? SimulatorHosting.ServePtyAsync(board, slave => Announce(output, $"{slave}  (nbnedge monitor --port {slave})"), cts.Token)
                    : SimulatorHosting.ServeTcpAsync(board, new IPEndPoint(IPAddress.Loopback, port!.Value),
                        ep => Announce(output, $"tcp://127.0.0.1:{ep.Port}  (nbnedge monitor tcp://127.0.0.1:{ep.Port})"), cts.Token);
                // After Ctrl+C or --duration, give serving a moment to end (its reads poll for the
                // cancellation; writes never block: a terminal nobody reads drops them like a UART).
                try
                {
                    serving.Wait(cts.Token);
                }
                catch (OperationCanceledException)
                {
                }
                catch (AggregateException e) when (e.InnerException is OperationCanceledException)
                {
                }
                catch (AggregateException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                }

                if (!serving.IsCompleted) Task.WhenAny(serving, Task.Delay(1000)).Wait();
            }
            finally
            {
                Console.CancelKeyPress -= stop;
            }

            output.WriteLine($"simulator stopped after {board.BytesOut} bytes.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Announce(TextWriter output, string where)
    {
        output.WriteLine($"simulated board serving on {where}");
        output.Flush();
    }

    /// <summary>Sends the demo's CONFIG straight into the board's firmware, before the first spectrum.</summary>
    internal static void Configure(SimulatedBoard board) => board.Receive(new CommandWriter().Config(DemoConfig).Frame);

    private static int WriteCapture(TextWriter output, SimulationSettings settings, string path)
    {
        var board = new SimulatedBoard(settings, SimulationPacing.Unpaced);
        Configure(board);
        try
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is not null) Directory.CreateDirectory(dir);
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            byte[] buffer = new byte[1 << 16];
            int n;
            // Unpaced reads never wait: synchronous completion is safe here.
            while ((n = board.ReadAsync(buffer, CancellationToken.None).AsTask().GetAwaiter().GetResult()) > 0)
                file.Write(buffer, 0, n);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NbnEdge.Analysis.InputDataException(path, $"cannot write the capture: {e.Message}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {board.BytesOut} bytes, {board.Truth.Count} spectra ({settings.Film.Name} film) to {path}"));
        return ExitCodes.Ok;
    }
}
