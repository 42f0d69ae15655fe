using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Spatial;

namespace NbnEdge.Analysis;

/// <summary>
/// The homogeneity statistics of a set of fits, which spectra were left out of them and why, and
/// the spatial statistics when the spectra have positions: what <c>stats</c>, <c>map</c>, the live
/// session's summary and the dashboard show.
/// </summary>
/// <param name="Statistics">the statistics over the usable fits</param>
/// <param name="Excluded">the spectra without a usable Δ, with their fit's flag</param>
/// <param name="Fitted">how many fits were offered</param>
public sealed record HomogeneitySummary(HomogeneityResult Statistics, IReadOnlyList<(string Name, string Flag)> Excluded, int Fitted)
{
    /// <summary>ξ_Δ and the test of no spatial correlation over the inliers; null without positions.</summary>
    public SpatialCorrelationResult? Spatial { get; init; }

    /// <summary>Why there are no spatial statistics (no positions, too few spectra).</summary>
    public string? SpatialNote { get; init; }

    /// <summary>
    /// Standard error of the mean Δ in meV: from the spatial covariance when known (neighbours
    /// that share their Δ do not average out), else SD/√n of the inliers.
    /// </summary>
    public double MeanErrorMeV => Spatial?.MeanErrorMeV
        ?? Statistics.StandardDeviationMeV / Math.Sqrt(Math.Max(1, Statistics.InlierCount));

    /// <summary>
    /// The summary of <paramref name="results"/>; null when fewer than
    /// <see cref="HomogeneityStatistics.MinimumCount"/> gave a usable fit. Spectra whose Δ is not
    /// determined (see <see cref="GapFitResult.IsUsable"/>) carry no Δ worth averaging: they are
    /// listed, not used.
    /// </summary>
    /// <param name="results">The fits.</param>
    /// <param name="options">Statistics settings.</param>
    /// <param name="positions">Where each result's spectrum was taken (same order); null: no spatial statistics.</param>
    public static HomogeneitySummary? Of(IReadOnlyList<GapFitResult> results, HomogeneityOptions? options = null, SpectrumPositions? positions = null)
    {
        var names = new List<string>();
        var delta = new List<double>();
        var err = new List<double>();
        var index = new List<int>();
        var excluded = new List<(string, string)>();
        string[] labels = ResultLabels.For(results);
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            if (!r.IsUsable) { excluded.Add((labels[i], r.Flag)); continue; }
            names.Add(labels[i]); delta.Add(r.DeltaMeV); err.Add(r.DeltaErrMeV); index.Add(i);
        }
        if (delta.Count < HomogeneityStatistics.MinimumCount) return null;
        var stats = HomogeneityStatistics.Compute(names, delta.ToArray(), err.ToArray(), options);
        var (spatial, note) = SpatialOf(stats, delta, err, index, positions);
        return new HomogeneitySummary(stats, excluded, results.Count) { Spatial = spatial, SpatialNote = note };
    }

    /// <summary>Why there are no statistics: how many of the fits were usable, and how many are needed.</summary>
    public static string TooFewMessage(IReadOnlyList<GapFitResult> results) =>
        $"only {results.Count(r => r.IsUsable)} of {results.Count} spectra gave a usable fit; statistics need at least {HomogeneityStatistics.MinimumCount}.";

    /// <summary>The spatial statistics over the inliers (outliers enter nothing else either).</summary>
    private static (SpatialCorrelationResult?, string?) SpatialOf(HomogeneityResult stats, List<double> delta, List<double> err, List<int> index,
        SpectrumPositions? positions)
    {
        if (positions is null) return (null, null);
        var outliers = new HashSet<int>(stats.OutlierIndices);
        var keep = Enumerable.Range(0, delta.Count).Where(k => !outliers.Contains(k)).ToArray();
        double[] x = keep.Select(k => positions.XNm[index[k]]).ToArray(), y = keep.Select(k => positions.YNm[index[k]]).ToArray();
        if (SpatialCorrelation.Problem(x, y) is { } problem) return (null, problem + ".");
        try
        {
            return (SpatialCorrelation.Analyse(x, y, keep.Select(k => delta[k]).ToArray(), keep.Select(k => err[k]).ToArray()), null);
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
    }
}
