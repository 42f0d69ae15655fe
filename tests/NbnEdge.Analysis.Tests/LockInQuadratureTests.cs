using NbnEdge.Analysis;
using NbnEdge.Analysis.Model;

namespace NbnEdge.Analysis.Tests;

/// <summary>
/// The lock-in average at low temperature against a lock-in wide compared with k_BT: the 96-node
/// Gauss–Chebyshev rule it used to cap at missed G by 1 % of the background at 50 mK and
/// V_m = 0.5 mV, and by 12 % at 30 mK and 1 mV. The reference here shares no quadrature with the
/// model: a brute-force 5-point Gauss–Legendre sum over 40,000 equal panels in θ (y = cos θ),
/// evaluated through the shipped BCS table (not the exact integral the model uses), whose own
/// accuracy is 7.5e−7 of G.
/// </summary>
[TestClass]
public class LockInQuadratureTests
{
    private static readonly (double X, double W)[] Gauss5 =
    [
        (-0.906179845938664, 0.236926885056189), (-0.538469310105683, 0.478628670499366), (0.0, 0.568888888888889),
        (0.538469310105683, 0.478628670499366), (0.906179845938664, 0.236926885056189),
    ];

    private static double Reference(double biasMV, double deltaMeV, double temperatureK, double vmMV)
    {
        var table = BcsConductanceTable.Default;
        var row = table.ForTemperature(PhysicalConstants.BoltzmannMeVPerK * temperatureK / deltaMeV);
        return BruteForceAverage(biasMV, vmMV, 40_000, v => { table.Evaluate(row, v / deltaMeV, out double g, out _, out _); return g; });
    }

    /// <summary>The lock-in average of g over equal panels in θ (y = cos θ, weight (2/π)sin²θ), 5-point Gauss–Legendre in each.</summary>
    private static double BruteForceAverage(double biasMV, double vmMV, int panels, Func<double, double> g)
    {
        double sum = 0;
        for (int p = 0; p < panels; p++)
        {
            double a = Math.PI * p / panels, half = 0.5 * Math.PI / panels;
            foreach (var (x, w) in Gauss5)
            {
                double theta = a + half * (1 + x), s = Math.Sin(theta);
                sum += half * w * (2 / Math.PI) * s * s * g(biasMV - vmMV * Math.Cos(theta));
            }
        }
        return sum;
    }

    [TestMethod]
    [DataRow(1.5, 0.05, 0.5)]
    [DataRow(1.5, 0.03, 1.0)]
    [DataRow(2.2, 0.06, 2.0)]
    public void WideLockInAtLowTemperatureMatchesABruteForceAverage(double deltaMeV, double temperatureK, double vmMV)
    {
        Assert.IsFalse(LockInQuadrature.Suffices(vmMV, temperatureK, 0, 1e-13), "the case needs the per-point rule");
        double worst = 0, worstAt = 0;
        // Across the gap edge and the coherence peak, where the capped rule failed, and beyond it.
        for (double v = 0; v <= deltaMeV + 1.5 * vmMV; v += 0.0173)
        {
            double model = ThermalBcsModel.Conductance(v, deltaMeV, temperatureK, 0, vmMV);
            double error = Math.Abs(model - Reference(v, deltaMeV, temperatureK, vmMV));
            if (error > worst) { worst = error; worstAt = v; }
        }
        Assert.IsLessThan(2e-6, worst, $"max |model − reference| = {worst:E2} at {worstAt:F4} mV");
    }

