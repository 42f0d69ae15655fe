namespace NbnEdge.Analysis.Fitting;

/// <summary>What each fit is called in tables, outlier lists and exclusion lists.</summary>
public static class ResultLabels
{
    /// <summary>
    /// With results from several files, the file's name (every Nanonis .dat file's spectrum is
    /// otherwise "LIX 1 omega [avg]" or "X% LockIn [avg]"), followed by the spectrum's own name only
    /// when that file gave more than one (sweeps, CSV columns, grid pixels); from one file, the
    /// spectrum's name.
    /// </summary>
    public static string[] For(IReadOnlyList<GapFitResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var perSource = results.GroupBy(r => r.Source).ToDictionary(g => g.Key, g => g.Count());
        if (perSource.Count < 2) return results.Select(r => r.Spectrum).ToArray();
        return results.Select(r =>
        {
            string file = Path.GetFileName(r.Source);
            return perSource[r.Source] == 1 ? file : $"{file} {r.Spectrum}";
        }).ToArray();
    }
}
