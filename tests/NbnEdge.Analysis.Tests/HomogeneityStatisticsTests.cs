using System.Diagnostics;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;
using NbnEdge.Analysis;

namespace NbnEdge.Analysis.Tests;

[TestClass]
public sealed class HomogeneityStatisticsTests
{
    public TestContext TestContext { get; set; } = null!;

    private static string[] Names(int n)
    {
        var names = new string[n];
        for (int i = 0; i < n; i++) names[i] = $"s{i:D3}";
        return names;
    }

    private static double[] Constant(int n, double value)
    {
        var a = new double[n];
        Array.Fill(a, value);
        return a;
    }

    private static double[] NormalSample(int n, double mean, double sd, int seed)
    {
        var a = new double[n];
        new Normal(mean, sd, new Random(seed)).Samples(a);
        return a;
    }

    [TestMethod]
    public void DescriptiveStatisticsMatchMathNet()
    {
        foreach (int n in new[] { 3, 4, 57, 200 })
        {
            var delta = NormalSample(n, 2.02, 0.04, seed: n);
            var r = HomogeneityStatistics.Compute(Names(n), delta, Constant(n, 0.01));

            double median = delta.Median();
            var absDev = new double[n];
            for (int i = 0; i < n; i++) absDev[i] = Math.Abs(delta[i] - median);
            double mad = absDev.Median();

            Assert.AreEqual(n, r.Count);
            Assert.AreEqual(delta.Mean(), r.MeanMeV, 1e-14);
            Assert.AreEqual(delta.StandardDeviation(), r.StandardDeviationMeV, 1e-14);
            Assert.AreEqual(median, r.MedianMeV, 1e-15);
            Assert.AreEqual(mad, r.MadMeV, 1e-15);
            Assert.AreEqual(1.4826 * mad, r.RobustSigmaMeV, 1e-15);
        }
    }

    [TestMethod]
    public void MedianAndMadOfSmallKnownSet()
    {
        // Worked by hand: median 3, |x − 3| = {2,1,0,1,2,7} → MAD 1.5.
        var r = HomogeneityStatistics.Compute(Names(6), [1, 2, 3, 4, 5, 10], Constant(6, 0));
        Assert.AreEqual(3.5, r.MedianMeV);
        Assert.AreEqual(1.5, r.MadMeV);
        Assert.AreEqual(1.4826 * 1.5, r.RobustSigmaMeV, 1e-15);
        Assert.AreEqual(0, r.Outliers.Count, "10 lies 6.5 from the median, inside 3.5·2.22 = 7.78");
    }

    [TestMethod]
    public void GaussianFitRecoversKnownNormalWithinItsErrors()
    {
        const double mu = 2.02, sigma = 0.04;
        var delta = NormalSample(5000, mu, sigma, seed: 7);
        var r = HomogeneityStatistics.Compute(Names(delta.Length), delta, Constant(delta.Length, 0.01));
        var g = r.Gaussian;

        Assert.IsTrue(g.Converged, g.Message);
        Assert.IsLessThan(4 * g.CentreErrorMeV, Math.Abs(g.CentreMeV - mu), $"Δ0 = {g.CentreMeV} ± {g.CentreErrorMeV}");
        Assert.IsLessThan(4 * g.SigmaErrorMeV, Math.Abs(g.SigmaMeV - sigma), $"σ = {g.SigmaMeV} ± {g.SigmaErrorMeV}");
        // The reported errors must be of the size statistics dictates (σ/√N and σ/√(2N)), not merely large.
        Assert.AreEqual(sigma / Math.Sqrt(5000), g.CentreErrorMeV, 0.3 * sigma / Math.Sqrt(5000));
        Assert.AreEqual(sigma / Math.Sqrt(2 * 5000), g.SigmaErrorMeV, 0.3 * sigma / Math.Sqrt(2 * 5000));
        // A Gaussian describes a Gaussian histogram: χ² near its degrees of freedom.
        Assert.IsLessThan(g.DegreesOfFreedom + 5 * Math.Sqrt(2.0 * g.DegreesOfFreedom), g.ChiSquare);

        // Bins tile the inliers' range and hold every inlier.
        int total = 0;
        foreach (int c in r.Histogram.Counts) total += c;
        Assert.AreEqual(r.InlierCount, total);
        Assert.AreEqual(r.Histogram.Count + 1, r.Histogram.EdgesMeV.Count);
    }

