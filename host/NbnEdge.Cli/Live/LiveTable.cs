using System.Globalization;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Cli.Commands;
using NbnEdge.Link;
using NbnEdge.Live;
using NbnEdge.Session;
using Spectre.Console;

namespace NbnEdge.Cli.Live;

/// <summary>What the monitor's live view shows at one moment.</summary>
/// <param name="Name">The stream's name (title).</param>
/// <param name="LinkState">The link's state line (connected, waiting to retry, …).</param>
/// <param name="Counters">The link's counters.</param>
/// <param name="Snapshot">The pipeline's snapshot.</param>
/// <param name="Fits">Fits of the complete spectra so far, in arrival order (what the final summary averages).</param>
/// <param name="HeldSpectra">Spectra held until the board's HELLO gives the scaling.</param>
/// <param name="Expected">Spectra expected along the line (--spectra), or null.</param>
/// <param name="JournalFolder">The session journal's folder, or null.</param>
internal sealed record LiveView(string Name, string LinkState, LinkCounters Counters, LiveSnapshot Snapshot,
    IReadOnlyList<GapFitResult> Fits, int HeldSpectra = 0, int? Expected = null, string? JournalFolder = null);

/// <summary>
/// The monitor's live table, built from a <see cref="LiveView"/> so a test can render it without a
/// terminal. Its spread row is the final summary's own computation (<see cref="SessionSummary.Spread"/>)
/// over the fits so far: the σ_int and CI on screen are the ones the summary will print for the same spectra.
/// </summary>
internal sealed class LiveTable
{
    private readonly RunningSpread _spread = new();

    /// <summary>The table for <paramref name="v"/>. The spread is recomputed only when the number of usable fits changed (its bootstrap is not free).</summary>
    public Table Build(LiveView v)
    {
        LiveSnapshot s = v.Snapshot;
        var c = v.Counters;
        var t = new Table().Border(TableBorder.Rounded).Title($"nbnedge monitor: {Markup.Escape(v.Name)}");
        t.AddColumn("");
        t.AddColumn(new TableColumn("").RightAligned());
        t.AddRow("link", Markup.Escape(v.LinkState));
        t.AddRow("bytes / frames ok", $"{c.Bytes} / {c.FramesOk}");
        t.AddRow("frames bad / lost / unknown", $"{Red(c.FramesDropped)} / {Red(c.FramesLost)} / {c.UnknownType}");
        t.AddRow("reboots / disconnects", $"{c.Reboots} / {c.Disconnects}");
        t.AddRow("frames duplicated / reordered", $"{c.Duplicates} / {c.Reordered}");
        t.AddRow("spectra received (incomplete)", $"{c.SpectraComplete + c.SpectraIncomplete} ({Red(c.SpectraIncomplete)})");
        t.AddRow("last spectrum", s.LastSpectrumId is { } id ? $"#{id}" : "–");
        t.AddRow("last Δ: host fit / device", $"{MeV(s.LastFitDeltaMeV)} / {MeV(s.LastDeviceDeltaMeV)}");
        t.AddRow("running mean Δ", MeV(s.MeanMeV));
        var (label, value) = SpreadRow(v.Fits);
        t.AddRow(label, Markup.Escape(value));
        long notFitted = s.SpectraProcessed - s.UsableFits;
        t.AddRow("not fitted", v.HeldSpectra > 0 ? $"{notFitted}; {v.HeldSpectra} held until the board's HELLO gives the scaling (PING sent)" : $"{notFitted}");
        t.AddRow("device − fit, rms", UeV(s.EstimateVsFitRmsMeV));
        t.AddRow("firmware re-run mismatches", $"{Red(s.RecomputeMismatches)} of {s.RecomputeChecked}");
        t.AddRow("latency last / max", $"{Ms(s.LastLatencyMs)} / {Ms(s.MaxLatencyMs)}");
        if (v.Expected is { } n)
        {
            int width = 30, done = (int)Math.Min(width, s.SpectraProcessed * width / n);
            t.AddRow("progress along the line", $"[green]{new string('█', done)}[/]{new string('░', width - done)} {s.SpectraProcessed}/{n}");
        }

        if (v.JournalFolder is not null) t.AddRow("journal", Markup.Escape(v.JournalFolder));
        t.Caption("Ctrl+C ends the session with the summary");
        return t;
    }

    /// <summary>
    /// The spread row: below <see cref="RunningSpread.MinimumFits"/> usable fits a spread from a handful of
    /// fits is noise (its relative error is about 1/√(2(n−1))), so it says so instead of a number;
    /// from then on σ, the rms fit error and σ_int with its bootstrap CI, over the inliers, as the
    /// final summary computes them.
    /// </summary>
    internal (string Label, string Value) SpreadRow(IReadOnlyList<GapFitResult> fits)
    {
        int usable = fits.Count(f => f.IsUsable);
        if (usable < RunningSpread.MinimumFits)
            return ("σ / rms fit error / σ_int", $"not yet meaningful ({usable} fits, needs {RunningSpread.MinimumFits})");
        if (_spread.Of(fits)?.Statistics is not { } h) return ("σ / rms fit error / σ_int", "–");
        string ci = string.Create(CultureInfo.InvariantCulture, $"{h.ConfidenceLevel * 100:F0} % CI {RunningSpread.UeV(h.IntrinsicSigmaLowerMeV)}–{RunningSpread.UeV(h.IntrinsicSigmaUpperMeV)}");
        string outliers = h.Outliers.Count > 0 ? $", {h.Outliers.Count} outlier{(h.Outliers.Count == 1 ? "" : "s")} left out" : "";
        return ($"σ / rms fit error / σ_int ({h.InlierCount} fits{outliers})",
            $"{UeV(h.StandardDeviationMeV)} / {UeV(h.RmsFitErrorMeV)} / {UeV(h.IntrinsicSigmaMeV)} ({ci})");
    }

    private static string MeV(double v) => double.IsFinite(v) ? v.ToString("F4", CultureInfo.InvariantCulture) + " meV" : "–";
    private static string UeV(double meV) => double.IsFinite(meV) ? RunningSpread.UeV(meV) + " µeV" : "–";
    private static string Ms(double v) => double.IsFinite(v) ? v.ToString("F2", CultureInfo.InvariantCulture) + " ms" : "–";
    private static string Red(long n) => n == 0 ? "0" : $"[bold red]{n}[/]";
}
