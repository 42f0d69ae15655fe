using System.Diagnostics;
using System.Text.Json;
using NbnEdge.Dashboard;

namespace NbnEdge.Dashboard.Tests;

/// <summary>
/// The scale targets, measured and reported (no timing assertion: the numbers depend on
/// the machine). Memory bounds are asserted: they hold by construction, whatever the machine.
/// </summary>
[TestClass]
public sealed class DashboardScaleTests
{
    public TestContext TestContext { get; set; } = null!;

    private static (double[] Bias, double[] G, double[] Model) Spectrum(Random rng, int points = 201)
    {
        var b = new double[points]; var g = new double[points]; var m = new double[points];
        for (int i = 0; i < points; i++)
        {
            b[i] = -7.5 + 15.0 * i / (points - 1);
            double e = Math.Abs(b[i]);
            m[i] = e < 2 ? 0.02 : e / Math.Sqrt(e * e - 3.9);
            g[i] = m[i] + 0.02 * (rng.NextDouble() - 0.5);
        }
        return (b, g, m);
    }

    [TestMethod]
    public void TenThousandSpectraUpdateAndSnapshotTimes()
    {
        var rng = new Random(1);
        var state = new DashboardState();
        var (b, g, m) = Spectrum(rng);
        var add = Stopwatch.StartNew();
        for (int i = 0; i < 10_000; i++)
            state.AddSpectrum($"line_{i:00000}", i * 0.0424, b, g, m, 2.0 + 0.04 * rng.NextDouble(), 0.001, 2.0, "ok");
        add.Stop();

        // Snapshot: what a page opened on a 10,000-spectrum session receives first.
        var snapshotMs = new List<double>();
        byte[] snapshot = [];
        for (int k = 0; k < 5; k++)
        {
            var sw = Stopwatch.StartNew();
            snapshot = state.BuildUpdate(DashboardCursor.Start, out _);
            snapshotMs.Add(sw.Elapsed.TotalMilliseconds);
        }
        state.BuildUpdate(DashboardCursor.Start, out var cursor);

        // Incremental: one more spectrum and new statistics, as the live loop sends ≤ 10×/s.
        var updateMs = new List<double>();
        byte[] update = [];
        for (int k = 0; k < 20; k++)
        {
            state.AddSpectrum("next", 10_000 + k, b, g, m, 2.01, 0.001, 2.0, "ok");
            state.SetStatistics(new DashboardStatistics
            {
                Count = 10_001 + k, MeanMeV = 2.02, SdMeV = 0.012, GaussMeanMeV = 2.02, GaussSigmaMeV = 0.011,
                GaussAmplitude = 800, IntrinsicSigmaMeV = 0.01, IntrinsicCiMeV = (0.009, 0.011),
                HistogramEdgesMeV = Enumerable.Range(0, 41).Select(i => 1.98 + 0.002 * i).ToArray(),
                HistogramCounts = Enumerable.Range(0, 40).Select(i => 250).ToArray(),
            });
            var sw = Stopwatch.StartNew();
            update = state.BuildUpdate(cursor, out cursor);
            updateMs.Add(sw.Elapsed.TotalMilliseconds);
        }

        using var doc = JsonDocument.Parse(update);
        Assert.AreEqual(1, doc.RootElement.GetProperty("fits").GetProperty("name").GetArrayLength(), "an update carries only the new fit");
        using var snap = JsonDocument.Parse(snapshot);
        Assert.AreEqual(10_000, snap.RootElement.GetProperty("fits").GetProperty("name").GetArrayLength());
        Assert.AreEqual(10_000, snap.RootElement.GetProperty("waterfall").GetArrayLength());

        snapshotMs.Sort(); updateMs.Sort();
        string report = $"10,000 spectra × 201 points: AddSpectrum {add.Elapsed.TotalMilliseconds / 10_000 * 1000:F1} µs each; " +
            $"snapshot {snapshot.Length / 1024.0 / 1024.0:F2} MB built in {snapshotMs[snapshotMs.Count / 2]:F1} ms (median of 5, min {snapshotMs[0]:F1}); " +
            $"incremental update (1 spectrum + statistics) {update.Length / 1024.0:F1} kB built in {updateMs[updateMs.Count / 2]:F3} ms (median of 20, max {updateMs[^1]:F3})";
        TestContext.WriteLine(report);
        Console.WriteLine(report);
    }

