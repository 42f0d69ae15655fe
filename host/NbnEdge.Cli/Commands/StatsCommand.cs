using System.CommandLine;
using System.Globalization;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using Spectre.Console;

namespace NbnEdge.Cli.Commands;

/// <summary><c>nbnedge stats FILE...</c>: fits, then the homogeneity statistics over all spectra.</summary>
internal static class StatsCommand
{
    public static Command Create(TextWriter output)
    {
        var input = new FitInput();
        var command = new Command("stats", "Fit every spectrum, then the homogeneity of Δ: mean, SD, median, MAD, the histogram's Gaussian (Eq. 4), outliers and the intrinsic spread σ_int with its bootstrap CI.");
        input.AddTo(command);
        command.SetAction(p =>
        {
            var times = new PhaseTimes();
            var (spectra, results) = input.ReadAndFit(p, times);
            var summary = Summarise(results)
                ?? throw new InputDataException(results.Length > 0 ? results[0].Source : "(input)", TooFewMessage(results));
            times.Mark("statistics");
            if (p.GetValue(input.Json)) JsonOutput.Line(output, w => WriteJson(w, summary));
            else Print(output, summary);
            times.Mark("write");
            times.Report(p.InvocationConfiguration.Error);
            if (p.GetValue(input.Plot) is { } plotDir)
            {
                var files = PlotOutput.ForFits(plotDir, spectra, results, input.PlotExtras.Read(p));
                files.AddRange(PlotOutput.ForStatistics(plotDir, summary.Statistics, input.PlotExtras.Read(p)));
                p.InvocationConfiguration.Error.WriteLine($"figures: {string.Join(", ", files)}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The statistics plus which spectra were left out of them and why.</summary>
    internal sealed record Summary(HomogeneityResult Statistics, IReadOnlyList<(string Name, string Flag)> Excluded, int Fitted);

    /// <summary>
    /// Spectra whose Δ is not determined (no gap, not converged, Δ at its bound or beyond the fit:
    /// see <see cref="GapFitResult.IsUsable"/>) carry no Δ worth averaging; they are listed, not used.
    /// </summary>
    internal static string TooFewMessage(IReadOnlyList<GapFitResult> results) =>
        $"only {results.Count(r => r.IsUsable)} of {results.Count} spectra gave a usable fit; statistics need at least {HomogeneityStatistics.MinimumCount}.";

    /// <summary>Null when fewer than three spectra gave a usable fit.</summary>
    internal static Summary? Summarise(IReadOnlyList<GapFitResult> results, HomogeneityOptions? options = null)
    {
        var names = new List<string>();
        var delta = new List<double>();
        var err = new List<double>();
        var excluded = new List<(string, string)>();
        foreach (var r in results)
        {
            if (!r.IsUsable) { excluded.Add((Label(r), r.Flag)); continue; }
            names.Add(Label(r)); delta.Add(r.DeltaMeV); err.Add(r.DeltaErrMeV);
        }
        if (delta.Count < HomogeneityStatistics.MinimumCount) return null;
        var stats = HomogeneityStatistics.Compute(names, delta.ToArray(), err.ToArray(), options);
        return new Summary(stats, excluded, results.Count);
    }

    private static string Label(GapFitResult r) => r.Spectrum;

    internal static void WriteJson(System.Text.Json.Utf8JsonWriter w, Summary s)
    {
        var h = s.Statistics;
        w.WriteStartObject();
        w.WriteNumber("n", h.Count);
        w.WriteNumber("spectra_fitted", s.Fitted);
        w.Number("mean_meV", h.MeanMeV);
        w.Number("sd_meV", h.StandardDeviationMeV);
        w.Number("median_meV", h.MedianMeV);
        w.Number("mad_meV", h.MadMeV);
        w.Number("robust_sigma_meV", h.RobustSigmaMeV);
        WriteSpread(w, s);
        w.Number("gauss_mean_err_meV", h.Gaussian.CentreErrorMeV);
        w.WriteBoolean("gauss_converged", h.Gaussian.Converged);
        w.Number("confidence_level", h.ConfidenceLevel);
        w.WriteNumber("inliers", h.InlierCount);
        w.WriteStartObject("histogram");
        w.WriteStartArray("edges_meV");
        foreach (var e in h.Histogram.EdgesMeV) w.WriteNumberValue(e);
        w.WriteEndArray();
        w.WriteStartArray("counts");
        foreach (var c in h.Histogram.Counts) w.WriteNumberValue(c);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// The spread fields that <c>stats</c> and the live summaries share: the Gaussian of Eq. 4,
    /// σ_obs, the rms fit error, σ_int with its CI, the outliers and the spectra left out.
    /// </summary>
    internal static void WriteSpread(System.Text.Json.Utf8JsonWriter w, Summary s)
    {
        var h = s.Statistics;
        w.Number("gauss_mean_meV", h.Gaussian.CentreMeV);
        w.Number("gauss_sigma_meV", h.Gaussian.SigmaMeV);
        w.Number("gauss_sigma_err_meV", h.Gaussian.SigmaErrorMeV);
        w.Number("observed_sigma_meV", h.ObservedSigmaMeV);
        w.Number("rms_fit_error_meV", h.RmsFitErrorMeV);
        w.Number("intrinsic_sigma_meV", h.IntrinsicSigmaMeV);
        w.WriteStartArray("intrinsic_sigma_ci_meV");
        w.WriteNumberValue(h.IntrinsicSigmaLowerMeV);
        w.WriteNumberValue(h.IntrinsicSigmaUpperMeV);
        w.WriteEndArray();
        w.WriteStartArray("outliers");
        foreach (var o in h.Outliers) w.WriteStringValue(o);
        w.WriteEndArray();
        w.WriteStartArray("excluded");
        foreach (var (name, flag) in s.Excluded)
        {
            w.WriteStartObject(); w.WriteString("spectrum", name); w.WriteString("flag", flag); w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    internal static void Print(TextWriter output, Summary s)
    {
        var h = s.Statistics;
        var ci = CultureInfo.InvariantCulture;
        string Mev(double v) => double.IsFinite(v) ? (v * 1000).ToString("F1", ci) : "–";
        var console = ConsoleFactory.For(output);
        var table = new Table().Border(TableBorder.Rounded).Title($"Homogeneity of Δ over {h.Count} spectra");
        table.AddColumn("quantity");
        table.AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("mean Δ", $"{h.MeanMeV.ToString("F4", ci)} meV");
        table.AddRow("standard deviation", $"{Mev(h.StandardDeviationMeV)} µeV");
        table.AddRow("median Δ", $"{h.MedianMeV.ToString("F4", ci)} meV");
        table.AddRow("MAD (×1.4826 = robust σ)", $"{Mev(h.MadMeV)} µeV ({Mev(h.RobustSigmaMeV)} µeV)");
        table.AddRow("Gaussian fit (Eq. 4): Δ₀", $"{h.Gaussian.CentreMeV.ToString("F4", ci)} meV ± {Mev(h.Gaussian.CentreErrorMeV)} µeV");
        table.AddRow("Gaussian fit (Eq. 4): σ", $"{Mev(h.Gaussian.SigmaMeV)} ± {Mev(h.Gaussian.SigmaErrorMeV)} µeV");
        table.AddRow("observed σ (inliers)", $"{Mev(h.ObservedSigmaMeV)} µeV");
        table.AddRow("rms fit error", $"{Mev(h.RmsFitErrorMeV)} µeV");
        table.AddRow("[bold]intrinsic σ_int[/]", $"[bold]{Mev(h.IntrinsicSigmaMeV)} µeV[/] ({(h.ConfidenceLevel * 100).ToString("F0", ci)} % CI {Mev(h.IntrinsicSigmaLowerMeV)}–{Mev(h.IntrinsicSigmaUpperMeV)})");
        table.AddRow("outliers (|Δ−median| > 3.5 robust σ)", h.Outliers.Count == 0 ? "none" : Markup.Escape(string.Join(", ", h.Outliers)));
        if (s.Excluded.Count > 0)
            table.AddRow("not used (fit verdict)", Markup.Escape(string.Join(", ", s.Excluded.Take(12).Select(e => $"{e.Name} ({e.Flag})")) + (s.Excluded.Count > 12 ? $", … {s.Excluded.Count - 12} more" : "")));
        console.Write(table);
    }
}