    [TestMethod]
    public void GaussianFitErrorsAreRealisticAcrossSeeds()
    {
        const int repetitions = 300, n = 1000;
        const double mu = 1.60, sigma = 0.05;
        var sigmas = new double[repetitions];
        var centres = new double[repetitions];
        double sumSigmaErr = 0, sumCentreErr = 0;
        for (int k = 0; k < repetitions; k++)
        {
            var delta = NormalSample(n, mu, sigma, seed: 1000 + k);
            var g = HomogeneityStatistics.Compute(Names(n), delta, Constant(n, 0.01),
                new HomogeneityOptions { BootstrapResamples = 100 }).Gaussian;
            Assert.IsTrue(g.Converged, $"seed {1000 + k}: {g.Message}");
            sigmas[k] = g.SigmaMeV;
            centres[k] = g.CentreMeV;
            sumSigmaErr += g.SigmaErrorMeV;
            sumCentreErr += g.CentreErrorMeV;
        }
        double spreadSigma = sigmas.StandardDeviation(), meanSigmaErr = sumSigmaErr / repetitions;
        double spreadCentre = centres.StandardDeviation(), meanCentreErr = sumCentreErr / repetitions;
        TestContext.WriteLine($"σ: spread {spreadSigma:G4}, mean error {meanSigmaErr:G4}, mean {sigmas.Mean():G6}; " +
            $"Δ0: spread {spreadCentre:G4}, mean error {meanCentreErr:G4}");

        Assert.AreEqual(1, spreadSigma / meanSigmaErr, 0.3, $"σ spread {spreadSigma} vs reported {meanSigmaErr}");
        Assert.AreEqual(1, spreadCentre / meanCentreErr, 0.3, $"Δ0 spread {spreadCentre} vs reported {meanCentreErr}");
        // And no bias beyond a fraction of one fit's error (bin-centre evaluation adds w²/12 to σ²).
        Assert.AreEqual(sigma, sigmas.Mean(), 0.5 * meanSigmaErr);
        Assert.AreEqual(mu, centres.Mean(), 0.5 * meanCentreErr);
    }

    /// <summary>Δ_i = Δ̄ + intrinsic + fit noise, with per-spectrum fit errors between 20 and 50 µeV.</summary>
    private static (double[] Delta, double[] Error) IntrinsicSample(int n, double sigmaInt, int seed)
    {
        var rng = new Random(seed);
        var intrinsic = new Normal(0, sigmaInt, rng);
        var unit = new Normal(0, 1, rng);
        var delta = new double[n];
        var error = new double[n];
        for (int i = 0; i < n; i++)
        {
            error[i] = 0.02 + 0.03 * rng.NextDouble();
            delta[i] = 2.02 + intrinsic.Sample() + error[i] * unit.Sample();
        }
        return (delta, error);
    }

    [TestMethod]
    public void IntrinsicSpreadConfidenceIntervalCoversTheTruth()
    {
        const int repetitions = 200, n = 200;
        const double sigmaInt = 0.04;
        int covered = 0;
        double sumEstimate = 0;
        for (int k = 0; k < repetitions; k++)
        {
            var (delta, error) = IntrinsicSample(n, sigmaInt, seed: 5000 + k);
            var r = HomogeneityStatistics.Compute(Names(n), delta, error);

            // σ_int recomputed here from its definition, on the same inliers.
            var inDelta = new List<double>();
            double sumVar = 0;
            for (int i = 0; i < n; i++)
            {
                if (r.OutlierIndices.Contains(i)) continue;
                inDelta.Add(delta[i]);
                sumVar += error[i] * error[i];
            }
            double expected = Math.Sqrt(Math.Max(0, Math.Pow(inDelta.StandardDeviation(), 2) - sumVar / inDelta.Count));
            Assert.AreEqual(expected, r.IntrinsicSigmaMeV, 1e-12);
            Assert.IsTrue(r.IntrinsicSigmaLowerMeV <= r.IntrinsicSigmaMeV && r.IntrinsicSigmaMeV <= r.IntrinsicSigmaUpperMeV,
                $"σ_int {r.IntrinsicSigmaMeV} outside its own interval [{r.IntrinsicSigmaLowerMeV}, {r.IntrinsicSigmaUpperMeV}]");

            sumEstimate += r.IntrinsicSigmaMeV;
            if (r.IntrinsicSigmaLowerMeV <= sigmaInt && sigmaInt <= r.IntrinsicSigmaUpperMeV) covered++;
        }
        double coverage = covered / (double)repetitions;
        TestContext.WriteLine($"coverage {coverage:P1}, mean σ_int {sumEstimate / repetitions:G4} (truth {sigmaInt})");
        Assert.IsTrue(coverage >= 0.88 && coverage <= 0.99, $"coverage {coverage:P1}");
        Assert.AreEqual(sigmaInt, sumEstimate / repetitions, 0.002);
    }

