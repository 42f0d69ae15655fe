namespace NbnEdge.Analysis;

/// <summary>Settings for <see cref="HomogeneityStatistics.Compute"/>.</summary>
public sealed record HomogeneityOptions
{
    /// <summary>Seed used when none is given: fixed, so a report is reproducible run to run.</summary>
    public const int DefaultSeed = 20260424;

    /// <summary>Bootstrap resamples for the σ_int confidence interval (≥ 100).</summary>
    public int BootstrapResamples { get; init; } = 2000;

    /// <summary>Seed of the bootstrap's <see cref="Random"/>.</summary>
    public int Seed { get; init; } = DefaultSeed;

    /// <summary>Two-sided confidence level of the σ_int interval, in (0, 1).</summary>
    public double ConfidenceLevel { get; init; } = 0.95;

    /// <summary>Histogram bin-width rule.</summary>
    public HistogramBinRule BinRule { get; init; } = HistogramBinRule.FreedmanDiaconis;

    /// <summary>Fewest histogram bins.</summary>
    public int MinBins { get; init; } = Histogram.DefaultMinBins;

    /// <summary>Most histogram bins.</summary>
    public int MaxBins { get; init; } = Histogram.DefaultMaxBins;

    /// <summary>
    /// Outlier threshold in robust σ (1.4826·MAD): 3.5 is Iglewicz and Hoaglin's cut on the
    /// modified z-score 0.6745·|Δ − median|/MAD.
    /// </summary>
    public double OutlierThresholdRobustSigmas { get; init; } = 3.5;

    /// <summary>The defaults.</summary>
    public static HomogeneityOptions Default { get; } = new();
}

/// <summary>
/// Homogeneity of a film from many fitted gaps (docs/DESIGN.md item 6).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="MedianMeV"/>, <see cref="MadMeV"/> and <see cref="RobustSigmaMeV"/> use all values:
/// they set the outlier rule |Δ − median| &gt; k·1.4826·MAD (k =
/// <see cref="HomogeneityOptions.OutlierThresholdRobustSigmas"/>, 3.5 by default, raised below 20 values by
/// <see cref="OutlierThreshold"/>). Everything
/// else — the headline <see cref="MeanMeV"/> and <see cref="StandardDeviationMeV"/>, the
/// histogram, its Gaussian fit (Eq. 4), σ_obs, ⟨σ_fit²⟩ and σ_int — uses only the inliers, and the
/// outliers are listed beside them: one bad spectrum must neither set the homogeneity figure nor
/// move the mean it is reported with. When MAD = 0 (over half the values
/// tie) the rule cannot scale a deviation and flags nothing.
/// </para>
/// <para>
/// σ_int = √(max(0, σ_obs² − ⟨σ_fit²⟩)) is the spread left after removing what the fit errors
/// alone would produce. Its confidence interval is a percentile bootstrap over spectra (resampled
/// with replacement, σ_int recomputed from each resample), so it carries the uncertainty of both
/// σ_obs and ⟨σ_fit²⟩; the lower bound is 0 when the data cannot exclude a homogeneous film.
/// </para>
/// </remarks>
public sealed record HomogeneityResult
{
    /// <summary>Number of values (spectra), including outliers.</summary>
    public required int Count { get; init; }

    /// <summary>Mean Δ of the inliers (the outliers are listed, not averaged), in meV.</summary>
    public required double MeanMeV { get; init; }

    /// <summary>Sample standard deviation (n − 1) of the inliers, in meV (equal to σ_obs).</summary>
    public required double StandardDeviationMeV { get; init; }

    /// <summary>Median Δ of all values, in meV.</summary>
    public required double MedianMeV { get; init; }

    /// <summary>Raw median absolute deviation from the median, in meV (no scale factor).</summary>
    public required double MadMeV { get; init; }

    /// <summary>1.4826·<see cref="MadMeV"/>: the robust estimate of σ for normal data, in meV.</summary>
    public required double RobustSigmaMeV { get; init; }

    /// <summary>Names of the values flagged as outliers, in input order.</summary>
    public required IReadOnlyList<string> Outliers { get; init; }

    /// <summary>Input indices of the outliers, in the same order as <see cref="Outliers"/>.</summary>
    public required IReadOnlyList<int> OutlierIndices { get; init; }

