namespace NbnEdge.Live;

/// <summary>
/// Mean, spread and intrinsic spread of Δ updated one fit at a time (Welford's recurrence: stable
/// for thousands of nearly equal gaps, O(1) memory). Not thread-safe: one writer, and readers take
/// the immutable <see cref="LiveSnapshot"/> the pipeline publishes.
/// </summary>
public sealed class RunningGapStatistics
{
    private long _count;
    private double _mean;
    private double _m2;
    private double _sumErrorSquared;

    /// <summary>Gaps added.</summary>
    public long Count => _count;

    /// <summary>Mean Δ in meV (NaN before the first).</summary>
    public double MeanMeV => _count > 0 ? _mean : double.NaN;

    /// <summary>Sample standard deviation of Δ in meV (NaN below two values).</summary>
    public double StandardDeviationMeV => _count > 1 ? Math.Sqrt(_m2 / (_count - 1)) : double.NaN;

    /// <summary>Root mean square of the fits' standard errors in meV: the spread the fit errors alone would give.</summary>
    public double RmsFitErrorMeV => _count > 0 ? Math.Sqrt(_sumErrorSquared / _count) : double.NaN;

    /// <summary>
    /// σ_int = √(max(0, σ_obs² − ⟨σ_fit²⟩)) in meV (docs/DESIGN.md 6), over every value (the final
    /// summary recomputes it over inliers with a bootstrap interval).
    /// </summary>
    public double IntrinsicSigmaMeV
    {
        get
        {
            double sd = StandardDeviationMeV;
            return double.IsNaN(sd) ? double.NaN : Math.Sqrt(Math.Max(0, sd * sd - _sumErrorSquared / _count));
        }
    }

    /// <summary>Adds one fitted gap and its standard error, both in meV.</summary>
    public void Add(double deltaMeV, double deltaErrorMeV)
    {
        _count++;
        double d = deltaMeV - _mean;
        _mean += d / _count;
        _m2 += d * (deltaMeV - _mean);
        _sumErrorSquared += deltaErrorMeV * deltaErrorMeV;
    }
}
