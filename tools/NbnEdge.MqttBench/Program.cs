using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using NbnEdge.Dashboard;
using NbnEdge.Facility;
using NbnEdge.Link.Journal;
using NbnEdge.Live;
using NbnEdge.Mqtt;
using NbnEdge.MqttBench;
using NbnEdge.Session;
using NbnEdge.Simulator;
using NbnEdge.Link;

// nbnedge MQTT benchmark: N stations → Mosquitto → facility.
//   dotnet run -c Release --project tools/NbnEdge.MqttBench [-- --stations 1,10,50 --rate 100 --spectra 400]
// Each station replays one recorded board line (the simulator's 5 nm film) through the real live
// session (journal, fit, results journal) and publisher; one facility subscribes and feeds the
// facility page's state. Latency: the spectrum's last byte decoded at the station → its data in
// the facility page's state (same process, same clock).
var ci = CultureInfo.InvariantCulture;
string Arg(string name, string fallback) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
int[] counts = Arg("--stations", "1,10,50").Split(',').Select(s => int.Parse(s, ci)).ToArray();
double ratePerStation = double.Parse(Arg("--rate", "100"), ci);
int spectra = int.Parse(Arg("--spectra", "400"), ci);
double outageMinutes = double.Parse(Arg("--outage-minutes", "10"), ci);
const double SlowMs = 100; // a result slower than this is listed with the time it was shown (the target at N = 10)

string work = Path.Combine(Path.GetTempPath(), "nbnedge-mqttbench");
Directory.CreateDirectory(work);
byte[] capture = Capture(work, spectra);
double bytesPerSpectrum = (double)capture.Length / spectra;
Console.WriteLine(string.Create(ci, $"capture: {spectra} spectra, {capture.Length} bytes ({bytesPerSpectrum:F0} B a spectrum); {Environment.ProcessorCount} cores"));
using var broker = LocalMosquitto.Start(Path.Combine(work, $"mosquitto-{Guid.NewGuid():N}"), "allow_anonymous true\nmax_queued_messages 100000\n# Nagle off on the broker's sockets too (MQTTnet sets TCP_NODELAY on ours): see docs/MQTT.md.\nset_tcp_nodelay true");
Console.WriteLine($"broker: mosquitto on 127.0.0.1:{broker.Port}");
Console.WriteLine();
Console.WriteLine(string.Create(ci, $"paced: every station at {ratePerStation:G4} spectra/s (a board's ~8 s per position at time scale {8 * ratePerStation:G4})"));
Console.WriteLine("stations  offered/s  results  delivered/s  latency median / p99 / max (ms)   unpaced: results/s  CPU ms/result (nbnedge + mosquitto)");
if (args.Contains("--profile"))
{
    // Where the CPU goes: the same N stations, unpaced, with parts of the chain left out.
    foreach (string part in new[] { "session-nocurve", "session", "session-nocurve", "session", "session+publish", "all" })
    {
        var r = await RunAsync(broker, counts[0], capture, null, work, part);
        Console.WriteLine(string.Create(ci, $"{part,-16} {r.Results,6} results  {r.CpuMsPerResult:F3} CPU ms/result (+ mosquitto {r.BrokerCpuMsPerResult:F3})"));
    }
    return 0;
}

foreach (int n in counts)
{
    var paced = await RunAsync(broker, n, capture, bytesPerSpectrum * ratePerStation, work);
    var unpaced = await RunAsync(broker, n, capture, null, work);
    Console.WriteLine(string.Create(ci,
        $"{n,8}  {n * ratePerStation,9:F0}  {paced.Results,7}  {paced.PerSecond,11:F0}  {paced.Median,8:F1} / {paced.P99,6:F1} / {paced.Max,6:F1}        {unpaced.PerSecond,10:F0}          {unpaced.CpuMsPerResult:F3} + {unpaced.BrokerCpuMsPerResult:F3}"));
    Console.WriteLine(string.Create(ci, $"          (load average during the run: {File.ReadAllText("/proc/loadavg").Split(' ')[0]})"));
}

Console.WriteLine();
// As the issue asks: 10 simulated minutes of a board (~8 s a position: 75 spectra), at a 100× time scale.
await OutageAsync(broker, capture, work, outageMinutes, timeScale: 100, spectraPerSimulatedSecond: 1 / 8.0, bytesPerSpectrum);
// And a stress: the same 10 simulated minutes from a board 800× faster than a real one (6000 results waiting).
await OutageAsync(broker, capture, work, outageMinutes, timeScale: 10, spectraPerSimulatedSecond: 10, bytesPerSpectrum);
return 0;

