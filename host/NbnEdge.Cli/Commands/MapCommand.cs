using System.CommandLine;
using System.Globalization;
using System.Text;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Instruments;
using Spectre.Console;

namespace NbnEdge.Cli.Commands;

/// <summary><c>nbnedge map GRID.3ds</c>: every pixel fitted, the gap map written as CSV (and PNG), statistics over the map.</summary>
internal static class MapCommand
{
    public static Command Create(TextWriter output)
    {
        var input = new FitInput();
        var grid = new Argument<string>("GRID.3ds") { Description = "A Nanonis .3ds grid." };
        var outDir = new Option<string?>("--out") { Description = "Folder for the gap map files (default: next to the grid); or a FILE.csv / FILE.h5 to also write the results there (NeXus-style HDF5: spectra, fits with errors, pixel positions, settings, statistics), the gap map files going beside it.", HelpName = "DIR|FILE" };
        var command = new Command("map", "Fit every pixel of a grid (in parallel) and write the gap map as CSV and PNG, with the statistics over the map.") { grid, outDir };
        foreach (var o in input.ModelOptions.Concat([input.Channel, input.Sweeps, input.LockInRms, input.BiasWindow, input.Json, input.Plot]))
            command.Add(o);
        foreach (var o in input.PlotExtras.All) command.Add(o);
        command.SetAction(p =>
        {
            var times = new PhaseTimes();
            string path = p.GetValue(grid)!;
            if (Directory.Exists(path))
                throw new InputDataException(path, "this is a folder; map takes one .3ds grid. Point spectra saved one .dat file per pixel: 'nbnedge stats FOLDER' gives their statistics over the area from the tip positions, and 'nbnedge fit FOLDER' each fit with its x_nm, y_nm.");
            if (!File.Exists(path)) throw new InputDataException(path, "file not found.");
            if (Path.GetExtension(path).ToLowerInvariant() is ".dat" or ".csv")
                throw new InputDataException(path, $"map takes a Nanonis .3ds grid, not a {Path.GetExtension(path)} file; for point spectra use 'nbnedge fit' or 'nbnedge stats'.");
            _ = Task.Run(FitInput.WarmUpFitter);
            var map = NanonisGridReader.Read(path, input.ReadOptions(p));
            if (map.Spectra.Count == 0) throw new InputDataException(path, map.NoSpectraReason ?? "no pixel of the grid gives a usable spectrum.");
            foreach (var note in map.Notes) p.InvocationConfiguration.Error.WriteLine($"note: {note}");
            var spectra = input.Windowed(p, map.Spectra);
            times.Mark("read");

            var results = FitWithProgress(spectra, input.FitOptions(p), showProgress: !p.GetValue(input.Json) && !Console.IsErrorRedirected);
            times.Mark("fit");
            string? outValue = p.GetValue(outDir);
            string? exportPath = outValue is not null && ExportOutput.IsExportFile(outValue) && !Directory.Exists(outValue) ? outValue : null;
            string folder = exportPath is not null ? Path.GetDirectoryName(Path.GetFullPath(exportPath))!
                : outValue ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
            try { Directory.CreateDirectory(folder); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InputDataException(folder, $"cannot write the gap map there (--out): {e.Message}");
            }
            string stem = Path.Combine(folder, Path.GetFileNameWithoutExtension(path) + "-gapmap");
            string csv = stem + ".csv";
            File.WriteAllText(csv, MapCsv(map, results));
            times.Mark("csv");
            var files = new List<string> { csv };
            var figures = input.PlotExtras.Read(p);
            var mapFigures = PlotOutput.ForMap(folder, Path.GetFileName(stem), map, results, figures);
            if (mapFigures.Count == 0) p.InvocationConfiguration.Error.WriteLine("note: no gap-map figure: no pixel has a usable fit.");
            files.AddRange(mapFigures);
            times.Mark("map figures");
            var summary = HomogeneitySummary.Of(results, positions: SpatialInput.PositionsFor(spectra, null));
            times.Mark("statistics");
            if (exportPath is not null)
            {
                ExportOutput.Write(exportPath, ExportOutput.Build("map", p, input, spectra, results, summary,
                    new Dictionary<string, string> { ["grid"] = path, ["width"] = map.Width.ToString(CultureInfo.InvariantCulture), ["height"] = map.Height.ToString(CultureInfo.InvariantCulture) }));
                files.Add(exportPath);
            }
            if (p.GetValue(input.Plot) is { } plotDir)
            {
                files.AddRange(PlotOutput.ForFits(plotDir, spectra, results, figures));
                if (summary is not null) files.AddRange(PlotOutput.ForStatistics(plotDir, summary.Statistics, figures));
                files.AddRange(PlotOutput.ForSpatial(plotDir, summary?.Spatial, figures));
            }

            if (p.GetValue(input.Json))
            {
                JsonOutput.Line(output, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("grid", path);
                    w.WriteNumber("width", map.Width);
                    w.WriteNumber("height", map.Height);
                    w.WriteNumber("pixels_present", map.PixelsPresent);
                    w.WriteNumber("pixels_fitted", results.Length);
                    w.WriteStartArray("files");
                    foreach (var f in files) w.WriteStringValue(f);
                    w.WriteEndArray();
                    w.WritePropertyName("stats");
                    if (summary is null) w.WriteNullValue();
                    else StatsCommand.WriteJson(w, summary);
                    w.WriteEndObject();
                });
            }
            else
            {
                output.WriteLine($"{map.Width}×{map.Height} grid, {map.PixelsPresent} pixels present, {results.Length} fitted; wrote {string.Join(", ", files)}");
                if (summary is null)
                    output.WriteLine(results.Any(r => r.IsUsable) ? $"statistics: {HomogeneitySummary.TooFewMessage(results)}"
                        : $"statistics: no usable fits (0 of {results.Length} pixels; try another --channel).");
                else StatsCommand.Print(output, summary);
            }
            times.Mark("rest");
            times.Report(p.InvocationConfiguration.Error);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static GapFitResult[] FitWithProgress(IReadOnlyList<Spectrum> spectra, GapFitOptions options, bool showProgress)
    {
        if (!showProgress) return FitRunner.FitAll(spectra, options);
        GapFitResult[] results = [];
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress().Start(ctx =>
        {
            var task = ctx.AddTask($"fitting {spectra.Count} pixels", maxValue: spectra.Count);
            int done = 0;
            var fitting = Task.Run(() => results = FitRunner.FitAll(spectra, options, () => Interlocked.Increment(ref done)));
            while (!fitting.Wait(100)) task.Value = Volatile.Read(ref done);
            task.Value = spectra.Count;
        });
        return results;
    }

    private static string MapCsv(NanonisGrid map, GapFitResult[] results)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("x,y,x_nm,y_nm,delta_meV,delta_err_meV,t_eff_K,t_eff_err_K,chi2_red,flag\n");
        for (int i = 0; i < results.Length; i++)
        {
            var s = map.Spectra[i];
            var r = results[i];
            sb.Append(s.PixelX).Append(',').Append(s.PixelY).Append(',')
              .Append(F(s.XNm)).Append(',').Append(F(s.YNm)).Append(',')
              .Append(F(r.DeltaMeV)).Append(',').Append(F(r.DeltaErrMeV)).Append(',')
              .Append(F(r.TEffK)).Append(',').Append(F(r.TEffErrK)).Append(',')
              .Append(F(r.Chi2Red)).Append(',').Append(r.Flag).Append('\n');
        }
        return sb.ToString();

        string F(double? v) => v is { } d && double.IsFinite(d) ? d.ToString("R", ci) : "";
    }
}
