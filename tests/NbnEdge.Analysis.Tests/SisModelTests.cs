using System.Numerics;
using MathNet.Numerics.Integration;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Model;

namespace NbnEdge.Analysis.Tests;

/// <summary>
/// The SIS conductance against an independent computation: MathNet's adaptive Gauss–Kronrod on
/// the energy integral with the substitution E = ±(Δ_s + w²) (not the model's cosh), split at the
/// tip's coherence peaks, with the tip DOS and its derivative written from √(z² − Δ²) directly.
/// </summary>
[TestClass]
public sealed class SisModelTests
{
    private const double Kb = 0.08617333262; // meV/K, CODATA; independent of the product's constant

    /// <summary>Dynes DOS from the principal √(z² − Δ²), its sign fixed so that n ≥ 0, and d n/dε.</summary>
    private static (double N, double Dn) Dynes(double eps, double gap, double gamma)
    {
        var z = new Complex(eps, gamma);
        var r = Complex.Sqrt(z * z - gap * gap);
        var ratio = z / r;
        double sign = ratio.Real < 0 ? -1 : 1;
        // d/dz [z (z² − Δ²)^(−1/2)] = 1/r − z²/r³
        var d = 1 / r - z * z / (r * r * r);
        return (sign * ratio.Real, sign * d.Real);
    }

    private static double Fermi(double e, double kT) => 0.5 * (1 - Math.Tanh(e / (2 * kT)));

    private static double Reference(double v, double ds, double dt, double gt, double tK)
    {
        double kT = Kb * tK;
        double Integrand(double e)
        {
            var (n, dn) = Dynes(e - v, dt, gt);
            double c = 1 / Math.Cosh((e - v) / (2 * kT));
            double fPrime = -c * c / (4 * kT);
            return -dn * (Fermi(e - v, kT) - Fermi(e, kT)) - n * fPrime;
        }
        double lo = Math.Min(0, v) - 40 * kT, hi = Math.Max(0, v) + 40 * kT;
        double total = 0;
        foreach (int s in new[] { 1, -1 })
        {
            // E = s(Δ_s + w²): n_s dE = (Δ_s + w²)/√(w²(2Δ_s + w²)) · 2w dw = 2(Δ_s + w²)/√(2Δ_s + w²) dw.
            double eMax = s > 0 ? hi : -lo;
            double eMin = Math.Max(ds, s > 0 ? lo : -hi);
            if (eMax <= ds) continue;
            double F(double w) => 2 * (ds + w * w) / Math.Sqrt(2 * ds + w * w) * Integrand(s * (ds + w * w));
            // Composite Gauss–Legendre (MathNet, order 20) on panels a quarter of the narrowest
            // feature (Γ or πk_BT, mapped by dE/dw = 2w) wide: fixed cost, no adaptive chase of a
            // relative tolerance on pieces whose integral is nearly zero.
            double w0 = Math.Sqrt(eMin - ds), w1 = Math.Sqrt(eMax - ds);
            double panel = 0.25 * Math.Min(gt, Math.PI * kT) / (2 * w1 + 1e-12);
            int m = Math.Max(1, (int)Math.Ceiling((w1 - w0) / panel));
            double width = (w1 - w0) / m;
            for (int i = 0; i < m; i++)
                total += GaussLegendreRule.Integrate(F, w0 + i * width, w0 + (i + 1) * width, 20);
        }
        return total;
    }

    [TestMethod]
    public void Conductance_MatchesIndependentQuadrature()
    {
        double worst = 0;
        string where = "";
        foreach (var (ds, dt, gt, tK) in new[] { (1.35, 1.35, 0.02, 1.2), (0.16, 1.33, 0.02, 1.0), (1.3, 1.4, 0.05, 4.0), (1.0, 0.0, 0.02, 1.5), (0.8, 1.35, 0.01, 0.4) })
        {
            for (double v = -4; v <= 4.0001; v += 0.37)
            {
                double g = SisConductanceModel.Exact(v, ds, dt, gt, tK);
                double reference = Reference(v, ds, dt, gt, tK);
                double rel = Math.Abs(g - reference) / Math.Max(Math.Abs(reference), 1e-3); // relative; absolute 1e−9 deep in the gap where G < 1e−3 (G there can be 1e−11: rounding)
                if (rel > worst) { worst = rel; where = $"V={v} Δs={ds} Δt={dt} Γ={gt} T={tK}: {g} vs {reference}"; }
            }
            // The SIS peak itself, where the two coherence peaks meet.
            foreach (double v in new[] { ds + dt, ds + dt + 0.5 * gt, ds + dt - gt, Math.Abs(dt - ds) })
            {
                double g = SisConductanceModel.Exact(v, ds, dt, gt, tK);
                double reference = Reference(v, ds, dt, gt, tK);
                double rel = Math.Abs(g - reference) / Math.Max(Math.Abs(reference), 1e-3); // relative; absolute 1e−9 deep in the gap where G < 1e−3 (G there can be 1e−11: rounding)
                if (rel > worst) { worst = rel; where = $"V={v} Δs={ds} Δt={dt} Γ={gt} T={tK}: {g} vs {reference}"; }
            }
        }
        Console.WriteLine($"max |G − ref|/G = {worst:E2} at {where}");
        Assert.IsTrue(worst <= 1e-6, $"max relative deviation {worst:E2} at {where}");
    }

    [TestMethod]
    public void FastPath_AgreesWithVerified()
    {
        double worst = 0;
        foreach (var (ds, dt, gt, tK) in new[] { (1.35, 1.35, 0.02, 1.2), (0.16, 1.33, 0.02, 1.0), (1.3, 1.4, 0.05, 4.0) })
            for (double v = -4; v <= 4.0001; v += 0.111)
            {
                double exact = SisConductanceModel.Exact(v, ds, dt, gt, tK);
                worst = Math.Max(worst, Math.Abs(SisConductanceModel.Fast(v, ds, dt, gt, tK) - exact) / exact);
            }
        Console.WriteLine($"max |fast − exact|/G = {worst:E2}");
        Assert.IsTrue(worst <= 1e-7, $"{worst:E2}");
    }

    [TestMethod]
    public void NormalTipLimit_MatchesNisModel()
    {
        // Δ_t = 0 with Γ → small: the tip is a normal metal, and SIS reduces to the NIS thermal BCS.
        foreach (double v in new[] { 0.0, 0.5, 0.9, 1.0, 1.1, 1.5, 3.0 })
        {
            double sis = SisConductanceModel.Exact(v, 1.0, 0.0, 0.01, 1.5);
            double nis = ThermalBcsModel.Conductance(v, 1.0, 1.5);
            Assert.AreEqual(nis, sis, 1e-9, $"V={v}");
        }
    }
}
