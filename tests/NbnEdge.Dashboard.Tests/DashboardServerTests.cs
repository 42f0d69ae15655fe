using System.Net;
using System.Text;
using System.Text.Json;
using NbnEdge.Dashboard;

[assembly: Parallelize(Workers = 1, Scope = ExecutionScope.ClassLevel)]

namespace NbnEdge.Dashboard.Tests;

[TestClass]
public sealed class DashboardServerTests
{
    public TestContext TestContext { get; set; } = null!;

    private static double[] Bias(int n) => Enumerable.Range(0, n).Select(i => -6.0 + 12.0 * i / (n - 1)).ToArray();
    private static double[] Curve(double[] bias, double delta) =>
        bias.Select(v => Math.Abs(v) < delta ? 0.1 : 1 + 0.5 * Math.Exp(-(Math.Abs(v) - delta) * 3)).ToArray();

    private static HttpClient Client() => new() { Timeout = TimeSpan.FromSeconds(20) };

    [TestMethod]
    public async Task BindsToLoopbackOnAFreePortAndServesThePage()
    {
        await using var server = await DashboardServer.StartAsync(new DashboardState());
        Assert.AreEqual("127.0.0.1", server.Url.Host);
        Assert.AreNotEqual(0, server.Url.Port);
        using var http = Client();
        var html = await http.GetStringAsync(server.Url, TestContext.CancellationToken);
        StringAssert.Contains(html, "<script src=\"/app.js\"");
        Assert.DoesNotContain("<script>", html, "no inline scripts: the CSP forbids them");
        Assert.DoesNotContain("style=", html, "no inline styles: the CSP forbids them");
        var js = await http.GetAsync(new Uri(server.Url, "/app.js"), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, js.StatusCode);
        Assert.AreEqual("text/javascript", js.Content.Headers.ContentType!.MediaType);
    }

    [TestMethod]
    [DataRow("0.0.0.0")]
    [DataRow("::")]
    [DataRow("192.168.1.20")]
    public async Task RefusesNonLoopbackWithoutTheFlag(string address)
    {
        var e = Assert.ThrowsExactly<DashboardBindException>(() => DashboardServer.ResolveListenAddress(address, allowNonLoopback: false));
        StringAssert.Contains(e.Message, "--listen");
        await Assert.ThrowsExactlyAsync<DashboardBindException>(() =>
            DashboardServer.StartAsync(new DashboardState(), new DashboardServerOptions { ListenAddress = address }));
        // With the flag the address is accepted (not bound here: tests use loopback only).
        Assert.AreEqual(IPAddress.Parse(address), DashboardServer.ResolveListenAddress(address, allowNonLoopback: true));
    }

    [TestMethod]
    public void AcceptsLoopbackNamesAndRefusesHostNames()
    {
        Assert.AreEqual(IPAddress.Loopback, DashboardServer.ResolveListenAddress("localhost", false));
        Assert.AreEqual(IPAddress.IPv6Loopback, DashboardServer.ResolveListenAddress("[::1]", false));
        Assert.AreEqual(IPAddress.Parse("127.0.0.2"), DashboardServer.ResolveListenAddress("127.0.0.2", false));
        Assert.ThrowsExactly<DashboardBindException>(() => DashboardServer.ResolveListenAddress("example.org", true));
    }

