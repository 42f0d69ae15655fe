using NbnEdge.CalibrationGenerator;

// Commands:
//   (none) | generate [path]   write GapCalibrationTables.cs (default: the repository's firmware core)
//   check                      exit 1 if the checked-in tables differ from a fresh build
//   bench [spectraPerCell]     accuracy table of GapEstimator on exact-model spectra + integer-op count
string command = args.Length > 0 ? args[0] : "generate";
switch (command)
{
    case "generate":
    {
        string path = args.Length > 1 ? args[1] : RepositoryPaths.CalibrationTablesFile();
        File.WriteAllText(path, CalibrationTableBuilder.BuildSource());
        Console.WriteLine($"wrote {path}");
        return 0;
    }
    case "check":
    {
        bool same = File.ReadAllText(RepositoryPaths.CalibrationTablesFile()) == CalibrationTableBuilder.BuildSource();
        Console.WriteLine(same ? "tables up to date" : "tables differ from the exact model: run generate");
        return same ? 0 : 1;
    }
    case "bench":
    {
        int perCell = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200;
        EstimatorBenchmark.Run(Console.Out, perCell);
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: NbnEdge.CalibrationGenerator [generate [path] | check | bench [spectraPerCell]]");
        return 2;
}
