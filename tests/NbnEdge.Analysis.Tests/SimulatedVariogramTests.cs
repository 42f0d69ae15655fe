using NbnEdge.Analysis.Spatial;

namespace NbnEdge.Analysis.Tests;

/// <summary>
/// The parametric bootstrap's simulations: averaged over many draws, the nugget-corrected
/// semivariance of each bin equals the model's γ(h) averaged over that bin's pairs, computed
/// directly pair by pair.
/// </summary>
[TestClass]
public sealed class SimulatedVariogramTests
{
    private static readonly ExponentialVariogram Model = new(NuggetMeV2: 0.2, PartialSillMeV2: 1.0, CorrelationLengthNm: 4.0);

    /// <summary>Mean of the model's γ over each bin's pairs, and the pair count, by direct double loop.</summary>
    private static (double[] Gamma, double[] Pairs) Expected(double[] x, double[] y, int bins, double binWidth, Func<double, double, bool> keep)
    {
        var gamma = new double[bins];
        var pairs = new double[bins];
        for (int i = 0; i < x.Length; i++)
            for (int j = i + 1; j < x.Length; j++)
            {
                double dx = x[j] - x[i], dy = y[j] - y[i];
                double h = Math.Sqrt(dx * dx + dy * dy);
                if (!keep(dx, dy)) continue;
                int b = Math.Min(bins - 1, (int)(h / binWidth));
                gamma[b] += Model.SemivarianceMeV2(h);
                pairs[b]++;
            }
        for (int b = 0; b < bins; b++) if (pairs[b] > 0) gamma[b] /= pairs[b];
        return (gamma, pairs);
    }

    private static double[] MeanOfDraws(SimulatedVariogram simulation, int draws, int which)
    {
        var work = simulation.NewWorkspace();
        var g = new double[simulation.Bins];
        var gx = simulation.Directional ? new double[simulation.Bins] : null;
        var gy = simulation.Directional ? new double[simulation.Bins] : null;
        var mean = new double[simulation.Bins];
        var rng = new Random(11);
        for (int r = 0; r < draws; r++)
        {
            simulation.Draw(Model, rng, work, g, gx, gy);
            var chosen = which == 0 ? g : which == 1 ? gx! : gy!;
            for (int b = 0; b < mean.Length; b++) mean[b] += chosen[b] / draws;
        }
        return mean;
    }

    [TestMethod]
    public void Map_LatticeWithAMissingPixelAndUnequalSteps_DrawsHaveTheModelsSemivariance_RadialAndAlongEachAxis()
    {
        // 14 × 10 pixels of 1.5 × 2 nm, one pixel missing: the circulant embedding and the masked
        // offset sums against the direct pair loop.
        var xs = new List<double>();
        var ys = new List<double>();
        for (int r = 0; r < 10; r++)
            for (int c = 0; c < 14; c++)
                if (!(r == 4 && c == 6)) { xs.Add(c * 1.5); ys.Add(r * 2.0); }
        double[] x = xs.ToArray(), y = ys.ToArray();
        var variance = Enumerable.Repeat(0.1, x.Length).ToArray();
        int bins = 16;
        double binWidth = 1.5;
        var simulation = SimulatedVariogram.For(x, y, variance, bins, binWidth)!;
        Assert.IsInstanceOfType<LatticeVariogram>(simulation);
        double tan = Math.Tan(Math.PI / 8);
        var radial = Expected(x, y, bins, binWidth, (_, _) => true);
        var alongX = Expected(x, y, bins, binWidth, (dx, dy) => Math.Abs(dy) <= tan * Math.Abs(dx));
        var alongY = Expected(x, y, bins, binWidth, (dx, dy) => Math.Abs(dx) <= tan * Math.Abs(dy));
        CollectionAssert.AreEqual(radial.Pairs, simulation.Pairs);
        CollectionAssert.AreEqual(alongX.Pairs, simulation.PairsX);
        CollectionAssert.AreEqual(alongY.Pairs, simulation.PairsY);
        foreach (var (which, expected) in new[] { (0, radial.Gamma), (1, alongX.Gamma), (2, alongY.Gamma) })
        {
            var mean = MeanOfDraws(simulation, 2000, which);
            for (int b = 1; b < 8; b++)
                if (simulation.Pairs[b] > 0 && expected[b] > 0)
                    Assert.AreEqual(expected[b], mean[b], 0.05, $"direction {which}, bin {b}");
        }
    }

