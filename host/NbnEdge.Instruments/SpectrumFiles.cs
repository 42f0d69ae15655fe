using System.IO.Enumeration;
using NbnEdge.Analysis;

namespace NbnEdge.Instruments;

/// <summary>The command line's way in: which files the user meant, and the spectra in each.</summary>
public static class SpectrumFiles
{
    /// <summary>Extensions a folder is searched for (case-insensitive).</summary>
    public static IReadOnlyList<string> SpectrumExtensions { get; } = [".dat", ".3ds", ".csv"];

    /// <summary>
    /// Reads the spectra of one file, choosing the reader by extension: <c>.csv</c> (bias column then
    /// spectra), Nanonis <c>.dat</c> point spectroscopy or <c>.3ds</c> grid (one spectrum per usable pixel).
    /// </summary>
    /// <exception cref="InputDataException">
    /// The file is missing or unreadable, its extension is not .dat or .3ds, it is invalid, or (a grid) it holds no spectra.
    /// </exception>
    public static IReadOnlyList<Spectrum> Read(string path, SpectrumReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new InputDataException(path, Directory.Exists(path) ? "this is a folder; expand it with SpectrumFiles.Expand first." : "file not found.");
        var extension = Path.GetExtension(path).ToLowerInvariant();
        switch (extension)
        {
            case ".dat":
                return NanonisDatReader.Read(path, options);
            case ".3ds":
                var grid = NanonisGridReader.Read(path, options);
                if (grid.Spectra.Count == 0)
                    throw new InputDataException(path, grid.NoSpectraReason ?? "no pixel of the grid gives a usable spectrum.");
                return grid.Spectra;
            case ".csv":
                return CsvSpectrumReader.Read(path);
            default:
                throw new InputDataException(path, $"unknown file type '{extension}': expected .csv, or a Nanonis .dat or .3ds file.");
        }
    }

    /// <summary>
    /// Turns command-line arguments into files: a folder gives every .dat, .3ds and .csv file directly
    /// inside it; a pattern with <c>*</c> or <c>?</c> in its file-name part gives every matching file in its
    /// folder; anything else must be an existing file. Each argument's files are sorted by name (ordinal);
    /// arguments keep their order; a file named twice appears once.
    /// </summary>
    /// <exception cref="InputDataException">A file does not exist, or a folder or pattern gives no file.</exception>
    public static IReadOnlyList<string> Expand(IEnumerable<string> pathsOrGlobsOrFolders)
    {
        ArgumentNullException.ThrowIfNull(pathsOrGlobsOrFolders);
        var result = new List<string>();
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var argument in pathsOrGlobsOrFolders)
        {
            if (string.IsNullOrWhiteSpace(argument)) throw new InputDataException("(arguments)", "an empty path was given.");
            foreach (var file in ExpandOne(argument))
                if (seen.Add(Path.GetFullPath(file))) result.Add(file);
        }
        return result;
    }

    private static IEnumerable<string> ExpandOne(string argument)
    {
        if (Directory.Exists(argument))
        {
            var files = Directory.EnumerateFiles(argument)
                .Where(f => SpectrumExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
                .ToList();
            return files.Count > 0 ? files : throw new InputDataException(argument, "the folder holds no .dat, .3ds or .csv file.");
        }

        var name = Path.GetFileName(argument);
        if (name.IndexOfAny(['*', '?']) >= 0)
        {
            var folder = Path.GetDirectoryName(argument);
            if (string.IsNullOrEmpty(folder)) folder = ".";
            if (folder.IndexOfAny(['*', '?']) >= 0)
                throw new InputDataException(argument, "wildcards are allowed only in the file-name part of a pattern.");
            if (!Directory.Exists(folder)) throw new InputDataException(argument, $"the folder '{folder}' does not exist.");
            // Own matching rather than the OS pattern: "*.dat" must not also match "x.dat~" or 8.3 names.
            bool ignoreCase = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();
            var files = Directory.EnumerateFiles(folder)
                .Where(f => FileSystemName.MatchesSimpleExpression(name, Path.GetFileName(f), ignoreCase))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
                .ToList();
            return files.Count > 0 ? files : throw new InputDataException(argument, "no file matches this pattern.");
        }

        if (File.Exists(argument)) return [argument];
        throw new InputDataException(argument, "file not found.");
    }
}

