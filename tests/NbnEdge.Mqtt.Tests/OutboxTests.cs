using System.Text;

namespace NbnEdge.Mqtt.Tests;

/// <summary>The outbox's numbering and the facility's sequence rule, without a broker; and a torn line through one.</summary>
[TestClass]
public sealed class OutboxTests
{
    private static string Journal(params string[] lines)
    {
        string folder = Path.Combine(Path.GetTempPath(), "nbnedge-mqtt-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "session.results.jsonl");
        File.WriteAllText(path, string.Concat(lines.Select(l => l + "\n")));
        return path;
    }

    [TestMethod]
    public void Outbox_NumbersLinesFromOne_WaitsForAnUnfinishedLine_RewindsAcrossCheckpoints()
    {
        int count = ResultsOutbox.CheckpointEvery * 2 + 10;
        string path = Journal([.. Enumerable.Range(1, count).Select(i => $"{{\"i\":{i}}}")]);
        File.AppendAllText(path, "{\"i\":"); // a line still being written
        using var outbox = new ResultsOutbox(path);
        long last = 0;
        while (outbox.TryReadNext(out long seq, out var line))
        {
            Assert.AreEqual(last + 1, seq);
            Assert.AreEqual($"{{\"i\":{seq}}}", Encoding.UTF8.GetString(line.Span));
            last = seq;
        }

        Assert.AreEqual(count, last, "the unfinished line is not handed out");
        File.AppendAllText(path, $"{count + 1}}}\n");
        Assert.IsTrue(outbox.TryReadNext(out long next, out var completed));
        Assert.AreEqual(count + 1, next);
        Assert.AreEqual($"{{\"i\":{count + 1}}}", Encoding.UTF8.GetString(completed.Span));
        foreach (long target in new long[] { 1, 5, ResultsOutbox.CheckpointEvery, ResultsOutbox.CheckpointEvery + 1, 2 * ResultsOutbox.CheckpointEvery + 3 })
        {
            outbox.Rewind(target);
            Assert.IsTrue(outbox.TryReadNext(out long seq, out var line));
            Assert.AreEqual(target, seq);
            Assert.AreEqual($"{{\"i\":{target}}}", Encoding.UTF8.GetString(line.Span));
        }
    }

    [TestMethod]
    public void SessionId_KeptWhileTheJournalHoldsResults_NewForAnEmptyJournal()
    {
        string path = Journal("{\"i\":1}");
        string first = StationPublisher.LoadOrCreateSessionId(path);
        Assert.AreEqual(first, StationPublisher.LoadOrCreateSessionId(path), "a restart on the journal continues the session");
        File.WriteAllText(path, "");
        Assert.AreNotEqual(first, StationPublisher.LoadOrCreateSessionId(path), "an emptied journal is a new session (its seq starts at 1 again)");
    }

    [TestMethod]
    public void Sequence_AppliesInOrderOnly_DropsRepeatsAndGaps_NewSessionStartsAtOne()
    {
        var s = new StationSequence();
        Assert.AreEqual(SequenceVerdict.Apply, s.Offer("a", 1));
        Assert.AreEqual(SequenceVerdict.Apply, s.Offer("a", 2));
        Assert.AreEqual(SequenceVerdict.Duplicate, s.Offer("a", 2));
        Assert.AreEqual(SequenceVerdict.Duplicate, s.Offer("a", 1));
        Assert.AreEqual(SequenceVerdict.Gap, s.Offer("a", 4));
        Assert.AreEqual(3, s.Expected);
        Assert.AreEqual(SequenceVerdict.Apply, s.Offer("a", 3));
        Assert.AreEqual(SequenceVerdict.Apply, s.Offer("a", 4));
        Assert.IsFalse(s.IsBehind("a", 4));
        Assert.IsTrue(s.IsBehind("a", 5));
        Assert.AreEqual((4L, 2L, 1L), (s.Applied, s.DuplicatesDropped, s.GapsDropped));
        Assert.AreEqual(SequenceVerdict.Gap, s.Offer("b", 3), "a new session starts at seq 1");
        Assert.AreEqual(SequenceVerdict.Apply, s.Offer("b", 1));
    }

    [TestMethod]
    public async Task TornLineInTheJournal_KeepsItsSeq_FacilityAppliesEverythingElseInOrder()
    {
        using var broker = Mosquitto.Start();
        await using var facility = await FacilityRecorder.StartAsync(broker);
        var torn = new List<long>();
        facility.Subscriber.MessageApplied += m => { if (m.Kind == "torn") lock (torn) torn.Add(m.Seq); };
        string path = Journal("{\"spectrum_id\":0}", "{\"spectrum_id\":1}", "{\"spectrum_id\":", "{\"spectrum_id\":3}");
        await using var publisher = new StationPublisher(broker.Endpoint("torn"), path);
        await publisher.StartAsync();
        Assert.IsTrue(await publisher.FinishAsync(TimeSpan.FromSeconds(30)));
        Assert.IsTrue(await FacilityRecorder.WaitAsync(() => facility.ResultsOf("torn").Count == 4, TimeSpan.FromSeconds(30)), $"{facility.ResultsOf("torn").Count} of 4");
        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4 }, facility.ResultsOf("torn"));
        CollectionAssert.AreEqual(new uint[] { 0, 1, 3 }, facility.SpectrumIds["torn"], "line 3 was no result");
        lock (torn) CollectionAssert.AreEqual(new long[] { 3 }, torn);
    }
}
