using System.Net.Sockets;

namespace NbnEdge.Link.Transports;

/// <summary>A TCP client source (<c>tcp://host:port</c>), reconnecting with backoff when the connection drops.</summary>
public sealed class TcpByteSource : ReconnectingByteSource
{
    private readonly string _host;
    private readonly int _port;

    /// <summary>Creates the source; it connects on the first read.</summary>
    public TcpByteSource(string host, int port, ReconnectPolicy? policy = null)
        : base($"tcp://{host}:{port}", policy)
    {
        _host = host;
        _port = port;
    }

    /// <summary>Parses <c>tcp://host:port</c>.</summary>
    public static TcpByteSource Parse(string url, ReconnectPolicy? policy = null)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme != "tcp" || uri.Port <= 0)
        {
            throw new ArgumentException($"not a tcp://host:port address: {url}", nameof(url));
        }

        return new TcpByteSource(uri.Host, uri.Port, policy);
    }

    /// <inheritdoc />
    protected override async Task<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(_host, _port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(client.Client, ownsSocket: true);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            client.Dispose();
            string why = ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "nothing listening there (connection refused)",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "no such host",
                SocketError.TimedOut => "no answer (timed out)",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "host unreachable",
                _ => ex.Message,
            };
            throw new LinkOpenException($"{Name}: {why}.", ex);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
