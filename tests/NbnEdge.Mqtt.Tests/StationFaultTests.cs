using System.Diagnostics;
using System.Net;
using System.Text.Json;
using NbnEdge.Link.Journal;
using NbnEdge.Simulator;

namespace NbnEdge.Mqtt.Tests;

[TestClass]
public sealed class StationFaultTests
{
    public TestContext TestContext { get; set; } = null!;

    private static string Cli() => Path.Combine(AppContext.BaseDirectory, "nbnedge.dll");

    private static Process StartCli(string args)
    {
        var psi = new ProcessStartInfo("dotnet", $"\"{Cli()}\" {args}") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var p = Process.Start(psi)!;
        return p;
    }

    /// <summary>Physical lines of a results journal (each one a seq, torn or not).</summary>
    private static int Lines(string resultsPath) => File.ReadAllBytes(resultsPath).Count(b => b == (byte)'\n');

    [TestMethod]
    public async Task StationKilledWithKill9_LastWillSaysLost_RestartOnTheJournalRepublishesEverything()
    {
        using var broker = Mosquitto.Start();
        await using var facility = await FacilityRecorder.StartAsync(broker);
        // The board: a simulated one on TCP, about 25 spectra a second, repeating its line.
        using var boardStop = new CancellationTokenSource();
        var board = new SimulatedBoard(new SimulationSettings { Positions = 400, Seed = 3, Repeat = true }, new SimulationPacing { BaudRate = 921600, TimeScale = 200 });
        var portReady = new TaskCompletionSource<int>();
        var serving = SimulatorHosting.ServeTcpAsync(board, new IPEndPoint(IPAddress.Loopback, 0), ep => portReady.SetResult(ep.Port), boardStop.Token);
        int boardPort = await portReady.Task;
        string journal = Path.Combine(broker.Folder, "station-k");
        string args = $"monitor tcp://127.0.0.1:{boardPort} --journal \"{journal}\" --publish {broker.Url("cryoK")} --json";

        using (var station = StartCli(args))
        {
            bool flowing = await FacilityRecorder.WaitAsync(() => facility.ResultsOf("cryoK").Count >= 10, TimeSpan.FromSeconds(60));
            if (!flowing)
            {
                station.Kill();
                Assert.Fail($"no results from the station: {await station.StandardError.ReadToEndAsync()}");
            }

            Assert.AreEqual("online", facility.StatusOf("cryoK"));
            station.Kill(); // SIGKILL: no finally, no DISCONNECT
            await station.WaitForExitAsync();
        }

        Assert.IsTrue(await FacilityRecorder.WaitAsync(() => facility.StatusOf("cryoK") == "lost", TimeSpan.FromSeconds(30)),
            $"the broker's last will announces the station lost (status {facility.StatusOf("cryoK")})");
        string results = Path.Combine(journal, "session" + SessionJournal.ResultsExtension);
        int journaledAtKill = Lines(results);
        int appliedAtKill = facility.ResultsOf("cryoK").Count;
        Assert.IsTrue(journaledAtKill >= appliedAtKill && appliedAtKill >= 10, $"journaled {journaledAtKill}, applied {appliedAtKill}");

        // replay rebuilds every journaled result from the raw bytes.
        using (var replay = StartCli($"replay \"{journal}\" --json"))
        {
            string replayed = await replay.StandardOutput.ReadToEndAsync();
            string replayErrors = await replay.StandardError.ReadToEndAsync();
            await replay.WaitForExitAsync();
            Assert.AreEqual(0, replay.ExitCode, replayErrors);
            using var doc = JsonDocument.Parse(replayed);
            int lines = doc.RootElement.GetProperty("journal_results").GetInt32();
            Assert.AreEqual(lines, doc.RootElement.GetProperty("journal_results_matching").GetInt32(), "replay reproduces every journaled result");
            Assert.IsTrue(lines >= journaledAtKill - 1, $"replay read {lines} of {journaledAtKill} lines (a torn last one at most is skipped)");
        }

        // The station again, on the same journal: the same session goes on and everything is sent again.
        using (var again = StartCli(args + " --spectra 10"))
        {
            var stderr = again.StandardError.ReadToEndAsync();
            await again.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await again.WaitForExitAsync(timeout.Token);
            Assert.AreEqual(0, again.ExitCode, await stderr);
            TestContext.WriteLine(await stderr);
        }

        int journaled = Lines(results);
        Assert.IsTrue(journaled >= journaledAtKill + 10, $"the restarted station journaled 10 more ({journaledAtKill} → {journaled})");
        Assert.IsTrue(await FacilityRecorder.WaitAsync(() => facility.ResultsOf("cryoK").Count >= journaled && facility.StatusOf("cryoK") == "finished", TimeSpan.FromSeconds(20)),
            $"facility has {facility.ResultsOf("cryoK").Count} of {journaled}, status {facility.StatusOf("cryoK")}");
        CollectionAssert.AreEqual(Enumerable.Range(1, journaled).Select(i => (long)i).ToList(), facility.ResultsOf("cryoK"), "every journaled result once, in order");
        var seq = facility.Subscriber.Stations["cryoK"];
        TestContext.WriteLine($"kill -9: journaled at the kill {journaledAtKill}, applied by then {appliedAtKill}; after the restart journaled {journaled}, " +
            $"facility applied {seq.Applied}, duplicates dropped {seq.DuplicatesDropped}, out-of-order dropped {seq.GapsDropped}; statuses {string.Join(" → ", facility.StatusHistory["cryoK"])}");
        Assert.IsTrue(seq.DuplicatesDropped >= appliedAtKill, "the restart sent the journal from its start; the facility dropped what it had");
        boardStop.Cancel();
        await serving;
    }

