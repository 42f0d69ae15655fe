using System.Net;
using System.Net.Sockets;
using NbnEdge.Link;
using NbnEdge.Link.Transports;

namespace NbnEdge.Simulator.Tests;

[TestClass]
public sealed class TransportTests
{
    private static SimulatedBoard PacedBoard() =>
        new(SimulatedBoardTests.Quiet(positions: 2) with { Repeat = true },
            new SimulationPacing { BaudRate = 921600, TimeScale = 20 });

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task PseudoTerminal_ReaderOnTheSlaveSide_ReceivesTheSimulatorsHello()
    {
        if (!PseudoTerminal.IsSupported) Assert.Inconclusive("no pseudo-terminals on this OS");
        using var pty = PseudoTerminal.Open();
        StringAssert.StartsWith(pty.SlavePath, "/dev/");
        var board = PacedBoard();
        using var cts = new CancellationTokenSource();
        Task serve = board.ServeAsync(pty.Master, cts.Token);

        // The reader opens the slave like any tty: raw bytes, no line discipline in the way.
        await using var reader = new StreamByteSource(new FileStream(pty.SlavePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 0), pty.SlavePath);
        var session = new LinkSession(reader);
        var hello = new TaskCompletionSource<HelloInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Assembler.HelloReceived += h => hello.TrySetResult(h);
        Task run = Task.Run(() => session.RunAsync(cts.Token));

        HelloInfo h = await hello.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.AreEqual("esp32-devkitc-ads131m04", h.Board);
        Assert.AreEqual(1.430511474609375m, h.SignalUvPerLsb);

        // Commands go the other way through the same terminal.
        AckInfo pong = await session.CommandAsync(c => c.Ping(), TimeSpan.FromSeconds(30));
        Assert.AreEqual("pong", pong.Detail);
        Assert.AreEqual(0, session.Counters.FramesDropped, "raw mode: not one byte altered");
        await cts.CancelAsync();
        await Task.WhenAny(run, Task.Delay(1000));
        await Task.WhenAny(serve, Task.Delay(1000));
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task PseudoTerminal_NobodyReading_DropsLikeAUartInsteadOfBlocking()
    {
        if (!PseudoTerminal.IsSupported) Assert.Inconclusive("no pseudo-terminals on this OS");
        using var pty = PseudoTerminal.Open();
        // Far more than any terminal queue holds (Linux: 4 KB), with nobody on the slave side.
        var chunk = new byte[4096];
        var writing = Task.Run(() => { for (int i = 0; i < 256; i++) pty.Master.Write(chunk); });
        Assert.AreSame(writing, await Task.WhenAny(writing, Task.Delay(TimeSpan.FromSeconds(20))), "a write blocked");
        await writing;
        Assert.IsGreaterThan(0L, pty.Master.DroppedBytes);
        Assert.IsLessThan(256L * 4096, pty.Master.DroppedBytes, "the queue took nothing at all");

        // A reader that comes later gets what the queue kept, and new bytes get through again.
        using var slave = new FileStream(pty.SlavePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 0);
        var buffer = new byte[8192];
        int kept = await slave.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.IsGreaterThan(0, kept);
        long dropped = pty.Master.DroppedBytes;
        while (await Task.WhenAny(slave.ReadAsync(buffer).AsTask(), Task.Delay(200)) is Task<int> { Result: > 0 }) { } // drain
        pty.Master.Write("after"u8);
        Assert.AreEqual(dropped, pty.Master.DroppedBytes);
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task SerialSource_OnAPseudoTerminal_ReadsTheBoardAtItsBaudRate()
    {
        if (!PseudoTerminal.IsSupported) Assert.Inconclusive("no pseudo-terminals on this OS");
        using var pty = PseudoTerminal.Open();
        var board = PacedBoard();
        using var cts = new CancellationTokenSource();
        Task serve = board.ServeAsync(pty.Master, cts.Token);
        var states = new List<LinkState>();
        var serial = new SerialByteSource(pty.SlavePath, 921600);
        serial.StateChanged += c => { lock (states) states.Add(c.State); };
        await using var session = new LinkSession(serial);
        var hello = new TaskCompletionSource<HelloInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Assembler.HelloReceived += h => hello.TrySetResult(h);
        Task run = Task.Run(() => session.RunAsync(cts.Token));
        // Opening a port may flush what the line held before: ask for a HELLO once connected.
        Assert.IsTrue(SpinWait.SpinUntil(() => serial.IsConnected, TimeSpan.FromSeconds(20)));
        AckInfo pong = await session.CommandAsync(c => c.Ping(), TimeSpan.FromSeconds(30));
        Assert.AreEqual("pong", pong.Detail);
        HelloInfo h = await hello.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.AreEqual("ADS131M04", h.Adc);
        lock (states) CollectionAssert.Contains(states, LinkState.Connected);
        await cts.CancelAsync();
        await Task.WhenAny(run, Task.Delay(1000));
        await Task.WhenAny(serve, Task.Delay(1000));
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task TcpSource_ReconnectsAfterTheConnectionDrops_AndTheCutSpectrumIsIncomplete()
    {
        var w = new SimulatedBoard(SimulatedBoardTests.Quiet(positions: 3));
        byte[] capture = w.Capture(30);
        CaptureResult reference = CaptureAnalysis.Decode(new MemoryStream(capture));
        Assert.AreEqual(6, reference.Counters.SpectraComplete);
        // First connection: up to the middle of the third spectrum; second: from the fifth on.
        int cut = (int)(capture.Length * 0.45);
        int resume = (int)(capture.Length * 0.7);

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task server = Task.Run(async () =>
        {
            using (TcpClient first = await listener.AcceptTcpClientAsync())
            {
                await first.GetStream().WriteAsync(capture.AsMemory(0, cut));
            }

            using TcpClient second = await listener.AcceptTcpClientAsync();
            await second.GetStream().WriteAsync(capture.AsMemory(resume));
            // Keep it open until the client has everything; the client cancels.
            await Task.Delay(Timeout.Infinite).WaitAsync(TimeSpan.FromSeconds(50)).ContinueWith(_ => { });
        });

        var states = new List<LinkStateChange>();
        var source = TcpByteSource.Parse($"tcp://127.0.0.1:{port}", new ReconnectPolicy(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)));
        source.StateChanged += c => { lock (states) states.Add(c); };
        await using var session = new LinkSession(source);
        var spectra = new List<ReceivedSpectrum>();
        session.SpectrumReceived += s => { lock (spectra) spectra.Add(s); };
        using var cts = new CancellationTokenSource();
        Task run = Task.Run(() => session.RunAsync(cts.Token));
        long expectedBytes = cut + (capture.Length - resume);
        Assert.IsTrue(SpinWait.SpinUntil(() => session.Counters.Bytes >= expectedBytes, TimeSpan.FromSeconds(40)));
        await cts.CancelAsync();
        await Task.WhenAny(run, Task.Delay(1000));
        listener.Stop();

        LinkCounters k = session.Counters;
        Assert.AreEqual(1, k.Disconnects);
        Assert.IsTrue(k.FramesLost > 0);
        Assert.IsTrue(k.SpectraIncomplete >= 1, "the spectrum cut by the disconnection is kept incomplete");
        lock (spectra)
        {
            foreach (ReceivedSpectrum s in spectra.Where(s => !s.Incomplete))
            {
                ReceivedSpectrum sent = reference.Spectra.Single(r => r.Received.SpectrumId == s.SpectrumId).Received;
                CollectionAssert.AreEqual(sent.SignalCodes, s.SignalCodes, "an accepted spectrum is exactly what was sent");
            }
        }

        lock (states)
        {
            var order = states.Select(s => s.State).ToList();
            int disconnected = order.IndexOf(LinkState.Disconnected);
            Assert.IsTrue(disconnected > 0);
            Assert.AreEqual(2, order.Count(s => s == LinkState.Connected));
            Assert.IsTrue(order.LastIndexOf(LinkState.Connected) > disconnected);
        }
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task TcpSource_RetriesWithBackoffUntilTheServerAppears()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var retries = 0;
        var source = new TcpByteSource("127.0.0.1", port, new ReconnectPolicy(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)));
        source.StateChanged += c => { if (c.State == LinkState.WaitingToRetry) Interlocked.Increment(ref retries); };
        using var cts = new CancellationTokenSource();
        byte[] buffer = new byte[64];
        Task<int> read = source.ReadAsync(buffer, cts.Token).AsTask();
        Assert.IsTrue(SpinWait.SpinUntil(() => Volatile.Read(ref retries) >= 2, TimeSpan.FromSeconds(30)));

        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        using TcpClient client = await listener.AcceptTcpClientAsync();
        await client.GetStream().WriteAsync(new byte[] { 1, 2, 3 });
        int n = await read.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.IsTrue(n >= 1);
        Assert.AreEqual(1, buffer[0]);
        Assert.AreEqual(1, source.Connections);
        listener.Stop();
        await source.DisposeAsync();
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task SimulatorTcpServer_ServesTheBoardToATcpSource()
    {
        var board = PacedBoard();
        using var cts = new CancellationTokenSource();
        var bound = new TaskCompletionSource<IPEndPoint>();
        Task server = SimulatorHosting.ServeTcpAsync(board, new IPEndPoint(IPAddress.Loopback, 0), e => bound.SetResult(e), cts.Token);
        IPEndPoint endpoint = await bound.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await using var session = new LinkSession(new TcpByteSource("127.0.0.1", endpoint.Port));
        var hello = new TaskCompletionSource<HelloInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        session.Assembler.HelloReceived += h => hello.TrySetResult(h);
        Task run = Task.Run(() => session.RunAsync(cts.Token));
        Assert.AreEqual(201, (await hello.Task.WaitAsync(TimeSpan.FromSeconds(30))).Points);
        await cts.CancelAsync();
        await Task.WhenAny(run, Task.Delay(1000));
        await Task.WhenAny(server, Task.Delay(5000));
    }
}

[TestClass]
public sealed class SerialReconnectTests
{
    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task SerialSource_AdapterUnplugged_ReportsDisconnectAndRetriesWithBackoff()
    {
        if (!PseudoTerminal.IsSupported) Assert.Inconclusive("no pseudo-terminals on this OS");
        var pty = PseudoTerminal.Open();
        var states = new List<LinkStateChange>();
        var serial = new SerialByteSource(pty.SlavePath, 921600, new ReconnectPolicy(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100)));
        serial.StateChanged += c => { lock (states) states.Add(c); };
        using var cts = new CancellationTokenSource();
        byte[] buffer = new byte[16];
        Task<int> first = serial.ReadAsync(buffer, cts.Token).AsTask();
        Assert.IsTrue(SpinWait.SpinUntil(() => serial.IsConnected, TimeSpan.FromSeconds(20)));
        pty.Master.Write([0x11, 0x22]);
        Assert.IsTrue(await first.WaitAsync(TimeSpan.FromSeconds(20)) >= 1);
        Assert.AreEqual(0x11, buffer[0]);

        // Unplug: the pseudo-terminal disappears, as /dev/ttyUSB0 does when the adapter is pulled.
        Task<int> second = serial.ReadAsync(buffer, cts.Token).AsTask();
        pty.Dispose();
        bool retried = SpinWait.SpinUntil(() => { lock (states) return states.Count(s => s.State == LinkState.WaitingToRetry) >= 2; }, TimeSpan.FromSeconds(30));
        await cts.CancelAsync();
        await Task.WhenAny(second, Task.Delay(2000));
        lock (states)
        {
            var order = states.Select(s => s.State).ToList();
            Assert.IsTrue(order.Contains(LinkState.Disconnected), string.Join(",", order));
            Assert.IsTrue(retried, string.Join(",", order));
            Assert.IsTrue(order.IndexOf(LinkState.WaitingToRetry) > order.IndexOf(LinkState.Disconnected));
            Assert.IsTrue(states.Where(s => s.State == LinkState.WaitingToRetry).All(s => s.RetryIn is { } d && d > TimeSpan.Zero));
        }

        await serial.DisposeAsync();
    }
}
