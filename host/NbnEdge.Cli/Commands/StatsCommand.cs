using System.CommandLine;
using System.Globalization;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Spatial;
using Spectre.Console;

namespace NbnEdge.Cli.Commands;

/// <summary><c>nbnedge stats FILE...</c>: fits, then the homogeneity statistics over all spectra.</summary>
internal static class StatsCommand
{
    public static Command Create(TextWriter output)
    {
        var input = new FitInput();
        var spacing = SpatialInput.SpacingOption();
        var outFile = ExportOutput.Option();
        var command = new Command("stats", "Fit every spectrum, then the homogeneity of Δ: mean, SD, median, MAD, the histogram's Gaussian (Eq. 4), outliers, the intrinsic spread σ_int with its bootstrap CI, and for spectra with positions the correlation length ξ_Δ.");
        input.AddTo(command);
        command.Add(spacing);
        command.Add(outFile);
        command.SetAction(p =>
        {
            var times = new PhaseTimes();
            double? spacingNm = SpatialInput.Spacing(p, spacing);
            ExportOutput.Check(p.GetValue(outFile));
            var (spectra, results) = input.ReadAndFit(p, times);
            var positions = SpatialInput.PositionsFor(spectra, spacingNm);
            var summary = HomogeneitySummary.Of(results, positions: positions)
                ?? throw new InputDataException(results.Length > 0 ? results[0].Source : "(input)", HomogeneitySummary.TooFewMessage(results));
            if (positions is null) summary = summary with { SpatialNote = NoPositionsNote };
            times.Mark("statistics");
            if (p.GetValue(input.Json)) JsonOutput.Line(output, w => WriteJson(w, summary));
            else Print(output, summary);
            times.Mark("write");
            if (p.GetValue(outFile) is { } exportPath)
            {
                var extra = spacingNm is { } sp ? new Dictionary<string, string> { ["spacing_nm"] = sp.ToString("R", CultureInfo.InvariantCulture) } : null;
                ExportOutput.Write(exportPath, ExportOutput.Build("stats", p, input, spectra, results, summary, extra));
                times.Mark("export");
            }
            times.Report(p.InvocationConfiguration.Error);
            if (p.GetValue(input.Plot) is { } plotDir)
            {
                var files = PlotOutput.ForFits(plotDir, spectra, results, input.PlotExtras.Read(p));
                files.AddRange(PlotOutput.ForStatistics(plotDir, summary.Statistics, input.PlotExtras.Read(p)));
                files.AddRange(PlotOutput.ForAverage(plotDir, spectra, input.FitOptions(p), input.PlotExtras.Read(p)));
                files.AddRange(PlotOutput.ForSpatial(plotDir, summary.Spatial, input.PlotExtras.Read(p)));
                p.InvocationConfiguration.Error.WriteLine($"figures: {string.Join(", ", files)}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    internal const string NoPositionsNote =
        "the spectra carry no positions (a CSV line: give --spacing-nm; .dat files with tip positions and grids place themselves).";

    internal static void WriteJson(System.Text.Json.Utf8JsonWriter w, HomogeneitySummary s)
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
        w.Number("mean_err_meV", s.MeanErrorMeV);
        SpatialOutput.WriteFields(w, s.Spatial, s.SpatialNote);
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
    internal static void WriteSpread(System.Text.Json.Utf8JsonWriter w, HomogeneitySummary s)
    {
        var h = s.Statistics;
        w.Number("gauss_mean_meV", h.Gaussian.CentreMeV);
        w.Number("gauss_sigma_meV", h.Gaussian.SigmaMeV);
        w.Number("gauss_sigma_err_meV", h.Gaussian.SigmaErrorMeV);
        w.Number("observed_sigma_meV", h.ObservedSigmaMeV);
        w.Number("rms_fit_error_meV", h.RmsFitErrorMeV);
        w.Number("intrinsic_sigma_meV", h.IntrinsicSigmaMeV);
        w.Interval("intrinsic_sigma_ci_meV", h.IntrinsicSigmaLowerMeV, h.IntrinsicSigmaUpperMeV);
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

    internal static void Print(TextWriter output, HomogeneitySummary s)
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
        if (h.Gaussian.Converged)
        {
            table.AddRow("Gaussian fit (Eq. 4): Δ₀", $"{h.Gaussian.CentreMeV.ToString("F4", ci)} meV ± {Mev(h.Gaussian.CentreErrorMeV)} µeV");
            table.AddRow("Gaussian fit (Eq. 4): σ", $"{Mev(h.Gaussian.SigmaMeV)} ± {Mev(h.Gaussian.SigmaErrorMeV)} µeV");
        }
        else
            // "Δ₀ NaN meV ± –" said nothing; the fit's own reason does (too few bins, an empty histogram).
            table.AddRow("Gaussian fit (Eq. 4)", Markup.Escape($"none: {h.Gaussian.Message}"));
        table.AddRow("observed σ (inliers)", $"{Mev(h.ObservedSigmaMeV)} µeV");
        table.AddRow("rms fit error", $"{Mev(h.RmsFitErrorMeV)} µeV");
        table.AddRow("[bold]intrinsic σ_int[/]", $"[bold]{Mev(h.IntrinsicSigmaMeV)} µeV[/] ({(h.ConfidenceLevel * 100).ToString("F0", ci)} % CI {Mev(h.IntrinsicSigmaLowerMeV)}–{Mev(h.IntrinsicSigmaUpperMeV)})");
        table.AddRow("outliers (|Δ−median| > 3.5 robust σ)", h.Outliers.Count == 0 ? "none" : Markup.Escape(string.Join(", ", h.Outliers)));
        if (s.Excluded.Count > 0)
            table.AddRow("not used (fit verdict)", Markup.Escape(string.Join(", ", s.Excluded.Take(12).Select(e => $"{e.Name} ({e.Flag})")) + (s.Excluded.Count > 12 ? $", … {s.Excluded.Count - 12} more" : "")));
        console.Write(table);
        SpatialOutput.Print(output, s.Spatial, s.SpatialNote);
    }
}
