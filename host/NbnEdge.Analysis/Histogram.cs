namespace NbnEdge.Analysis;

/// <summary>How <see cref="Histogram.Build"/> chooses the bin width.</summary>
public enum HistogramBinRule
{
    /// <summary>
    /// Freedman–Diaconis: width = 2·IQR·n^(−1/3). Robust to a few stray values, which matter in
    /// a gap map (a dirty spot, a tip change). Falls back to Sturges when the IQR is zero.
    /// </summary>
    FreedmanDiaconis,

    /// <summary>Sturges: ⌈log₂ n⌉ + 1 bins over the range. Coarse for large n; kept for comparison.</summary>
    Sturges,

    /// <summary>Scott: width = 3.49·s·n^(−1/3), optimal for normal data, sensitive to outliers.</summary>
    Scott,
}

/// <summary>
/// A histogram of gap values: <see cref="Count"/> equal bins spanning exactly the smallest to the
/// largest value, with the edges and counts the dashboard draws.
/// </summary>
/// <remarks>
/// Bins are half-open [left, right) except the last, which also holds the largest value. The
/// bin count from the rule is clamped to [<see cref="Build"/>'s minBins, maxBins] and the width is
/// then stretched so the bins tile the data range exactly (no empty bins added at the ends).
/// When all values are equal the histogram has one bin of width
/// <see cref="DegenerateBinWidthMeV"/> centred on the value.
/// </remarks>
public sealed class Histogram
{
    /// <summary>
    /// Width of the single bin used when all values are equal: 1 µeV, below any gap resolution
    /// an STM reaches, so it cannot be mistaken for a measured spread.
    /// </summary>
    public const double DegenerateBinWidthMeV = 1e-3;

    /// <summary>Default fewest bins: a 3-parameter Gaussian needs a few degrees of freedom left.</summary>
    public const int DefaultMinBins = 6;

    /// <summary>Default most bins: beyond this the counts per bin get too small to fit for any realistic map.</summary>
    public const int DefaultMaxBins = 60;

    private readonly double[] _edgesMeV;
    private readonly int[] _counts;

    private Histogram(double[] edgesMeV, int[] counts, HistogramBinRule rule)
    {
        _edgesMeV = edgesMeV;
        _counts = counts;
        Rule = rule;
    }

    /// <summary>The <see cref="Count"/> + 1 bin edges in meV, ascending.</summary>
    public IReadOnlyList<double> EdgesMeV => _edgesMeV;

    /// <summary>The number of values in each bin.</summary>
    public IReadOnlyList<int> Counts => _counts;

    /// <summary>Number of bins.</summary>
    public int Count => _counts.Length;

    /// <summary>Width of every bin, in meV.</summary>
    public double BinWidthMeV => _edgesMeV[1] - _edgesMeV[0];

    /// <summary>The rule that set the width (the rule asked for, even when a fallback was needed).</summary>
    public HistogramBinRule Rule { get; }

    /// <summary>Centre of bin <paramref name="bin"/>, in meV.</summary>
    public double CentreMeV(int bin) => 0.5 * (_edgesMeV[bin] + _edgesMeV[bin + 1]);

    /// <summary>Bins <paramref name="valuesMeV"/> by <paramref name="rule"/>.</summary>
    /// <param name="valuesMeV">Finite values; at least one.</param>
    /// <param name="rule">Bin-width rule.</param>
    /// <param name="minBins">Fewest bins (≥ 1).</param>
    /// <param name="maxBins">Most bins (≥ <paramref name="minBins"/>).</param>
    /// <exception cref="ArgumentException">No values, a non-finite value, or bad bin limits.</exception>
    public static Histogram Build(ReadOnlySpan<double> valuesMeV, HistogramBinRule rule = HistogramBinRule.FreedmanDiaconis,
        int minBins = DefaultMinBins, int maxBins = DefaultMaxBins)
    {
        if (valuesMeV.Length == 0)
            throw new ArgumentException("A histogram needs at least one value.", nameof(valuesMeV));
        if (minBins < 1 || maxBins < minBins)
            throw new ArgumentException($"Bin limits must satisfy 1 ≤ minBins ≤ maxBins (got {minBins}, {maxBins}).", nameof(minBins));

        var sorted = valuesMeV.ToArray();
        foreach (double v in sorted)
            if (!double.IsFinite(v))
                throw new ArgumentException("Histogram values must be finite.", nameof(valuesMeV));
        Array.Sort(sorted);

        double lo = sorted[0], hi = sorted[^1];
        int n = sorted.Length;
        if (hi - lo <= 0)
        {
            var single = new[] { lo - 0.5 * DegenerateBinWidthMeV, lo + 0.5 * DegenerateBinWidthMeV };
            return new Histogram(single, new[] { n }, rule);
        }

        int bins = Math.Clamp(RuleBinCount(sorted, rule), minBins, maxBins);
        double width = (hi - lo) / bins;
        var edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++)
            edges[i] = lo + i * width;
        edges[bins] = hi; // exact, so the largest value cannot fall past the last edge by rounding

        var counts = new int[bins];
        foreach (double v in sorted)
        {
            int k = (int)((v - lo) / width);
            if (k >= bins) k = bins - 1;
            // (v − lo)/width can round across an edge; the edges array is the truth the dashboard draws.
            while (k > 0 && v < edges[k]) k--;
            while (k < bins - 1 && v >= edges[k + 1]) k++;
            counts[k]++;
        }
        return new Histogram(edges, counts, rule);
    }

    /// <summary>Bin count the rule asks for on sorted, non-constant data, before clamping.</summary>
    private static int RuleBinCount(double[] sorted, HistogramBinRule rule)
    {
        int n = sorted.Length;
        double range = sorted[^1] - sorted[0];
        double cubeRoot = Math.Cbrt(n);
        int sturges = (int)Math.Ceiling(Math.Log2(n)) + 1;
        double width;
        switch (rule)
        {
            case HistogramBinRule.Sturges:
                return sturges;
            case HistogramBinRule.Scott:
                width = 3.49 * StatisticsCore.SampleStandardDeviation(sorted) / cubeRoot;
                break;
            default:
                double iqr = StatisticsCore.QuantileSorted(sorted, 0.75) - StatisticsCore.QuantileSorted(sorted, 0.25);
                if (iqr <= 0) return sturges; // over half the values tie: FD has no width to offer
                width = 2 * iqr / cubeRoot;
                break;
        }
        double count = Math.Ceiling(range / width);
        return count > int.MaxValue / 2 ? int.MaxValue / 2 : Math.Max(1, (int)count);
    }
}
