using System.Globalization;
using System.Text.Json;
using NbnEdge.Analysis;
using NbnEdge.Cli.Commands;
using NbnEdge.Session;
using Spectre.Console;

namespace NbnEdge.Cli.Live;

/// <summary>
/// How the commands print a <see cref="SessionSummary"/>: its fields in a <c>--json</c> object, or
/// Spectre tables (plain text when not on a terminal).
/// </summary>
internal static class SessionSummaryOutput
{
    /// <summary>Writes the summary's fields into an open JSON object.</summary>
    public static void WriteFields(this SessionSummary summary, Utf8JsonWriter w)
    {
        var f = summary.Final;
        w.WriteString("source", summary.Source);
        ResultJson.WriteLinkCounters(w, summary.Counters, summary.SpectraFitted);
        w.WriteNumber("estimates_missing", f.EstimatesMissing);
        if (summary.Statistics is { } s)
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
    public static void Print(this SessionSummary summary, TextWriter output, string title)
    {
        var console = ConsoleFactory.For(output);
        var ci = CultureInfo.InvariantCulture;
        var c = summary.Counters;
        var f = summary.Final;
        string Uev(double v) => double.IsFinite(v) ? (v * 1000).ToString("F1", ci) + " µeV" : "–";
        var link = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        link.AddColumn("link");
        link.AddColumn(new TableColumn("value").RightAligned());
        link.AddRow("source", Markup.Escape(summary.Source));
        link.AddRow("bytes / frames ok", $"{c.Bytes} / {c.FramesOk}");
        link.AddRow("frames bad / lost", Flag(c.FramesDropped) + " / " + Flag(c.FramesLost));
        link.AddRow("frames duplicated / reordered", Flag(c.Duplicates) + " / " + Flag(c.Reordered));
        link.AddRow("spectra received (incomplete)", $"{summary.SpectraReceived} ({Flag(c.SpectraIncomplete)})");
        link.AddRow("device estimates (missing)", $"{c.Estimates} ({Flag(f.EstimatesMissing)})");
        link.AddRow("device estimate − fit, rms (mean)", $"{Uev(f.EstimateVsFitRmsMeV)} ({Uev(f.EstimateVsFitMeanMeV)}) over {f.EstimatesCompared}");
        link.AddRow("firmware re-run on host: mismatches", $"{Flag(f.RecomputeMismatches)} of {f.RecomputeChecked} (must be 0: bit for bit)");
        console.Write(link);
        if (summary.Statistics is { } s) StatsCommand.Print(output, s);
        else console.WriteLine($"Fewer than {HomogeneityStatistics.MinimumCount} usable fits: no homogeneity statistics.");
    }

    private static string Flag(long n) => n == 0 ? "0" : $"[bold red]{n}[/]";
}
