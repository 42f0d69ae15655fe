namespace NbnEdge.Analysis.Spatial;

/// <summary>
/// Spatial statistics of Δ over spectra with positions (a line or a map): see
/// <see cref="SpatialCorrelationResult"/>.
/// </summary>
/// <remarks>
/// <para>
/// The fit errors are independent between spectra, so they add ½(σᵢ² + σⱼ²) to every pair's
/// ½(Δᵢ − Δⱼ)² at any distance: that nugget is subtracted pair by pair, and what is left is the
/// semivariogram of the true Δ. An exponential model (<see cref="ExponentialVariogram"/>) with a
/// free nugget (variation below the spacing, e.g. grains) gives ξ_Δ.
/// </para>
/// <para>
/// Its interval comes from a parametric bootstrap: Gaussian data sets simulated exactly from the
/// fitted model at the measured positions (with each spectrum's fit error), the whole estimator
/// rerun on each, and the bootstrap's test inverted (the ξ whose simulated ξ̂ put the data's ξ̂
/// within their central 95 %). A block bootstrap (blocks of a few ξ resampled) remains for points
/// that cannot be simulated exactly (scattered map points, very many points); it is too narrow
/// when there are few independent blocks. The test of no spatial correlation permutes (Δ, σ) over
/// the positions and compares the neighbours' mean squared difference with the permuted ones:
/// exact under the null whatever the distribution of Δ.
/// </para>
/// </remarks>
public static class SpatialCorrelation
{
    /// <summary>Fewest points the analysis accepts.</summary>
    public const int MinimumCount = 10;

    /// <summary>Most points (the pair sums cost n²/2).</summary>
    public const int MaximumCount = 20_000;

    /// <summary>Block side in units of the first ξ_Δ estimate.</summary>
    private const double BlockCorrelationLengths = 4.0;

    /// <summary>Most lag bins (wider than the spacing beyond).</summary>
    private const int MaximumBins = 400;

    /// <summary>Largest lag fitted, in units of the first ξ_Δ estimate.</summary>
    private const double FitLagCorrelationLengths = 8.0;

    /// <summary>Fewest tiles along each axis of a map.</summary>
    private const int MinimumBlocksPerMapAxis = 3;

    /// <summary>Why the analysis cannot run on these points; null when it can.</summary>
    public static string? Problem(double[] xNm, double[] yNm)
    {
        ArgumentNullException.ThrowIfNull(xNm);
        ArgumentNullException.ThrowIfNull(yNm);
        if (xNm.Length < MinimumCount) return $"spatial statistics need at least {MinimumCount} spectra with positions (got {xNm.Length})";
        if (xNm.Length > MaximumCount) return $"spatial statistics are limited to {MaximumCount} spectra (got {xNm.Length})";
        for (int i = 0; i < xNm.Length; i++)
            if (!double.IsFinite(xNm[i]) || !double.IsFinite(yNm[i])) return $"spectrum {i + 1} has no finite position";
        double spread = Math.Max(xNm.Max() - xNm.Min(), yNm.Max() - yNm.Min());
        if (!(spread > 0)) return "all spectra are at one position";
        return null;
    }

    /// <summary>Computes the spatial statistics.</summary>
    /// <param name="xNm">x of each point in nm (the distance along a line).</param>
    /// <param name="yNm">y of each point in nm (all 0 for a line).</param>
    /// <param name="deltaMeV">Δ of each point in meV.</param>
    /// <param name="deltaErrorMeV">Fit error of each Δ in meV.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <exception cref="ArgumentException">See <see cref="Problem"/>; arrays of different lengths; invalid options.</exception>
    public static SpatialCorrelationResult Analyse(double[] xNm, double[] yNm, double[] deltaMeV, double[] deltaErrorMeV,
        SpatialOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(deltaMeV);
        ArgumentNullException.ThrowIfNull(deltaErrorMeV);
        options ??= SpatialOptions.Default;
        int n = deltaMeV.Length;
        if (xNm.Length != n || yNm.Length != n || deltaErrorMeV.Length != n)
            throw new ArgumentException("Positions, gaps and errors must have the same length.");
        if (Problem(xNm, yNm) is { } problem) throw new ArgumentException(problem);
        if (options.BootstrapResamples < 100 || options.Permutations < 99
            || !(options.ConfidenceLevel is > 0 and < 1) || !(options.SignificanceLevel is > 0 and < 1))
            throw new ArgumentException("Invalid spatial options.", nameof(options));

        double mean = deltaMeV.Average();
        var d = new double[n];
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            d[i] = deltaMeV[i] - mean;
            v[i] = deltaErrorMeV[i] * deltaErrorMeV[i];
        }
        bool isMap = yNm.Max() - yNm.Min() > 1e-9 * (1 + xNm.Max() - xNm.Min()) && xNm.Max() - xNm.Min() > 0;
        double spacing = MedianNearestNeighbour(xNm, yNm);
        if (!(spacing > 0)) throw new ArgumentException("Several spectra share one position: the spacing is 0.");
        double diameter = Diameter(xNm, yNm);
        // Bins one spacing wide over every distance: all pairs enter the sill's moment condition.
        int bins = Math.Min(MaximumBins, Math.Max(3, (int)Math.Ceiling(diameter / spacing + 1e-9)));
        double binWidth = diameter / bins;
        double minXi = spacing / 10;

