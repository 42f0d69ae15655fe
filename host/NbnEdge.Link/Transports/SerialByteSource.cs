using System.IO.Ports;

namespace NbnEdge.Link.Transports;

/// <summary>
/// A serial port source (<c>--port /dev/ttyUSB0 --baud 921600</c>, 8N1, no handshake). When the
/// USB-UART adapter is unplugged the read fails; the source reports Disconnected and keeps
/// trying to open the port with backoff until the adapter is back.
/// </summary>
public sealed class SerialByteSource : ReconnectingByteSource
{
    /// <summary>The data UART's rate on every board (boards/*/board.json).</summary>
    public const int DefaultBaud = 921600;

    private readonly string _port;
    private readonly int _baud;

    /// <summary>Creates the source; it opens the port on the first read.</summary>
    public SerialByteSource(string port, int baud = DefaultBaud, ReconnectPolicy? policy = null)
        : base(port, policy)
    {
        _port = port;
        _baud = baud;
    }

    /// <inheritdoc />
    protected override Task<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        var serial = new SerialPort(_port, _baud, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            ReadBufferSize = 1 << 20,
            DtrEnable = false,
            RtsEnable = false,
        };
        try
        {
            // No DiscardInBuffer: whatever the adapter already holds was received and belongs in the journal.
            serial.Open();
            return Task.FromResult<Stream>(new SerialPortStream(serial));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            serial.Dispose();
            throw new LinkOpenException(DescribeOpenFailure(_port, ex, PortExists(_port), SerialPort.GetPortNames()), ex);
        }
        catch
        {
            serial.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Why a port did not open, in the user's terms. On Linux .NET reports a missing device as
    /// "Access to the port is denied", so existence is checked first and a real denial names the
    /// <c>dialout</c> group.
    /// </summary>
    /// <param name="port">the port name given</param>
    /// <param name="ex">what opening it threw</param>
    /// <param name="exists">whether the device node exists (always true on Windows, where COM names are not files)</param>
    /// <param name="present">the serial ports that do exist</param>
    public static string DescribeOpenFailure(string port, Exception ex, bool exists, IReadOnlyCollection<string> present) =>
        $"{port}: {OpenFailureProblem(ex, exists, present)}";

    /// <summary><see cref="DescribeOpenFailure"/> without the port's name in front (for errors that name it themselves).</summary>
    public static string OpenFailureProblem(Exception? ex, bool exists, IReadOnlyCollection<string> present)
    {
        string ports = present.Count == 0 ? "no serial ports found" : "serial ports present: " + string.Join(", ", present.Order(StringComparer.Ordinal));
        if (!exists) return $"no such serial device ({ports}).";
        if (ex is UnauthorizedAccessException)
        {
            return OperatingSystem.IsWindows()
                ? $"access denied (is another program using the port?) ({ports})."
                : $"permission denied: add your user to the 'dialout' group (sudo usermod -aG dialout $USER, then log in again), or check that no other program holds the port ({ports}).";
        }

        return $"could not open the serial port: {ex?.Message} ({ports}).";
    }

    /// <summary>Whether <paramref name="port"/> names a device that exists (on Windows COM names are not files: assumed).</summary>
    public static bool PortExists(string port) => OperatingSystem.IsWindows() || File.Exists(port);

    /// <summary>The port's stream, owning the port so that disposing it closes the port.</summary>
    private sealed class SerialPortStream(SerialPort port) : Stream
    {
        private readonly Stream _inner = port.BaseStream;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => _inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                port.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