    /// <summary>|Δ − median| beyond which a value is an outlier, in meV (+∞ when MAD = 0).</summary>
    public required double OutlierLimitMeV { get; init; }

    /// <summary>Number of inliers: the values the histogram, Gaussian and σ_int use.</summary>
    public required int InlierCount { get; init; }

    /// <summary>Mean Δ of the inliers, in meV.</summary>
    public required double InlierMeanMeV { get; init; }

    /// <summary>σ_obs: sample standard deviation (n − 1) of the inliers, in meV.</summary>
    public required double ObservedSigmaMeV { get; init; }

    /// <summary>√⟨σ_fit²⟩ over the inliers: the spread the fit errors alone would give, in meV.</summary>
    public required double RmsFitErrorMeV { get; init; }

    /// <summary>σ_int = √(max(0, σ_obs² − ⟨σ_fit²⟩)), in meV.</summary>
    public required double IntrinsicSigmaMeV { get; init; }

    /// <summary>Lower end of the bootstrap confidence interval of σ_int, in meV.</summary>
    public required double IntrinsicSigmaLowerMeV { get; init; }

    /// <summary>Upper end of the bootstrap confidence interval of σ_int, in meV.</summary>
    public required double IntrinsicSigmaUpperMeV { get; init; }

    /// <summary>Confidence level of the σ_int interval (e.g. 0.95).</summary>
    public required double ConfidenceLevel { get; init; }

    /// <summary>Bootstrap resamples used.</summary>
    public required int BootstrapResamples { get; init; }

    /// <summary>Bootstrap seed used, to reproduce the interval.</summary>
    public required int Seed { get; init; }

    /// <summary>Histogram of the inliers.</summary>
    public required Histogram Histogram { get; init; }

    /// <summary>Eq. 4 fitted to <see cref="Histogram"/>; check <see cref="HistogramGaussianFit.Converged"/>.</summary>
    public required HistogramGaussianFit Gaussian { get; init; }
}

/// <summary>Statistics over many fitted spectra: see <see cref="HomogeneityResult"/>.</summary>
public static class HomogeneityStatistics
{
    /// <summary>
    /// The outlier cut in robust σ for <paramref name="n"/> values: <paramref name="threshold"/>, raised below 20 values to
    /// the point that a normal sample of that size passes whole 95 % of the time (<see cref="SmallSampleCut"/>). A MAD from
    /// a handful of values is itself noisy: at 8 values the 3.5 cut dropped a real member of a normal sample from one line
    /// in eight, and σ_int then halved with a CI that excluded the truth.
    /// </summary>
    public static double OutlierThreshold(int n, double threshold) =>
        n < SmallSampleCut.Length ? Math.Max(threshold, SmallSampleCut[n]) : threshold;

    /// <summary>
    /// The 95th percentile of max|x − median|/(1.4826·MAD) over normal samples of n = 0…19 values (40,000 samples each,
    /// Monte Carlo, seed 20261129; the odd/even alternation is the median's); below 3 values nothing is an outlier.
    /// </summary>
    internal static readonly double[] SmallSampleCut =
        [double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity,
         21.84, 6.75, 7.96, 5.50, 5.85, 4.91, 5.07, 4.60, 4.64, 4.37, 4.42, 4.23, 4.26, 4.15, 4.19, 4.05, 4.09];

    /// <summary>1/Φ⁻¹(3/4): turns a MAD into σ for normally distributed data.</summary>
    public const double MadToSigma = 1.4826;

    /// <summary>Fewest values the statistics accept: below 3 neither a spread nor an outlier rule means anything.</summary>
    public const int MinimumCount = 3;

