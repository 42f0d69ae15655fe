using System.Globalization;
using System.Text.Json;
using NbnEdge.Analysis;
using NbnEdge.Cli.Commands;
using NbnEdge.Link;
using NbnEdge.Live;
using Spectre.Console;

namespace NbnEdge.Cli.Live;

/// <summary>
/// What <c>demo</c>, <c>ingest</c>, <c>replay</c> and <c>monitor</c> print at the end: the link's
/// counters, the homogeneity statistics of the full fits, and how the device's estimates fared.
/// The same bytes give the same summary whichever command read them.
/// </summary>
internal sealed record LiveSummary
{
    public required string Source { get; init; }
    public required LinkCounters Counters { get; init; }
    public required LiveSnapshot Final { get; init; }
    public required IReadOnlyList<LiveResult> Results { get; init; }

    /// <summary>Statistics over the usable fits of complete spectra; null when fewer than three.</summary>
    public StatsCommand.Summary? Statistics { get; init; }

    /// <summary>Spectra received, complete or not (the link's count).</summary>
    public long SpectraReceived => Counters.SpectraComplete + Counters.SpectraIncomplete;

    /// <summary>Builds the summary once the pipeline has completed.</summary>
    /// <param name="source">the stream's name</param>
    /// <param name="pipeline">the completed pipeline</param>
    /// <param name="counters">the link's final counters</param>
    /// <param name="requireStatistics">throw <see cref="InputDataException"/> when fewer than three usable fits (ingest, replay)</param>
    public static LiveSummary From(string source, LivePipeline pipeline, LinkCounters counters, bool requireStatistics)
    {
        var results = pipeline.Results;
        var fits = results.Where(r => !r.Incomplete && r.Fit is not null).Select(r => r.Fit!).ToList();
        StatsCommand.Summary? stats = null;
        int usable = results.Count(r => r.UsableFit);
        if (usable >= HomogeneityStatistics.MinimumCount || requireStatistics)
        {
            if (fits.Count == 0 && results.Count > 0 && results.All(r => r.Fit is null && r.NotFittedReason?.StartsWith(LivePipeline.NoHelloReason, StringComparison.Ordinal) == true))
                throw new InputDataException(source, $"no HELLO with bias_uV_per_lsb and signal_uV_per_lsb in the stream: its {results.Count} spectra cannot be converted to mV and µV ({counters.FramesOk} good frames).");
            if (fits.Count == 0)
                throw new InputDataException(source, $"no complete spectrum could be fitted ({results.Count} spectra decoded, {counters.FramesOk} good frames).");
            stats = StatsCommand.Summarise(fits);
        }

        return new LiveSummary { Source = source, Counters = counters, Final = pipeline.Snapshot, Results = results, Statistics = stats };
    }

    /// <summary>Writes the summary's fields into an open JSON object.</summary>
    public void WriteFields(Utf8JsonWriter w)
    {
        var c = Counters;
        var f = Final;
        w.WriteString("source", Source);
        w.WriteNumber("bytes", c.Bytes);
        w.WriteNumber("frames_ok", c.FramesOk);
        w.WriteNumber("frames_bad", c.FramesDropped);
        w.WriteNumber("frames_lost", c.FramesLost);
        w.WriteNumber("frames_unknown_type", c.UnknownType);
        w.WriteNumber("frames_duplicated", c.Duplicates);
        w.WriteNumber("frames_reordered", c.Reordered);
        w.WriteNumber("reboots", c.Reboots);
        w.WriteNumber("spectra_received", SpectraReceived);
        w.WriteNumber("spectra_complete", c.SpectraComplete);
        w.WriteNumber("spectra_incomplete", c.SpectraIncomplete);
        w.WriteNumber("spectra_fitted", Results.Count(r => r.Fit is not null));
        w.WriteNumber("estimates", c.Estimates);
        w.WriteNumber("estimates_unmatched", c.EstimatesUnmatched);
        w.WriteNumber("estimates_missing", f.EstimatesMissing);
        if (Statistics is { } s)
        {
            var h = s.Statistics;
            w.WriteNumber("n", h.Count);
            w.Number("mean_delta_meV", h.MeanMeV);
            w.Number("sd_meV", h.StandardDeviationMeV);
            w.Number("median_delta_meV", h.MedianMeV);
            StatsCommand.WriteSpread(w, s);
        }
        else
        {
            w.WriteNumber("n", 0);
            foreach (var name in new[] { "mean_delta_meV", "gauss_sigma_meV", "intrinsic_sigma_meV" }) w.WriteNull(name);
        }

        w.WriteNumber("estimates_compared", f.EstimatesCompared);
        w.Number("estimate_vs_fit_rms_meV", f.EstimateVsFitRmsMeV);
        w.Number("estimate_vs_fit_mean_meV", f.EstimateVsFitMeanMeV);
        w.WriteNumber("recompute_checked", f.RecomputeChecked);
        w.WriteNumber("recompute_mismatches", f.RecomputeMismatches);
    }

    /// <summary>The summary as Spectre tables (plain text when not on a terminal).</summary>
    public void Print(TextWriter output, string title)
    {
        var console = ConsoleFactory.For(output);
        var ci = CultureInfo.InvariantCulture;
        var c = Counters;
        var f = Final;
        string Uev(double v) => double.IsFinite(v) ? (v * 1000).ToString("F1", ci) + " µeV" : "–";
        var link = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        link.AddColumn("link");
        link.AddColumn(new TableColumn("value").RightAligned());
        link.AddRow("source", Markup.Escape(Source));
        link.AddRow("bytes / frames ok", $"{c.Bytes} / {c.FramesOk}");
        link.AddRow("frames bad / lost", Flag(c.FramesDropped) + " / " + Flag(c.FramesLost));
        link.AddRow("frames duplicated / reordered", Flag(c.Duplicates) + " / " + Flag(c.Reordered));
        link.AddRow("spectra received (incomplete)", $"{SpectraReceived} ({Flag(c.SpectraIncomplete)})");
        link.AddRow("device estimates (missing)", $"{c.Estimates} ({Flag(f.EstimatesMissing)})");
        link.AddRow("device estimate − fit, rms (mean)", $"{Uev(f.EstimateVsFitRmsMeV)} ({Uev(f.EstimateVsFitMeanMeV)}) over {f.EstimatesCompared}");
        link.AddRow("firmware re-run on host: mismatches", $"{Flag(f.RecomputeMismatches)} of {f.RecomputeChecked} (must be 0: bit for bit)");
        console.Write(link);
        if (Statistics is { } s) StatsCommand.Print(output, s);
        else console.WriteLine($"Fewer than {HomogeneityStatistics.MinimumCount} usable fits: no homogeneity statistics.");
    }

    private static string Flag(long n) => n == 0 ? "0" : $"[bold red]{n}[/]";

    /// <summary>One result as a journal line: ids, latency, the fit (the <c>fit --json</c> object) and both estimates.</summary>
    public static void WriteResult(Utf8JsonWriter w, LiveResult r) => NbnEdge.Session.ResultJson.WriteResult(w, r);

    /// <summary>An ESTIMATE in physical units (meV, K, mV), or null.</summary>
    public static void WriteEstimate(Utf8JsonWriter w, string name, EstimateInfo? e) => NbnEdge.Session.ResultJson.WriteEstimate(w, name, e);
}
