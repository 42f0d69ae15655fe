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
        Master = new FileStream(master, FileAccess.ReadWrite, bufferSize: 0, isAsync: false);
    }

    /// <summary>The path a reader opens (e.g. /dev/pts/3).</summary>
    public string SlavePath { get; }

    /// <summary>The master side: write the device's bytes here, read the host's commands from here.</summary>
    public FileStream Master { get; }

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
        int master = posix_openpt(oRdwr | oNoctty);
        Check(master, "posix_openpt");
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
    private static extern int posix_openpt(int flags);

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
