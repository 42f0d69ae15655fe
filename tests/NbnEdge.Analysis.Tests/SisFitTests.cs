using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Model;

namespace NbnEdge.Analysis.Tests;

/// <summary>
/// The fitter's SIS path: its FFT-built table against the exact integral (itself checked against
/// an independent quadrature in <see cref="SisModelTests"/>), and the fit's accuracy and error bars
/// on exact-model spectra with known truth.
/// </summary>
[TestClass]
public sealed class SisFitTests
{
    /// <summary>The lock-in average by brute force: 48-node Gauss–Chebyshev on the exact G (no sizing rule).</summary>
    private static double LockInReference(double v, double ds, double dt, double gt, double tK, double vm)
    {
        if (vm == 0) return SisConductanceModel.Exact(v, ds, dt, gt, tK);
        var rule = LockInQuadrature.WithNodes(48);
        double s = 0;
        for (int j = 0; j < rule.Count; j++) s += rule.Weights[j] * SisConductanceModel.Exact(v - vm * rule.Nodes[j], ds, dt, gt, tK);
        return s;
    }

    [TestMethod]
    public void ModelWithLockIn_MatchesBruteForceAverage()
    {
        // SIS peaks are Γ_t wide at any T: the model's quadrature must be sized by Γ_t, not by πk_BT.
        double worst = 0;
        foreach (double v in new[] { 3.30, 3.35, 3.37, 3.40, -3.36, 0.65, 1.0 })
        {
            double g = SisConductanceModel.Conductance(v, 2.0, 1.35, 0.02, 1.5, 0.05);
            worst = Math.Max(worst, Math.Abs(g - LockInReference(v, 2.0, 1.35, 0.02, 1.5, 0.05)));
        }
        Assert.IsTrue(worst <= 1e-8, $"max |G − brute force| = {worst:E2}");
    }

    /// <summary>
    /// A lock-in wide against the tip's Γ_t (V_m = 0.5 mV, Γ_t = 0.02 meV): the exact model's rule cut
    /// at the SIS edges against the FFT table, whose lock-in average is a product in its transform (no
    /// shared quadrature). The 96-node rule it used to cap at was 2.3e−3 of G off at the main peak.
    /// </summary>
    [TestMethod]
    public void ModelWithAWideLockIn_MatchesTheTable()
    {
        const double dt = 1.35, gt = 0.02, ds = 1.3, tK = 1.2, vm = 0.5;
        Assert.IsFalse(LockInQuadrature.Suffices(vm, 0, gt, 1e-12), "the case needs the per-point rule");
        var table = SisConductanceTable.For(dt, gt, vm, 6.0, 3.0);
        var stencil = new SisConductanceTable.Stencil();
        table.Prepare(ds, tK, stencil);
        double worst = 0, at = 0;
        foreach (double v in new[] { 2.2, 2.4, 2.5, 2.6, 2.65, 2.7, 2.8, 3.0, 3.1, -2.65, 0.05, 0.3 })
        {
            double e = Math.Abs(SisConductanceModel.Conductance(v, ds, dt, gt, tK, vm) - table.Evaluate(v, stencil, out _, out _, out _));
            if (e > worst) { worst = e; at = v; }
        }
        Assert.IsLessThan(2e-6, worst, $"max |G_exact − G_table| = {worst:E2} at V = {at:F3}");
    }

    [TestMethod]
    [DataRow(0.0, 2.01, 1.53, 8e-5)]
    [DataRow(0.05, 2.03, 1.47, 5e-6)]
    [DataRow(0.0, 0.163, 1.21, 3e-5)]
    [DataRow(0.03, 0.91, 4.23, 5e-6)]
    [DataRow(0.0, 1.01, 0.31, 5e-5)]
    public void Table_MatchesExactIntegral(double vm, double ds, double tK, double tolerance)
    {
        const double dt = 1.35, gt = 0.02;
        var table = SisConductanceTable.For(dt, gt, vm, 6.0, 3.0);
        var stencil = new SisConductanceTable.Stencil();
        table.Prepare(ds, tK, stencil);
        var rng = new Random(1);
        double worst = 0, at = 0;
        for (int i = 0; i < 90; i++)
        {
            // A third at the SIS peak, a sixth at the thermal peak |Δ_t − Δ_s|, the rest anywhere.
            double v = i < 30 ? ds + dt + (rng.NextDouble() - 0.5) * 0.3
                : i < 45 ? -Math.Abs(dt - ds) + (rng.NextDouble() - 0.5) * 0.3
                : -5 + 10 * rng.NextDouble();
            double e = Math.Abs(table.Evaluate(v, stencil, out _, out _, out _) - LockInReference(v, ds, dt, gt, tK, vm));
            if (e > worst) { worst = e; at = v; }
        }
        Console.WriteLine($"V_m={vm} Δs={ds} T={tK}: max |G_table − G_exact| = {worst:E2} at V = {at:F4}");
        Assert.IsTrue(worst <= tolerance, $"max |G_table − G_exact| = {worst:E2} at V = {at:F4}");
    }

