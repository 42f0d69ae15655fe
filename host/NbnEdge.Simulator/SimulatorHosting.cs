using System.Net;
using System.Net.Sockets;

namespace NbnEdge.Simulator;

/// <summary>Ways to offer a <see cref="SimulatedBoard"/> to a host program: <c>nbnedge simulate --pty</c> or <c>--tcp PORT</c>.</summary>
public static class SimulatorHosting
{
    /// <summary>
    /// Serves <paramref name="board"/> on a new pseudo-terminal until cancelled; <paramref name="ready"/>
    /// gets the slave path to hand to the reader (e.g. <c>nbnedge monitor --port /dev/pts/5</c>).
    /// Use a paced board: a pseudo-terminal with nobody reading blocks the writer.
    /// </summary>
    public static async Task ServePtyAsync(SimulatedBoard board, Action<string> ready, CancellationToken cancellationToken)
    {
        using PseudoTerminal pty = PseudoTerminal.Open();
        ready(pty.SlavePath);
        await board.ServeAsync(pty.Master, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Serves <paramref name="board"/> over TCP, one client at a time, until cancelled: the board
    /// keeps running between clients (frames sent while nobody listens are lost, as on a serial
    /// line nobody reads, and show as a seq jump). <paramref name="ready"/> gets the bound endpoint.
    /// </summary>
    public static async Task ServeTcpAsync(SimulatedBoard board, IPEndPoint endpoint, Action<IPEndPoint> ready, CancellationToken cancellationToken)
    {
        var listener = new TcpListener(endpoint);
        listener.Start();
        try
        {
            ready((IPEndPoint)listener.LocalEndpoint);
            while (!cancellationToken.IsCancellationRequested)
            {
                using TcpClient client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                client.NoDelay = true;
                try
                {
                    await board.ServeAsync(client.GetStream(), cancellationToken).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // The client went away; wait for the next one.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            listener.Stop();
        }
    }
}
