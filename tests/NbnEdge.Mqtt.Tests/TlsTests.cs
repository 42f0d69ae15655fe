using System.Diagnostics;
using NbnEdge.Cli;

namespace NbnEdge.Mqtt.Tests;

/// <summary>TLS to Mosquitto with a private CA (made here with openssl).</summary>
[TestClass]
public sealed class TlsTests
{
    private static void OpenSsl(string folder, params string[] args)
    {
        var p = Process.Start(new ProcessStartInfo("openssl", args) { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.AreEqual(0, p.ExitCode, $"openssl {string.Join(' ', args)}: {err}");
    }

    /// <summary>A CA and a server certificate for 127.0.0.1 signed by it.</summary>
    private static string MakeCertificates()
    {
        string folder = Path.Combine(Path.GetTempPath(), "nbnedge-mqtt-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        OpenSsl(folder, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=nbnedge test CA");
        OpenSsl(folder, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
        File.WriteAllText(Path.Combine(folder, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
        OpenSsl(folder, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
        return folder;
    }

    [TestMethod]
    public async Task Demo_PublishOverTls_WithThePrivateCa_ReachesATlsFacility_WithoutItIsOneLineExit1()
    {
        string certs = MakeCertificates();
        using var broker = Mosquitto.Start($"allow_anonymous true\ncafile {certs}/ca.pem\ncertfile {certs}/server.pem\nkeyfile {certs}/server.key");
        var security = new MqttSecurity { Tls = true, CaFile = Path.Combine(certs, "ca.pem") };
        var facility = new FacilitySubscriber(broker.Endpoint(), security);
        var results = new List<long>();
        facility.MessageApplied += m => { if (m.Kind == "result") lock (results) results.Add(m.Seq); };
        var states = new List<string>();
        facility.StateMessage += line => { lock (states) states.Add(line); };
        await using (facility)
        {
            await facility.StartAsync();
            var output = new StringWriter();
            var error = new StringWriter();
            int exit = CommandLine.Run(["demo", "--spectra", "10", "--journal", Path.Combine(broker.Folder, "tls"), "--publish", $"mqtts://127.0.0.1:{broker.Port}/tls1",
                "--mqtt-ca", Path.Combine(certs, "ca.pem")], output, error);
            Assert.AreEqual(0, exit, error.ToString());
            StringAssert.Contains(output.ToString(), "all 10 results acknowledged");
            Assert.IsTrue(await FacilityRecorder.WaitAsync(() => { lock (results) return results.Count == 10; }, TimeSpan.FromSeconds(30)),
                $"facility over TLS: {results.Count} of 10; {string.Join(" | ", states)}");
            lock (results) CollectionAssert.AreEqual(Enumerable.Range(1, 10).Select(i => (long)i).ToList(), results);
        }

        // Without the CA the broker's certificate is not trusted: a setting to fix, one line before measuring.
        var untrusted = new StringWriter();
        int code = CommandLine.Run(["demo", "--spectra", "5", "--journal", Path.Combine(broker.Folder, "untrusted"), "--publish", $"mqtts://127.0.0.1:{broker.Port}/tls2"], new StringWriter(), untrusted);
        Assert.AreEqual(1, code, untrusted.ToString());
        var lines = untrusted.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(1, lines.Length, untrusted.ToString());
        StringAssert.Contains(lines[0], "is not trusted over TLS");
        StringAssert.Contains(lines[0], "--mqtt-ca FILE");
    }
}
