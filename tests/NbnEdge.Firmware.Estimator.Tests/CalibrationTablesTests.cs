using NbnEdge.CalibrationGenerator;
using NbnEdge.Analysis.Model;
using NbnEdge.Firmware.Estimation;

namespace NbnEdge.Firmware.Estimator.Tests;

[TestClass]
public class CalibrationTablesTests
{
    [TestMethod]
    public void CheckedInTablesAreWhatTheGeneratorBuildsNow()
    {
        string checkedIn = File.ReadAllText(RepositoryPaths.CalibrationTablesFile());
        string fresh = CalibrationTableBuilder.BuildSource();
        Assert.AreEqual(fresh, checkedIn, "GapCalibrationTables.cs is stale: dotnet run --project tools/NbnEdge.CalibrationGenerator -c Release");
    }

    [TestMethod]
    public void FeatureTablesMatchTheExactModelAtTheirRows()
    {
        // Spot checks independent of the builder's code path: G(0, t) and the half-depth crossing.
        for (int j = 20; j < GapCalibrationTables.Rows; j += 4)
        {
            double t = GapCalibrationTables.TRowQ30[j] / (double)(1 << 30);
            Assert.AreEqual(ExactBcsIntegral.Evaluate(0, t).G, GapCalibrationTables.ZeroBiasQ16[j] / 65536.0, 1.0 / 65536);
            double x = GapCalibrationTables.HalfDepthXQ16[j] / 65536.0;
            double level = 0.5 * (1 + ExactBcsIntegral.Evaluate(0, t).G);
            Assert.IsTrue(ExactBcsIntegral.Evaluate(x - 1e-4, t).G < level && ExactBcsIntegral.Evaluate(x + 1e-4, t).G > level, $"row {j}");
        }
    }

    [TestMethod]
    public void TableNodesAreTheExactModelTimesRootT()
    {
        var rng = new Random(5);
        for (int n = 0; n < 200; n++)
        {
            int j = rng.Next(GapCalibrationTables.Rows);
            int i = rng.Next(GapCalibrationTables.WNodes);
            double t = Math.Pow(2, GapCalibrationTables.Log2TMin + j / (double)GapCalibrationTables.RowsPerOctave);
            double w = -16 + i / 8.0;
            double expected = ExactBcsIntegral.Evaluate(1 + w * t, t).G * Math.Sqrt(t);
            Assert.AreEqual(expected, GapCalibrationTables.ConductanceQ15[j * GapCalibrationTables.WNodes + i] / 32768.0, 0.51 / 32768, $"row {j} node {i}");
        }
    }
}
