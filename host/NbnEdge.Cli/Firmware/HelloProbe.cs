using System.IO.Ports;
using NbnEdge.Link;

namespace NbnEdge.Cli.Firmware;

/// <summary>What listening on a board's data port gave.</summary>
/// <param name="Hello">the HELLO received, or null</param>
/// <param name="Counters">what the link saw (frames, bad CRCs, unknown protocol versions)</param>
public sealed record HelloProbeResult(HelloInfo? Hello, LinkCounters Counters);

/// <summary>
/// Opens a board's data UART, asks for HELLO with PING (the board may have sent its boot HELLO
/// before the port was opened) and waits for it. Port faults are reported as
/// one-line errors by the caller; this type only reads.
/// </summary>
public static class HelloProbe
{
    /// <summary>How long a port that refuses to open is retried before it is reported busy.</summary>
    public static readonly TimeSpan FirstOpenPatience = TimeSpan.FromSeconds(2);

    /// <summary>Listens on <paramref name="portName"/> for up to <paramref name="timeout"/>; PING every 2 s until HELLO.</summary>
    /// <exception cref="UnauthorizedAccessException">the port is busy or not permitted</exception>
    /// <exception cref="IOException">the port cannot be opened</exception>
    public static HelloProbeResult Listen(string portName, int baud, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var assembler = new SpectrumStreamAssembler();
        var commands = new CommandWriter();
        byte[] buffer = new byte[4096];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool firstOpen = true;
        while (clock.Elapsed < timeout && !cancellationToken.IsCancellationRequested)
        {
            using var port = new SerialPort(portName, baud, Parity.None, 8, StopBits.One)
            {
                Handshake = Handshake.None,
                ReadTimeout = 100,
                DtrEnable = false,
                RtsEnable = false,
            };
            try
            {
                port.Open();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException
                                      && (!firstOpen || clock.Elapsed < FirstOpenPatience) && clock.Elapsed < timeout)
            {
                // The board resets after a deploy, USB-UART adapters re-enumerate, and a port just
                // created may refuse its first open for a moment: try again, for a bounded time.
                Thread.Sleep(100);
                continue;
            }

            firstOpen = false;
            try
            {
                if (ReadUntilHello(port, assembler, commands, buffer, clock, timeout, cancellationToken))
                {
                    break;
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The port closed under the reader (a hang-up): reopen it and keep what was read.
                Thread.Sleep(100);
            }
        }

        return new HelloProbeResult(assembler.Hello, assembler.Counters);
    }

    private static bool ReadUntilHello(SerialPort port, SpectrumStreamAssembler assembler, CommandWriter commands, byte[] buffer,
        System.Diagnostics.Stopwatch clock, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TimeSpan nextPing = TimeSpan.Zero;
        while (clock.Elapsed < timeout && !cancellationToken.IsCancellationRequested)
        {
            if (clock.Elapsed >= nextPing)
            {
                byte[] ping = commands.Ping().Frame;
                port.Write(ping, 0, ping.Length);
                nextPing = clock.Elapsed + TimeSpan.FromSeconds(2);
            }

            int n;
            try
            {
                n = port.Read(buffer, 0, buffer.Length);
            }
            catch (TimeoutException)
            {
                continue;
            }

            assembler.Feed(buffer, 0, n);
            if (assembler.Hello is not null)
            {
                return true;
            }
        }

        return false;
    }
}