    [TestMethod]
    public async Task SubscriberJoiningLate_GetsRetainedStatusAndEveryResultFromTheStation()
    {
        using var broker = Mosquitto.Start();
        var station = await InProcessStation.StartAsync(broker, "cryoL", spectra: 80, seed: 5, timeScale: 200);
        Assert.IsTrue(await FacilityRecorder.WaitAsync(() => station.Publisher.AckedSeq >= 20, TimeSpan.FromSeconds(30)), "the station publishes");
        await using var late = await FacilityRecorder.StartAsync(broker);
        Assert.IsTrue(await FacilityRecorder.WaitAsync(() => late.StatusOf("cryoL") is not null, TimeSpan.FromSeconds(30)));
        Assert.AreEqual("online", late.StatusHistory["cryoL"][0], "the retained status reaches a subscriber that joins later");
        Assert.IsTrue(await station.FinishAsync(TimeSpan.FromSeconds(20)));
        int journaled = station.JournaledResults();
        Assert.IsTrue(await FacilityRecorder.WaitAsync(() => late.ResultsOf("cryoL").Count >= journaled, TimeSpan.FromSeconds(20)),
            $"the late facility asked for what it missed: {late.ResultsOf("cryoL").Count} of {journaled}");
        CollectionAssert.AreEqual(Enumerable.Range(1, journaled).Select(i => (long)i).ToList(), late.ResultsOf("cryoL"));
        long usable = station.Session.Pipeline.Snapshot.UsableFits;
        await station.DisposeAsync();

        // After the station is gone: status and statistics are still there for a newcomer.
        await using var later = await FacilityRecorder.StartAsync(broker);
        Assert.IsTrue(await FacilityRecorder.WaitAsync(() => later.StatusOf("cryoL") == "finished" && later.StatsOf("cryoL") is not null, TimeSpan.FromSeconds(30)),
            $"status {later.StatusOf("cryoL")}");
        Assert.AreEqual(usable, later.StatsOf("cryoL")!.Value.GetProperty("n").GetInt64());
        Assert.AreEqual(journaled, later.StatsOf("cryoL")!.Value.GetProperty("seq").GetInt64(), "the retained statistics say how far the station got");
        TestContext.WriteLine($"late subscriber: applied {late.ResultsOf("cryoL").Count} of {journaled} after {late.Subscriber.ResendRequests} resend request(s); duplicates dropped {late.Subscriber.Stations["cryoL"].DuplicatesDropped}");
    }
}
