using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

// One test at a time: brokers, stations and child processes share two cores.
[assembly: DoNotParallelize]

namespace NbnEdge.Mqtt.Tests;

/// <summary>
/// A Mosquitto broker of a test's own: a free loopback port, a config file in a temp folder, started
/// as a child process and killed at the end. Missing mosquitto fails the test with the line that
/// installs it (a broker test must never pass unseen).
/// </summary>
internal sealed class Mosquitto : IDisposable
{
    private readonly string _config;
    private Process? _process;

    private Mosquitto(string folder, int port, string config)
    {
        Folder = folder;
        Port = port;
        _config = config;
    }

    public string Folder { get; }

    public int Port { get; }

    public MqttEndpoint Endpoint(string? station = null) => new() { Host = "127.0.0.1", Port = Port, Station = station };

    public string Url(string station = "") => $"mqtt://127.0.0.1:{Port}/{station}";

    public static string Executable()
    {
        foreach (string candidate in new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/local/bin/mosquitto" })
            if (File.Exists(candidate)) return candidate;
        Assert.Fail("mosquitto is not installed: `apt-get install -y mosquitto` (.ci/run does this). The MQTT tests need a real broker.");
        return "";
    }

    /// <summary>Starts a broker; <paramref name="extraConfig"/> lines go into its config (e.g. a password file).</summary>
    public static Mosquitto Start(string extraConfig = "allow_anonymous true")
    {
        string exe = Executable();
        string folder = Path.Combine(Path.GetTempPath(), "nbnedge-mqtt-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        int port = FreePort();
        string config = Path.Combine(folder, "mosquitto.conf");
        // No persistence: a killed broker comes back empty, the hardest case for the publisher.
        // `user root`: started as root (CI), Mosquitto would switch to its own user, which cannot read
        // this test's key files or write its log; as any other user the line changes nothing.
        File.WriteAllText(config, $"listener {port} 127.0.0.1\npersistence false\nuser root\nlog_dest file {Path.Combine(folder, "mosquitto.log")}\n{extraConfig}\n");
        var broker = new Mosquitto(folder, port, config);
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
        Launch(Executable());
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
                Assert.Fail($"mosquitto exited at start ({_process.ExitCode}): {ReadLog()}");
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

        Assert.Fail($"mosquitto did not listen on {Port} within 10 s: {ReadLog()}");
    }

    public string ReadLog()
    {
        string log = Path.Combine(Folder, "mosquitto.log");
        try { return File.Exists(log) ? File.ReadAllText(log) : "(no log)"; }
        catch (IOException) { return "(log busy)"; }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
    }
}
