using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace NbnEdge.Mqtt;

/// <summary>
/// A Mosquitto of one's own: a free loopback port, a config file in a folder, started as a child
/// process and killed at the end. One copy, compiled into the MQTT tests and the benchmark
/// (tools/Shared is linked by both projects, no package of its own).
/// </summary>
internal sealed class LocalMosquitto : IDisposable
{
    private readonly string _config;
    private Process? _process;

    private LocalMosquitto(string folder, int port, string config)
    {
        Folder = folder;
        Port = port;
        _config = config;
    }

    /// <summary>The folder of its config and log.</summary>
    public string Folder { get; }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Where mosquitto is installed; null when it is not.</summary>
    public static string? FindExecutable() =>
        new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/local/bin/mosquitto" }.FirstOrDefault(File.Exists);

    /// <summary>A loopback port nobody listens on now.</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Starts a broker in <paramref name="folder"/>; <paramref name="extraConfig"/> lines go into its config.</summary>
    /// <exception cref="InvalidOperationException">mosquitto is not installed, exited at start, or did not listen within 10 s</exception>
    public static LocalMosquitto Start(string folder, string extraConfig)
    {
        string exe = FindExecutable() ?? throw new InvalidOperationException("mosquitto is not installed: apt-get install -y mosquitto");
        Directory.CreateDirectory(folder);
        int port = FreePort();
        string config = Path.Combine(folder, "mosquitto.conf");
        // No persistence: a killed broker comes back empty, the hardest case for the publisher.
        // `user root`: started as root (CI), Mosquitto would switch to its own user, which cannot read
        // the caller's key files or write its log; as any other user the line changes nothing.
        File.WriteAllText(config, $"listener {port} 127.0.0.1\npersistence false\nuser root\nlog_dest file {Path.Combine(folder, "mosquitto.log")}\n{extraConfig}\n");
        var broker = new LocalMosquitto(folder, port, config);
        broker.Launch(exe);
        return broker;
    }

    /// <summary>kill -9: no goodbye to anyone.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            p.WaitForExit(5000);
        }
    }

    /// <summary>Starts the broker again on the same port with the same config.</summary>
    public void Restart()
    {
        Kill();
        Launch(FindExecutable() ?? throw new InvalidOperationException("mosquitto is gone"));
    }

    /// <summary>The broker's log so far.</summary>
    public string ReadLog()
    {
        string log = Path.Combine(Folder, "mosquitto.log");
        try { return File.Exists(log) ? File.ReadAllText(log) : "(no log)"; }
        catch (IOException) { return "(log busy)"; }
    }

    /// <summary>User + system CPU seconds of the broker process so far (/proc/PID/stat).</summary>
    public double CpuSeconds()
    {
        string[] f = File.ReadAllText($"/proc/{_process!.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // Fields after the name: state is [0], utime [11], stime [12], in clock ticks (100 a second on Linux).
        return (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private void Launch(string exe)
    {
        var psi = new ProcessStartInfo(exe, ["-c", _config]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        _process = Process.Start(psi) ?? throw new InvalidOperationException("mosquitto did not start");
        _process.ErrorDataReceived += (_, _) => { };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var wait = Stopwatch.StartNew();
        while (wait.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"mosquitto exited at start ({_process.ExitCode}): {ReadLog()}");
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException($"mosquitto did not listen on {Port} within 10 s: {ReadLog()}");
    }

    /// <summary>Kills the broker.</summary>
    public void Dispose()
    {
        Kill();
        _process?.Dispose();
    }
}
