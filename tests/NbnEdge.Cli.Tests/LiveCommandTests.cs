using System.Text.Json;
using NbnEdge.Cli.Live;
using NbnEdge.Link;
using NbnEdge.Live;
using NbnEdge.Session;
using NbnEdge.Simulator;

namespace NbnEdge.Cli.Tests;

[TestClass]
public sealed class LiveCommandTests
{
    private const int Spectra = 20;

    // One demo run serves several tests (each run simulates the line again).
    private static readonly Lazy<(CliRunner.Outcome Outcome, string JournalDir)> SharedDemo = new(() =>
    {
        string dir = CliRunner.TempDir();
        return (CliRunner.Run("demo", "--spectra", Spectra.ToString(), "--json", "--journal", dir), dir);
    });

    /// <summary>The fields of the summary that depend only on the bytes received (not on where they came from or when).</summary>
    private static readonly string[] DataFields =
    [
        "bytes", "frames_ok", "frames_bad", "frames_lost", "spectra_received", "spectra_incomplete", "estimates",
        "n", "mean_delta_meV", "sd_meV", "gauss_sigma_meV", "intrinsic_sigma_meV", "rms_fit_error_meV",
        "estimate_vs_fit_rms_meV", "recompute_checked", "recompute_mismatches",
    ];

    [TestMethod]
    public void Demo_Json_IsASaneFinalObject()
    {
        var (outcome, dir) = SharedDemo.Value;
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        JsonElement j = outcome.Json();
        Assert.AreEqual(Spectra, j.GetProperty("spectra_received").GetInt32());
        Assert.AreEqual(0, j.GetProperty("spectra_incomplete").GetInt32());
        Assert.AreEqual(0, j.GetProperty("frames_bad").GetInt32());
        Assert.AreEqual(0, j.GetProperty("frames_lost").GetInt32());
        Assert.AreEqual(0, j.GetProperty("recompute_mismatches").GetInt32());
        Assert.AreEqual(Spectra, j.GetProperty("recompute_checked").GetInt32(), "every device estimate was checked against the host's re-run");

        // The preset: Δ = 2.02 meV with σ = 40 µeV along the line; the mean of 20 is within a few σ/√n.
        double mean = j.GetProperty("mean_delta_meV").GetDouble();
        Assert.AreEqual(2.02, mean, 3 * 0.04 / Math.Sqrt(Spectra));
        double intrinsic = j.GetProperty("intrinsic_sigma_meV").GetDouble();
        double trueSigma = j.GetProperty("true_sigma_meV").GetDouble();
        Assert.AreEqual(0.04, trueSigma, 1e-9, "the simulator's profile has exactly the preset's spread");
        Assert.AreEqual(trueSigma, intrinsic, 0.5 * trueSigma, "intrinsic σ near the true σ (20 spectra: a loose check)");
        Assert.IsTrue(j.GetProperty("estimate_vs_fit_rms_meV").GetDouble() < 0.02, "device estimate close to the full fit");
        Assert.IsTrue(j.GetProperty("latency_max_ms").GetDouble() > 0);

        // Table I row from the measured Δ and the reference R_□ = 900 Ω, T_c = 10.4 K.
        JsonElement row = j.GetProperty("table_row");
        Assert.AreEqual(NbnEdge.Analysis.FilmFigures.SheetKineticInductancePH(900, mean), row.GetProperty("l_sheet_pH").GetDouble(), 1e-9);
        Assert.AreEqual(NbnEdge.Analysis.FilmFigures.GapRatio(mean, 10.4), row.GetProperty("delta_over_kTc").GetDouble(), 1e-12);

        string raw = j.GetProperty("journal_raw").GetString()!;
        Assert.IsTrue(raw.StartsWith(dir, StringComparison.Ordinal) && File.Exists(raw));
        Assert.AreEqual(Spectra, File.ReadAllLines(j.GetProperty("journal_results").GetString()!).Length, "one results line per spectrum");
    }

    [TestMethod]
    public void SimulateOut_ThenIngest_GivesTheDemoSummary()
    {
        string dir = CliRunner.TempDir();
        string capture = Path.Combine(dir, "line.nbnraw");
        var simulate = CliRunner.Run("simulate", "--spectra", Spectra.ToString(), "--out", capture);
        Assert.AreEqual(0, simulate.ExitCode, simulate.Stderr);
        Assert.IsTrue(new FileInfo(capture).Length > 10_000);

        var ingest = CliRunner.Run("ingest", capture, "--json");
        Assert.AreEqual(0, ingest.ExitCode, ingest.Stderr);
        JsonElement demo = SharedDemo.Value.Outcome.Json();
        JsonElement mine = ingest.Json();
        foreach (string field in DataFields)
            Assert.AreEqual(demo.GetProperty(field).GetRawText(), mine.GetProperty(field).GetRawText(), field);
    }

    [TestMethod]
    public void Replay_OfTheDemoJournal_ReproducesEveryResult()
    {
        var (demoOutcome, dir) = SharedDemo.Value;
        var replay = CliRunner.Run("replay", dir, "--json");
        Assert.AreEqual(0, replay.ExitCode, replay.Stderr);
        JsonElement j = replay.Json();
        Assert.AreEqual(Spectra, j.GetProperty("journal_results").GetInt32());
        Assert.AreEqual(Spectra, j.GetProperty("journal_results_matching").GetInt32());
        JsonElement demo = demoOutcome.Json();
        foreach (string field in DataFields)
            Assert.AreEqual(demo.GetProperty(field).GetRawText(), j.GetProperty(field).GetRawText(), field);
    }