    [TestMethod]
    public void ScatteredMapPoints_HaveNoSimulation_AndFallBackToTheBlockBootstrap()
    {
        var rng = new Random(8);
        int n = 150;
        var x = Enumerable.Range(0, n).Select(_ => 40 * rng.NextDouble()).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => 40 * rng.NextDouble()).ToArray();
        Assert.IsNull(SimulatedVariogram.For(x, y, new double[n], 20, 2));
        var d = x.Select((v, i) => 2 + 0.01 * Math.Sin(v / 5) + 0.002 * rng.NextDouble()).ToArray();
        var e = Enumerable.Repeat(0.001, n).ToArray();
        var r = SpatialCorrelation.Analyse(x, y, d, e, new SpatialOptions { BootstrapResamples = 100, Permutations = 99 });
        Assert.AreEqual(SpatialIntervalMethod.BlockBootstrap, r.IntervalMethod);
        Assert.IsTrue(r.Blocks > 1);
    }

    [TestMethod]
    public void LineInterval_IsReproducible_AndHoldsTheFit()
    {
        var rng = new Random(21);
        int n = 150;
        double phi = Math.Exp(-2.0 / 12), s = 0;
        var x = new double[n]; var d = new double[n]; var e = new double[n];
        for (int i = 0; i < n; i++)
        {
            s = phi * s + Math.Sqrt(1 - phi * phi) * Gaussian(rng);
            x[i] = 2.0 * i;
            e[i] = 0.004;
            d[i] = 2 + 0.03 * s + e[i] * Gaussian(rng);
        }
        var options = new SpatialOptions { BootstrapResamples = 200, Permutations = 99, Seed = 5 };
        var first = SpatialCorrelation.Analyse(x, new double[n], d, e, options);
        var second = SpatialCorrelation.Analyse(x, new double[n], d, e, options);
        Assert.AreEqual(SpatialIntervalMethod.ProfileLikelihood, first.IntervalMethod);
        Assert.AreEqual(first.CorrelationLengthLowerNm, second.CorrelationLengthLowerNm);
        Assert.AreEqual(first.CorrelationLengthUpperNm, second.CorrelationLengthUpperNm);
        Assert.IsTrue(first.CorrelationLengthLowerNm < first.CorrelationLengthNm && first.CorrelationLengthNm < first.CorrelationLengthUpperNm,
            $"{first.CorrelationLengthLowerNm} – {first.CorrelationLengthNm} – {first.CorrelationLengthUpperNm}");
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [TestMethod]
    public void LineLikelihood_EqualsTheDenseRestrictedLikelihood()
    {
        // Independent of the Kalman filter: Σ = c₁e^{−|xᵢ−xⱼ|/ξ} + δᵢⱼ(c₀ + σᵢ²) built whole, Cholesky, and
        // −½[ln|Σ| + ln(1ᵀΣ⁻¹1) + yᵀΣ⁻¹y − (1ᵀΣ⁻¹y)²/(1ᵀΣ⁻¹1)], at uneven sorted positions.
        var rng = new Random(8);
        int n = 40;
        var x = new double[n];
        for (int i = 1; i < n; i++) x[i] = x[i - 1] + 0.5 + 3 * rng.NextDouble();
        var y = x.Select(v => 2 + 0.02 * Math.Sin(v / 7) + 0.01 * Gaussian(rng)).ToArray();
        var r = Enumerable.Range(0, n).Select(_ => Math.Pow(0.003 + 0.004 * rng.NextDouble(), 2)).ToArray();
        foreach (var (c0, c1, xi) in new[] { (1e-5, 4e-4, 12.0), (0.0, 1e-4, 3.0), (2e-4, 1e-5, 60.0) })
        {
            var sigma = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, n, (i, j) => c1 * Math.Exp(-Math.Abs(x[i] - x[j]) / xi) + (i == j ? c0 + r[i] : 0));
            var chol = sigma.Cholesky();
            var ones = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(n, 1.0);
            var yv = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(y);
            var si1 = chol.Solve(ones);
            var siy = chol.Solve(yv);
            double a = ones * si1, b = ones * siy, c = yv * siy;
            double dense = -0.5 * (chol.DeterminantLn + Math.Log(a) + c - b * b / a);
            Assert.AreEqual(dense, LineLikelihood.Restricted(x, y, r, c0, c1, xi), 1e-9 * Math.Abs(dense), $"c0={c0}, c1={c1}, ξ={xi}");
        }
    }
}
