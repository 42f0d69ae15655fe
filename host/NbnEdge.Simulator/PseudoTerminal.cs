using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NbnEdge.Simulator;

/// <summary>
/// A pseudo-terminal pair (Linux, macOS) through libc: posix_openpt, grantpt, unlockpt, ptsname,
/// with the slave side in raw mode (cfmakeraw: no echo, no line editing, no CR/LF translation,
/// 8-bit clean), so any program that opens <see cref="SlavePath"/> as a serial port sees exactly
/// the bytes written to <see cref="Master"/>: <c>nbnedge simulate --pty</c> serves a simulated
/// board there and <c>nbnedge monitor --port &lt;SlavePath&gt;</c> reads it like a USB-UART adapter.
/// </summary>
public sealed class PseudoTerminal : IDisposable
{
    private const int TcsaNow = 0;
    // The termios struct differs per OS and architecture; it is only passed between tcgetattr,
    // cfmakeraw and tcsetattr, so an opaque buffer larger than any layout avoids declaring it.
    private const int TermiosBufferBytes = 256;

    private readonly SafeFileHandle _master;
    private readonly SafeFileHandle _slaveKeptOpen;

    static PseudoTerminal()
    {
        NativeLibrary.SetDllImportResolver(typeof(PseudoTerminal).Assembly, Resolve);
    }

    private PseudoTerminal(SafeFileHandle master, SafeFileHandle slave, string slavePath)
    {
        _master = master;
        _slaveKeptOpen = slave;
        SlavePath = slavePath;
        Master = new PtyMasterStream(master);
    }

    /// <summary>The path a reader opens (e.g. /dev/pts/3).</summary>
    public string SlavePath { get; }

    /// <summary>
    /// The master side: write the device's bytes here, read the host's commands from here. Like a
    /// UART, it never blocks the device: what the slave's input queue cannot take while nobody
    /// reads it is dropped and counted (<see cref="PtyMasterStream.DroppedBytes"/>).
    /// </summary>
    public PtyMasterStream Master { get; }

    /// <summary>Whether this OS has pseudo-terminals through libc (Linux, macOS, FreeBSD).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>Opens a new pair; the slave is set to raw mode and kept open by this object.</summary>
    public static PseudoTerminal Open()
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("pseudo-terminals need a POSIX libc (Linux or macOS)");
        }

        int oRdwr = 2;
        int oNoctty = OperatingSystem.IsLinux() ? 0x100 : 0x20000;
        int oNonblock = OperatingSystem.IsLinux() ? 0x800 : 0x4;
        // What posix_openpt does, with O_NONBLOCK added (fcntl is variadic, which P/Invoke cannot
        // call portably): writes to a terminal nobody reads must fail at once, not block.
        int master = open("/dev/ptmx", oRdwr | oNoctty | oNonblock);
        Check(master, "open /dev/ptmx");
        var masterHandle = new SafeFileHandle(master, ownsHandle: true);
        try
        {
            Check(grantpt(master), "grantpt");
            Check(unlockpt(master), "unlockpt");
            IntPtr name = ptsname(master);
            if (name == IntPtr.Zero)
            {
                throw new IOException($"ptsname failed: errno {Marshal.GetLastPInvokeError()}");
            }

            string slavePath = Marshal.PtrToStringAnsi(name)!;
            int slave = open(slavePath, oRdwr | oNoctty);
            Check(slave, "open " + slavePath);
            var slaveHandle = new SafeFileHandle(slave, ownsHandle: true);
            MakeRaw(slave);
            // Keeping a slave descriptor open means the master never reads EIO between readers
            // (a monitor restarting), just as a real adapter stays present.
            return new PseudoTerminal(masterHandle, slaveHandle, slavePath);
        }
        catch
        {
            masterHandle.Dispose();
            throw;
        }
    }

    /// <summary>Sets a terminal descriptor to raw mode (cfmakeraw) now.</summary>
    public static void MakeRaw(int fd)
    {
        byte[] termios = new byte[TermiosBufferBytes];
        Check(tcgetattr(fd, termios), "tcgetattr");
        cfmakeraw(termios);
        Check(tcsetattr(fd, TcsaNow, termios), "tcsetattr");
    }

    /// <summary>Closes both sides; a reader on the slave then sees end of file or an error.</summary>
    public void Dispose()
    {
        Master.Dispose();
        _slaveKeptOpen.Dispose();
        _master.Dispose();
    }

    private static void Check(int result, string what)
    {
        if (result < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{what} failed: errno {errno}");
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != "libc")
        {
            return IntPtr.Zero;
        }

        // "libc.so" is a linker script on glibc systems, not a loadable library.
        string[] candidates = OperatingSystem.IsMacOS() ? ["/usr/lib/libSystem.dylib"] : ["libc.so.6", "libc.so.7", "libc.so"];
        foreach (string candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, out IntPtr handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int grantpt(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int unlockpt(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr ptsname(int fd);

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int tcgetattr(int fd, byte[] termios);

    [DllImport("libc", SetLastError = true)]
    private static extern int tcsetattr(int fd, int optionalActions, byte[] termios);

    [DllImport("libc", SetLastError = true)]
    private static extern void cfmakeraw(byte[] termios);
}

/// <summary>
/// A pseudo-terminal's non-blocking master descriptor as a stream. Reads wait (polling, so they
/// can be cancelled) until the host sends something; writes put what the slave's queue takes and
/// drop the rest, as a UART does when the adapter's reader has gone.
/// </summary>
public sealed class PtyMasterStream : Stream
{
    private const short PollIn = 0x1;
    private const int PollIntervalMs = 50;
    private static readonly int EAgain = OperatingSystem.IsLinux() ? 11 : 35;
    private const int EIntr = 4;

    private readonly SafeFileHandle _handle;
    private long _droppedBytes;

    internal PtyMasterStream(SafeFileHandle handle) => _handle = handle;

    /// <summary>Bytes written while the slave's input queue was full (nobody reading).</summary>
    public long DroppedBytes => Interlocked.Read(ref _droppedBytes);

    /// <inheritdoc/>
    public override bool CanRead => !_handle.IsClosed;
    /// <inheritdoc/>
    public override bool CanWrite => !_handle.IsClosed;
    /// <inheritdoc/>
    public override bool CanSeek => false;
    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    /// <inheritdoc/>
    public override void Flush() { }
    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer) => ReadCore(buffer, CancellationToken.None);

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(Task.Run(() => ReadCore(buffer.Span, cancellationToken), cancellationToken));

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int ReadCore(Span<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int fd = Descriptor(); // each time: the terminal may have been closed while we waited
            nint n = read(fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (n >= 0) return (int)n;
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EIntr) continue;
            if (errno != EAgain) throw new IOException($"reading the pseudo-terminal failed: errno {errno}");
            var pfd = new PollFd { Fd = fd, Events = PollIn };
            poll(ref pfd, 1, PollIntervalMs);
        }
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        int fd = Descriptor();
        while (!buffer.IsEmpty)
        {
            nint n = write(fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (n > 0) { buffer = buffer[(int)n..]; continue; }
            int errno = n < 0 ? Marshal.GetLastPInvokeError() : EAgain;
            if (errno == EIntr) continue;
            if (errno != EAgain) throw new IOException($"writing the pseudo-terminal failed: errno {errno}");
            Interlocked.Add(ref _droppedBytes, buffer.Length);
            return;
        }
    }

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Descriptor()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        return (int)_handle.DangerousGetHandle();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint read(int fd, ref byte buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern nint write(int fd, ref byte buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int poll(ref PollFd fds, nuint count, int timeoutMs);
}