    /// <summary>
    /// Each point's own node count (<see cref="LockInQuadrature.AtNisPoint"/>: few nodes far from the
    /// edges) against a brute-force average that shares nothing with it: 20,000 Gauss–Legendre nodes in θ
    /// over the exact Dynes pole sum at every point, across a ±8Δ sweep with a wide and a narrow lock-in.
    /// </summary>
    [TestMethod]
    [DataRow(1.5, 0.3, 0.05, 1.0)]
    [DataRow(7.8, 1.4, 0.01, 2.0)] // a real ±50 mV Nanonis file's fit
    [DataRow(1.3, 4.2, 0.02, 0.1)]
    public void PerPointNodeCountsMatchABruteForceDynesAverage(double deltaMeV, double temperatureK, double gammaMeV, double vmMV)
    {
        double t = PhysicalConstants.BoltzmannMeVPerK * temperatureK / deltaMeV, gamma = gammaMeV / deltaMeV;
        double worst = 0, worstAt = 0;
        int fewest = int.MaxValue;
        for (double v = -8 * deltaMeV; v <= 8 * deltaMeV; v += 0.173 * deltaMeV)
        {
            double reference = BruteForceAverage(v, vmMV, 4_000, e => MatsubaraBcsSum.Conductance(e / deltaMeV, t, gamma));
            double model = ThermalBcsModel.Conductance(v, deltaMeV, temperatureK, gammaMeV, vmMV);
            fewest = Math.Min(fewest, LockInQuadrature.AtNisPoint(v, deltaMeV, vmMV, temperatureK, gammaMeV, 1e-13, out _, out _));
            if (Math.Abs(model - reference) > worst) { worst = Math.Abs(model - reference); worstAt = v; }
        }
        Assert.IsLessThan(1e-9, worst, $"max |model − reference| = {worst:E2} at {worstAt:F3} mV");
        Assert.IsLessThan(LockInQuadrature.For(vmMV, temperatureK, gammaMeV, 1e-13).Count, fewest, "points far from the edges need fewer nodes than the shared rule");
    }

    [TestMethod]
    public void PointRuleWeightsSumToOneAndIntegrateTheSemicircleMoments()
    {
        foreach (double bias in new[] { 0.0, 1.2, 1.5, 1.8, 4.0 })
        {
            int n = LockInQuadrature.AtPoint(bias, [1.5], 0.5, 0.02, 0, 1e-12, out var y, out var w);
            Assert.IsTrue(n is > 0 and <= LockInQuadrature.MaxPointNodes, $"{n}");
            double w0 = 0, m2 = 0, m4 = 0;
            for (int j = 0; j < n; j++) { w0 += w[j]; m2 += w[j] * y[j] * y[j]; m4 += w[j] * Math.Pow(y[j], 4); }
            // ∫(2/π)√(1 − y²) y^k dy: 1, 1/4, 1/8.
            Assert.AreEqual(1.0, w0, 1e-13, $"bias {bias}");
            Assert.AreEqual(0.25, m2, 1e-13, $"bias {bias}");
            Assert.AreEqual(0.125, m4, 1e-13, $"bias {bias}");
        }
    }

    /// <summary>
    /// A fit at 50 mK with V_m = 0.5 mV (a dilution-refrigerator STM with a wide lock-in): the fitter's
    /// table path needs the per-point rule too. Data from the model (checked above against the brute-force
    /// average), five noise draws: Δ within 3 standard errors of the truth, T_eff within 12 mK of 50 mK, χ²_red near 1.
    /// </summary>
    [TestMethod]
    public void FitAtFiftyMillikelvinWithAWideLockInRecoversTheGap()
    {
        var truth = new BcsParameters(1.5, 0.05, 1.0, 0.0, ModulationMV: 0.5);
        var bias = Enumerable.Range(0, 601).Select(i => -3 + 0.01 * i).ToArray();
        var clean = bias.Select(v => ThermalBcsModel.Evaluate(truth, v)).ToArray();
        for (int seed = 0; seed < 5; seed++)
        {
            var rng = new Random(700 + seed);
            var g = clean.Select(v => v + 0.003 * NbnEdge.Analysis.Synthetic.SyntheticSpectra.Gaussian(rng)).ToArray();
            var r = new NbnEdge.Analysis.Fitting.GapFitter(new NbnEdge.Analysis.Fitting.GapFitOptions { ModulationMV = 0.5 }).Fit(bias, g);
            string where = $"seed {seed}: Δ {r.DeltaMeV:F5} ± {r.DeltaErrMeV:F5}, T {r.TEffK:F3}, χ² {r.Chi2Red:F2}, {r.Flag}";
            Assert.AreEqual(NbnEdge.Analysis.Fitting.FitFlags.Ok, r.Flag, where);
            Assert.AreEqual(1.5, r.DeltaMeV, 3 * r.DeltaErrMeV, where);
            Assert.IsLessThan(1.5, r.Chi2Red, where);
            // The capped rule's error near the peaks was taken up by T_eff: 0.069–0.073 K, two draws not converged.
            Assert.AreEqual(0.05, r.TEffK, 0.012, where);
        }
    }
}
