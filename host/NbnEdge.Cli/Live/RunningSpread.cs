using System.Globalization;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Session;

namespace NbnEdge.Cli.Live;

/// <summary>
/// The spread of Δ over the fits so far, as the live views show it: nothing below
/// <see cref="MinimumFits"/> usable fits, then the final summary's own computation
/// (<see cref="SessionSummary.Spread"/>) with σ_int's bootstrap CI, recomputed only when the number
/// of usable fits changed (its bootstrap is not free). One per view.
/// </summary>
internal sealed class RunningSpread
{
    /// <summary>
    /// Fewest usable fits before a view shows σ and σ_int: at n = 10 the relative standard
    /// error of a sample σ is 1/√18 ≈ 24 %, below that a single outlier dominates.
    /// </summary>
    public const int MinimumFits = 10;

    private int _fits = -1;
    private HomogeneitySummary? _spread;

    /// <summary>The spread over <paramref name="fits"/>, or null below <see cref="MinimumFits"/> usable ones.</summary>
    public HomogeneitySummary? Of(IReadOnlyList<GapFitResult> fits)
    {
        int usable = fits.Count(f => f.IsUsable);
        if (usable < MinimumFits) return null;
        if (usable != _fits)
        {
            _spread = SessionSummary.Spread(fits);
            _fits = usable;
        }
        return _spread;
    }

    /// <summary>One line's worth: "σ_int 39.0 µeV (95 % CI 35.1–43.0, 12 fits)", or why there is none yet.</summary>
    public string Describe(IReadOnlyList<GapFitResult> fits)
    {
        int usable = fits.Count(f => f.IsUsable);
        if (usable < MinimumFits) return $"σ not yet meaningful ({usable} fits, needs {MinimumFits})";
        if (Of(fits)?.Statistics is not { } h) return "σ –";
        return string.Create(CultureInfo.InvariantCulture,
            $"σ {UeV(h.StandardDeviationMeV)} µeV, σ_int {UeV(h.IntrinsicSigmaMeV)} µeV ({h.ConfidenceLevel * 100:F0} % CI {UeV(h.IntrinsicSigmaLowerMeV)}–{UeV(h.IntrinsicSigmaUpperMeV)}, {h.InlierCount} fits)");
    }

    /// <summary>µeV with one decimal, "–" when not finite.</summary>
    public static string UeV(double meV) => double.IsFinite(meV) ? (meV * 1000).ToString("F1", CultureInfo.InvariantCulture) : "–";
}
