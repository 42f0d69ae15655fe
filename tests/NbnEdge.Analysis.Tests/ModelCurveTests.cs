using NbnEdge.Analysis;
using NbnEdge.Analysis.Model;

namespace NbnEdge.Analysis.Tests;

/// <summary>
/// <see cref="ThermalBcsModel.Curve"/> (what figures, the dashboard and exports draw) against the
/// exact model point by point (<see cref="ThermalBcsModel.Evaluate"/>: the exact BCS integral and
/// the lock-in rule at 1e−13, no table), including a fit held at the table's coldest k_BT/Δ.
/// </summary>
[TestClass]
public class ModelCurveTests
{
    [TestMethod]
    [DataRow(1.5, 1.2, 0.0, 0.0)]
    [DataRow(1.5, 0.3, 0.1, 0.0)]
    [DataRow(2.2, 4.2, 0.5, 0.15)]
    [DataRow(1.35, 0.05, 0.5, 0.0)] // the lock-in wide against k_BT: each point its own rule
    [DataRow(1.5, 0.3, 0.1, 0.0, 0.05)] // Dynes Γ: the pole sum
    [DataRow(1.35, 0.05, 0.5, 0.1, 0.01)]
    public void CurveIsTheExactModel(double deltaMeV, double temperatureK, double vmMV, double leakage, double gammaMeV = 0)
    {
        var p = new BcsParameters(deltaMeV, temperatureK, Scale: 3.2, SlopePerMV: 0.02, BiasOffsetMV: 0.07, GammaMeV: gammaMeV, ModulationMV: vmMV, LeakageFraction: leakage);
        double[] bias = Enumerable.Range(0, 801).Select(i => -4.0 + 0.01 * i).ToArray();
        var curve = new double[bias.Length];
        ThermalBcsModel.Curve(p, bias, curve);
        double worst = 0;
        for (int i = 0; i < bias.Length; i++)
            worst = Math.Max(worst, Math.Abs(curve[i] - ThermalBcsModel.Evaluate(p, bias[i])) / p.Scale);
        // The table's own accuracy is 7.5e−7 of G; the background line reaches 1.1 here.
        Assert.IsLessThan(1.5e-6, worst, $"max |curve − exact| / n₀ = {worst:E2}");
    }

    [TestMethod]
    public void BelowTheTablesColdestTheCurveIsTheOneTheFitterHeld()
    {
        // A real ±50 mV file fits T_eff = 0.01 K at Δ = 7.83 meV (k_BT/Δ = 1.1e−4): the fitter holds
        // the shape at the table's coldest k_BT/Δ, and the curve drawn must be that shape.
        const double deltaMeV = 7.83, vmMV = 2.0;
        var table = BcsConductanceTable.Default;
        double heldK = table.MinT * deltaMeV / PhysicalConstants.BoltzmannMeVPerK;
        var fitted = new BcsParameters(deltaMeV, 0.01, Scale: 5.0, ModulationMV: vmMV);
        double[] bias = Enumerable.Range(0, 401).Select(i => -12.0 + 0.06 * i).ToArray();
        var curve = new double[bias.Length];
        ThermalBcsModel.Curve(fitted, bias, curve);
        double worst = 0;
        for (int i = 0; i < bias.Length; i++)
            worst = Math.Max(worst, Math.Abs(curve[i] - ThermalBcsModel.Evaluate(fitted with { TemperatureK = heldK }, bias[i])) / fitted.Scale);
        Assert.IsLessThan(1.5e-6, worst, $"max |curve − exact at the held T| / n₀ = {worst:E2}");
    }
}