    /// <summary>Computes the homogeneity statistics.</summary>
    /// <param name="names">Spectrum names (reported for outliers).</param>
    /// <param name="deltaMeV">Fitted gaps in meV, finite.</param>
    /// <param name="deltaErrorMeV">Each gap's standard error from its fit, in meV, finite and ≥ 0.</param>
    /// <param name="options">Settings; <see cref="HomogeneityOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentException">
    /// Fewer than <see cref="MinimumCount"/> values, arrays of different lengths, a non-finite gap,
    /// a negative or non-finite error, or invalid options.
    /// </exception>
    public static HomogeneityResult Compute(IReadOnlyList<string> names, double[] deltaMeV, double[] deltaErrorMeV,
        HomogeneityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(deltaMeV);
        ArgumentNullException.ThrowIfNull(deltaErrorMeV);
        options ??= HomogeneityOptions.Default;
        Validate(names, deltaMeV, deltaErrorMeV, options);

        int n = deltaMeV.Length;
        double median = StatisticsCore.Median(deltaMeV);
        double mad = StatisticsCore.MedianAbsoluteDeviation(deltaMeV, median);
        double robustSigma = MadToSigma * mad;

        double limit = mad > 0 ? OutlierThreshold(n, options.OutlierThresholdRobustSigmas) * robustSigma : double.PositiveInfinity;
        var outlierNames = new List<string>();
        var outlierIndices = new List<int>();
        var inDelta = new List<double>(n);
        var inError = new List<double>(n);
        for (int i = 0; i < n; i++)
        {
            if (Math.Abs(deltaMeV[i] - median) > limit)
            {
                outlierNames.Add(names[i]);
                outlierIndices.Add(i);
            }
            else
            {
                inDelta.Add(deltaMeV[i]);
                inError.Add(deltaErrorMeV[i]);
            }
        }
        var inliers = inDelta.ToArray();
        var inlierErrors = inError.ToArray();

        double sigmaObs = StatisticsCore.SampleStandardDeviation(inliers);
        double meanFitVariance = 0;
        foreach (double e in inlierErrors) meanFitVariance += e * e;
        meanFitVariance /= inlierErrors.Length;
        double sigmaInt = IntrinsicSigma(sigmaObs * sigmaObs, meanFitVariance);
        var (lower, upper) = BootstrapIntrinsicSigma(inliers, inlierErrors, options.BootstrapResamples,
            options.ConfidenceLevel, options.Seed);

        var histogram = Histogram.Build(inliers, options.BinRule, options.MinBins, options.MaxBins);
        var gaussian = HistogramGaussianFit.Fit(histogram);

        return new HomogeneityResult
        {
            Count = n,
            MeanMeV = StatisticsCore.Mean(inliers),
            StandardDeviationMeV = sigmaObs,
            MedianMeV = median,
            MadMeV = mad,
            RobustSigmaMeV = robustSigma,
            Outliers = outlierNames,
            OutlierIndices = outlierIndices,
            OutlierLimitMeV = limit,
            InlierCount = inliers.Length,
            InlierMeanMeV = StatisticsCore.Mean(inliers),
            ObservedSigmaMeV = sigmaObs,
            RmsFitErrorMeV = Math.Sqrt(meanFitVariance),
            IntrinsicSigmaMeV = sigmaInt,
            IntrinsicSigmaLowerMeV = lower,
            IntrinsicSigmaUpperMeV = upper,
            ConfidenceLevel = options.ConfidenceLevel,
            BootstrapResamples = options.BootstrapResamples,
            Seed = options.Seed,
            Histogram = histogram,
            Gaussian = gaussian,
        };
    }

    /// <summary>
    /// Percentile-bootstrap confidence interval of σ_int: resamples (Δ, σ_fit) pairs with
    /// replacement and recomputes σ_int from each resample.
    /// </summary>
    /// <param name="deltaMeV">Gaps (the inliers), at least 2.</param>
    /// <param name="deltaErrorMeV">Their fit errors, same length.</param>
    /// <param name="resamples">Number of resamples (≥ 100).</param>
    /// <param name="confidenceLevel">Two-sided level in (0, 1).</param>
    /// <param name="seed">Seed of the <see cref="Random"/>, for reproducibility.</param>
    /// <returns>The (lower, upper) interval ends in meV.</returns>
    public static (double LowerMeV, double UpperMeV) BootstrapIntrinsicSigma(double[] deltaMeV, double[] deltaErrorMeV,
        int resamples, double confidenceLevel, int seed)
    {
        ArgumentNullException.ThrowIfNull(deltaMeV);
        ArgumentNullException.ThrowIfNull(deltaErrorMeV);
        int n = deltaMeV.Length;
        if (n < 2 || deltaErrorMeV.Length != n)
            throw new ArgumentException("The bootstrap needs at least 2 gaps and one error per gap.", nameof(deltaMeV));
        if (resamples < 100)
            throw new ArgumentException($"At least 100 bootstrap resamples are needed (got {resamples}).", nameof(resamples));
        if (!(confidenceLevel > 0 && confidenceLevel < 1))
            throw new ArgumentException($"The confidence level must lie in (0, 1) (got {confidenceLevel}).", nameof(confidenceLevel));

        // Centre the gaps once: the resample's sum of squares then holds only the tens-of-µeV
        // spread, not (2 meV)², so the one-pass variance below loses no digits that matter.
        double centre = StatisticsCore.Mean(deltaMeV);
        var d = new double[n];
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            d[i] = deltaMeV[i] - centre;
            v[i] = deltaErrorMeV[i] * deltaErrorMeV[i];
        }

