// One test at a time: brokers, stations and child processes share two cores.
[assembly: DoNotParallelize]

namespace NbnEdge.Mqtt.Tests;

/// <summary>
/// A Mosquitto broker of a test's own (<see cref="LocalMosquitto"/>, shared with the benchmark) in
/// a temp folder. Missing mosquitto fails the test with the line that installs it (a broker test
/// must never pass unseen).
/// </summary>
internal sealed class Mosquitto : IDisposable
{
    private readonly LocalMosquitto _broker;

    private Mosquitto(LocalMosquitto broker) => _broker = broker;

    public string Folder => _broker.Folder;

    public int Port => _broker.Port;

    public MqttEndpoint Endpoint(string? station = null) => new() { Host = "127.0.0.1", Port = Port, Station = station };

    public string Url(string station = "") => $"mqtt://127.0.0.1:{Port}/{station}";

    /// <summary>Starts a broker; <paramref name="extraConfig"/> lines go into its config (e.g. a password file).</summary>
    public static Mosquitto Start(string extraConfig = "allow_anonymous true")
    {
        if (LocalMosquitto.FindExecutable() is null)
            Assert.Fail("mosquitto is not installed: `apt-get install -y mosquitto` (.ci/run does this). The MQTT tests need a real broker.");
        try
        {
            return new Mosquitto(LocalMosquitto.Start(Path.Combine(Path.GetTempPath(), "nbnedge-mqtt-tests", Guid.NewGuid().ToString("N")), extraConfig));
        }
        catch (InvalidOperationException e)
        {
            Assert.Fail(e.Message);
            throw;
        }
    }

    /// <summary>kill -9: no goodbye to anyone.</summary>
    public void Kill() => _broker.Kill();

    /// <summary>Starts the broker again on the same port with the same config.</summary>
    public void Restart()
    {
        try { _broker.Restart(); }
        catch (InvalidOperationException e) { Assert.Fail(e.Message); }
    }

    public string ReadLog() => _broker.ReadLog();

    public void Dispose() => _broker.Dispose();
}