    [TestMethod]
    public void IntrinsicSpreadIsZeroWhenFitErrorsExplainEverything()
    {
        // Spread entirely from the fits: the interval must reach 0, and the plain σ_obs is still reported.
        int n = 400;
        var (delta, error) = IntrinsicSample(n, 1e-9, seed: 3);
        var r = HomogeneityStatistics.Compute(Names(n), delta, error);
        Assert.AreEqual(0, r.IntrinsicSigmaLowerMeV);
        Assert.IsLessThan(0.02, r.IntrinsicSigmaUpperMeV);
        Assert.IsGreaterThan(0.02, r.ObservedSigmaMeV);
        double rms = 0;
        foreach (double e in error) rms += e * e;
        Assert.AreEqual(Math.Sqrt(rms / n), r.RmsFitErrorMeV, 1e-12);
    }

    [TestMethod]
    public void BootstrapIsReproducibleAndSeedDependent()
    {
        var (delta, error) = IntrinsicSample(200, 0.04, seed: 11);
        var a = HomogeneityStatistics.Compute(Names(200), delta, error);
        var b = HomogeneityStatistics.Compute(Names(200), delta, error);
        var c = HomogeneityStatistics.Compute(Names(200), delta, error, new HomogeneityOptions { Seed = 12345 });
        Assert.AreEqual(a.IntrinsicSigmaLowerMeV, b.IntrinsicSigmaLowerMeV);
        Assert.AreEqual(a.IntrinsicSigmaUpperMeV, b.IntrinsicSigmaUpperMeV);
        Assert.AreNotEqual(a.IntrinsicSigmaUpperMeV, c.IntrinsicSigmaUpperMeV);
        Assert.AreEqual(HomogeneityOptions.DefaultSeed, a.Seed);
        Assert.AreEqual(2000, a.BootstrapResamples);
    }

    [TestMethod]
    public void BootstrapGivesTheSameIntervalSerialAndParallel()
    {
        // Above a million draws the blocks of resamples run on all cores; the interval must be
        // exactly what the documented scheme gives drawn one block after another on one thread
        // (re-implemented here serially: block c of 100 resamples from new Random(seed·7919 + c)).
        var (delta, error) = IntrinsicSample(20_000, 0.04, seed: 13);
        var sw = Stopwatch.StartNew();
        var (lower, upper) = HomogeneityStatistics.BootstrapIntrinsicSigma(delta, error, 2000, 0.95, 7);
        TestContext.WriteLine($"bootstrap 2000 × 20,000: {sw.Elapsed.TotalMilliseconds:F0} ms");

        double centre = delta.Average();
        var sigmas = new double[2000];
        for (int block = 0; block < 20; block++)
        {
            var rng = new Random(7 * 7919 + block);
            for (int b = block * 100; b < (block + 1) * 100; b++)
            {
                double sum = 0, sumSq = 0, sumVar = 0;
                for (int k = 0; k < delta.Length; k++)
                {
                    int j = rng.Next(delta.Length);
                    double x = delta[j] - centre;
                    sum += x; sumSq += x * x; sumVar += error[j] * error[j];
                }
                double variance = (sumSq - sum * sum / delta.Length) / (delta.Length - 1);
                sigmas[b] = Math.Sqrt(Math.Max(0, variance - sumVar / delta.Length));
            }
        }
        Array.Sort(sigmas);
        // Percentiles of the sorted resamples (linear interpolation, as StatisticsCore does); the
        // centring above is the mean computed by LINQ, which may differ in the last bit.
        Assert.AreEqual(Quantile(sigmas, 0.025), lower, 1e-12);
        Assert.AreEqual(Quantile(sigmas, 0.975), upper, 1e-12);
    }

