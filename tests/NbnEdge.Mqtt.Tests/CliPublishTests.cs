using System.Diagnostics;
using NbnEdge.Cli;

namespace NbnEdge.Mqtt.Tests;

[TestClass]
public sealed class CliPublishTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CommandLine.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static Mosquitto BrokerWithPassword(out string passwordFile, out string wrongFile)
    {
        string folder = Path.Combine(Path.GetTempPath(), "nbnedge-mqtt-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string users = Path.Combine(folder, "users");
        var mkpasswd = Process.Start(new ProcessStartInfo("mosquitto_passwd", ["-b", "-c", users, "lab", "s3cret"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        mkpasswd.WaitForExit();
        Assert.AreEqual(0, mkpasswd.ExitCode, "mosquitto_passwd (from the mosquitto package)");
        passwordFile = Path.Combine(folder, "password");
        File.WriteAllText(passwordFile, "s3cret\n");
        wrongFile = Path.Combine(folder, "wrong");
        File.WriteAllText(wrongFile, "guess\n");
        return Mosquitto.Start($"allow_anonymous false\npassword_file {users}");
    }

    [TestMethod]
    public async Task Demo_Publish_WithPassword_EveryResultReachesTheFacility()
    {
        using var broker = BrokerWithPassword(out string password, out _);
        await using var facility = new FacilityRecorder.Authenticated(broker, "lab", "s3cret").Recorder;
        await facility.Subscriber.StartAsync();
        string journal = Path.Combine(broker.Folder, "demo");
        var (exit, output, error) = Run("demo", "--spectra", "20", "--journal", journal, "--publish", broker.Url("demo1"), "--mqtt-user", "lab", "--mqtt-password-file", password);
        Assert.AreEqual(0, exit, error + output);
        StringAssert.Contains(output, "all 20 results acknowledged by the broker");
        Assert.IsTrue(await FacilityRecorder.WaitAsync(() => facility.ResultsOf("demo1").Count >= 20 && facility.StatusOf("demo1") == "finished", TimeSpan.FromSeconds(30)));
        CollectionAssert.AreEqual(Enumerable.Range(1, 20).Select(i => (long)i).ToList(), facility.ResultsOf("demo1"));
    }

    [TestMethod]
    public void Demo_Publish_WrongPassword_OneClearLineExit1()
    {
        using var broker = BrokerWithPassword(out _, out string wrong);
        var (exit, _, error) = Run("demo", "--spectra", "5", "--journal", Path.Combine(broker.Folder, "d"), "--publish", broker.Url("demo1"), "--mqtt-user", "lab", "--mqtt-password-file", wrong);
        Assert.AreEqual(1, exit, error);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(1, lines.Length, error);
        StringAssert.Contains(lines[0], "refused the connection: not authorised (wrong user name or password");
        Assert.IsFalse(error.Contains("   at "), "no stack trace");
    }

    [TestMethod]
    public void Demo_Publish_Anonymous_ToABrokerThatNeedsALogin_OneClearLineExit1()
    {
        using var broker = BrokerWithPassword(out _, out _);
        var (exit, _, error) = Run("demo", "--spectra", "5", "--journal", Path.Combine(broker.Folder, "d"), "--publish", broker.Url("demo1"));
        Assert.AreEqual(1, exit, error);
        StringAssert.Contains(error, "refused the connection: not authorised (the broker needs a login: --mqtt-user");
        Assert.AreEqual(1, error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, error);
    }

    [TestMethod]
    [DataRow("http://localhost/x", "expected mqtt://HOST[:PORT]/STATION")]
    [DataRow("mqtt://localhost", "the station's name is missing")]
    [DataRow("mqtt://localhost/a/b", "must be one word")]
    [DataRow("mqtt://user:pw@localhost/a", "not in the address")]
    public void Publish_BadAddress_IsAUsageError(string url, string expected)
    {
        var (exit, _, error) = Run("demo", "--spectra", "5", "--publish", url);
        Assert.AreEqual(2, exit, error);
        StringAssert.Contains(error, expected);
    }

    [TestMethod]
    public void Demo_Publish_BrokerUnreachable_MeasuresOn_ResultsWaitInTheJournal()
    {
        int closed;
        using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { l.Start(); closed = ((System.Net.IPEndPoint)l.LocalEndpoint).Port; l.Stop(); }
        string journal = Path.Combine(Path.GetTempPath(), "nbnedge-mqtt-tests", Guid.NewGuid().ToString("N"));
        var (exit, output, error) = Run("demo", "--spectra", "10", "--journal", journal, "--publish", $"mqtt://127.0.0.1:{closed}/away");
        Assert.AreEqual(0, exit, error + output);
        StringAssert.Contains(output, $"cannot reach the broker 127.0.0.1:{closed} (Connection refused); results are kept in the journal");
        StringAssert.Contains(output, "0 results acknowledged by the broker; the rest stays in the journal (");
        string results = Directory.GetFiles(journal, "*.results.jsonl").Single();
        Assert.AreEqual(10, File.ReadAllLines(results).Length, "every result is in the outbox");
    }

    [TestMethod]
    public void Serve_Mqtt_WrongPassword_OneClearLineExit1()
    {
        using var broker = BrokerWithPassword(out _, out string wrong);
        var (exit, _, error) = Run("serve", "--mqtt", broker.Url(), "--mqtt-user", "lab", "--mqtt-password-file", wrong, "--linger", "1");
        Assert.AreEqual(1, exit, error);
        Assert.AreEqual(1, error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, error);
        StringAssert.Contains(error, "refused the connection: not authorised (wrong user name or password");
    }

    [TestMethod]
    public void Serve_Mqtt_WithFiles_OrWithNothing_IsAUsageError()
    {
        Assert.AreEqual(2, Run("serve", "--mqtt", "mqtt://127.0.0.1/", "some.csv").Exit);
        var (exit, _, error) = Run("serve");
        Assert.AreEqual(2, exit);
        StringAssert.Contains(error, "or --mqtt URL for the facility view");
        StringAssert.Contains(Run("serve", "--mqtt", "mqtt://127.0.0.1/st").Err, "a facility subscribes to every station");
    }

    [TestMethod]
    public void Publish_CaFileThatIsNoCertificate_IsOneUsageLine()
    {
        using var broker = Mosquitto.Start();
        string notPem = Path.Combine(broker.Folder, "ca.pem");
        File.WriteAllText(notPem, "this is not a certificate\n");
        var (exit, _, error) = Run("demo", "--spectra", "5", "--journal", Path.Combine(broker.Folder, "d"), "--publish", $"mqtts://127.0.0.1:{broker.Port}/x", "--mqtt-ca", notPem);
        Assert.AreEqual(2, exit, error);
        Assert.AreEqual(1, error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, error);
        StringAssert.Contains(error, $"--mqtt-ca {notPem}: no certificate in the file");
    }

    [TestMethod]
    public void Monitor_Publish_WithoutJournal_IsAUsageError()
    {
        var (exit, _, error) = Run("monitor", "tcp://127.0.0.1:9", "--no-journal", "--publish", "mqtt://127.0.0.1/x");
        Assert.AreEqual(2, exit, error);
        StringAssert.Contains(error, "(it is the outbox): drop --no-journal");
    }
}