        double halfDiameter = diameter / 2;
        // ξ is searched up to the largest distance measured: a fit that wants more (a variogram
        // still rising linearly at its last fitted lag) gives no length (WithoutLength), and the
        // parametric bootstrap leaves such draws out of its tests (TailQuantile).
        double maxXi = diameter;
        double logMin = Math.Log(minXi), logMax = Math.Log(maxXi);
        int FitBinsUpTo(double lagNm) => Math.Clamp((int)Math.Floor(lagNm / binWidth + 1e-9), 3, bins);
        // The estimator, as applied to the data and to every simulated data set of the bootstrap:
        // a first fit over lags up to half the diameter gives ξ; the fit is then repeated over
        // lags up to 8 ξ: beyond, pairs carry little on ξ and much of the line's large-scale accident.
        ExponentialVariogram? Estimate(double[] lag, double[] gamma, double[] pairs, AllPairsShape? shape, out int fitBins)
        {
            fitBins = FitBinsUpTo(options.MaxLagNm ?? halfDiameter);
            var first = ExponentialVariogram.Fit(lag, gamma, pairs, fitBins, minXi, maxXi, shape);
            if (first is null || options.MaxLagNm is not null) return first;
            // (8 spacings can exceed half the diameter for a few scattered points: Math.Clamp threw there.)
            int refined = FitBinsUpTo(Math.Clamp(FitLagCorrelationLengths * first.CorrelationLengthNm, Math.Min(8 * spacing, halfDiameter), halfDiameter));
            var second = ExponentialVariogram.Fit(lag, gamma, pairs, refined, minXi, maxXi, shape);
            if (second is null) return first;
            fitBins = refined;
            return second;
        }

        var whole = Sums(xNm, yNm, d, v, new int[n], 1, bins, binWidth, diameter, directional: isMap);
        var observedLag = new double[bins];
        var observedGamma = new double[bins];
        var observedPairs = new double[bins];
        whole.Radial.Collect(whole.Radial.AllBlocks(), observedLag, observedGamma, observedPairs);
        var fitted = Estimate(observedLag, observedGamma, observedPairs, null, out int fitBins)
            ?? throw new ArgumentException("Too few pairs for a variogram: the positions span less than three spacings.");
        double maxLag = fitBins * binWidth;
        ExponentialVariogram? fx = null, fy = null;
        if (whole.AlongX is { } ax && whole.AlongY is { } ay)
        {
            fx = FitBlocks(ax, ax.AllBlocks(), fitBins, minXi, maxXi);
            fy = FitBlocks(ay, ay.AllBlocks(), fitBins, minXi, maxXi);
            // A direction whose fit carries no length (ξ at a search limit, or no correlated part)
            // has nothing to compare: no anisotropy check rather than "ξ_x / ξ_y = 1.00" from two
            // limits (a 10 × 10 grid of point spectra on axes rotated 38° gave 3.22 / 3.22 nm,
            // both at the largest distance).
            if ((fx is not null && WithoutLength(fx, logMin, logMax)) || (fy is not null && WithoutLength(fy, logMin, logMax))) fx = fy = null;
        }

