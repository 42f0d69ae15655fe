using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Model;

namespace NbnEdge.Analysis.Tests;

/// <summary>
/// NIS with a fixed Dynes Γ through <see cref="SisConductanceTable.ForDynes"/>: the FFT table against the exact
/// Matsubara pole sum (a different method: poles of the Fermi kernel, no lattice, no transforms), the
/// digamma distribution against direct quadrature, and fits through the table against fits on the exact path.
/// </summary>
[TestClass]
public sealed class DynesTableTests
{
    /// <summary>The exact conductance, lock-in averaged by 64-node Gauss–Chebyshev (no sizing rule).</summary>
    private static double Exact(double u, double delta, double tK, double gamma, double vm)
    {
        double t = PhysicalConstants.BoltzmannMeVPerK * tK / delta;
        if (vm == 0) return MatsubaraBcsSum.Conductance(u / delta, t, gamma / delta);
        var rule = LockInQuadrature.WithNodes(64);
        double s = 0;
        for (int j = 0; j < rule.Count; j++) s += rule.Weights[j] * MatsubaraBcsSum.Conductance((u - vm * rule.Nodes[j]) / delta, t, gamma / delta);
        return s;
    }

    [TestMethod]
    [DataRow(0.05, 0.0, 1.5, 1.2)]
    [DataRow(0.1, 0.0, 2.1, 0.3)]
    [DataRow(0.3, 0.0, 1.2, 4.2)]
    [DataRow(0.005, 0.0, 1.8, 0.8)]
    [DataRow(0.02, 0.05, 2.0, 1.5)]
    [DataRow(0.2, 0.1, 0.6, 0.5)]
    [DataRow(0.8, 0.0, 2.5, 2.0)]
    public void Table_MatchesExactPoleSum(double gamma, double vm, double delta, double tK)
    {
        var table = SisConductanceTable.ForDynes(gamma, vm, 6.0, 4.0);
        var stencil = new SisConductanceTable.Stencil();
        table.Prepare(delta, tK, stencil);
        var rng = new Random(2);
        double worst = 0, at = 0;
        for (int i = 0; i < 120; i++)
        {
            // Half near the coherence peaks, the rest anywhere in ±6 mV.
            double v = i < 60 ? (i % 2 == 0 ? 1 : -1) * (delta + (rng.NextDouble() - 0.5) * 0.6) : -6 + 12 * rng.NextDouble();
            double e = Math.Abs(table.Evaluate(v, stencil, out _, out _, out _) - Exact(v, delta, tK, gamma, vm));
            if (e > worst) { worst = e; at = v; }
        }
        Console.WriteLine($"Γ={gamma} V_m={vm} Δ={delta} T={tK}: max |G_table − G_exact| = {worst:E2} at V = {at:F4}");
        Assert.IsTrue(worst <= 2e-5, $"max |G_table − G_exact| = {worst:E2} at V = {at:F4}");
    }