static async Task<(long Results, double PerSecond, double Median, double P99, double Max, double CpuMsPerResult, double BrokerCpuMsPerResult)> RunAsync(LocalMosquitto broker, int n, byte[] capture, double? bytesPerSecond, string work, string parts = "all")
{
    string run = Path.Combine(work, $"run-{Guid.NewGuid():N}");
    var facilityState = new FacilityState();
    await using var subscriber = new FacilitySubscriber(new MqttEndpoint { Host = "127.0.0.1", Port = broker.Port });
    await using var feed = new FacilityFeed(facilityState, subscriber);
    var lastByte = new ConcurrentDictionary<(string, uint), long>();
    var journaledAt = new ConcurrentDictionary<(string, uint), long>();
    var latencies = new ConcurrentBag<double>();
    var slow = new ConcurrentBag<(long Shown, double Ms, string Station)>(); // where the tail sits in time: a burst or spread out
    var stationPart = new ConcurrentBag<double>();
    var brokerPart = new ConcurrentBag<double>();
    long shown = 0, lastShown = 0;
    feed.ResultShown += (station, json, _) =>
    {
        long now = Stopwatch.GetTimestamp();
        uint id = json.GetProperty("spectrum_id").GetUInt32();
        if (lastByte.TryGetValue((station, id), out long t))
        {
            double ms = Stopwatch.GetElapsedTime(t, now).TotalMilliseconds;
            latencies.Add(ms);
            if (ms > SlowMs) slow.Add((now, ms, station));
            if (journaledAt.TryGetValue((station, id), out long j))
            {
                stationPart.Add(Stopwatch.GetElapsedTime(t, j).TotalMilliseconds);
                brokerPart.Add(Stopwatch.GetElapsedTime(j, now).TotalMilliseconds);
            }
        }
        Interlocked.Increment(ref shown);
        Interlocked.Exchange(ref lastShown, now);
    };
    if (parts == "all") await subscriber.StartAsync();
    var stations = new List<(LiveSession Session, StationPublisher Publisher)>();
    for (int i = 0; i < n; i++)
    {
        string name = $"bench{i}";
        var journal = new SessionJournal(Path.Combine(run, name), "session");
        var session = new LiveSession(new PacedCapture(name, capture, bytesPerSecond), journal, new LivePipelineOptions { SourceName = name, KeepResults = false },
            new LiveSessionOptions { JournalCurves = parts != "session-nocurve" });
        var publisher = StationPublisher.ForSession(session, new MqttEndpoint { Host = "127.0.0.1", Port = broker.Port, Station = name }, film: "5 nm (recorded line)");
        session.Link.SpectrumReceived += r => lastByte[(name, r.SpectrumId)] = Stopwatch.GetTimestamp();
        session.ResultJournaled += r => journaledAt[(name, r.Received.SpectrumId)] = Stopwatch.GetTimestamp();
        if (parts.StartsWith("session") && !parts.Contains('+')) session.ResultJournaled += _ => { Interlocked.Increment(ref shown); Interlocked.Exchange(ref lastShown, Stopwatch.GetTimestamp()); };
        if (parts.Contains('+') || parts == "all") await publisher.StartAsync();
        stations.Add((session, publisher));
    }

    await Task.WhenAll(stations.Select(s => s.Session.Pipeline.Ready));
    long start = Stopwatch.GetTimestamp();
    TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    double brokerCpu0 = broker.CpuSeconds();
    // Where a stall could come from inside this process: collections and their pauses, and work
    // waiting for a thread-pool thread (sampled every 10 ms while the stations run).
    TimeSpan gcPause0 = GC.GetTotalPauseDuration();
    int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
    long queuedMax = 0;
    using var sampling = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            queuedMax = Math.Max(queuedMax, ThreadPool.PendingWorkItemCount);
            try { await Task.Delay(10, sampling.Token); } catch (OperationCanceledException) { }
        }
    });
    foreach (var s in stations) s.Session.Start(CancellationToken.None);
    await Task.WhenAll(stations.Select(async s => { await s.Session.FinishAsync(); if (parts.Contains('+') || parts == "all") await s.Publisher.FinishAsync(TimeSpan.FromSeconds(60)); }));
    if (parts == "session+publish") { shown = stations.Sum(s => s.Publisher.AckedSeq); lastShown = Stopwatch.GetTimestamp(); }
    long expected = parts == "all" ? stations.Sum(s => s.Publisher.AckedSeq) : shown;
    var wait = Stopwatch.StartNew();
    while (Interlocked.Read(ref shown) < expected && wait.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(20);
    double seconds = Stopwatch.GetElapsedTime(start, Interlocked.Read(ref lastShown)).TotalSeconds;
    double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / Math.Max(1, shown);
    sampling.Cancel();
    await sampler;
    string inProcess = string.Create(CultureInfo.InvariantCulture,
        $"          in process: GC gen0/1/2 {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}, paused {(GC.GetTotalPauseDuration() - gcPause0).TotalMilliseconds:F0} ms in all; thread pool {ThreadPool.ThreadCount} threads, at most {queuedMax} work items waiting");
    double brokerMs = (broker.CpuSeconds() - brokerCpu0) * 1000 / Math.Max(1, shown);
    long resent = stations.Sum(s => s.Publisher.Resent), reconnections = stations.Sum(s => s.Publisher.Connections - 1);
    if (resent + reconnections + subscriber.ResendRequests > 0 || subscriber.Connections > 1)
        Console.WriteLine($"          (!) resent {resent} results after {subscriber.ResendRequests} resend requests (facility dropped {subscriber.Stations.Values.Sum(q => q.GapsDropped)} after gaps, {subscriber.Stations.Values.Sum(q => q.DuplicatesDropped)} duplicates); reconnections: stations {reconnections}, facility {subscriber.Connections - 1}");
    foreach (var s in stations) { await s.Publisher.DisposeAsync(); await s.Session.DisposeAsync(); }
    var sorted = latencies.Order().ToArray();
    try { Directory.Delete(run, recursive: true); } catch (IOException) { }
    double At(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    if (shown != expected) Console.WriteLine($"  (!) facility showed {shown} of {expected} results");
    if (bytesPerSecond is not null) Console.WriteLine(inProcess);
    if (bytesPerSecond is not null && !slow.IsEmpty)
    {
        // Seconds after the start at which results took longer than SlowMs: one burst (a stall) or spread out (a slow path).
        var times = slow.Select(x => Stopwatch.GetElapsedTime(start, x.Shown).TotalSeconds).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"          over {SlowMs} ms: {times.Length} results, shown between {times[0]:F2} and {times[^1]:F2} s after the start, in {slow.Select(x => x.Station).Distinct().Count()} stations; by 100 ms: {string.Join(" ", times.GroupBy(t => (int)(t * 10)).Select(g => $"{g.Key / 10.0:F1}s×{g.Count()}"))}"));
    }
    if (bytesPerSecond is not null && stationPart.Count > 0)
    {
        var a = stationPart.Order().ToArray();
        var b = brokerPart.Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"          split: last byte → journaled (fit, estimate, results journal) median {a[a.Length / 2]:F1} / p99 {a[Math.Min(a.Length - 1, (int)(0.99 * a.Length))]:F1} ms; journaled → facility page data median {b[b.Length / 2]:F1} / p99 {b[Math.Min(b.Length - 1, (int)(0.99 * b.Length))]:F1} ms"));
    }
    return (shown, shown / seconds, At(0.5), At(0.99), sorted.Length == 0 ? double.NaN : sorted[^1], cpuMs, brokerMs);
}