    /// <summary>
    /// A sweep far wider than a tip's gap (a real ±0.6 V spectrum fitted with --tip-gap took 13 GB and
    /// five minutes) is refused at once with the reach it would take, and a Pb-sized one still fits.
    /// </summary>
    [TestMethod]
    public void SweepTooWideForTheTipTable_IsRefusedWithTheReachThatWouldFit()
    {
        // The shape does not matter: the refusal comes before any table is built (the SIS peaks at ±2.65 mV).
        double[] wide = Enumerable.Range(0, 801).Select(i => -200.0 + 0.5 * i).ToArray();
        double[] g = wide.Select(v => 1.0 + 2.0 * Math.Exp(-Math.Pow(Math.Abs(v) - 2.65, 2) / 0.1)).ToArray();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var r = new GapFitter(new GapFitOptions { TipGapMeV = 1.35 }).Fit(wide, g);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.AreEqual(FitFlags.FitFailed, r.Flag);
        Assert.IsFalse(r.IsUsable);
        string note = r.Notes.Single(n => n.Contains("too wide", StringComparison.Ordinal));
        StringAssert.Contains(note, "±200 mV");
        StringAssert.Contains(note, "--bias-window ");
        Assert.IsLessThan(20_000_000L, allocated, $"refused before any table was built ({allocated:N0} bytes)");
        // The same tip on a Pb-sized sweep is not refused (the fits themselves: the tests above).
        double[] narrow = Enumerable.Range(0, 401).Select(i => -6.0 + 0.03 * i).ToArray();
        Assert.IsFalse(new GapFitter(new GapFitOptions { TipGapMeV = 1.35 }).Fit(narrow, narrow.Select(v => 1.0 + 2.0 * Math.Exp(-Math.Pow(Math.Abs(v) - 2.65, 2) / 0.1)).ToArray())
            .Notes.Any(n => n.Contains("too wide", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void TableDerivatives_MatchFiniteDifferences()
    {
        TableDerivativeCheck.AssertAgreesWithDifferences(SisConductanceTable.For(1.35, 0.02, 0.05, 6.0, 3.0), 2.0, 1.5, [-3.2, 0.3, 2.9, 3.36, 3.5]);
    }

    /// <summary>Exact-model SIS spectra (Pb tip over a 2 meV film), 301 points, ±5 mV, 1 % noise.</summary>
    private static (double[] Bias, double[] Clean) Curve(BcsParameters truth)
    {
        const int points = 301;
        var bias = new double[points];
        var clean = new double[points];
        Parallel.For(0, points, i =>
        {
            bias[i] = -5.0 + 10.0 * i / (points - 1);
            clean[i] = ThermalBcsModel.Evaluate(truth, bias[i]);
        });
        return (bias, clean);
    }

    [TestMethod]
    public void Fit_RecoversSampleGap_WithHonestErrors()
    {
        var truth = new BcsParameters(2.0, 1.5, 1.0, 0.01, 0.02, ModulationMV: 0.05, TipGapMeV: 1.35, TipGammaMeV: 0.02);
        var (bias, clean) = Curve(truth);
        var fitter = new GapFitter(new GapFitOptions { TipGapMeV = 1.35, ModulationMV = 0.05, FitOffset = true });
        var rng = new Random(11);
        const int draws = 60;
        double sumSq = 0, sumErr = 0, sumSe = 0;
        for (int k = 0; k < draws; k++)
        {
            var y = new double[clean.Length];
            for (int i = 0; i < y.Length; i++) y[i] = clean[i] + 0.01 * Synthetic.SyntheticSpectra.Gaussian(rng);
            var r = fitter.Fit(bias, y, 0.05);
            Assert.AreEqual(FitFlags.Ok, r.Flag, $"draw {k}: {r.Flag}");
            Assert.AreEqual(1.35, r.TipGapMeV!.Value, 0.0, "the tip's gap was fixed");
            double e = r.DeltaMeV - truth.DeltaMeV;
            sumSq += e * e; sumErr += e; sumSe += r.DeltaErrMeV;
        }
        double rms = Math.Sqrt(sumSq / draws), meanSe = sumSe / draws;
        Console.WriteLine($"rms(Δ − truth) = {rms * 1e3:G3} µeV, mean SE = {meanSe * 1e3:G3} µeV, ratio {rms / meanSe:F2}, mean error {sumErr / draws * 1e3:G3} µeV");
        Assert.IsTrue(rms <= 1.5 * meanSe, $"rms {rms:E3} > 1.5 × SE {meanSe:E3}");
        Assert.IsTrue(rms >= 0.5 * meanSe, $"errors overstated: rms {rms:E3} < SE/2 {meanSe:E3}");
        Assert.IsTrue(Math.Abs(sumErr / draws) <= 4 * meanSe / Math.Sqrt(draws), $"biased: mean error {sumErr / draws:E3}");
    }

    [TestMethod]
    public void Fit_FreesTheTipGap()
    {
        // Δ_t and Δ_s are told apart by the thermal peaks at ±|Δ_t − Δ_s| (weight ~e^{−Δ_s/k_BT}) and
        // the peaks' shapes; the main peak fixes only their sum. Like the real Pb-tip spectra: a small
        // sample gap, warm enough for the in-gap peaks to show.
        var truth = new BcsParameters(0.25, 1.5, 1.0, 0.0, 0.0, TipGapMeV: 1.33, TipGammaMeV: 0.03);
        var (bias, clean) = Curve(truth);
        var rng = new Random(3);
        var y = clean.Select(g => g + 0.01 * Synthetic.SyntheticSpectra.Gaussian(rng)).ToArray();
        var r = new GapFitter(new GapFitOptions { TipGapMeV = 1.2, FitTipGap = true, TipGammaMeV = 0.03 }).Fit(bias, y);
        Console.WriteLine($"Δ_t {r.TipGapMeV} ± {r.TipGapErrMeV}, Δ_s {r.DeltaMeV} ± {r.DeltaErrMeV}, T {r.TEffK}, flag {r.Flag}, iterations {r.Iterations}");
        Assert.IsTrue(r.Converged, r.Flag);
        Assert.AreEqual(1.33, r.TipGapMeV!.Value, 4 * r.TipGapErrMeV!.Value + 1e-4, $"Δ_t {r.TipGapMeV} ± {r.TipGapErrMeV}");
        Assert.AreEqual(0.25, r.DeltaMeV, 4 * r.DeltaErrMeV + 1e-4, $"Δ_s {r.DeltaMeV} ± {r.DeltaErrMeV}");
        Assert.IsTrue(r.TipGapErrMeV > 0, "a fitted tip gap has an error bar");
    }

    [TestMethod]
    public void NisFitOfSisSpectrum_IsFlaggedSisSuspected_SisFitSeparatesTheGaps()
    {
        // The failure the SIS model exists for: an NIS fit puts the peak at Δ_t + Δ_s.
        var truth = new BcsParameters(0.9, 1.2, 1.0, TipGapMeV: 1.33, TipGammaMeV: 0.02);
        var (bias, clean) = Curve(truth);
        var rng = new Random(7);
        var y = clean.Select(g => g + 0.01 * Synthetic.SyntheticSpectra.Gaussian(rng)).ToArray();
        var nis = new GapFitter().Fit(bias, y);
        var sis = new GapFitter(new GapFitOptions { TipGapMeV = 1.33 }).Fit(bias, y);
        Assert.IsTrue(nis.DeltaMeV > 1.8, $"NIS Δ {nis.DeltaMeV}");
        Assert.AreEqual(FitFlags.SisSuspected, nis.Flag, "the NIS fit says what went wrong");
        Assert.IsFalse(nis.IsUsable, "Δ_tip + Δ_sample must not enter statistics");
        StringAssert.Contains(string.Join(" ", nis.Notes), "--tip-gap");
        Assert.AreEqual(FitFlags.Ok, sis.Flag);
        Assert.AreEqual(0.9, sis.DeltaMeV, 4 * sis.DeltaErrMeV);
    }

    [TestMethod]
    public void Options_RefuseNisOnlySettingsWithATipGap()
    {
        Assert.IsNotNull(new GapFitOptions { TipGapMeV = 1.35, FitGamma = true }.Problem());
        Assert.IsNotNull(new GapFitOptions { TipGapMeV = 1.35, FitModulation = true }.Problem());
        Assert.IsNotNull(new GapFitOptions { FitTipGap = true }.Problem());
        Assert.IsNotNull(new GapFitOptions { TipGapMeV = 1.35, TipGammaMeV = 0.001 }.Problem());
        Assert.IsNotNull(new GapFitOptions { TipGapMeV = -1 }.Problem());
        Assert.IsNull(new GapFitOptions { TipGapMeV = 1.35, FitTipGap = true, FitTipGamma = true }.Problem());
    }
}
