using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Model;
using NbnEdge.Analysis.Synthetic;

namespace NbnEdge.Analysis.Tests;

/// <summary>Inputs at the edges of what a fitter meets: half sweeps, dead channels, flat spectra, bad options.</summary>
[TestClass]
public sealed class GapFitterEdgeCaseTests
{
    /// <summary>
    /// Issue 16 item 1: a sweep that stops at zero bias (−5…0 mV) put the starting-value scan's
    /// right-hand peak at the last point and read past the end (IndexOutOfRange from 256 points
    /// on, a stale scratch value below). The half sweep still holds one coherence peak and half
    /// the gap, so Δ must come out right, whichever way the bias runs.
    /// </summary>
    [TestMethod]
    [DataRow(256)]
    [DataRow(300)]
    [DataRow(200)]
    public void OneSidedSweepIsFittedNotCrashed(int points)
    {
        var truth = new BcsParameters(1.5, 1.2, 1.0, 0.0);
        foreach (bool negativeSide in new[] { true, false })
            foreach (bool descending in new[] { false, true })
            foreach (bool fresh in new[] { true, false })
            {
                var bias = new double[points];
                var g = new double[points];
                for (int i = 0; i < points; i++)
                {
                    int k = descending ? points - 1 - i : i;
                    double v = -5.0 + 5.0 * k / (points - 1);
                    bias[i] = negativeSide ? v : -v;
                    g[i] = ThermalBcsModel.Evaluate(truth, bias[i]);
                }
                var fitter = new GapFitter(new GapFitOptions());
                // A dirty buffer from a longer earlier fit must not leak into this one.
                if (!fresh) fitter.Fit(SyntheticSpectra.Generate(truth, 1000, 5.0, 0.01, new Random(3)));
                var r = fitter.Fit(bias, g);
                string where = $"{points} points, {(negativeSide ? "negative" : "positive")} side, {(descending ? "descending" : "ascending")}";
                Assert.IsTrue(r.Converged, where);
                Assert.AreEqual(1.5, r.DeltaMeV, 1e-4, $"{where}: {r.Parameters} {r.Flag} it={r.Iterations}");
            }
    }
}
