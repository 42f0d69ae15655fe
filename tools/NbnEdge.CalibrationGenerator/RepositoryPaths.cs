namespace NbnEdge.CalibrationGenerator;

/// <summary>Finds files of the repository from wherever the tool or a test runs.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding NbnEdge.sln, searched upwards from the working directory and the binaries.</summary>
    public static string Root()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            string? dir = start;
            while (dir != null)
            {
                if (File.Exists(Path.Combine(dir, "NbnEdge.sln"))) return dir;
                dir = Path.GetDirectoryName(dir);
            }
        }

        throw new InvalidOperationException("NbnEdge.sln not found above the working directory or the binaries");
    }

    /// <summary>firmware/NbnEdge.Firmware.Core/Estimation/GapCalibrationTables.cs.</summary>
    public static string CalibrationTablesFile() =>
        Path.Combine(Root(), "firmware", "NbnEdge.Firmware.Core", "Estimation", "GapCalibrationTables.cs");
}