// A publisher whose broker is down: the station measures on, the results wait in the journal; the
// publisher's memory must not grow with them. Then the broker comes back and the backlog is sent.
static async Task OutageAsync(LocalMosquitto broker, byte[] capture, string work, double minutes, double timeScale, double spectraPerSimulatedSecond, double bytesPerSpectrum)
{
    var ci = CultureInfo.InvariantCulture;
    double wallSeconds = minutes * 60 / timeScale;
    double spectraPerSecond = timeScale * spectraPerSimulatedSecond;
    string run = Path.Combine(work, $"outage-{Guid.NewGuid():N}");
    int closedPort = LocalMosquitto.FreePort();
    var endpoint = new MqttEndpoint { Host = "127.0.0.1", Port = closedPort, Station = "outage" };
    var journal = new SessionJournal(run, "session");
    // Fewer spectra than a 10-minute line would need are replayed in a loop: enough bytes for the whole outage.
    int copies = (int)Math.Ceiling(wallSeconds * spectraPerSecond * bytesPerSpectrum / capture.Length) + 1;
    byte[] longCapture = new byte[capture.Length * copies];
    for (int i = 0; i < copies; i++) capture.CopyTo(longCapture, i * capture.Length);
    var session = new LiveSession(new PacedCapture("outage", longCapture, bytesPerSpectrum * spectraPerSecond), journal,
        new LivePipelineOptions { SourceName = "outage", KeepResults = false }, new LiveSessionOptions { JournalCurves = true });
    var publisher = StationPublisher.ForSession(session, endpoint, new StationPublisherOptions { RetryMax = TimeSpan.FromSeconds(1) });
    await publisher.StartAsync();
    await session.Pipeline.Ready;
    using var stopStation = new CancellationTokenSource();
    session.Start(stopStation.Token);
    // The baseline once the station runs (fitter, buffers, the capture in memory): growth from here is what the outage costs.
    await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, wallSeconds / 10)));
    long heapBefore = GC.GetTotalMemory(true);
    long journaledBefore = JournalReader.ReadResults(journal.ResultsPath).Lines.Count;
    var samples = new List<long>();
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < wallSeconds)
    {
        await Task.Delay(500);
        samples.Add(GC.GetTotalMemory(false));
    }

    long heapAfter = GC.GetTotalMemory(true); // still running, still disconnected
    long journaled = JournalReader.ReadResults(journal.ResultsPath).Lines.Count;
    long journalBytes = new FileInfo(journal.ResultsPath).Length;
    stopStation.Cancel();
    await session.FinishAsync();
    journaled = JournalReader.ReadResults(journal.ResultsPath).Lines.Count;
    Process.GetCurrentProcess().Refresh();
    Console.WriteLine(string.Create(ci, $"broker down for {minutes:G3} simulated minutes (time scale {timeScale:G3}, {wallSeconds:F1} s wall): {journaled} results journaled ({journalBytes / 1024.0:F0} KB waiting in the outbox), acknowledged {publisher.AckedSeq}"));
    Console.WriteLine(string.Create(ci, $"  station process, managed heap after full GC: {heapBefore / 1048576.0:F2} MB with {journaledBefore} results waiting, {heapAfter / 1048576.0:F2} MB with {journaled} waiting (growth {(heapAfter - heapBefore) / 1024.0:F0} KB); highest sample between {samples.DefaultIfEmpty(0).Max() / 1048576.0:F1} MB; working set {Environment.WorkingSet / 1048576.0:F0} MB"));
    await publisher.DisposeAsync();
    await session.DisposeAsync();

    // The broker comes back: the same journal through a publisher to the live broker.
    var facility = new FacilitySubscriber(new MqttEndpoint { Host = "127.0.0.1", Port = broker.Port });
    long applied = 0;
    facility.MessageApplied += m => { if (m.Kind == "result") Interlocked.Increment(ref applied); };
    await facility.StartAsync();
    var back = new StationPublisher(endpoint with { Port = broker.Port }, journal.ResultsPath);
    var catchUp = Stopwatch.StartNew();
    await back.StartAsync();
    bool all = await back.FinishAsync(TimeSpan.FromSeconds(120));
    while (Interlocked.Read(ref applied) < journaled && catchUp.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(10);
    Console.WriteLine(string.Create(ci, $"  broker back: {journaled} waiting results caught up in {catchUp.Elapsed.TotalSeconds:F2} s ({journaled / catchUp.Elapsed.TotalSeconds:F0} results/s), all acknowledged: {all}, facility applied {applied}"));
    await back.DisposeAsync();
    await facility.DisposeAsync();
    try { Directory.Delete(run, recursive: true); } catch (IOException) { }
}

static byte[] Capture(string work, int spectra)
{
    // Recorded once per size and kept: the simulator runs the firmware on a virtual ADC, bit by bit.
    string path = Path.Combine(work, $"line-5nm-{spectra}.nbnraw");
    if (File.Exists(path)) return File.ReadAllBytes(path);
    var board = new SimulatedBoard(new SimulationSettings { Positions = spectra, Seed = 7 }, SimulationPacing.Unpaced);
    board.Receive(new CommandWriter().Config("sweep=fwd").Frame);
    var ms = new MemoryStream();
    byte[] buffer = new byte[1 << 16];
    int n;
    while ((n = board.ReadAsync(buffer, CancellationToken.None).AsTask().GetAwaiter().GetResult()) > 0) ms.Write(buffer, 0, n);
    File.WriteAllBytes(path, ms.ToArray());
    return ms.ToArray();
}