/// <summary>Positions of spectra taken along a line (a Nanonis "line spectroscopy" saved as one .dat per point).</summary>
public static class LineProfile
{
    /// <summary>
    /// Each spectrum's distance in nm from the first one's tip position, projected on the line through the
    /// first and last positions (so sideways drift does not add to the distance; points before the start
    /// come out negative).
    /// </summary>
    /// <exception cref="InputDataException">A spectrum has no tip position, or the first and last positions coincide.</exception>
    public static double[] DistanceAlongLineNm(IReadOnlyList<Spectrum> spectra)
    {
        ArgumentNullException.ThrowIfNull(spectra);
        if (spectra.Count == 0) return [];
        var (x0, y0, ux, uy, _) = Axis(spectra);
        var distances = new double[spectra.Count];
        for (int i = 0; i < spectra.Count; i++)
            distances[i] = (spectra[i].XNm!.Value - x0) * ux + (spectra[i].YNm!.Value - y0) * uy;
        return distances;
    }

    /// <summary>
    /// Whether the spectra's tip positions lie along the line through the first and last ones: no
    /// position strays from it sideways by more than twice the median step between consecutive
    /// spectra, nor by more than 5 % of the line's length. A line spectroscopy with drift passes; point
    /// spectra saved one file per pixel of a grid (SpectraFox's MnPc grid: 10 × 10 positions 0.18 nm
    /// apart) do not, and projecting those on one direction would stack whole rows at one distance.
    /// </summary>
    /// <exception cref="InputDataException">A spectrum has no tip position, or the first and last positions coincide.</exception>
    public static bool IsAlongALine(IReadOnlyList<Spectrum> spectra)
    {
        ArgumentNullException.ThrowIfNull(spectra);
        if (spectra.Count < 3) return true;
        var (x0, y0, ux, uy, length) = Axis(spectra);
        double maxSideways = 0;
        var steps = new double[spectra.Count - 1];
        for (int i = 0; i < spectra.Count; i++)
        {
            double ox = spectra[i].XNm!.Value - x0, oy = spectra[i].YNm!.Value - y0;
            maxSideways = Math.Max(maxSideways, Math.Abs(ox * uy - oy * ux));
            if (i > 0)
                steps[i - 1] = Math.Sqrt(Math.Pow(spectra[i].XNm!.Value - spectra[i - 1].XNm!.Value, 2)
                    + Math.Pow(spectra[i].YNm!.Value - spectra[i - 1].YNm!.Value, 2));
        }
        Array.Sort(steps);
        double medianStep = steps[steps.Length / 2];
        return maxSideways <= Math.Max(2 * medianStep, 0.05 * length);
    }

    /// <summary>
    /// The line through the first and last tip positions: the first position, the unit direction and
    /// the length (for one spectrum: its position and length 0).
    /// </summary>
    /// <exception cref="InputDataException">A spectrum has no tip position, or the first and last positions coincide.</exception>
    private static (double X0, double Y0, double Ux, double Uy, double Length) Axis(IReadOnlyList<Spectrum> spectra)
    {
        foreach (var s in spectra)
            if (s.XNm is null || s.YNm is null)
                throw new InputDataException(s.Source, $"spectrum '{s.Name}' has no tip position (X (m), Y (m)), so it cannot be placed on a line.");
        double x0 = spectra[0].XNm!.Value, y0 = spectra[0].YNm!.Value;
        if (spectra.Count == 1) return (x0, y0, 0, 0, 0);
        double dx = spectra[^1].XNm!.Value - x0, dy = spectra[^1].YNm!.Value - y0;
        double length = Math.Sqrt(dx * dx + dy * dy);
        if (!(length > 0))
            throw new InputDataException(spectra[^1].Source, "the first and last spectra are at the same tip position, so they define no line.");
        return (x0, y0, dx / length, dy / length, length);
    }
}
