using System.CommandLine;
using System.Globalization;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Export;

namespace NbnEdge.Cli.Commands;

/// <summary><c>--out FILE</c> of fit, stats and map: the results as .csv or NeXus-style .h5 for other tools.</summary>
internal static class ExportOutput
{
    /// <summary>The option for fit and stats.</summary>
    public static Option<string?> Option() => new("--out")
    {
        Description = "Also write the results to FILE: .csv (one row per spectrum; settings and statistics in # lines) or .h5 (NeXus-style HDF5: spectra, fits with errors, positions, settings, statistics; units as attributes).",
        HelpName = "FILE",
    };

    /// <summary>True when <paramref name="path"/> names an export file (by its extension).</summary>
    public static bool IsExportFile(string path) => Kind(path) is not null;

    private static string? Kind(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => "csv",
        ".h5" or ".hdf5" or ".nxs" => "h5",
        _ => null,
    };

    /// <summary>Refuses (exit 2) a file name that is neither .csv nor .h5, before any work is done.</summary>
    public static void Check(string? path)
    {
        if (path is null) return;
        if (Kind(path) is null) throw new UsageException($"--out {path}: name a .csv or .h5 file.");
        if (Directory.Exists(path)) throw new UsageException($"--out {path}: that is a folder; name a .csv or .h5 file.");
    }

    /// <summary>Writes the export; a file that cannot be written is one line, exit 1.</summary>
    public static void Write(string path, ResultsExport export)
    {
        try
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null) Directory.CreateDirectory(folder);
            if (Kind(path) == "h5") Hdf5ResultsWriter.Write(path, export);
            else CsvResultsWriter.Write(path, export);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputDataException(path, $"cannot write the results there (--out): {e.Message}");
        }
    }

    /// <summary>The export of fitted spectra, with the run's settings and, when given, the statistics.</summary>
    public static ResultsExport Build(string command, ParseResult p, FitInput input, IReadOnlyList<Spectrum> spectra,
        IReadOnlyList<GapFitResult> results, HomogeneitySummary? summary, IReadOnlyDictionary<string, string>? extraSettings = null)
    {
        var distance = FitCommand.LineDistances(spectra);
        var ci = CultureInfo.InvariantCulture;
        var settings = new Dictionary<string, string>
        {
            ["inputs"] = string.Join(" ", p.GetValue(input.Files) ?? []),
            ["vm_mV"] = p.GetValue(input.Vm)?.ToString("R", ci) ?? "from the file (else 0)",
            ["fit_vm"] = p.GetValue(input.FitVm) ? "true" : "false",
            ["fit_offset"] = p.GetValue(input.FitOffset) ? "true" : "false",
            ["fit_gamma"] = p.GetValue(input.FitGamma) ? "true" : "false",
            ["gamma_meV"] = p.GetValue(input.Gamma).ToString("R", ci),
            ["fit_leakage"] = p.GetValue(input.FitLeakage) ? "true" : "false",
            ["leakage"] = p.GetValue(input.Leakage).ToString("R", ci),
            ["background"] = p.GetValue(input.Background) ?? "joint",
            ["channel"] = p.GetValue(input.Channel) ?? "automatic",
            ["sweeps"] = p.GetValue(input.Sweeps) ?? "avg",
            ["lockin_rms"] = p.GetValue(input.LockInRms) ? "true" : "false",
        };
        if (extraSettings is not null) foreach (var (k, v) in extraSettings) settings[k] = v;
        return new ResultsExport
        {
            Command = command,
            ProgramVersion = VersionAction.Version,
            Spectra = spectra.Select((s, i) => new ExportedSpectrum(s, results[i], distance?[i] ?? double.NaN)).ToList(),
            Settings = settings,
            Statistics = summary?.Statistics,
            MeanErrorMeV = summary?.MeanErrorMeV ?? double.NaN,
            Spatial = summary?.Spatial,
        };
    }
}