    private static double Quantile(double[] sorted, double p)
    {
        double h = (sorted.Length - 1) * p;
        int i = (int)Math.Floor(h);
        return i + 1 < sorted.Length ? sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
    }

    [TestMethod]
    public void PlantedOutlierIsFlaggedAndExcluded()
    {
        int n = 200;
        var delta = NormalSample(n, 2.02, 0.04, seed: 22);
        var clean = HomogeneityStatistics.Compute(Names(n), delta, Constant(n, 0.01));
        Assert.AreEqual(0, clean.Outliers.Count, "this clean sample must start without outliers");

        delta[57] = 2.02 + 0.5; // a tip change: 12 σ high
        var r = HomogeneityStatistics.Compute(Names(n), delta, Constant(n, 0.01));
        CollectionAssert.AreEqual(new[] { "s057" }, r.Outliers.ToArray());
        CollectionAssert.AreEqual(new[] { 57 }, r.OutlierIndices.ToArray());
        Assert.AreEqual(n - 1, r.InlierCount);

        // Listed, and in nothing else: not the headline mean and SD (issue 16 item 4), not σ_obs,
        // not the Gaussian. With it the SD would be 1.25× larger (0.5² / 200 adds 0.0013 meV² to 0.0016).
        var without = delta.Where((_, i) => i != 57).ToArray();
        Assert.AreEqual(without.Mean(), r.MeanMeV, 1e-14);
        Assert.AreEqual(without.StandardDeviation(), r.StandardDeviationMeV, 1e-14);
        Assert.AreEqual(without.StandardDeviation(), r.ObservedSigmaMeV, 1e-14);
        Assert.IsGreaterThan(1.25 * r.StandardDeviationMeV, delta.StandardDeviation());
        Assert.IsTrue(r.Gaussian.Converged, r.Gaussian.Message);
        Assert.IsLessThan(without.Max() + 1e-12, r.Histogram.EdgesMeV[^1]);
    }

    [TestMethod]
    public void CleanNormalDataRarelyFlagsAnything()
    {
        // For normal data a 3.5-robust-σ cut flags 2·(1 − Φ(3.5)) = 4.7e-4 of the values, a little
        // more with MAD's own noise: about 0.1 per set of 200. Flagging tails would show up here.
        const int sets = 300, n = 200;
        int flagged = 0, setsWithAny = 0;
        for (int k = 0; k < sets; k++)
        {
            var delta = NormalSample(n, 2.02, 0.04, seed: 9000 + k);
            int count = HomogeneityStatistics.Compute(Names(n), delta, Constant(n, 0.01),
                new HomogeneityOptions { BootstrapResamples = 100 }).Outliers.Count;
            flagged += count;
            if (count > 0) setsWithAny++;
        }
        double perValue = flagged / (double)(sets * n);
        TestContext.WriteLine($"false-positive rate {perValue:E2} per value, {setsWithAny} of {sets} sets with any");
        Assert.IsLessThan(2e-3, perValue);
        Assert.IsGreaterThan(0, flagged, "a cut at 3.5 σ must bite on the far tail sometimes in 60 000 values");
    }

    [TestMethod]
    public void SmallSampleCut_LetsANormalSampleThroughWhole95PercentOfTheTime()
    {
        // An independent draw (its own seed, fresh samples) of the rate at which the cut drops a member of a normal
        // sample: 5 % by construction of the table, so 2,000 samples give 5 % ± 0.5 % (1σ); the plain 3.5 cut loses
        // about 13 % at 8 values.
        var rng = new Random(77);
        foreach (int n in new[] { 8, 10, 15 })
        {
            int dropped = 0, droppedAtPlainCut = 0;
            const int samples = 2000;
            for (int k = 0; k < samples; k++)
            {
                var delta = Enumerable.Range(0, n).Select(_ => Synthetic.SyntheticSpectra.Gaussian(rng)).ToArray();
                if (HomogeneityStatistics.Compute(Names(n), delta, Constant(n, 0), new HomogeneityOptions { BootstrapResamples = 100 }).Outliers.Count > 0)
                    dropped++;
                double median = StatisticsCore.Median(delta);
                double mad = StatisticsCore.MedianAbsoluteDeviation(delta, median);
                if (delta.Any(v => Math.Abs(v - median) > 3.5 * 1.4826 * mad)) droppedAtPlainCut++;
            }
            double rate = dropped / (double)samples, plain = droppedAtPlainCut / (double)samples;
            TestContext.WriteLine($"n = {n}: {rate:P1} of normal samples lose a member (plain 3.5 cut: {plain:P1})");
            Assert.IsTrue(rate >= 0.03 && rate <= 0.07, $"n = {n}: {rate:P1}");
            Assert.IsTrue(plain > 0.08, $"n = {n}: the plain cut's {plain:P1} is what the table corrects");
        }
    }

