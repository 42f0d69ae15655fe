using NbnEdge.Link;

namespace NbnEdge.Simulator.Tests;

[TestClass]
public sealed class SimulatedBoardTests
{
    internal static SimulationSettings Quiet(int positions = 2, double noise = 0) => new()
    {
        Film = FilmPreset.Film5nm,
        Positions = positions,
        NoiseFraction = noise,
        SignalSampleNoiseUv = 0,
        BiasNoiseUv = 0,
    };

    private static (CaptureResult Result, SimulatedBoard Board) Run(SimulationSettings settings)
    {
        var board = new SimulatedBoard(settings);
        var bytes = new MemoryStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = board.ReadAsync(buffer, CancellationToken.None).AsTask().Result) > 0)
        {
            bytes.Write(buffer, 0, n);
        }

        bytes.Position = 0;
        return (CaptureAnalysis.Decode(bytes, new CaptureOptions { SourceName = board.Name }), board);
    }

    [TestMethod]
    public void FirmwareOnTheVirtualBoard_SendsHelloAndWholeSpectraOfBothDirections()
    {
        var (result, board) = Run(Quiet(positions: 2));

        HelloInfo hello = result.Hellos.First();
        Assert.AreEqual("esp32-devkitc-ads131m04", hello.Board);
        Assert.AreEqual(0.001430511474609375m, hello.BiasUvPerLsb);
        Assert.AreEqual(4, result.Counters.SpectraComplete, "two positions × forward and backward");
        Assert.AreEqual(0, result.Counters.SpectraIncomplete);
        Assert.AreEqual(0, result.Counters.FramesLost);
        Assert.AreEqual(0, result.Counters.FramesDropped);
        Assert.IsTrue(result.Acks.Any(a => a.Detail == "running"), "auto-start goes through the firmware's START");
        Assert.IsTrue(result.Statuses.Count >= 10, "STATUS every simulated second");
        Assert.AreEqual(4, board.Truth.Count);
        CollectionAssert.AreEqual(new[] { false, true, false, true }, result.Spectra.Select(s => s.Received.Backward).ToArray());

        foreach (DecodedSpectrum d in result.Spectra)
        {
            var s = d.Spectrum!;
            Assert.AreEqual(201, s.Count);
            double first = s.BiasMV[0], last = s.BiasMV[^1];
            Assert.AreEqual(d.Received.Backward ? 5.0 : -5.0, first, 1e-3);
            Assert.AreEqual(d.Received.Backward ? -5.0 : 5.0, last, 1e-3);
            Assert.IsNotNull(d.Estimate, "each spectrum's ESTIMATE follows it");
        }
    }

    [TestMethod]
    public void HostRecomputesTheBoardsEstimate_BitForBit()
    {
        var (result, board) = Run(Quiet(positions: 1));
        Assert.AreEqual(2, result.Spectra.Count);
        foreach (DecodedSpectrum d in result.Spectra)
        {
            Assert.IsTrue(EstimateCheck.MatchesBoard(d.Received, board.Estimator));
            EstimateInfo e = d.Estimate!;
            double truth = board.Truth.Single(t => t.SpectrumId == d.Received.SpectrumId).Position.DeltaMeV;
            Assert.IsTrue(e.Valid, "the firmware's estimator runs on the simulated spectra");
            Assert.AreEqual(truth, e.DeltaMeV, 0.05, "on-board Δ near the truth");
        }

        // And a different answer is noticed.
        ReceivedSpectrum first = result.Spectra[0].Received;
        Assert.IsFalse(EstimateCheck.MatchesBoard(first, new FixedEstimator()));
    }

    private sealed class FixedEstimator : NbnEdge.Firmware.Estimation.ISpectrumEstimator
    {
        public void Estimate(int[] biasCodes, int[] signalCodes, int count, bool backward, NbnEdge.Firmware.Protocol.EstimateReport result)
        {
            result.DeltaUeV = 2020;
            result.Valid = true;
        }
    }

    [TestMethod]
    public void ReceivedConductance_IsTheModelThroughTheFrontEnd()
    {
        var (result, board) = Run(Quiet(positions: 1));
        foreach (DecodedSpectrum d in result.Spectra)
        {
            PositionTruth truth = board.Truth.Single(t => t.SpectrumId == d.Received.SpectrumId).Position;
            Assert.AreEqual(board.LockIn.Profile.DeltaMeV[0], truth.DeltaMeV);
            var s = d.Spectrum!;
            double worst = 0;
            for (int i = 0; i < s.Count; i++)
            {
                double expectedUv = board.LockIn.LockInConductance(s.BiasMV[i], truth) * truth.Scale * 1e6;
                worst = Math.Max(worst, Math.Abs(s.Conductance[i] - expectedUv) / 1e6);
            }

            // Quantisation (1.43 µV per code) and the settled lock-in filter (e^−10): far below 1e−4 of G_N.
            Assert.IsTrue(worst < 1e-4, $"worst deviation {worst:E2} of the normal-state conductance");
            Assert.IsTrue(s.Conductance[100] < 0.2e6, "inside the gap the conductance is small");
            Assert.IsTrue(s.Conductance.Max() > 1.5e6, "coherence peaks");
        }
    }

    [TestMethod]
    public void NoisyLine_HasTheChosenSpreadAndNoise()
    {
        var settings = Quiet(positions: 3, noise: 0.02);
        var (result, board) = Run(settings);
        Assert.AreEqual(6, result.Counters.SpectraComplete);
        var profile = board.LockIn.Profile;
        double mean = profile.DeltaMeV.Average();
        Assert.AreEqual(FilmPreset.Film5nm.DeltaMeV, mean, 1e-12);
        DecodedSpectrum d = result.Spectra[0];
        PositionTruth truth = board.Truth[0].Position;
        var residuals = d.Spectrum!.BiasMV.Select((v, i) => d.Spectrum.Conductance[i] / 1e6 - board.LockIn.LockInConductance(v, truth) * truth.Scale).ToArray();
        double rms = Math.Sqrt(residuals.Average(r => r * r));
        Assert.AreEqual(0.02, rms, 0.006, "per-point noise of 2 % of G_N");
    }

    [TestMethod]
    public void GapProfile_HasExactlyTheChosenMeanAndSpread()
    {
        var p = new GapProfile(2.02, 0.04, 200, 424, 0.5, 30, 7);
        double mean = p.DeltaMeV.Average();
        double sd = Math.Sqrt(p.DeltaMeV.Sum(x => (x - mean) * (x - mean)) / 199);
        Assert.AreEqual(2.02, mean, 1e-12);
        Assert.AreEqual(0.04, sd, 1e-12);
        Assert.AreEqual(424, p.PositionsNm[^1], 1e-9);
        // The smooth part correlates neighbours; pure white noise would not.
        double lag1 = Enumerable.Range(0, 199).Sum(i => (p.DeltaMeV[i] - mean) * (p.DeltaMeV[i + 1] - mean)) / (199 * sd * sd);
        Assert.IsTrue(lag1 > 0.2, $"lag-1 correlation {lag1}");
    }

    [TestMethod]
    public void Presets_FollowTheDesignTable()
    {
        Assert.AreEqual(2.11, FilmPreset.Get("25nm").DeltaMeV);
        Assert.AreEqual(3.03, FilmPreset.Get("25").TipTemperatureK);
        Assert.AreEqual(50, FilmPreset.Get("25nm").Positions);
        Assert.AreEqual(70, FilmPreset.Get("25nm").LineLengthNm);
        Assert.AreEqual(0.04, FilmPreset.Get("5nm").SigmaMeV);
        Assert.AreEqual(1.73, FilmPreset.Get("5nm").TipTemperatureK);
        Assert.AreEqual(1.60, FilmPreset.Get("4nm").DeltaMeV);
        Assert.AreEqual(0.05, FilmPreset.Get("4nm").SigmaMeV);
        Assert.AreEqual(200, FilmPreset.Get("4nm").Positions);
        Assert.ThrowsExactly<ArgumentException>(() => FilmPreset.Get("7nm"));
    }

    [TestMethod]
    public async Task Commands_GoThroughTheFirmware_AndARebootIsSurvived()
    {
        var board = new SimulatedBoard(Quiet(positions: 4) with { Repeat = true }, autoStart: false);
        await using var session = new LinkSession(board);
        var spectra = new List<ReceivedSpectrum>();
        int complete = 0;
        session.SpectrumReceived += s =>
        {
            lock (spectra) spectra.Add(s);
            if (!s.Incomplete) Interlocked.Increment(ref complete);
        };
        using var cts = new CancellationTokenSource();
        // Unpaced, the board never makes a read wait: the session gets a thread of its own.
        Task run = Task.Run(() => session.RunAsync(cts.Token));

        AckInfo ack = await session.CommandAsync(c => c.Config("points=101\nsettle_ms=4\n"), TimeSpan.FromSeconds(20));
        Assert.IsTrue(ack.Ok, ack.Detail);
        Assert.AreEqual("ok", ack.Detail);
        AckInfo bad = await session.CommandAsync(c => c.Config("points=9999\n"), TimeSpan.FromSeconds(20));
        Assert.AreEqual(1, bad.Status);
        AckInfo ping = await session.CommandAsync(c => c.Ping(), TimeSpan.FromSeconds(20));
        Assert.AreEqual("pong", ping.Detail);
        Assert.AreEqual(101, session.Assembler.Hello!.Points, "the HELLO after PING shows the new CONFIG");
        Assert.AreEqual(0, Volatile.Read(ref complete), "nothing before START");

        AckInfo start = await session.CommandAsync(c => c.Start(), TimeSpan.FromSeconds(20));
        Assert.AreEqual("running", start.Detail);
        Assert.IsTrue(SpinWait.SpinUntil(() => Volatile.Read(ref complete) >= 3, TimeSpan.FromSeconds(20)));
        board.Reboot();
        Assert.IsTrue(SpinWait.SpinUntil(() => session.Counters.Reboots >= 1, TimeSpan.FromSeconds(20)));
        await cts.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(() => run);

        LinkCounters k = session.Counters;
        Assert.IsTrue(k.SpectraComplete >= 3);
        Assert.AreEqual(1, k.Reboots);
        Assert.AreEqual(0, k.FramesLost);
        Assert.AreEqual(0, k.FramesDropped);
        lock (spectra) Assert.IsTrue(spectra.Where(s => !s.Incomplete).All(s => s.TotalPoints == 101));
    }
}