    [TestMethod]
    public void SnapshotsTakenWhileSpectraArriveAreConsistentAndDoNotHoldThemUp()
    {
        // Snapshots are copied under the lock and written outside it: each one must still be a
        // consistent cut (every fit up to its cursor, the latest spectrum the last of them), and
        // the writer's slowest AddSpectrum is reported (no timing assertion on a shared machine).
        var rng = new Random(2);
        var state = new DashboardState();
        var (b, g, m) = Spectrum(rng);
        for (int i = 0; i < 8_000; i++) state.AddSpectrum($"s{i}", i, b, g, m, 2.0, 0.001, 2.0, "ok");
        double slowestAddMs = 0;
        int snapshots = 0, added = 8_000;
        var done = new ManualResetEventSlim();
        var writer = Task.Run(() =>
        {
            // Until five snapshots have been cut (each takes longer than a thousand additions).
            for (; added < 19_500 && Volatile.Read(ref snapshots) < 5; added++)
            {
                var sw = Stopwatch.StartNew();
                state.AddSpectrum($"s{added}", added, b, g, m, 2.0, 0.001, 2.0, "ok");
                slowestAddMs = Math.Max(slowestAddMs, sw.Elapsed.TotalMilliseconds);
                if (added % 10 == 0) Thread.Sleep(1); // a live rate, not a flood
            }
            done.Set();
        });
        do
        {
            using var doc = JsonDocument.Parse(state.BuildSnapshot());
            var root = doc.RootElement;
            long total = root.GetProperty("spectra_added").GetInt64();
            var names = root.GetProperty("fits").GetProperty("name");
            Assert.AreEqual(total, names.GetArrayLength(), "fits in the snapshot = spectra added at its cursor");
            Assert.AreEqual($"s{total - 1}", names[names.GetArrayLength() - 1].GetString());
            Assert.AreEqual(total - 1, root.GetProperty("latest").GetProperty("seq").GetInt64());
            Assert.AreEqual(total, root.GetProperty("waterfall").GetArrayLength());
            Interlocked.Increment(ref snapshots);
        } while (!done.IsSet);
        writer.Wait();
        Assert.IsGreaterThanOrEqualTo(5, snapshots);
        string report = $"{snapshots} snapshots built while spectra 8,000–{added} were added; slowest AddSpectrum {slowestAddMs:F1} ms";
        TestContext.WriteLine(report);
        Console.WriteLine(report);
    }

    [TestMethod]
    public void MemoryStaysFlatOverAnHourOfSpectra()
    {
        // One hour at 4 spectra/s (a 201-point sweep every 250 ms is faster than the STM can take them).
        const int perHour = 4 * 3600;
        var limits = new DashboardLimits { MaxFits = 5_000, MaxWaterfallSpectra = 2_000, MaxFullSpectra = 32 };
        var state = new DashboardState(limits);
        var rng = new Random(2);
        var (b, g, m) = Spectrum(rng);
        long Retained()
        {
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            return GC.GetTotalMemory(forceFullCollection: true);
        }
        var cursor = DashboardCursor.Start;
        var samples = new List<(int Spectra, long Bytes)>();
        long baseline = Retained();
        for (int i = 0; i < perHour; i++)
        {
            state.AddSpectrum($"s{i}", i, b, g, m, 2.0, 0.001, 2.0, "ok");
            if (i % 40 == 0) state.BuildUpdate(cursor, out cursor); // a client keeping up, ≤ 10 updates/s
            if ((i + 1) % (perHour / 6) == 0) samples.Add((i + 1, Retained() - baseline));
        }
        string report = "retained bytes after n spectra (limits 5,000 fits / 2,000 waterfall / 32 full): " +
            string.Join(", ", samples.Select(s => $"{s.Spectra}: {s.Bytes / 1024.0 / 1024.0:F2} MB"));
        TestContext.WriteLine(report);
        Console.WriteLine(report);
        // Once the rings are full (after 5,000 spectra) memory must not grow with the session.
        var full = samples.Where(s => s.Spectra >= 7_200).ToList();
        Assert.IsGreaterThanOrEqualTo(2, full.Count);
        long growth = full[^1].Bytes - full[0].Bytes;
        Assert.IsLessThan(1_000_000, growth, $"memory grew by {growth} bytes after the rings were full: {report}");
    }

    [TestMethod]
    public void OldestFitsAreDroppedBeyondTheCap()
    {
        var state = new DashboardState(new DashboardLimits { MaxFits = 10, MaxWaterfallSpectra = 5, MaxFullSpectra = 2 });
        var (b, g, m) = Spectrum(new Random(3), 30);
        for (int i = 0; i < 25; i++) state.AddSpectrum($"s{i}", i, b, g, m, 2, 0.001, null, "ok");
        using var doc = JsonDocument.Parse(state.BuildSnapshot());
        var fits = doc.RootElement.GetProperty("fits");
        Assert.AreEqual(15, fits.GetProperty("from").GetInt32());
        Assert.AreEqual("s15", fits.GetProperty("name")[0].GetString());
        Assert.AreEqual("s24", fits.GetProperty("name")[9].GetString());
        Assert.AreEqual(5, doc.RootElement.GetProperty("waterfall").GetArrayLength());
        Assert.AreEqual(20, doc.RootElement.GetProperty("waterfall")[0][0].GetInt32());
        Assert.AreEqual(25, doc.RootElement.GetProperty("spectra_added").GetInt32());
    }

    [TestMethod]
    public async Task ConcurrentWritersAndReadersStayConsistent()
    {
        var state = new DashboardState(new DashboardLimits { MaxFits = 1000 });
        var (b, g, m) = Spectrum(new Random(4), 64);
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            var c = DashboardCursor.Start;
            long seen = 0;
            while (!stop.IsCancellationRequested)
            {
                using var doc = JsonDocument.Parse(state.BuildUpdate(c, out c));
                if (doc.RootElement.TryGetProperty("fits", out var f)) seen += f.GetProperty("name").GetArrayLength();
            }
            using var last = JsonDocument.Parse(state.BuildUpdate(c, out c));
            if (last.RootElement.TryGetProperty("fits", out var lf)) seen += lf.GetProperty("name").GetArrayLength();
            return seen;
        });
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            for (int i = 0; i < 500; i++) state.AddSpectrum($"w{w}_{i}", i, b, g, m, 2, 0.001, null, "ok");
        })).ToArray();
        await Task.WhenAll(writers);
        stop.Cancel();
        long seen = await reader;
        Assert.AreEqual(1000, state.SpectraAdded);
        Assert.AreEqual(1000, seen, "every fit reached the reader exactly once");
    }
}
