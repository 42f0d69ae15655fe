using System.CommandLine;
using System.IO.Ports;
using NbnEdge.Analysis;
using NbnEdge.Cli.Firmware;
using NbnEdge.Firmware.Device;
using NbnEdge.Firmware.Protocol;
using NbnEdge.Link;
using NbnEdge.Link.Transports;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// <c>nbnedge flash</c>: puts the nanoFramework runtime and the NbnEdge app on a board with nanoff,
/// then listens on the board's data UART for its HELLO and checks that the board, the firmware
/// version and the protocol are the ones just flashed.
/// </summary>
internal static class FlashCommand
{
    /// <summary>Where the nanoFramework build leaves the app's deployment image, from a clone's root.</summary>
    public const string DefaultImage = "firmware/NbnEdge.Firmware/bin/Release/NbnEdge.Firmware.bin";

    public static Command Create(TextWriter output)
    {
        var board = new Option<string>("--board") { Description = "Board id (see 'nbnedge boards').", Required = true, HelpName = "ID" };
        var port = new Option<string>("--port") { Description = "The board's USB port nanoff flashes through (COM1 of the ESP32), e.g. /dev/ttyUSB0 or COM5.", Required = true, HelpName = "DEVICE" };
        var dataPort = new Option<string?>("--data-port") { Description = "The data UART's port (COM2 through a USB-UART adapter), where the board's HELLO is checked. Without it the flash is not verified.", HelpName = "DEVICE" };
        var image = new Option<string?>("--image") { Description = $"The app's deployment image (.bin) from the nanoFramework build. Default: {DefaultImage}.", HelpName = "FILE" };
        var runtimeOnly = new Option<bool>("--runtime-only") { Description = "Only update the nanoFramework runtime (nanoBooter + nanoCLR)." };
        var appOnly = new Option<bool>("--app-only") { Description = "Only deploy the app (the runtime is already on the board)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the exact commands and the check, run nothing." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the board's HELLO after flashing.", DefaultValueFactory = _ => 20, HelpName = "S" };
        var command = new Command("flash", "Flash the nanoFramework runtime and the NbnEdge app with nanoff, then verify the board's HELLO on its data port.")
        {
            board, port, dataPort, image, runtimeOnly, appOnly, dryRun, timeout,
        };
        command.SetAction((p, ct) => Task.FromResult(Run(output, p.GetValue(board)!, p.GetValue(port)!, p.GetValue(dataPort), p.GetValue(image),
            p.GetValue(runtimeOnly), p.GetValue(appOnly), p.GetValue(dryRun), p.GetValue(timeout), ct)));
        return command;
    }

    private static int Run(TextWriter output, string boardId, string port, string? dataPort, string? image,
        bool runtimeOnly, bool appOnly, bool dryRun, double timeoutS, CancellationToken ct)
    {
        BoardInfo board = BoardCatalog.Find(boardId)
            ?? throw new UsageException($"unknown board '{boardId}'; supported: {string.Join(", ", BoardCatalog.All.Select(b => b.Id))} (see 'nbnedge boards').");
        if (runtimeOnly && appOnly) throw new UsageException("--runtime-only and --app-only exclude each other.");
        if (!(timeoutS > 0 && timeoutS <= 3600)) throw new UsageException("--timeout must be between 0 and 3600 seconds.");

        string? imagePath = null;
        if (!runtimeOnly)
        {
            imagePath = Path.GetFullPath(image ?? DefaultImage);
            if (!dryRun && !File.Exists(imagePath))
            {
                throw new InputDataException(imagePath, image is null
                    ? "no app image here: build firmware/NbnEdge.Firmware/NbnEdge.Firmware.nfproj (Release) with the nanoFramework extension, or give --image FILE."
                    : "no such file (the app's .bin deployment image from the nanoFramework build).");
            }
        }

        var steps = new List<(string What, string[] Args)>();
        if (!appOnly) steps.Add(("runtime", NanoffRunner.RuntimeArguments(board.NanoffTarget, port)));
        if (!runtimeOnly) steps.Add(("app", NanoffRunner.DeployArguments(board.NanoffTarget, port, imagePath!)));
        string expectation = $"board={board.Id} fw={NbnEdgeDevice.FirmwareVersion} protocol {MessageType.ProtocolVersion}";

        if (dryRun)
        {
            foreach (var (_, args) in steps) output.WriteLine(NanoffRunner.Format(args));
            output.WriteLine(runtimeOnly ? "# no app deployed: nothing to verify"
                : dataPort is null ? "# not verified: give --data-port PORT to check the board's HELLO"
                : $"# then: PING on {dataPort} at {board.DataBaud} baud, expect HELLO with {expectation}");
            return ExitCodes.Ok;
        }

        string nanoff = NanoffRunner.Find()
            ?? throw new InputDataException("nanoff", $"not installed (the nanoFramework flasher): run '{NanoffRunner.InstallCommand}' and make sure ~/.dotnet/tools is on PATH.");
        RequirePortExists(port);
        if (dataPort is not null) RequirePortExists(dataPort);

        foreach (var (what, args) in steps)
        {
            output.WriteLine($"flashing {what} for {board.Id} ({board.NanoffTarget}) on {port}: {NanoffRunner.Format(args)}");
            int code = NanoffRunner.Run(nanoff, args, output, ct);
            if (code != 0)
            {
                throw new InputDataException("nanoff", $"failed ({what}, exit {code}); its output is above. Check that {port} is the board's USB port and not open in another program, " +
                    "and that the board is in download mode (hold BOOT, tap EN) if nanoff cannot connect.");
            }
        }

        if (runtimeOnly)
        {
            output.WriteLine($"runtime flashed on {board.Id}; deploy the app with 'nbnedge flash --board {board.Id} --port {port} --app-only'.");
            return ExitCodes.Ok;
        }

        if (dataPort is null)
        {
            output.WriteLine($"flashed {board.Id}; not verified: give --data-port PORT (the data UART, {board.DataUart}) to check the board's HELLO.");
            return ExitCodes.Ok;
        }

        return Verify(output, board, dataPort, TimeSpan.FromSeconds(timeoutS), expectation, ct);
    }

    /// <summary>Waits for HELLO on the data port and prints the one-line verdict.</summary>
    internal static int Verify(TextWriter output, BoardInfo board, string dataPort, TimeSpan timeout, string expectation, CancellationToken ct)
    {
        HelloProbeResult probe;
        try
        {
            probe = HelloProbe.Listen(dataPort, board.DataBaud, timeout, ct);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InputDataException(dataPort, SerialByteSource.OpenFailureProblem(e, SerialByteSource.PortExists(dataPort), SerialPort.GetPortNames()));
        }

        HelloInfo? hello = probe.Hello;
        if (hello is null)
        {
            string seen = probe.Counters.UnknownVersion > 0
                ? $" {probe.Counters.UnknownVersion} frames of another protocol version arrived: the board runs firmware this nbnedge does not speak."
                : probe.Counters.Bytes > 0 ? $" {probe.Counters.Bytes} bytes arrived but no HELLO frame ({probe.Counters.FramesDropped} bad frames): check the baud ({board.DataBaud})."
                : " Nothing arrived.";
            output.WriteLine($"NOT VERIFIED: no HELLO on {dataPort} within {timeout.TotalSeconds:0} s.{seen} " +
                $"Check the wiring of the data UART ({board.DataUart}: board TX to adapter RX, common ground), that --data-port is the adapter's port, and the baud rate.");
            return ExitCodes.BadInput;
        }

        var problems = new List<string>();
        if (hello.Board != board.Id) problems.Add($"board={hello.Board ?? "(none)"} (expected {board.Id})");
        if (hello.Firmware != NbnEdgeDevice.FirmwareVersion) problems.Add($"fw={hello.Firmware ?? "(none)"} (expected {NbnEdgeDevice.FirmwareVersion})");
        if (problems.Count > 0)
        {
            output.WriteLine($"WRONG BOARD OR FIRMWARE on {dataPort}: HELLO says {string.Join(", ", problems)}.");
            return ExitCodes.BadInput;
        }

        output.WriteLine($"verified: {dataPort} answers HELLO with {expectation}.");
        return ExitCodes.Ok;
    }

    /// <summary>A missing port is named before nanoff runs, with the serial ports that exist (as monitor names it).</summary>
    private static void RequirePortExists(string port)
    {
        if (!SerialByteSource.PortExists(port))
            throw new InputDataException(port, SerialByteSource.OpenFailureProblem(null, exists: false, SerialPort.GetPortNames()));
    }
}
