using System.CommandLine;
using System.Globalization;
using System.Text;
using NbnEdge.Analysis.Fitting;

namespace NbnEdge.Cli.Commands;

/// <summary><c>nbnedge fit FILE...</c>: every spectrum fitted with the thermal-BCS model.</summary>
internal static class FitCommand
{
    public static Command Create(TextWriter output)
    {
        var input = new FitInput();
        var outFile = ExportOutput.Option();
        var command = new Command("fit", "Fit every spectrum with the thermal-BCS model: Δ, T_eff, their errors, χ²_red and a verdict.");
        input.AddTo(command);
        command.Add(outFile);
        command.SetAction(p =>
        {
            var times = new PhaseTimes();
            ExportOutput.Check(p.GetValue(outFile));
            var (spectra, results) = input.ReadAndFit(p, times);
            if (p.GetValue(input.Json))
            {
                var distance = LineDistances(spectra);
                JsonOutput.Lines(output, results.Length, (w, i) => JsonOutput.WriteFit(w, results[i], spectra[i], distance?[i]));
            }
            else
            {
                BulkOutput.Write(output, FormatTable(results));
            }
            times.Mark("write");
            if (p.GetValue(outFile) is { } exportPath)
            {
                ExportOutput.Write(exportPath, ExportOutput.Build("fit", p, input, spectra, results, null));
                times.Mark("export");
            }
            times.Report(p.InvocationConfiguration.Error);
            if (p.GetValue(input.Plot) is { } plotDir)
            {
                var files = PlotOutput.ForFits(plotDir, spectra, results, input.PlotExtras.Read(p));
                files.AddRange(PlotOutput.ForAverage(plotDir, spectra, input.FitOptions(p), input.PlotExtras.Read(p)));
                p.InvocationConfiguration.Error.WriteLine($"figures: {string.Join(", ", files)}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Point spectra taken along a line (several .dat files with tip positions, no grid pixels):
    /// each one's distance along the line in nm; null when the spectra are not such a line.
    /// </summary>
    internal static double[]? LineDistances(IReadOnlyList<NbnEdge.Analysis.Spectrum> spectra) => PointPositions(spectra).LineNm;

    /// <summary>
    /// Where point spectra (several .dat files with tip positions, no grid pixels) were taken: their
    /// distance along a line, or, spread over an area (a grid saved one .dat file per pixel), their
    /// (x, y) in nm for the spatial statistics over the area; neither without positions or all at one spot.
    /// </summary>
    internal static (double[]? LineNm, (double[] XNm, double[] YNm)? Area) PointPositions(IReadOnlyList<NbnEdge.Analysis.Spectrum> spectra)
    {
        if (!HavePointPositions(spectra)) return (null, null);
        try
        {
            if (NbnEdge.Instruments.LineProfile.IsAlongALine(spectra)) return (NbnEdge.Instruments.LineProfile.DistanceAlongLineNm(spectra), null);
        }
        catch (NbnEdge.Analysis.InputDataException) { return (null, null); } // all at one spot: no line, no area
        return (null, (spectra.Select(s => s.XNm!.Value).ToArray(), spectra.Select(s => s.YNm!.Value).ToArray()));
    }

    private static bool HavePointPositions(IReadOnlyList<NbnEdge.Analysis.Spectrum> spectra) =>
        spectra.Count >= 2 && spectra.All(s => s.XNm is not null && s.YNm is not null && s.PixelX is null);

    /// <summary>A fixed-width table (plain text so it stays fast and pipeable for thousands of rows).</summary>
    internal static string FormatTable(IReadOnlyList<GapFitResult> results)
    {
        var ci = CultureInfo.InvariantCulture;
        string[] labels = ResultLabels.For(results);
        int nameWidth = Math.Clamp(results.Count == 0 ? 8 : labels.Max(l => l.Length), 8, 48);
        var sb = new StringBuilder();
        sb.Append("spectrum".PadRight(nameWidth)).Append("   Δ (meV)        T_eff (K)       V₀ (mV)   χ²_red  flag\n");
        sb.Append(new string('-', nameWidth + 66)).Append('\n');
        for (int i = 0; i < results.Count; i++)
        {
            var r = results[i];
            string label = labels[i];
            // Cut in the middle: a file's distinguishing number is usually at its end.
            string name = label.Length > nameWidth ? label[..(nameWidth / 2)] + "…" + label[^(nameWidth - nameWidth / 2 - 1)..] : label;
            sb.Append(name.PadRight(nameWidth));
            sb.Append(ci, $"  {r.DeltaMeV,7:F4} ±{r.DeltaErrMeV,-7:F4} {r.TEffK,6:F3} ±{r.TEffErrK,-6:F3}  {r.Parameters.BiasOffsetMV,8:F4}  {r.Chi2Red,7:F2}");
            sb.Append("  ").Append(r.Flag).Append('\n');
        }
        return sb.ToString();
    }
}
