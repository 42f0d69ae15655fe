namespace NbnEdge.Mqtt.Tests;

[TestClass]
public sealed class PublishTests
{
    public TestContext TestContext { get; set; } = null!;

    private static List<long> OneTo(int n) => Enumerable.Range(1, n).Select(i => (long)i).ToList();

    [TestMethod]
    public async Task ThreeStations_PublishingAtOnce_FacilityAppliesEveryResultOnceInOrder()
    {
        using var broker = Mosquitto.Start();
        await using var facility = await FacilityRecorder.StartAsync(broker);
        var stations = new List<InProcessStation>();
        for (int i = 0; i < 3; i++) stations.Add(await InProcessStation.StartAsync(broker, $"cryo{i + 1}", spectra: 40, seed: i + 1, timeScale: 400));
        bool[] drained = await Task.WhenAll(stations.Select(s => s.FinishAsync(TimeSpan.FromSeconds(20))));
        foreach (var s in stations)
        {
            int journaled = s.JournaledResults();
            Assert.AreEqual(40, journaled, $"{s.Name}: results journaled");
            Assert.IsTrue(await FacilityRecorder.WaitAsync(() => facility.ResultsOf(s.Name).Count >= journaled && facility.StatusOf(s.Name) == "finished", TimeSpan.FromSeconds(30)),
                $"{s.Name}: facility has {facility.ResultsOf(s.Name).Count} of {journaled}, status {facility.StatusOf(s.Name)}");
            CollectionAssert.AreEqual(OneTo(journaled), facility.ResultsOf(s.Name), $"{s.Name}: every seq once, in order");
            var stats = facility.StatsOf(s.Name);
            Assert.IsNotNull(stats);
            Assert.AreEqual(s.Session.Pipeline.Snapshot.UsableFits, stats.Value.GetProperty("n").GetInt64(), $"{s.Name}: the retained statistics are the final ones");
            TestContext.WriteLine($"{s.Name}: journaled {journaled}, published {s.Publisher.Published}, applied {facility.ResultsOf(s.Name).Count}, duplicates dropped {facility.Subscriber.Stations[s.Name].DuplicatesDropped}");
        }

        Assert.IsTrue(drained.All(d => d), "every station's outbox drained");
        foreach (var s in stations) await s.DisposeAsync();
    }

    [TestMethod]
    public async Task BrokerKilledAndRestartedMidSession_EveryResultArrivesExactlyOnceInOrder()
    {
        using var broker = Mosquitto.Start();
        await using var facility = await FacilityRecorder.StartAsync(broker);
        var stations = new List<InProcessStation>();
        // About 25 spectra a second each: the session outlives the broker's outage.
        for (int i = 0; i < 2; i++) stations.Add(await InProcessStation.StartAsync(broker, $"cryo{i + 1}", spectra: 120, seed: 10 + i, timeScale: 200));
        Assert.IsTrue(await FacilityRecorder.WaitAsync(() => stations.All(s => facility.ResultsOf(s.Name).Count >= 15), TimeSpan.FromSeconds(30)), "results flow before the outage");
        broker.Kill();
        long[] beforeOutage = stations.Select(s => (long)facility.ResultsOf(s.Name).Count).ToArray();
        await Task.Delay(2000);
        long[] journaledDuringOutage = stations.Select(s => (long)s.JournaledResults()).ToArray();
        broker.Restart();
        bool[] drained = await Task.WhenAll(stations.Select(s => s.FinishAsync(TimeSpan.FromSeconds(30))));
        for (int i = 0; i < stations.Count; i++)
        {
            var s = stations[i];
            int journaled = s.JournaledResults();
            Assert.AreEqual(120, journaled);
            Assert.IsTrue(journaledDuringOutage[i] > beforeOutage[i], $"{s.Name}: results were journaled while the broker was down ({beforeOutage[i]} → {journaledDuringOutage[i]})");
            Assert.IsTrue(await FacilityRecorder.WaitAsync(() => facility.ResultsOf(s.Name).Count >= journaled, TimeSpan.FromSeconds(30)),
                $"{s.Name}: facility has {facility.ResultsOf(s.Name).Count} of {journaled}");
            CollectionAssert.AreEqual(OneTo(journaled), facility.ResultsOf(s.Name), $"{s.Name}: exactly once, in order");
            var seqState = facility.Subscriber.Stations[s.Name];
            TestContext.WriteLine($"{s.Name}: journaled {journaled}; applied before the outage {beforeOutage[i]}, journaled by its end {journaledDuringOutage[i]}; " +
                $"published {s.Publisher.Published} (resent {s.Publisher.Resent}), connections {s.Publisher.Connections}; facility applied {seqState.Applied}, " +
                $"duplicates dropped {seqState.DuplicatesDropped}, out-of-order dropped {seqState.GapsDropped}; resend requests {facility.Subscriber.ResendRequests}");
            Assert.AreEqual(journaled, seqState.Applied);
        }

        Assert.IsTrue(drained.All(d => d), "every outbox drained after the restart");
        foreach (var s in stations) await s.DisposeAsync();
    }
}
