using NbnEdge.Analysis.Model;

namespace NbnEdge.Analysis.Tests;

/// <summary>A table's analytic derivatives in Δ, T and u against central differences of its own values (SIS and Dynes tables alike).</summary>
internal static class TableDerivativeCheck
{
    private const double StepDeltaMeV = 1e-4, StepTemperatureK = 1e-3, StepBiasMV = 1e-4;

    /// <summary>At each bias of <paramref name="biasesMV"/>, ∂/∂Δ, ∂/∂T and ∂/∂u agree with the differences to 1e−3 of (1 + |difference|).</summary>
    public static void AssertAgreesWithDifferences(SisConductanceTable table, double deltaMeV, double temperatureK, IEnumerable<double> biasesMV)
    {
        var s = new SisConductanceTable.Stencil();
        double Value(double d, double t, double v) { table.Prepare(d, t, s); return table.Evaluate(v, s, out _, out _, out _); }
        const double hD = StepDeltaMeV, hT = StepTemperatureK, hU = StepBiasMV;
        foreach (double u in biasesMV)
        {
            table.Prepare(deltaMeV, temperatureK, s);
            table.Evaluate(u, s, out double dD, out double dT, out double dU);
            double fdD = (Value(deltaMeV + hD, temperatureK, u) - Value(deltaMeV - hD, temperatureK, u)) / (2 * hD);
            double fdT = (Value(deltaMeV, temperatureK + hT, u) - Value(deltaMeV, temperatureK - hT, u)) / (2 * hT);
            double fdU = (Value(deltaMeV, temperatureK, u + hU) - Value(deltaMeV, temperatureK, u - hU)) / (2 * hU);
            Assert.AreEqual(fdD, dD, 1e-3 * (1 + Math.Abs(fdD)), $"∂/∂Δ at u={u}");
            Assert.AreEqual(fdT, dT, 1e-3 * (1 + Math.Abs(fdT)), $"∂/∂T at u={u}");
            Assert.AreEqual(fdU, dU, 1e-3 * (1 + Math.Abs(fdU)), $"∂/∂u at u={u}");
        }
    }
}