        // The resamples come in fixed blocks, each drawn from its own stream seeded by (seed, block):
        // the interval depends on the seed alone, never on how many cores computed it, and 2000
        // resamples of 10,000 gaps (twenty million draws) run on all cores.
        const int resamplesPerBlock = 100;
        int blocks = (resamples + resamplesPerBlock - 1) / resamplesPerBlock;
        var sigmas = new double[resamples];
        double invN = 1.0 / n, invNm1 = 1.0 / (n - 1);
        void Block(int block)
        {
            var rng = new Random(unchecked(seed * 7919 + block)); // blocks < 7919 apart: no two (seed, block) share a stream
            int last = Math.Min(resamples, (block + 1) * resamplesPerBlock);
            for (int b = block * resamplesPerBlock; b < last; b++)
            {
                double sum = 0, sumSq = 0, sumVar = 0;
                for (int k = 0; k < n; k++)
                {
                    int j = rng.Next(n);
                    double x = d[j];
                    sum += x;
                    sumSq += x * x;
                    sumVar += v[j];
                }
                double variance = (sumSq - sum * sum * invN) * invNm1;
                sigmas[b] = IntrinsicSigma(variance, sumVar * invN);
            }
        }
        if ((long)n * resamples >= 1_000_000) Parallel.For(0, blocks, Block);
        else for (int block = 0; block < blocks; block++) Block(block);
        Array.Sort(sigmas);
        double tail = 0.5 * (1 - confidenceLevel);
        return (StatisticsCore.QuantileSorted(sigmas, tail), StatisticsCore.QuantileSorted(sigmas, 1 - tail));
    }

    /// <summary>σ_int from an observed variance and a mean fit variance; 0 when the fits explain all the spread.</summary>
    private static double IntrinsicSigma(double observedVariance, double meanFitVariance) =>
        Math.Sqrt(Math.Max(0, observedVariance - meanFitVariance));

    private static void Validate(IReadOnlyList<string> names, double[] deltaMeV, double[] deltaErrorMeV, HomogeneityOptions o)
    {
        int n = deltaMeV.Length;
        if (names.Count != n || deltaErrorMeV.Length != n)
            throw new ArgumentException(
                $"Names, gaps and gap errors must have the same length (got {names.Count}, {n}, {deltaErrorMeV.Length}).");
        if (n < MinimumCount)
            throw new ArgumentException(
                $"Homogeneity statistics need at least {MinimumCount} fitted spectra; got {n}.", nameof(deltaMeV));
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(deltaMeV[i]))
                throw new ArgumentException($"The gap of '{names[i]}' is not a finite number ({deltaMeV[i]}).", nameof(deltaMeV));
            if (!(deltaErrorMeV[i] >= 0) || !double.IsFinite(deltaErrorMeV[i]))
                throw new ArgumentException(
                    $"The gap error of '{names[i]}' must be finite and ≥ 0 (got {deltaErrorMeV[i]}).", nameof(deltaErrorMeV));
        }
        if (o.BootstrapResamples < 100)
            throw new ArgumentException($"At least 100 bootstrap resamples are needed (got {o.BootstrapResamples}).");
        if (!(o.ConfidenceLevel > 0 && o.ConfidenceLevel < 1))
            throw new ArgumentException($"The confidence level must lie in (0, 1) (got {o.ConfidenceLevel}).");
        if (o.MinBins < 1 || o.MaxBins < o.MinBins)
            throw new ArgumentException($"Bin limits must satisfy 1 ≤ MinBins ≤ MaxBins (got {o.MinBins}, {o.MaxBins}).");
        if (!(o.OutlierThresholdRobustSigmas > 0))
            throw new ArgumentException($"The outlier threshold must be > 0 robust σ (got {o.OutlierThresholdRobustSigmas}).");
    }
}