    [TestMethod]
    [DataRow("/")]
    [DataRow("/app.js")]
    [DataRow("/app.css")]
    [DataRow("/api/state")]
    public async Task EveryResponseCarriesTheSecurityHeaders(string path)
    {
        await using var server = await DashboardServer.StartAsync(new DashboardState());
        using var http = Client();
        using var r = await http.GetAsync(new Uri(server.Url, path), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, r.StatusCode);
        string csp = string.Join(";", r.Headers.GetValues("Content-Security-Policy"));
        foreach (var directive in new[] { "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                     "connect-src 'self'", "frame-ancestors 'none'" })
            StringAssert.Contains(csp, directive);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.AreEqual("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.AreEqual("no-referrer", r.Headers.GetValues("Referrer-Policy").Single());
        Assert.IsFalse(r.Headers.Contains("Server"), "no server banner");
    }

    [TestMethod]
    [DataRow("POST")]
    [DataRow("PUT")]
    [DataRow("DELETE")]
    public async Task OnlyReadsAreAnswered(string method)
    {
        await using var server = await DashboardServer.StartAsync(new DashboardState());
        using var http = Client();
        using var r = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(server.Url, "/api/state"))
            { Content = new StringContent("{}") }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.MethodNotAllowed, r.StatusCode);
    }

    [TestMethod]
    public async Task ForeignHostHeaderIsRefusedOnLoopback()
    {
        // DNS rebinding: a page from evil.example resolving to 127.0.0.1 must not read the session.
        await using var server = await DashboardServer.StartAsync(new DashboardState());
        using var http = Client();
        var req = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Url, "/api/state"));
        req.Headers.Host = "evil.example";
        using var r = await http.SendAsync(req, TestContext.CancellationToken);
        Assert.AreEqual((HttpStatusCode)421, r.StatusCode);
        using var ok = await http.GetAsync(new Uri($"http://localhost:{server.Url.Port}/api/state"), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, ok.StatusCode);
    }

    [TestMethod]
    public async Task ForeignHostHeaderIsRefusedWhenBoundToEveryInterface()
    {
        // Issue 16 item 6: bound to 0.0.0.0 the Host check used to be off (Host: evil.com → 200).
        await using var server = await DashboardServer.StartAsync(new DashboardState(), new DashboardServerOptions
        {
            ListenAddress = "0.0.0.0", AllowNonLoopback = true, AllowedHosts = ["lab-pc.example.org"],
        });
        using var http = Client();
        async Task<HttpStatusCode> Get(string host)
        {
            var req = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{server.Url.Port}/api/state"));
            req.Headers.Host = host;
            using var r = await http.SendAsync(req, TestContext.CancellationToken);
            return r.StatusCode;
        }
        Assert.AreEqual((HttpStatusCode)421, await Get("evil.com"));
        Assert.AreEqual((HttpStatusCode)421, await Get($"evil.com:{server.Url.Port}"));
        Assert.AreEqual((HttpStatusCode)421, await Get("lab-pc.example.org.evil.com"));
        Assert.AreEqual(HttpStatusCode.OK, await Get($"localhost:{server.Url.Port}"));
        Assert.AreEqual(HttpStatusCode.OK, await Get($"lab-pc.example.org:{server.Url.Port}"), "a name given with --allow-host");
        Assert.AreEqual(HttpStatusCode.OK, await Get(System.Net.Dns.GetHostName()), "the machine's own name");
        var own = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (own is not null) Assert.AreEqual(HttpStatusCode.OK, await Get($"{own}:{server.Url.Port}"), "the machine's own address");
        Assert.AreEqual((HttpStatusCode)421, await Get("203.0.113.9"), "an address that is not this machine's");
    }

    [TestMethod]
    [DataRow("0")]
    [DataRow("10.1")]
    [DataRow("0x7f000001")]
    public void AbbreviatedAddressesAreRefused(string address)
    {
        // "--listen 0" parses as 0.0.0.0 (every interface): nobody should get that by accident.
        var e = Assert.ThrowsExactly<DashboardBindException>(() => DashboardServer.ResolveListenAddress(address, allowNonLoopback: true));
        StringAssert.Contains(e.Message, "write it out in full");
    }

    [TestMethod]
    public async Task AnAddressNotOnThisMachineIsAClearBindError()
    {
        var e = await Assert.ThrowsExactlyAsync<DashboardBindException>(() => DashboardServer.StartAsync(new DashboardState(),
            new DashboardServerOptions { ListenAddress = "203.0.113.9", AllowNonLoopback = true }));
        StringAssert.Contains(e.Message, "203.0.113.9");
    }

    [TestMethod]
    public async Task EventStreamDeliversASpectrumAddedAfterConnecting()
    {
        var state = new DashboardState();
        state.AddSpectrum("before", 0, Bias(101), Curve(Bias(101), 2), null, 2.0, 0.001, null, "ok");
        await using var server = await DashboardServer.StartAsync(state);
        using var http = Client();
        using var response = await http.GetAsync(new Uri(server.Url, "/api/events"), HttpCompletionOption.ResponseHeadersRead, TestContext.CancellationToken);
        Assert.AreEqual("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.CancellationToken), Encoding.UTF8);

        var first = await ReadEvent(reader);
        Assert.AreEqual("update", first.Event);
        using (var doc = JsonDocument.Parse(first.Data))
        {
            Assert.IsTrue(doc.RootElement.GetProperty("reset").GetBoolean());
            Assert.AreEqual("before", doc.RootElement.GetProperty("fits").GetProperty("name")[0].GetString());
        }

        var bias = Bias(121);
        state.AddSpectrum("after", 12.5, bias, Curve(bias, 1.9), Curve(bias, 1.9), 1.9, 0.002, 1.91, "ok");
        var second = await ReadEvent(reader);
        using (var doc = JsonDocument.Parse(second.Data))
        {
            var root = doc.RootElement;
            Assert.IsFalse(root.GetProperty("reset").GetBoolean());
            var fits = root.GetProperty("fits");
            Assert.AreEqual(1, fits.GetProperty("from").GetInt32(), "only the new spectrum is sent");
            Assert.AreEqual(1, fits.GetProperty("name").GetArrayLength());
            Assert.AreEqual("after", fits.GetProperty("name")[0].GetString());
            Assert.AreEqual(12.5, fits.GetProperty("position")[0].GetDouble());
            Assert.AreEqual(1.91, fits.GetProperty("device_delta_meV")[0].GetDouble());
            Assert.AreEqual("after", root.GetProperty("latest").GetProperty("name").GetString());
            Assert.AreEqual(121, root.GetProperty("latest").GetProperty("model").GetArrayLength());
            Assert.AreEqual(1, root.GetProperty("waterfall").GetArrayLength());
        }
        Assert.AreNotEqual(first.Id, second.Id);
    }

    [TestMethod]
    public async Task ReconnectingWithLastEventIdResumesWithoutResending()
    {
        var state = new DashboardState();
        for (int i = 0; i < 5; i++) state.AddSpectrum($"s{i}", i, Bias(50), Curve(Bias(50), 2), null, 2, 0.001, null, "ok");
        state.BuildUpdate(DashboardCursor.Start, out var cursor);
        state.AddSpectrum("s5", 5, Bias(50), Curve(Bias(50), 2), null, 2, 0.001, null, "ok");
        await using var server = await DashboardServer.StartAsync(state);
        using var http = Client();
        var req = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Url, "/api/events"));
        req.Headers.Add("Last-Event-ID", cursor.ToString());
        using var response = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, TestContext.CancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.CancellationToken));
        var ev = await ReadEvent(reader);
        using var doc = JsonDocument.Parse(ev.Data);
        var names = doc.RootElement.GetProperty("fits").GetProperty("name").EnumerateArray().Select(e => e.GetString()).ToArray();
        CollectionAssert.AreEqual(new[] { "s5" }, names);
    }

    [TestMethod]
    public async Task StateEndpointReturnsWhatWasFed()
    {
        var state = new DashboardState();
        state.SetSessionInfo("test session", "distance (nm)");
        var bias = Bias(201);
        var g = Curve(bias, 2.02);
        var model = g.Select(v => v + 0.001).ToArray();
        state.AddSpectrum("line_000", 0.0, bias, g, model, 2.0213, 0.0012, 2.0301, "ok");
        state.AddSpectrum("line_001", 2.13, bias, g, null, double.NaN, double.NaN, null, "no_gap");
        state.SetStatistics(new DashboardStatistics
        {
            Count = 2, MeanMeV = 2.0213, SdMeV = 0.0412, GaussMeanMeV = 2.0199, GaussSigmaMeV = 0.0399, GaussAmplitude = 7.5,
            IntrinsicSigmaMeV = 0.0301, IntrinsicCiMeV = (0.021, 0.038),
            HistogramEdgesMeV = [1.9, 2.0, 2.1], HistogramCounts = [3, 4],
        });
        state.SetLinkHealth([new("frames", 1234), new("crc_errors", 2), new("latency_ms", 3.25)]);
        state.SetGapMap(2, 2, 1.5, [2.0, 2.1, double.NaN, 2.3]);
        state.SetGapMapPixel(0, 1, 2.2);
        state.SetFinished("""{"n": 2, "mean_meV": 2.0213}""");

        await using var server = await DashboardServer.StartAsync(state);
        using var http = Client();
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.Url, "/api/state"), TestContext.CancellationToken));
        var root = doc.RootElement;
        Assert.AreEqual(2, root.GetProperty("spectra_added").GetInt32());
        Assert.AreEqual("test session", root.GetProperty("info").GetProperty("title").GetString());
        Assert.AreEqual("distance (nm)", root.GetProperty("info").GetProperty("position_label").GetString());
        var fits = root.GetProperty("fits");
        CollectionAssert.AreEqual(new[] { "line_000", "line_001" }, fits.GetProperty("name").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.AreEqual(2.13, fits.GetProperty("position")[1].GetDouble());
        Assert.AreEqual(2.0213, fits.GetProperty("delta_meV")[0].GetDouble());
        Assert.AreEqual(JsonValueKind.Null, fits.GetProperty("delta_meV")[1].ValueKind, "NaN travels as null");
        Assert.AreEqual(0.0012, fits.GetProperty("delta_err_meV")[0].GetDouble());
        Assert.AreEqual(2.0301, fits.GetProperty("device_delta_meV")[0].GetDouble());
        Assert.AreEqual(JsonValueKind.Null, fits.GetProperty("device_delta_meV")[1].ValueKind);
        Assert.AreEqual("no_gap", fits.GetProperty("flag")[1].GetString());

        var latest = root.GetProperty("latest");
        Assert.AreEqual("line_001", latest.GetProperty("name").GetString());
        Assert.AreEqual(JsonValueKind.Null, latest.GetProperty("model").ValueKind);
        var lb = latest.GetProperty("bias_mV").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var lg = latest.GetProperty("conductance").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.HasCount(201, lb);
        for (int i = 0; i < 201; i++)
        {
            Assert.AreEqual(bias[i], lb[i], 1e-6 * Math.Max(1, Math.Abs(bias[i])), "spectra are kept as float");
            Assert.AreEqual(g[i], lg[i], 1e-6 * Math.Max(1, Math.Abs(g[i])));
        }

        var st = root.GetProperty("stats");
        Assert.AreEqual(2, st.GetProperty("n").GetInt32());
        Assert.AreEqual(2.0213, st.GetProperty("mean_meV").GetDouble());
        Assert.AreEqual(0.0412, st.GetProperty("sd_meV").GetDouble());
        Assert.AreEqual(2.0199, st.GetProperty("gauss_mean_meV").GetDouble());
        Assert.AreEqual(0.0399, st.GetProperty("gauss_sigma_meV").GetDouble());
        Assert.AreEqual(7.5, st.GetProperty("gauss_amplitude").GetDouble());
        Assert.AreEqual(0.0301, st.GetProperty("intrinsic_sigma_meV").GetDouble());
        Assert.AreEqual(0.021, st.GetProperty("intrinsic_sigma_ci_meV")[0].GetDouble());
        Assert.AreEqual(0.038, st.GetProperty("intrinsic_sigma_ci_meV")[1].GetDouble());
        CollectionAssert.AreEqual(new[] { 1.9, 2.0, 2.1 }, st.GetProperty("edges_meV").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        CollectionAssert.AreEqual(new[] { 3, 4 }, st.GetProperty("counts").EnumerateArray().Select(e => e.GetInt32()).ToArray());

        var link = root.GetProperty("link");
        Assert.AreEqual("frames", link[0][0].GetString());
        Assert.AreEqual(1234, link[0][1].GetDouble());
        Assert.AreEqual(3.25, link[2][1].GetDouble());

        var map = root.GetProperty("map");
        Assert.AreEqual(2, map.GetProperty("width").GetInt32());
        Assert.AreEqual(1.5, map.GetProperty("pixel_nm").GetDouble());
        Assert.AreEqual(2.2, map.GetProperty("delta_meV")[2].GetDouble(), "pixel (0, 1) is index 1·2 + 0");

        Assert.AreEqual(2.0213, root.GetProperty("finished").GetProperty("mean_meV").GetDouble());
    }

    [TestMethod]
    public void RejectsMalformedInput()
    {
        var state = new DashboardState();
        Assert.ThrowsExactly<ArgumentException>(() => state.AddSpectrum("x", 0, new[] { 1.0, 2.0 }, new[] { 1.0 }, null, 1, 1, null, "ok"));
        Assert.ThrowsExactly<ArgumentException>(() => state.SetFinished("[1, 2]"));
        Assert.ThrowsExactly<ArgumentException>(() => state.SetGapMap(2, 2, 1, [1.0, 2.0, 3.0]));
        Assert.ThrowsExactly<InvalidOperationException>(() => state.SetGapMapPixel(0, 0, 1));
        Assert.ThrowsExactly<ArgumentException>(() => state.SetStatistics(new DashboardStatistics
            { Count = 1, MeanMeV = 1, SdMeV = 0, HistogramEdgesMeV = [1, 2], HistogramCounts = [1, 2] }));
    }

    [TestMethod]
    public void CursorRoundTripsAndGarbageMeansStart()
    {
        var c = new DashboardCursor(12, 3, 4, 5, 6, 7, 8);
        Assert.AreEqual(c, DashboardCursor.Parse(c.ToString()));
        Assert.AreEqual(DashboardCursor.Start, DashboardCursor.Parse("1.2.x"));
        Assert.AreEqual(DashboardCursor.Start, DashboardCursor.Parse(null));
    }

    [TestMethod]
    public void DecimationAveragesOntoAUniformGrid()
    {
        var bias = Bias(480);
        var g = bias.Select(v => 2 * v).ToArray();
        var d = DashboardState.Decimate(bias, g, 48)!.Value;
        Assert.AreEqual(-6f, d.Min);
        Assert.AreEqual(6f, d.Max);
        Assert.HasCount(48, d.G);
        for (int k = 0; k < 48; k++)
        {
            double centre = -6 + 12.0 * (k + 0.5) / 48;
            Assert.AreEqual(2 * centre, d.G[k], 0.05, $"bin {k}");
        }
        Assert.IsNull(DashboardState.Decimate([1.0], [1.0], 48), "a single point has no range");
    }

    internal static async Task<(string? Id, string? Event, string Data)> ReadEvent(StreamReader reader)
    {
        string? id = null, ev = null;
        var data = new StringBuilder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var line = await reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("the event stream ended");
            if (line.Length == 0)
            {
                if (data.Length > 0) return (id, ev, data.ToString());
                id = null; ev = null; // a retry: or comment-only block
                continue;
            }
            if (line.StartsWith(':')) continue;
            int colon = line.IndexOf(':');
            string field = colon < 0 ? line : line[..colon];
            string value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": ev = value; break;
                case "data": data.Append(value); break;
            }
        }
    }
}