    [TestMethod]
    public void OutlierRuleFollowsTheStatedThresholdExactly()
    {
        // 20 values (no small-sample raise), median 0, MAD 1 → limit 3.5 × 1.4826 = 5.1891: 5.18 stays, 5.20 goes.
        double[] delta = [-1, -1, -1, -1, -1, -0.5, 0, 0, 0, 0, 0, 0, 0.5, 1, 1, 1, 1, 1, 5.18, -5.20];
        var r = HomogeneityStatistics.Compute(Names(delta.Length), delta, Constant(delta.Length, 0));
        Assert.AreEqual(0, r.MedianMeV);
        Assert.AreEqual(1, r.MadMeV);
        Assert.AreEqual(3.5 * 1.4826, r.OutlierLimitMeV, 1e-15);
        CollectionAssert.AreEqual(new[] { "s019" }, r.Outliers.ToArray());
        // The same shape with 9 values is cut at 5.07 robust σ (7.52): neither goes.
        double[] nine = [-1, -1, 0, 0, 0, 1, 1, 5.18, -5.20];
        var small = HomogeneityStatistics.Compute(Names(nine.Length), nine, Constant(nine.Length, 0));
        Assert.AreEqual(5.07 * 1.4826, small.OutlierLimitMeV, 1e-12);
        Assert.AreEqual(0, small.Outliers.Count);
    }