    [TestMethod]
    public void DigammaDistribution_MatchesQuadratureOfLorentzianAndFermiKernel()
    {
        // ∫_{−∞}^w (L_Γ ⊛ (−f′)) by brute force: (1 − f) convolved with the Lorentzian, substituting s = Γ tan θ.
        foreach (var (w, gamma, kT) in new[] { (0.0, 0.1, 0.1), (0.37, 0.05, 0.02), (-1.3, 0.3, 0.2), (4.0, 0.01, 0.3), (-0.02, 0.002, 0.001) })
        {
            SisConductanceTable.DynesCumulative(w, gamma, kT, out double c, out double k);
            const int n = 200000;
            double sum = 0, dens = 0;
            for (int i = 0; i < n; i++)
            {
                double theta = -Math.PI / 2 + Math.PI * (i + 0.5) / n;
                double s = gamma * Math.Tan(theta);
                double x = (w - s) / kT;
                double oneMinusF = x > 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));
                sum += oneMinusF;
                dens += oneMinusF * (1 - oneMinusF) / kT;
            }
            Assert.AreEqual(sum / n, c, 2e-5, $"C at w={w}, Γ={gamma}, kT={kT}");
            Assert.AreEqual(dens / n, k, 2e-4 * (1 + k), $"K at w={w}, Γ={gamma}, kT={kT}");
        }
    }

    [TestMethod]
    public void TableDerivatives_MatchFiniteDifferences()
    {
        TableDerivativeCheck.AssertAgreesWithDifferences(SisConductanceTable.ForDynes(0.08, 0.03, 6.0, 4.0), 1.7, 1.3, [-2.2, -1.75, 0.3, 1.68, 1.9, 4.0]);
    }

    [TestMethod]
    public void Fit_ThroughTable_AgreesWithTheExactPath_WithHonestErrors()
    {
        var truth = new BcsParameters(1.8, 1.4, 1.0, 0.01, 0.0, 0.1, 0.03);
        const int points = 201;
        var bias = new double[points];
        var clean = new double[points];
        for (int i = 0; i < points; i++)
        {
            bias[i] = -6.0 + 12.0 * i / (points - 1);
            clean[i] = ThermalBcsModel.Evaluate(truth, bias[i]);
        }
        var table = new GapFitter(new GapFitOptions { GammaMeV = 0.1, ModulationMV = 0.03, DynesTable = true });
        var exact = new GapFitter(new GapFitOptions { GammaMeV = 0.1, ModulationMV = 0.03 });
        var rng = new Random(5);
        const int draws = 40;
        double sumSq = 0, sumErr = 0, sumSe = 0, worstGap = 0, worstTemp = 0;
        for (int k = 0; k < draws; k++)
        {
            var y = clean.Select(g => g + 0.01 * Synthetic.SyntheticSpectra.Gaussian(rng)).ToArray();
            var a = table.Fit(bias, y);
            var b = exact.Fit(bias, y);
            Assert.AreEqual(FitFlags.Ok, a.Flag, $"draw {k}");
            Assert.AreEqual(FitFlags.Ok, b.Flag, $"draw {k}");
            Assert.AreNotEqual(a.DeltaMeV, b.DeltaMeV, "two paths, not one");
            worstGap = Math.Max(worstGap, Math.Abs(a.DeltaMeV - b.DeltaMeV) / b.DeltaErrMeV);
            worstTemp = Math.Max(worstTemp, Math.Abs(a.TEffK - b.TEffK) / b.TEffErrK);
            Assert.AreEqual(b.DeltaErrMeV, a.DeltaErrMeV, 0.02 * b.DeltaErrMeV, $"draw {k}: the error bars agree");
            double e = a.DeltaMeV - truth.DeltaMeV;
            sumSq += e * e; sumErr += e; sumSe += a.DeltaErrMeV;
        }
        double rms = Math.Sqrt(sumSq / draws), meanSe = sumSe / draws;
        Console.WriteLine($"table vs exact: worst |ΔΔ| = {worstGap:F3} SE, |ΔT| = {worstTemp:F3} SE; rms(Δ − truth)/SE = {rms / meanSe:F2}");
        Assert.IsTrue(worstGap <= 0.05, $"Δ through the table differs from the exact path by {worstGap:F3} SE");
        Assert.IsTrue(worstTemp <= 0.05, $"T_eff through the table differs from the exact path by {worstTemp:F3} SE");
        Assert.IsTrue(rms <= 1.5 * meanSe && rms >= 0.5 * meanSe, $"rms {rms:E3} against SE {meanSe:E3}");
        Assert.IsTrue(Math.Abs(sumErr / draws) <= 4 * meanSe / Math.Sqrt(draws), $"biased: mean error {sumErr / draws:E3}");
    }

    /// <summary>
    /// A sweep of 1,601 points takes the exact path split among the cores (GapFitter's parallel
    /// evaluation from 1,024 points): it must agree with the table path, which shares no code with it.
    /// </summary>
    [TestMethod]
    public void LongSweep_ExactPathOnAllCores_AgreesWithTheTable()
    {
        var truth = new BcsParameters(1.6, 1.2, 1.0, 0.01, 0.0, 0.05);
        const int points = 1601;
        var bias = Enumerable.Range(0, points).Select(i => -8.0 + 16.0 * i / (points - 1)).ToArray();
        var rng = new Random(11);
        var y = bias.Select(v => ThermalBcsModel.Evaluate(truth, v) + 0.01 * Synthetic.SyntheticSpectra.Gaussian(rng)).ToArray();
        var exact = new GapFitter(new GapFitOptions { GammaMeV = 0.05 }).Fit(bias, y);
        var table = new GapFitter(new GapFitOptions { GammaMeV = 0.05, DynesTable = true }).Fit(bias, y);
        Assert.AreEqual(FitFlags.Ok, exact.Flag);
        Assert.AreEqual(table.DeltaMeV, exact.DeltaMeV, 0.05 * exact.DeltaErrMeV, "the two paths agree to 0.05 SE");
        Assert.AreEqual(truth.DeltaMeV, exact.DeltaMeV, 4 * exact.DeltaErrMeV);
    }

    [TestMethod]
    public void Batches_TakeTheTableFromAHundredSpectra_OnlyForAFixedGamma()
    {
        var fixedGamma = new GapFitOptions { GammaMeV = 0.1 };
        Assert.IsFalse(fixedGamma.ForBatch(GapFitOptions.DynesTableFromSpectra - 1).DynesTable);
        Assert.IsTrue(fixedGamma.ForBatch(GapFitOptions.DynesTableFromSpectra).DynesTable);
        Assert.IsFalse(new GapFitOptions().ForBatch(10_000).DynesTable, "Γ = 0 has its own table");
        Assert.IsFalse(new GapFitOptions { GammaMeV = 0.1, FitGamma = true }.ForBatch(10_000).DynesTable, "a free Γ stays exact");
    }
}