    [TestMethod]
    public void Replay_NoticesATamperedResultsJournal()
    {
        string dir = CliRunner.TempDir();
        Assert.AreEqual(0, CliRunner.Run("demo", "--spectra", "5", "--json", "--journal", dir).ExitCode);
        string results = Directory.GetFiles(dir, "*.results.jsonl").Single();
        string[] lines = File.ReadAllLines(results);
        // Change one journaled Δ in its last digits: the replay must not count it as reproduced.
        int at = lines[2].IndexOf("\"delta_meV\":", StringComparison.Ordinal) + "\"delta_meV\":".Length;
        lines[2] = lines[2][..at] + "1.5" + lines[2][lines[2].IndexOf(',', at)..];
        File.WriteAllLines(results, lines);
        JsonElement j = CliRunner.Run("replay", dir, "--json").Json();
        Assert.AreEqual(5, j.GetProperty("journal_results").GetInt32());
        Assert.AreEqual(4, j.GetProperty("journal_results_matching").GetInt32());
    }

    [TestMethod]
    public void Demo_Plain_PrintsHomogeneityTableRowAndJournal()
    {
        string dir = CliRunner.TempDir();
        var outcome = CliRunner.Run("demo", "--film", "4nm", "--spectra", "6", "--journal", dir);
        Assert.AreEqual(0, outcome.ExitCode, outcome.Stderr);
        StringAssert.Contains(outcome.Stdout, "Homogeneity of Δ over 6 spectra");
        StringAssert.Contains(outcome.Stdout, "ALD NbN on silicon, 4 nm");
        StringAssert.Contains(outcome.Stdout, "true σ of Δ along the line");
        StringAssert.Contains(outcome.Stdout, "Journal: " + dir);
        Assert.IsFalse(outcome.Stdout.Contains('\u001b'), "no terminal escapes when not on a terminal");
    }

    [TestMethod]
    public async Task Pipeline_FlagsADeviceEstimateThatTheFirmwareWouldNotGive()
    {
        // A board whose on-board estimator is not the firmware's: the host's bit-for-bit re-run must notice every one.
        var board = new SimulatedBoard(new SimulationSettings { Positions = 2 }, SimulationPacing.Unpaced, estimator: new FixedEstimator());
        await using var link = new LiveSession(board, journal: null, new LivePipelineOptions());
        var fitted = new List<LiveResult>();
        link.Pipeline.ResultCompleted += fitted.Add;
        link.Start(CancellationToken.None);
        LinkCounters counters = await link.FinishAsync();
        LiveSnapshot s = link.Pipeline.Snapshot;
        Assert.AreEqual(4, counters.SpectraComplete, "two positions, both sweep directions");
        Assert.AreEqual(4, s.RecomputeChecked);
        Assert.AreEqual(4, s.RecomputeMismatches);
        Assert.IsTrue(fitted.All(r => r.RecomputeMatches == false && r.Fit is not null));
        Assert.AreEqual(4, fitted.Count);
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
    public void RunningStatistics_AgreeWithTheDirectFormulas()
    {
        var stats = new RunningGapStatistics();
        double[] d = [2.01, 2.05, 1.98, 2.03];
        double[] e = [0.01, 0.02, 0.01, 0.02];
        for (int i = 0; i < d.Length; i++) stats.Add(d[i], e[i]);
        double mean = d.Average();
        double variance = d.Sum(x => (x - mean) * (x - mean)) / (d.Length - 1);
        double meanErr2 = e.Average(x => x * x);
        Assert.AreEqual(mean, stats.MeanMeV, 1e-15);
        Assert.AreEqual(Math.Sqrt(variance), stats.StandardDeviationMeV, 1e-15);
        Assert.AreEqual(Math.Sqrt(variance - meanErr2), stats.IntrinsicSigmaMeV, 1e-15);
    }

    [TestMethod]
    public void BadInputs_ExitOne_WithOneLineNamingTheFile()
    {
        string dir = CliRunner.TempDir();
        string missing = Path.Combine(dir, "nope.nbnraw");
        string text = Path.Combine(dir, "notes.txt");
        File.WriteAllText(text, "this is not a capture\n");
        string empty = Path.Combine(dir, "empty.nbnraw");
        File.WriteAllBytes(empty, []);
        foreach (string[] args in new[]
                 {
                     new[] { "ingest", missing }, new[] { "ingest", text }, new[] { "ingest", empty },
                     new[] { "replay", missing }, new[] { "replay", CliRunner.TempDir() },
                 })
        {
            var outcome = CliRunner.Run(args);
            Assert.AreEqual(1, outcome.ExitCode, string.Join(" ", args) + ": " + outcome.Stderr);
            Assert.AreEqual(1, outcome.ErrorLines.Length, outcome.Stderr);
            StringAssert.Contains(outcome.ErrorLines[0], args[1]);
        }
    }

    [TestMethod]
    public void UnknownOptionsAndBadCombinations_ExitTwo()
    {
        foreach (string[] args in new[]
                 {
                     new[] { "demo", "--bogus" }, new[] { "demo", "--film", "7nm" }, new[] { "demo", "--spectra", "2" },
                     new[] { "ingest", "x.nbnraw", "--frobnicate" }, new[] { "simulate" }, new[] { "simulate", "--pty", "--out", "x" },
                     new[] { "estimate", "--board", "arduino", "x.csv" }, new[] { "monitor" },
                 })
        {
            var outcome = CliRunner.Run(args);
            Assert.AreEqual(2, outcome.ExitCode, string.Join(" ", args) + ": " + outcome.Stderr);
            Assert.IsTrue(outcome.Stderr.StartsWith("nbnedge: ", StringComparison.Ordinal), outcome.Stderr);
        }
    }
}
