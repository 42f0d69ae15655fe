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
/// Its interval is a block bootstrap of the variogram's pair sums: the points are cut into
/// blocks (along the line, or square tiles of a map) a few ξ_Δ long, each pair is kept in its
/// first point's block with its true distance, blocks are resampled with replacement and ξ_Δ
/// refitted. The test of no spatial correlation permutes (Δ, σ) over the positions and compares
/// the neighbours' mean squared difference with the permuted ones: exact under the null whatever
/// the distribution of Δ.
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

    /// <summary>Fewest blocks along a line.</summary>
    private const int MinimumBlocksAlongLine = 8;

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

        // First pass: one block, for the first ξ_Δ that sets the fitted lags and the block size.
        var whole = Sums(xNm, yNm, d, v, new int[n], 1, bins, binWidth, diameter, directional: false).Radial;
        double halfDiameter = diameter / 2;
        int FitBinsUpTo(double lagNm) => Math.Clamp((int)Math.Floor(lagNm / binWidth + 1e-9), 3, bins);
        int fitBins = FitBinsUpTo(options.MaxLagNm ?? halfDiameter);
        var model = FitBlocks(whole, whole.AllBlocks(), fitBins, minXi, 10 * diameter)
            ?? throw new ArgumentException("Too few pairs for a variogram: the positions span less than three spacings.");
        // The fit uses lags up to a few ξ_Δ: beyond, pairs carry little on ξ and much long-range
        // dependence between the bootstrap's blocks, which would make the interval too narrow.
        if (options.MaxLagNm is null)
        {
            fitBins = FitBinsUpTo(Math.Clamp(FitLagCorrelationLengths * model.CorrelationLengthNm, 8 * spacing, halfDiameter));
            model = FitBlocks(whole, whole.AllBlocks(), fitBins, minXi, 10 * diameter) ?? model;
        }
        double maxLag = fitBins * binWidth;
        double maxXi = 10 * diameter;

        // Second pass: the blocks.
        double extentX = xNm.Max() - xNm.Min(), extentY = isMap ? yNm.Max() - yNm.Min() : 0;
        double longest = Math.Max(extentX, extentY);
        int minBlocksPerAxis = isMap ? MinimumBlocksPerMapAxis : MinimumBlocksAlongLine;
        double block = Math.Clamp(BlockCorrelationLengths * model.CorrelationLengthNm, 2 * spacing, longest / minBlocksPerAxis);
        int nx = Math.Max(1, (int)Math.Ceiling(extentX / block + 1e-9)), ny = isMap ? Math.Max(1, (int)Math.Ceiling(extentY / block + 1e-9)) : 1;
        var blockOf = new int[n];
        double x0 = xNm.Min(), y0 = yNm.Min();
        for (int i = 0; i < n; i++)
        {
            int bx = Math.Min(nx - 1, (int)((xNm[i] - x0) / block));
            int by = isMap ? Math.Min(ny - 1, (int)((yNm[i] - y0) / block)) : 0;
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
        var sums = Sums(xNm, yNm, d, v, blockOf, blocks, bins, binWidth, diameter, directional: isMap);

        var rng = new Random(options.Seed);
        var xi = new List<double>(options.BootstrapResamples);
        var ratios = new List<double>(options.BootstrapResamples);
        var draw = new int[blocks];
        ExponentialVariogram? fx = null, fy = null;
        if (sums.AlongX is { } ax && sums.AlongY is { } ay)
        {
            fx = FitBlocks(ax, ax.AllBlocks(), fitBins, minXi, maxXi);
            fy = FitBlocks(ay, ay.AllBlocks(), fitBins, minXi, maxXi);
        }
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

        double neighbour = 2.5 * spacing;
        double p = PermutationPValue(xNm, yNm, d, neighbour, options.Permutations, options.Seed);

        var (raw, nugget) = sums.Radial.Totals();
        var lag = new double[bins];
        var corrected = new double[bins];
        var pairs = new double[bins];
        sums.Radial.Collect(sums.Radial.AllBlocks(), lag, corrected, pairs);
        var variogram = new List<VariogramBin>(bins);
        for (int k = 0; k < bins && lag[k] <= Math.Max(maxLag, halfDiameter); k++)
            if (pairs[k] > 0) variogram.Add(new VariogramBin(lag[k], raw[k], nugget[k], (int)pairs[k]));

        var finalModel = FitBlocks(sums.Radial, sums.Radial.AllBlocks(), fitBins, minXi, maxXi)!;
        return new SpatialCorrelationResult
        {
            Count = n,
            IsMap = isMap,
            SpacingNm = spacing,
            MaxLagNm = maxLag,
            Variogram = variogram,
            Model = finalModel,
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
            MeanErrorMeV = MeanError(xNm, yNm, v, finalModel),
            Anisotropy = anisotropy,
        };
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