        double tail = 0.5 * (1 - options.ConfidenceLevel);
        // Lines take the likelihood below: only a map is simulated (building a geometry bins all n²/2 pairs).
        var simulation = isMap ? SimulatedVariogram.For(xNm, yNm, v, bins, binWidth) : null;
        ExponentialVariogram model;
        double lower, upper, block;
        int blocks;
        SpatialAnisotropy? anisotropy = null;
        var method = simulation is not null ? SpatialIntervalMethod.ParametricBootstrap : SpatialIntervalMethod.BlockBootstrap;
        if (!isMap)
        {
            // A line: the likelihood (LineLikelihood says why); the variogram fit above stays for the figure's bins.
            var line = LineLikelihood.Fit(xNm, deltaMeV, v, minXi, maxXi, options.ConfidenceLevel);
            model = new ExponentialVariogram(line.NuggetMeV2, line.PartialSillMeV2, line.XiNm);
            (lower, upper) = (line.LowerNm, line.UpperNm);
            block = double.NaN;
            blocks = 0;
            method = SpatialIntervalMethod.ProfileLikelihood;
        }
        else if (simulation is not null)
        {
            var boot = new ParametricBootstrap(simulation, Estimate, fx is not null && fy is not null, options.Seed, minXi, maxXi);
            int draws = options.BootstrapResamples + options.BootstrapResamples % 2;
            var atFit = boot.Run(fitted, draws);
            double logFit = Math.Log(fitted.CorrelationLengthNm);
            bool atLimit = WithoutLength(fitted, logMin, logMax);
            if (atFit.LogXi.Length >= 100 && !atLimit)
            {
                // The interval inverts the bootstrap's test: it holds the ξ whose simulated ln ξ̂*
                // put the data's ln ξ̂ inside their central 1 − α. Each end is the root of
                // g(ln ξ) = Q_p(ln ξ̂* | ξ) − ln ξ̂ (p = 1 − α/2 for the lower end, α/2 for the
                // upper), which increases with ξ: one secant step through ln ξ̂ (where g is known
                // from the draws above) and the basic-bootstrap end ln ξ̂ − g(ln ξ̂), where half as
                // many draws are simulated with the sills refitted to the data at that ξ. The same
                // seeds at every ξ keep g smooth. The basic-bootstrap interval alone (one pivot
                // for all ξ) covered 73 % on the 424 nm line with ξ = 50 nm: the spread of ln ξ̂
                // grows with ξ there, so the pivot fails.
                // ξ_Δ stays the fit's: a median-unbiased ξ found the same way (p = ½) moved the
                // test maps' median further from the truth (5.2 nm for 4) and the lines' no closer.
                ExponentialVariogram ModelAt(double xi) =>
                    ExponentialVariogram.FitSills(observedLag, observedGamma, observedPairs, fitBins, xi) ?? fitted with { CorrelationLengthNm = xi };
                int stepDraws = Math.Max(100, draws / 2 + draws / 2 % 2);
                double G(double logXi, Func<double[], double> quantile)
                {
                    var sorted = boot.Run(ModelAt(Math.Exp(logXi)), stepDraws, ratios: false).LogXi;
                    return sorted.Length < 50 ? double.NaN : quantile(sorted) - logFit;
                }
                // lowerEnd: which end is sought, and so which way is outward (towards the search
                // limit), the safe side when the root cannot be pinned down.
                double Solve(Func<double[], double> quantile, bool lowerEnd)
                {
                    double g0 = quantile(atFit.LogXi) - logFit;
                    double start = double.IsFinite(g0)
                        ? Math.Clamp(logFit - g0, logMin, logMax)
                        : g0 > 0 ? 0.5 * (logMin + logFit) : 0.5 * (logFit + logMax);
                    if (Math.Abs(start - logFit) < 1e-9) return start;
                    double g1 = G(start, quantile);
                    if (double.IsNaN(g1)) return double.IsFinite(g0) ? start : lowerEnd ? logMin : logMax;
                    if (double.IsFinite(g0) && double.IsFinite(g1))
                    {
                        // A slope of at least 0.05: a quantile flat in ξ (the data do not bound ξ on
                        // that side) sends the end to the search limit.
                        double slope = Math.Max(0.05, (g1 - g0) / (start - logFit));
                        return Math.Clamp(start - g1 / slope, logMin, logMax);
                    }
                    // A quantile at −∞ (over a share α/2 of the draws look white, e.g. at a trial
                    // ξ below the spacing) has no slope: bisect
                    // in ln ξ between the last points on either side of the root (a search limit
                    // when none was tried there), then interpolate g if both ends are finite, else
                    // take the outer end of the bracket: it errs towards a wider interval.
                    double lo = logMin, gLo = double.NegativeInfinity, hi = logMax, gHi = double.PositiveInfinity;
                    foreach (var (x, g) in new[] { (logFit, g0), (start, g1) })
                    {
                        if (g <= 0 && x >= lo) (lo, gLo) = (x, g);
                        if (g >= 0 && x <= hi) (hi, gHi) = (x, g);
                    }
                    if (lo > hi) return start;
                    for (int step = 0; step < BisectionSteps && hi - lo > 0.05; step++)
                    {
                        double mid = 0.5 * (lo + hi);
                        double g = G(mid, quantile);
                        if (double.IsNaN(g)) break;
                        if (g <= 0) (lo, gLo) = (mid, g); else (hi, gHi) = (mid, g);
                    }
                    if (double.IsFinite(gLo) && double.IsFinite(gHi) && gHi > gLo) return lo + (hi - lo) * (-gLo / (gHi - gLo));
                    return lowerEnd ? lo : hi;
                }
                model = fitted;
                lower = Math.Exp(Solve(sorted => TailQuantile(sorted, tail, upperTail: true, logMin, logMax), lowerEnd: true));
                upper = Math.Exp(Solve(sorted => TailQuantile(sorted, tail, upperTail: false, logMin, logMax), lowerEnd: false));
                // ξ̂ itself was tested with the most draws: when it passes, the secant's
                // extrapolation must not cut it out.
                if (TailQuantile(atFit.LogXi, tail, upperTail: false, logMin, logMax) <= logFit
                    && logFit <= TailQuantile(atFit.LogXi, tail, upperTail: true, logMin, logMax))
                {
                    lower = Math.Min(lower, fitted.CorrelationLengthNm);
                    upper = Math.Max(upper, fitted.CorrelationLengthNm);
                }
            }
            else if (atLimit)
            {
                // The fit ended at a search limit (a variogram flat from the first lag, or still
                // rising linearly at the last fitted one), or found no correlated part: the data
                // give no length.
                model = fitted;
                (lower, upper) = (minXi, maxXi);
            }
            else
            {
                model = fitted;
                lower = upper = double.NaN;
            }
            if (fx is not null && fy is not null && atFit.LogRatio.Length >= 100)
            {
                // Simulated isotropic: the spread of ln(ξ̂_x/ξ̂_y) about 0 is the ratio's pivot
                // (a ratio of two estimates of one ξ: their common bias cancels).
                double ratio = fx.CorrelationLengthNm / fy.CorrelationLengthNm;
                double rl = ratio * Math.Exp(-StatisticsCore.QuantileSorted(atFit.LogRatio, 1 - tail));
                double ru = ratio * Math.Exp(-StatisticsCore.QuantileSorted(atFit.LogRatio, tail));
                anisotropy = new SpatialAnisotropy(fx.CorrelationLengthNm, fy.CorrelationLengthNm, ratio, rl, ru, rl > 1 || ru < 1);
            }
            block = double.NaN;
            blocks = 0;
        }
        else
        {
            model = fitted;
            (lower, upper, anisotropy, block, blocks) = BlockBootstrap(xNm, yNm, d, v, spacing, bins, binWidth, diameter,
                fitBins, fitted, minXi, maxXi, fx, fy, options);
        }

