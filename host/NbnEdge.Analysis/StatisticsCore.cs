namespace NbnEdge.Analysis;

/// <summary>
/// Plain descriptive statistics on arrays, written out so the hot paths (bootstrap, histogram)
/// allocate nothing per call beyond what they must sort.
/// </summary>
internal static class StatisticsCore
{
    /// <summary>Arithmetic mean.</summary>
    public static double Mean(ReadOnlySpan<double> x)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += x[i];
        return sum / x.Length;
    }

    /// <summary>
    /// Sample standard deviation (n − 1). Two-pass: the gap values sit near 2 meV with a spread
    /// of tens of µeV, where a one-pass sum of squares would throw away digits for nothing.
    /// </summary>
    public static double SampleStandardDeviation(ReadOnlySpan<double> x)
    {
        if (x.Length < 2) return 0;
        double mean = Mean(x);
        double ss = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = x[i] - mean;
            ss += d * d;
        }
        return Math.Sqrt(ss / (x.Length - 1));
    }

    /// <summary>
    /// Quantile of sorted data by linear interpolation between order statistics (Hyndman–Fan
    /// type 7, the default of R and NumPy), so quartiles and bootstrap percentiles match what a
    /// user recomputes elsewhere.
    /// </summary>
    public static double QuantileSorted(ReadOnlySpan<double> sorted, double p)
    {
        int n = sorted.Length;
        if (n == 1) return sorted[0];
        double h = (n - 1) * p;
        int lo = (int)Math.Floor(h);
        if (lo >= n - 1) return sorted[n - 1];
        if (lo < 0) return sorted[0];
        return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
    }

    /// <summary>Median (mean of the two middle values for even n); does not modify <paramref name="x"/>.</summary>
    public static double Median(ReadOnlySpan<double> x)
    {
        var copy = x.ToArray();
        Array.Sort(copy);
        return MedianSorted(copy);
    }

    /// <summary>Median of already sorted data.</summary>
    public static double MedianSorted(ReadOnlySpan<double> sorted)
    {
        int n = sorted.Length;
        return (n & 1) == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    /// <summary>Raw median absolute deviation from <paramref name="median"/> (no 1.4826 factor).</summary>
    public static double MedianAbsoluteDeviation(ReadOnlySpan<double> x, double median)
    {
        var dev = new double[x.Length];
        for (int i = 0; i < x.Length; i++) dev[i] = Math.Abs(x[i] - median);
        Array.Sort(dev);
        return MedianSorted(dev);
    }
}
