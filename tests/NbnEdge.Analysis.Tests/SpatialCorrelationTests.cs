using NbnEdge.Analysis.Spatial;

namespace NbnEdge.Analysis.Tests;

/// <summary>The variogram, the permutation test and the mean's error against direct computations.</summary>
[TestClass]
public sealed class SpatialCorrelationTests
{
    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>An AR(1) line (exponential correlation, ξ = 10 spacings of 2 nm) with fit errors.</summary>
    private static (double[] X, double[] Y, double[] D, double[] E) Ar1Line(int n, int seed)
    {
        var rng = new Random(seed);
        double phi = Math.Exp(-0.1);
        var x = new double[n]; var d = new double[n]; var e = new double[n];
        double s = Gaussian(rng);
        for (int i = 0; i < n; i++)
        {
            if (i > 0) s = phi * s + Math.Sqrt(1 - phi * phi) * Gaussian(rng);
            x[i] = 2.0 * i;
            e[i] = 0.004 + 0.004 * rng.NextDouble();
            d[i] = 2.0 + 0.03 * s + e[i] * Gaussian(rng);
        }
        return (x, new double[n], d, e);
    }

    [TestMethod]
    public void VariogramBins_EqualDirectPairSums_LessTheFitErrorNugget()
    {
        var (x, y, d, e) = Ar1Line(150, 3);
        var r = SpatialCorrelation.Analyse(x, y, d, e, new SpatialOptions { BootstrapResamples = 100, Permutations = 99 });
        foreach (int lagSteps in new[] { 1, 2, 5, 20 })
        {
            // Pairs exactly lagSteps apart: the bin around lagSteps × 2 nm holds only them.
            double raw = 0, nugget = 0; int pairs = 0;
            for (int i = 0; i + lagSteps < d.Length; i++)
            {
                raw += 0.5 * (d[i] - d[i + lagSteps]) * (d[i] - d[i + lagSteps]);
                nugget += 0.5 * (e[i] * e[i] + e[i + lagSteps] * e[i + lagSteps]);
                pairs++;
            }
            var bin = r.Variogram.Single(b => Math.Abs(b.LagNm - 2.0 * lagSteps) < 1e-9);
            Assert.AreEqual(pairs, bin.Pairs);
            Assert.AreEqual(raw / pairs, bin.RawMeV2, 1e-12);
            Assert.AreEqual((raw - nugget) / pairs, bin.CorrectedMeV2, 1e-12);
        }
        Assert.IsTrue(r.SpatiallyCorrelated);
        Assert.IsTrue(r.PValue <= 0.01, $"p = {r.PValue}");
    }

    [TestMethod]
    public void PValue_OfShuffledLine_IsNotSmall_AndOfSortedLineIsTheSmallestPossible()
    {
        var rng = new Random(4);
        int n = 100;
        var x = Enumerable.Range(0, n).Select(i => 1.0 * i).ToArray();
        var y = new double[n];
        var e = Enumerable.Repeat(0.001, n).ToArray();
        var sorted = Enumerable.Range(0, n).Select(i => 2.0 + 0.001 * i).ToArray(); // a ramp: neighbours as alike as can be
        var options = new SpatialOptions { BootstrapResamples = 100, Permutations = 199 };
        var ramp = SpatialCorrelation.Analyse(x, y, sorted, e, options);
        Assert.AreEqual(1.0 / 200, ramp.PValue, 1e-12, "no permutation makes neighbours closer than the sorted order");
        var shuffled = (double[])sorted.Clone();
        rng.Shuffle(shuffled);
        Assert.IsTrue(SpatialCorrelation.Analyse(x, y, shuffled, e, options).PValue > 0.05);
    }

    [TestMethod]
    public void MeanError_EqualsDirectDoubleSumOfTheFittedCovariance()
    {
        var (x, y, d, e) = Ar1Line(80, 5);
        var r = SpatialCorrelation.Analyse(x, y, d, e, new SpatialOptions { BootstrapResamples = 100, Permutations = 99 });
        var m = r.Model;
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
            for (int j = 0; j < x.Length; j++)
            {
                double h = Math.Abs(x[i] - x[j]);
                sum += i == j ? m.NuggetMeV2 + m.PartialSillMeV2 + e[i] * e[i] : m.PartialSillMeV2 * Math.Exp(-h / m.CorrelationLengthNm);
            }
        Assert.AreEqual(Math.Sqrt(sum) / x.Length, r.MeanErrorMeV, 1e-12);
        double naive = Math.Sqrt(d.Select(v => (v - d.Average()) * (v - d.Average())).Sum() / (d.Length - 1) / d.Length);
        Assert.IsTrue(r.MeanErrorMeV > 1.5 * naive, "correlated neighbours must widen the mean's error beyond SD/√n");
    }

    [TestMethod]
    public void TooFewPointsOrOnePosition_IsAProblemNamedInWords()
    {
        StringAssert.Contains(SpatialCorrelation.Problem(new double[5], new double[5]), "at least 10");
        StringAssert.Contains(SpatialCorrelation.Problem(new double[12], new double[12]), "one position");
    }
}