        // Whatever the interval's method: a fit without a length has the whole search range as its
        // interval (20 scattered pixels gave "6.01 nm, CI 6.01–6.01" from the block bootstrap, the
        // largest distance and the search limit).
        bool withoutLength = WithoutLength(model, logMin, logMax);
        if (withoutLength) (lower, upper) = (minXi, maxXi);

        double neighbour = 2.5 * spacing;
        double p = PermutationPValue(xNm, yNm, d, neighbour, options.Permutations, options.Seed);

        var (raw, nugget) = whole.Radial.Totals();
        var variogram = new List<VariogramBin>(bins);
        for (int k = 0; k < bins && observedLag[k] <= Math.Max(maxLag, halfDiameter); k++)
            if (observedPairs[k] > 0) variogram.Add(new VariogramBin(observedLag[k], raw[k], nugget[k], (int)observedPairs[k]));

        return new SpatialCorrelationResult
        {
            Count = n,
            IsMap = isMap,
            SpacingNm = spacing,
            MaxLagNm = maxLag,
            Variogram = variogram,
            Model = model,
            IntervalMethod = method,
            CorrelationLengthLowerNm = lower,
            CorrelationLengthUpperNm = upper,
            ConfidenceLevel = options.ConfidenceLevel,
            PValue = p,
            SpatiallyCorrelated = p < options.SignificanceLevel,
            SignificanceLevel = options.SignificanceLevel,
            NeighbourDistanceNm = neighbour,
            BlockSizeNm = block,
            Blocks = blocks,
            BootstrapResamples = options.BootstrapResamples,
            Permutations = options.Permutations,
            Seed = options.Seed,
            MeanErrorMeV = MeanError(xNm, yNm, v, model),
            Anisotropy = anisotropy,
            AtSearchLimit = withoutLength,
        };
    }

    private delegate ExponentialVariogram? Estimator(double[] lag, double[] gamma, double[] pairs, AllPairsShape? shape, out int fitBins);

    /// <summary>How close to ln of a search limit a fitted ξ counts as having stopped there.</summary>
    private const double LimitTolerance = 1e-6;

    /// <summary>True when a fit carries no length: ξ stopped at a search limit, or no correlated part (c₁ = 0, any ξ fits).</summary>
    private static bool WithoutLength(ExponentialVariogram m, double logMin, double logMax)
    {
        double logXi = Math.Log(m.CorrelationLengthNm);
        return logXi <= logMin + LimitTolerance || logXi >= logMax - LimitTolerance
            || m.PartialSillMeV2 <= 1e-9 * (m.NuggetMeV2 + m.PartialSillMeV2);
    }

    /// <summary>Most bisection steps of each interval end when a quantile is infinite (each simulates half the draws again).</summary>
    private const int BisectionSteps = 3;

    /// <summary>
    /// ln ξ̂ of a draw's fit, with the draws that carry no length (<see cref="WithoutLength"/>) at
    /// ±∞: no correlated part, or ξ at the lower limit, is a ξ̂ below anything resolvable (−∞);
    /// ξ at the upper limit (a variogram still rising linearly at the last fitted lag) is +∞.
    /// </summary>
    private static double DrawLogXi(ExponentialVariogram m, double logMin, double logMax)
    {
        double logXi = Math.Log(m.CorrelationLengthNm);
        if (m.PartialSillMeV2 <= 1e-9 * (m.NuggetMeV2 + m.PartialSillMeV2) || logXi <= logMin + LimitTolerance)
            return double.NegativeInfinity;
        return logXi >= logMax - LimitTolerance ? double.PositiveInfinity : logXi;
    }

    /// <summary>
    /// The quantile that bounds the test's rejection region in one tail of the sorted ln ξ̂*
    /// (<see cref="DrawLogXi"/>): the region holds a share <paramref name="tail"/> of all draws.
    /// Draws that look white (−∞) count, in the lower tail: they are ξ̂* below anything
    /// resolvable, and a test that left them out would be decided at a trial ξ below the spacing
    /// by the few draws that still find a length. (On the recovery lines this changed no
    /// interval: their lower ends are set by the fit's upper tail at small ξ, README.) Draws at
    /// the upper limit (+∞) stay out of both tails, the share
    /// taken among the others: a few % of short noisy lines run off to the largest ξ at every
    /// trial ξ, so counted in the upper tail they made its 97.5 % quantile +∞ down to the
    /// smallest ξ and the lower end fell to the search limit on every recovery line. The
    /// quantile is type 7 (<see cref="StatisticsCore.QuantileSorted"/>) between finite
    /// neighbours, the nearest rank next to −∞ (interpolating gives NaN or −∞ for a rank mostly
    /// on the finite side). When the draws with a length are too few, the region is empty (the
    /// search limit itself).
    /// </summary>
    internal static double TailQuantile(double[] sorted, double tail, bool upperTail, double logMin, double logMax)
    {
        int kept = 0;
        foreach (double v in sorted) if (v < double.PositiveInfinity) kept++;
        double share = tail * sorted.Length / Math.Max(1, kept);
        if (kept < 2 || share >= 1) return upperTail ? logMax : logMin;
        double h = (kept - 1) * (upperTail ? 1 - share : share);
        int lo = Math.Clamp((int)Math.Floor(h), 0, kept - 1), hi = Math.Min(kept - 1, lo + 1);
        double a = sorted[lo], b = sorted[hi];
        if (double.IsFinite(a) && double.IsFinite(b)) return a + (h - lo) * (b - a);
        return h - lo < 0.5 ? a : b;
    }

    /// <summary>
    /// The parametric bootstrap: data sets drawn from a model at the measured positions, with each
    /// spectrum's fit error, and the whole estimator rerun on each.
    /// </summary>
    /// <remarks>
    /// Why not resample the data: a block bootstrap needs many blocks each several ξ long, and a
    /// map 12 ξ a side cut into 3 × 3 tiles has too few; its interval was too narrow (85 % coverage
    /// at a nominal 95 %). Simulated data sets keep the whole long-range dependence and show how
    /// skewed the variogram fit's ξ̂ is, which resampled tiles cannot. The price is the model:
    /// exponential and Gaussian. (On lines the same inversion covered but was uninformative, from
    /// the fit's long upper tail: <see cref="LineLikelihood"/>.)
    /// Draw pair k has its own generator seeded from (seed, k): reproducible on any number of
    /// cores, and the same noise at every trial ξ of the inversion.
    /// </remarks>
    private sealed class ParametricBootstrap(SimulatedVariogram simulation, Estimator estimate, bool directional, int seed,
        double minXi, double maxXi)
    {
        private readonly AllPairsShape _radial = new(simulation.LagNm, simulation.Pairs, minXi, maxXi);
        private readonly double logMinimum = Math.Log(minXi), logMaximum = Math.Log(maxXi);
        private readonly AllPairsShape? _alongX = directional ? new(simulation.LagXNm!, simulation.PairsX!, minXi, maxXi) : null;
        private readonly AllPairsShape? _alongY = directional ? new(simulation.LagYNm!, simulation.PairsY!, minXi, maxXi) : null;

        /// <summary>Sorted ln ξ̂* over <paramref name="draws"/> simulated data sets (failed fits left out), and sorted ln(ξ̂*_x/ξ̂*_y) on a map.</summary>
        public (double[] LogXi, double[] LogRatio) Run(ExponentialVariogram model, int draws, bool ratios = true)
        {
            bool withRatios = ratios && directional;
            var logXi = new double[draws];
            var logRatio = new double[draws];
            int bins = simulation.Bins;
            Parallel.For(0, draws / 2,
                () => (Work: simulation.NewWorkspace(), Gamma: new double[bins], X: directional ? new double[bins] : null, Y: directional ? new double[bins] : null),
                (k, _, local) =>
                {
                    var rng = new Random(unchecked(seed * 1_000_003 + 7919 * k + 1));
                    for (int t = 0; t < 2; t++)
                    {
                        int r = 2 * k + t;
                        simulation.Draw(model, rng, local.Work, local.Gamma, local.X, local.Y);
                        var m = estimate(simulation.LagNm, local.Gamma, simulation.Pairs, _radial, out int drawFitBins);
                        logXi[r] = m is null ? double.NaN : DrawLogXi(m, logMinimum, logMaximum);
                        logRatio[r] = double.NaN;
                        if (withRatios
                            && ExponentialVariogram.Fit(simulation.LagXNm!, local.X!, simulation.PairsX!, drawFitBins, minXi, maxXi, _alongX) is { } mx
                            && ExponentialVariogram.Fit(simulation.LagYNm!, local.Y!, simulation.PairsY!, drawFitBins, minXi, maxXi, _alongY) is { } my)
                            logRatio[r] = Math.Log(mx.CorrelationLengthNm / my.CorrelationLengthNm);
                    }
                    return local;
                },
                _ => { });
            return (logXi.Where(v => !double.IsNaN(v)).Order().ToArray(), logRatio.Where(double.IsFinite).Order().ToArray());
        }
    }

    /// <summary>
    /// The block bootstrap, for map points the parametric bootstrap cannot simulate exactly (scattered
    /// points, more than <see cref="SimulatedVariogram.MaximumPoints"/>): the points are
    /// cut into square tiles a few ξ_Δ long, each pair is kept
    /// in its first point's block with its true distance, blocks are resampled with replacement
    /// and ξ_Δ refitted. Too narrow when there are few blocks of several ξ (README).
    /// </summary>
    private static (double Lower, double Upper, SpatialAnisotropy? Anisotropy, double BlockNm, int Blocks) BlockBootstrap(
        double[] xNm, double[] yNm, double[] d, double[] v, double spacing, int bins, double binWidth, double diameter,
        int fitBins, ExponentialVariogram model, double minXi, double maxXi, ExponentialVariogram? fx, ExponentialVariogram? fy,
        SpatialOptions options)
    {
        int n = d.Length;
        double extentX = xNm.Max() - xNm.Min(), extentY = yNm.Max() - yNm.Min();
        double longest = Math.Max(extentX, extentY);
        // (Two spacings can exceed a third of the extent for a handful of scattered points: Math.Clamp threw there.)
        double blockMax = longest / MinimumBlocksPerMapAxis;
        double block = Math.Clamp(BlockCorrelationLengths * model.CorrelationLengthNm, Math.Min(2 * spacing, blockMax), blockMax);
        int nx = Math.Max(1, (int)Math.Ceiling(extentX / block + 1e-9)), ny = Math.Max(1, (int)Math.Ceiling(extentY / block + 1e-9));
        var blockOf = new int[n];
        double x0 = xNm.Min(), y0 = yNm.Min();
        for (int i = 0; i < n; i++)
        {
            int bx = Math.Min(nx - 1, (int)((xNm[i] - x0) / block));
            int by = Math.Min(ny - 1, (int)((yNm[i] - y0) / block));
            blockOf[i] = by * nx + bx;
        }
        // Number the occupied blocks densely: the bootstrap draws among blocks that hold points.
        var dense = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            if (!dense.TryGetValue(blockOf[i], out int id)) dense[blockOf[i]] = id = dense.Count;
            blockOf[i] = id;
        }
        int blocks = dense.Count;
        var sums = Sums(xNm, yNm, d, v, blockOf, blocks, bins, binWidth, diameter, directional: true);

        var rng = new Random(options.Seed);
        var xi = new List<double>(options.BootstrapResamples);
        var ratios = new List<double>(options.BootstrapResamples);
        var draw = new int[blocks];
        for (int r = 0; r < options.BootstrapResamples; r++)
        {
            for (int k = 0; k < blocks; k++) draw[k] = rng.Next(blocks);
            if (FitBlocks(sums.Radial, draw, fitBins, minXi, maxXi) is { } m) xi.Add(m.CorrelationLengthNm);
            if (fx is not null && fy is not null
                && FitBlocks(sums.AlongX!, draw, fitBins, minXi, maxXi) is { } mx && FitBlocks(sums.AlongY!, draw, fitBins, minXi, maxXi) is { } my)
                ratios.Add(mx.CorrelationLengthNm / my.CorrelationLengthNm);
        }
        double tail = 0.5 * (1 - options.ConfidenceLevel);
        var sortedXi = xi.Order().ToArray();
        double lower = sortedXi.Length > 0 ? StatisticsCore.QuantileSorted(sortedXi, tail) : double.NaN;
        double upper = sortedXi.Length > 0 ? StatisticsCore.QuantileSorted(sortedXi, 1 - tail) : double.NaN;
        SpatialAnisotropy? anisotropy = null;
        if (fx is not null && fy is not null && ratios.Count >= 100)
        {
            var sortedRatio = ratios.Order().ToArray();
            double rl = StatisticsCore.QuantileSorted(sortedRatio, tail), ru = StatisticsCore.QuantileSorted(sortedRatio, 1 - tail);
            anisotropy = new SpatialAnisotropy(fx.CorrelationLengthNm, fy.CorrelationLengthNm, fx.CorrelationLengthNm / fy.CorrelationLengthNm,
                rl, ru, rl > 1 || ru < 1);
        }
        return (lower, upper, anisotropy, block, blocks);
    }

    private static ExponentialVariogram? FitBlocks(VariogramPairSums sums, ReadOnlySpan<int> blocks, int fitBins, double minXi, double maxXi)
    {
        var lag = new double[sums.Bins];
        var gamma = new double[sums.Bins];
        var pairs = new double[sums.Bins];
        sums.Collect(blocks, lag, gamma, pairs);
        return ExponentialVariogram.Fit(lag, gamma, pairs, fitBins, minXi, maxXi);
    }

    private sealed record PairSums(VariogramPairSums Radial, VariogramPairSums? AlongX, VariogramPairSums? AlongY);

    private static PairSums Sums(double[] x, double[] y, double[] d, double[] v, int[] blockOf, int blocks, int bins,
        double binWidth, double maxLag, bool directional)
    {
        var radial = new VariogramPairSums(blocks, bins);
        var alongX = directional ? new VariogramPairSums(blocks, bins) : null;
        var alongY = directional ? new VariogramPairSums(blocks, bins) : null;
        double tan225 = Math.Tan(Math.PI / 8);
        int n = d.Length;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double dx = x[j] - x[i], dy = y[j] - y[i];
                double h = Math.Sqrt(dx * dx + dy * dy);
                if (h > maxLag || h <= 0) continue;
                int bin = Math.Min(bins - 1, (int)(h / binWidth));
                double diff = d[i] - d[j];
                double half = 0.5 * diff * diff, nug = 0.5 * (v[i] + v[j]);
                radial.Add(blockOf[i], bin, half, nug, h);
                if (!directional) continue;
                double adx = Math.Abs(dx), ady = Math.Abs(dy);
                if (ady <= tan225 * adx) alongX!.Add(blockOf[i], bin, half, nug, h);
                else if (adx <= tan225 * ady) alongY!.Add(blockOf[i], bin, half, nug, h);
            }
        return new PairSums(radial, alongX, alongY);
    }

    /// <summary>
    /// p-value of "Δ does not depend on position": the statistic is the mean squared difference of
    /// neighbours (pairs closer than <paramref name="neighbourNm"/>), small when neighbours are alike;
    /// shuffling Δ over the positions gives its null distribution.
    /// </summary>
    internal static double PermutationPValue(double[] x, double[] y, double[] d, double neighbourNm, int permutations, int seed)
    {
        int n = d.Length;
        var first = new List<int>();
        var second = new List<int>();
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double dx = x[j] - x[i], dy = y[j] - y[i];
                if (dx * dx + dy * dy <= neighbourNm * neighbourNm) { first.Add(i); second.Add(j); }
            }
        if (first.Count == 0) return 1;
        var a = first.ToArray();
        var b = second.ToArray();
        double Statistic(double[] values)
        {
            double s = 0;
            for (int k = 0; k < a.Length; k++)
            {
                double diff = values[a[k]] - values[b[k]];
                s += diff * diff;
            }
            return s;
        }
        double observed = Statistic(d);
        var rng = new Random(unchecked(seed * 31 + 17));
        var shuffled = (double[])d.Clone();
        int atMost = 0;
        for (int p = 0; p < permutations; p++)
        {
            rng.Shuffle(shuffled);
            if (Statistic(shuffled) <= observed) atMost++;
        }
        return (1.0 + atMost) / (1.0 + permutations);
    }

    private static double MeanError(double[] x, double[] y, double[] fitVariance, ExponentialVariogram model)
    {
        int n = x.Length;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += model.CovarianceMeV2(0) + fitVariance[i];
            for (int j = i + 1; j < n; j++)
            {
                double dx = x[j] - x[i], dy = y[j] - y[i];
                sum += 2 * model.CovarianceMeV2(Math.Sqrt(dx * dx + dy * dy));
            }
        }
        return Math.Sqrt(Math.Max(0, sum)) / n;
    }

    private static double MedianNearestNeighbour(double[] x, double[] y)
    {
        int n = x.Length;
        var nearest = new double[n];
        Array.Fill(nearest, double.PositiveInfinity);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double dx = x[j] - x[i], dy = y[j] - y[i];
                double h2 = dx * dx + dy * dy;
                if (h2 < nearest[i]) nearest[i] = h2;
                if (h2 < nearest[j]) nearest[j] = h2;
            }
        for (int i = 0; i < n; i++) nearest[i] = Math.Sqrt(nearest[i]);
        return StatisticsCore.Median(nearest);
    }

    private static double Diameter(double[] x, double[] y)
    {
        // The bounding box's diagonal: the largest distance up to a factor ≤ √2, without n² work.
        double dx = x.Max() - x.Min(), dy = y.Max() - y.Min();
        return Math.Sqrt(dx * dx + dy * dy);
    }
}