    [TestMethod]
    public void FewerThanThreeValuesIsAClearArgumentException()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => HomogeneityStatistics.Compute(Names(2), [2.0, 2.1], [0.01, 0.01]));
        StringAssert.Contains(e.Message, "at least 3 fitted spectra; got 2");
        Assert.ThrowsExactly<ArgumentException>(() => HomogeneityStatistics.Compute(Names(0), [], []));
    }

    [TestMethod]
    public void InconsistentOrNonFiniteInputsAreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => HomogeneityStatistics.Compute(Names(3), [2, 2, 2], [0.1, 0.1]));
        var nan = Assert.ThrowsExactly<ArgumentException>(() => HomogeneityStatistics.Compute(Names(3), [2, double.NaN, 2], [0.1, 0.1, 0.1]));
        StringAssert.Contains(nan.Message, "'s001'");
        Assert.ThrowsExactly<ArgumentException>(() => HomogeneityStatistics.Compute(Names(3), [2, 2, 2], [0.1, -0.1, 0.1]));
        Assert.ThrowsExactly<ArgumentException>(() => HomogeneityStatistics.Compute(Names(3), [2, 2.1, 2], [0.1, 0.1, 0.1],
            new HomogeneityOptions { BootstrapResamples = 10 }));
    }

    [TestMethod]
    public void AllValuesEqualGiveZeroSpreadsAndNoNaN()
    {
        int n = 50;
        var r = HomogeneityStatistics.Compute(Names(n), Constant(n, 2.11), Constant(n, 0));
        Assert.AreEqual(2.11, r.MeanMeV, 1e-15);
        Assert.AreEqual(2.11, r.MedianMeV);
        foreach (double v in new[] { r.StandardDeviationMeV, r.MadMeV, r.RobustSigmaMeV, r.ObservedSigmaMeV,
                     r.IntrinsicSigmaMeV, r.IntrinsicSigmaLowerMeV, r.IntrinsicSigmaUpperMeV, r.Gaussian.SigmaMeV })
            Assert.AreEqual(0, v, 1e-12);
        Assert.AreEqual(0, r.Outliers.Count);
        Assert.IsTrue(r.Gaussian.Converged, r.Gaussian.Message);
        Assert.AreEqual(2.11, r.Gaussian.CentreMeV, 1e-15);
        Assert.AreEqual(1, r.Histogram.Count);
        Assert.AreEqual(n, r.Histogram.Counts[0]);
    }

    [TestMethod]
    public void MostlyEqualValuesDoNotFlagEverythingElse()
    {
        // MAD = 0 when over half the values tie: the rule cannot scale deviations and flags nothing.
        double[] delta = [2, 2, 2, 2, 2, 2.1, 1.9];
        var r = HomogeneityStatistics.Compute(Names(delta.Length), delta, Constant(delta.Length, 0.01));
        Assert.AreEqual(0, r.MadMeV);
        Assert.AreEqual(0, r.Outliers.Count);
        Assert.IsTrue(double.IsPositiveInfinity(r.OutlierLimitMeV));
        Assert.AreEqual(delta.StandardDeviation(), r.ObservedSigmaMeV, 1e-14);
    }

    [TestMethod]
    public void FailingGaussianFitIsReportedNotThrown()
    {
        // All counts in one interior bin: the best "Gaussian" shrinks below a bin.
        var spike = HistogramGaussianFit.Fit([1, 2, 3, 4, 5, 6], [0, 0, 40, 0, 0, 0], 1);
        Assert.IsFalse(spike.Converged);
        Assert.IsTrue(double.IsNaN(spike.SigmaMeV) && double.IsNaN(spike.CentreMeV) && double.IsNaN(spike.Amplitude));
        Assert.AreNotEqual("", spike.Message);

        var empty = HistogramGaussianFit.Fit([1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0], 1);
        Assert.IsFalse(empty.Converged);
        var tooFew = HistogramGaussianFit.Fit([1, 2, 3], [1, 5, 1], 1);
        Assert.IsFalse(tooFew.Converged);
        var bad = HistogramGaussianFit.Fit([1, 2, 3, 4], [1, double.NaN, 1, 1], 1);
        Assert.IsFalse(bad.Converged);

        // And through the full pipeline, three values in two clusters still give a report.
        var r = HomogeneityStatistics.Compute(Names(3), [2.0, 2.0, 2.3], [0.01, 0.01, 0.01]);
        Assert.AreEqual(3, r.Count);
        Assert.IsTrue(r.Gaussian.Converged || double.IsNaN(r.Gaussian.SigmaMeV));
    }

    [TestMethod]
    public void GaussianFitOnExactCurveReturnsItsParameters()
    {
        // Noise-free counts on the model itself: the fit must land on the generating parameters.
        var x = new double[15];
        var c = new double[15];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = 1.9 + 0.02 * i;
            c[i] = 120 * Math.Exp(-0.5 * Math.Pow((x[i] - 2.043) / 0.037, 2));
        }
        var g = HistogramGaussianFit.Fit(x, c, 0.02);
        Assert.IsTrue(g.Converged, g.Message);
        Assert.AreEqual(120, g.Amplitude, 1e-6);
        Assert.AreEqual(2.043, g.CentreMeV, 1e-9);
        Assert.AreEqual(0.037, g.SigmaMeV, 1e-9);
        Assert.AreEqual(0, g.ChiSquare, 1e-12);
    }

    [TestMethod]
    public void FreedmanDiaconisBinCountFollowsTheRule()
    {
        var delta = NormalSample(200, 2.0, 0.04, seed: 5);
        var h = Histogram.Build(delta);
        double iqr = delta.UpperQuartile() - delta.LowerQuartile(); // MathNet's quartile estimator differs slightly
        double expectedBins = Math.Ceiling((delta.Max() - delta.Min()) / (2 * iqr / Math.Cbrt(200)));
        Assert.AreEqual(expectedBins, h.Count, 1, $"FD with MathNet's IQR gives {expectedBins}");
        Assert.AreEqual(delta.Min(), h.EdgesMeV[0]);
        Assert.AreEqual(delta.Max(), h.EdgesMeV[^1]);
        for (int k = 0; k < h.Count; k++)
        {
            int inBin = delta.Count(v => v >= h.EdgesMeV[k] && (v < h.EdgesMeV[k + 1] || (k == h.Count - 1 && v <= h.EdgesMeV[k + 1])));
            Assert.AreEqual(inBin, h.Counts[k], $"bin {k}");
        }
        Assert.AreEqual(Histogram.DefaultMinBins, Histogram.Build([1.0, 1.1, 1.2]).Count);
        Assert.AreEqual(Histogram.DefaultMaxBins, Histogram.Build(NormalSample(10, 0, 1, 1).Concat([1000.0, -1000.0]).ToArray()).Count);
    }
}
