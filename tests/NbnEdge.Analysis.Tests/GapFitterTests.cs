using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Model;
using NbnEdge.Analysis.Synthetic;

namespace NbnEdge.Analysis.Tests;

/// <summary>
/// The fitter on spectra made by the exact model (never the fitter's table) with known truth.
/// </summary>
[TestClass]
public sealed class GapFitterTests
{
    private static Spectrum Make(BcsParameters truth, double noise, Random rng, int points = 201, double? halfRange = null) =>
        SyntheticSpectra.Generate(truth, points, halfRange ?? SyntheticSpectra.DefaultHalfRangeMV(truth.DeltaMeV, truth.TemperatureK), noise, rng);

    [TestMethod]
    public void RecoversTruthOnNoiselessSpectraFromAutomaticStartsAcrossTheRange()
    {
        var fitter = new GapFitter();
        var rng = new Random(1);
        foreach (double delta in new[] { 0.5, 1.2, 2.02, 3.0 })
            foreach (double temperature in new[] { 0.3, 1.0, 2.27, 4.0 })
            {
                var truth = new BcsParameters(delta, temperature, 1.7, 0.015);
                var r = fitter.Fit(Make(truth, 0, rng));
                string where = $"Δ={delta} T={temperature}";
                Assert.IsTrue(r.Converged, where);
                Assert.AreEqual(delta, r.DeltaMeV, 1e-6, where);
                Assert.AreEqual(temperature, r.TEffK, 1e-4 * temperature, where);
                Assert.AreEqual(1.7, r.Parameters.Scale, 1e-6, where);
                Assert.AreEqual(0.015, r.Parameters.SlopePerMV, 1e-6, where);
            }
    }

    /// <summary>
    /// The reported standard error must be the real scatter: over an ensemble the rms of
    /// (Δ − truth) equals the rms reported error within sampling (the 1.2× bound), the
    /// mean error is consistent with zero, and the error is near the Cramér–Rao bound computed
    /// independently (numerical Jacobian of the exact model at the truth, known noise).
    /// </summary>
    [TestMethod]
    public void ReportedErrorsMatchTheActualScatterAndTheCramerRaoBound()
    {
        var truth = new BcsParameters(2.02, 1.73, 1.0, 0.0);
        const double noise = 0.02;
        const int n = 300;
        var fitter = new GapFitter();
        var rng = new Random(2024);
        double sumErr = 0, sumErr2 = 0, sumSe2 = 0;
        for (int k = 0; k < n; k++)
        {
            var r = fitter.Fit(Make(truth, noise, rng));
            Assert.IsTrue(r.Converged);
            Assert.AreEqual(FitFlags.Ok, r.Flag);
            double e = r.DeltaMeV - truth.DeltaMeV;
            sumErr += e; sumErr2 += e * e; sumSe2 += r.DeltaErrMeV * r.DeltaErrMeV;
        }
        double rmsErr = Math.Sqrt(sumErr2 / n), rmsSe = Math.Sqrt(sumSe2 / n), mean = sumErr / n;
        double ratio = rmsErr / rmsSe;
        Assert.IsTrue(ratio > 0.85 && ratio < 1.2, $"rms error / rms SE = {ratio:F3}");
        Assert.IsTrue(Math.Abs(mean) < 3 * rmsErr / Math.Sqrt(n), $"mean error {mean * 1e3:F3} µeV");

        double crb = CramerRaoDelta(truth, noise, 201, SyntheticSpectra.DefaultHalfRangeMV(truth.DeltaMeV, truth.TemperatureK));
        double seOverCrb = rmsSe / crb;
        Assert.IsTrue(seOverCrb > 0.9 && seOverCrb < 1.2, $"SE / CRB = {seOverCrb:F3}");
    }

    /// <summary>√[(JᵀJ)⁻¹]_ΔΔ·σ with J from central differences of the exact model over Δ, T, n₀, slope.</summary>
    private static double CramerRaoDelta(BcsParameters truth, double noise, int points, double halfRange)
    {
        const int p = 4;
        var jt = new double[p, points];
        for (int i = 0; i < points; i++)
        {
            double v = -halfRange + 2 * halfRange * i / (points - 1);
            double Model(BcsParameters q) => ThermalBcsModel.Evaluate(q, v);
            double h = 1e-5;
            jt[0, i] = (Model(truth with { DeltaMeV = truth.DeltaMeV + h }) - Model(truth with { DeltaMeV = truth.DeltaMeV - h })) / (2 * h);
            jt[1, i] = (Model(truth with { TemperatureK = truth.TemperatureK + h }) - Model(truth with { TemperatureK = truth.TemperatureK - h })) / (2 * h);
            jt[2, i] = Model(truth) / truth.Scale;
            jt[3, i] = truth.Scale * (v - truth.BiasOffsetMV) * ThermalBcsModel.Conductance(v, truth.DeltaMeV, truth.TemperatureK);
        }
        var fisher = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(p, p, (a, b) =>
        {
            double s = 0;
            for (int i = 0; i < points; i++) s += jt[a, i] * jt[b, i];
            return s / (noise * noise * truth.Scale * truth.Scale);
        });
        return Math.Sqrt(fisher.Inverse()[0, 0]);
    }

    [TestMethod]
    public void FitsTheBiasOffsetWhenAsked()
    {
        // A real third-party spectrum needed V₀ ≈ 58 µV (docs/DESIGN.md).
        var truth = new BcsParameters(1.35, 1.1, 2.0, 0.01, BiasOffsetMV: 0.058);
        var rng = new Random(5);
        var spectrum = Make(truth, 0.01, rng);
        var r = new GapFitter(new GapFitOptions { FitOffset = true }).Fit(spectrum);
        Assert.IsTrue(r.Converged);
        Assert.AreEqual(0.058, r.Parameters.BiasOffsetMV, 4 * r.Errors.BiasOffsetMV);
        Assert.AreEqual(truth.DeltaMeV, r.DeltaMeV, 4 * r.DeltaErrMeV);
        Assert.IsGreaterThan(0, r.Errors.BiasOffsetMV);
    }

    [TestMethod]
    public void FitsTheModulationAmplitudeWhenAsked()
    {
        var truth = new BcsParameters(1.0, 0.4, 1.0, 0.0, ModulationMV: 0.15);
        var r = new GapFitter(new GapFitOptions { FitModulation = true, ModulationMV = 0.05 }).Fit(Make(truth, 0.005, new Random(6)));
        Assert.IsTrue(r.Converged);
        Assert.AreEqual(0.15, r.Parameters.ModulationMV, 4 * r.Errors.ModulationMV);
        Assert.AreEqual(truth.DeltaMeV, r.DeltaMeV, 4 * r.DeltaErrMeV);
    }

    [TestMethod]
    public void ModulationFittedToZeroLeavesTheOtherErrorsFinite()
    {
        // No modulation in the data: V_m settles on its bound 0, where ⟨G⟩ no longer depends on it
        // to first order. Δ and T_eff must keep standard errors (conditional on V_m = 0, so equal
        // to those of a fit with V_m fixed at 0), and V_m itself has none.
        var truth = new BcsParameters(2.02, 1.73, 1.0, 0.0);
        var spectrum = Make(truth, 0.02, new Random(8), halfRange: 5.0);
        var free = new GapFitter(new GapFitOptions { FitModulation = true, ModulationMV = 0.1 }).Fit(spectrum);
        var fixedAtZero = new GapFitter(new GapFitOptions { ModulationMV = 0 }).Fit(spectrum);
        Assert.IsTrue(free.Converged);
        Assert.AreEqual(0.0, free.Parameters.ModulationMV, "V_m should settle on its bound here");
        {
            Assert.IsTrue(double.IsNaN(free.Errors.ModulationMV));
            // Equal but for the degrees of freedom: V_m still counts as fitted in SSR/(N − p),
            // a factor √(197/196) on 201 points.
            Assert.AreEqual(fixedAtZero.DeltaErrMeV * Math.Sqrt(197.0 / 196.0), free.DeltaErrMeV, 1e-4 * fixedAtZero.DeltaErrMeV);
        }
        Assert.IsTrue(double.IsFinite(free.DeltaErrMeV) && free.DeltaErrMeV > 0, $"Δ error {free.DeltaErrMeV}");
        Assert.IsTrue(double.IsFinite(free.TEffErrK) && free.TEffErrK > 0, $"T error {free.TEffErrK}");
        Assert.AreEqual(truth.DeltaMeV, free.DeltaMeV, 4 * free.DeltaErrMeV);
    }

    [TestMethod]
    public void FixedModulationFromTheSourceIsUsed()
    {
        var truth = new BcsParameters(1.0, 0.4, 1.0, 0.0, ModulationMV: 0.15);
        var noiseless = Make(truth, 0, new Random(7));
        var withSource = new Spectrum { Source = "s", Name = "n", BiasMV = noiseless.BiasMV, Conductance = noiseless.Conductance, ModulationAmplitudeMV = 0.15 };
        var r = new GapFitter().Fit(withSource);
        Assert.AreEqual(1.0, r.DeltaMeV, 1e-6);
        Assert.AreEqual(0.15, r.Parameters.ModulationMV);
        // Ignoring the modulation gives a different (wrong) answer: the option matters.
        var ignored = new GapFitter(new GapFitOptions { ModulationMV = 0 }).Fit(withSource);
        Assert.IsGreaterThan(1e-4, Math.Abs(ignored.DeltaMeV - 1.0));
    }

    [TestMethod]
    public void FitsDynesGammaWhenAsked()
    {
        var truth = new BcsParameters(1.5, 1.0, 1.0, 0.0, GammaMeV: 0.05);
        var r = new GapFitter(new GapFitOptions { FitGamma = true }).Fit(Make(truth, 0.005, new Random(8), points: 121));
        Assert.IsTrue(r.Converged);
        Assert.AreEqual(0.05, r.Parameters.GammaMeV, 4 * r.Errors.GammaMeV);
        Assert.AreEqual(1.5, r.DeltaMeV, 4 * r.DeltaErrMeV);
    }

    [TestMethod]
    public void PaperBackgroundDividesTheOutsideLineFirst()
    {
        var truth = new BcsParameters(2.11, 3.03, 5.0, 0.04);
        var spectrum = Make(truth, 0.01, new Random(9));
        var paper = new GapFitter(new GapFitOptions { Background = BackgroundTreatment.Paper }).Fit(spectrum);
        var joint = new GapFitter().Fit(spectrum);
        Assert.AreEqual(BackgroundTreatment.Paper, paper.Background);
        Assert.IsNotNull(paper.DividedLine);
        Assert.AreEqual(0.0, paper.Parameters.SlopePerMV);
        // The divided-out line's relative slope is the background's.
        Assert.AreEqual(0.04, paper.DividedLine.Value.SlopePerMV / paper.DividedLine.Value.Intercept, 0.01);
        Assert.AreEqual(truth.DeltaMeV, joint.DeltaMeV, 4 * joint.DeltaErrMeV);
        Assert.AreEqual(truth.DeltaMeV, paper.DeltaMeV, 0.05, "paper treatment stays near the truth");
    }

    [TestMethod]
    public void BiasDirectionDoesNotMatter()
    {
        var spectrum = Make(new BcsParameters(1.6, 2.27, 1, 0.01), 0.02, new Random(10));
        var reversed = new Spectrum
        {
            Source = "s", Name = "r",
            BiasMV = spectrum.BiasMV.Reverse().ToArray(),
            Conductance = spectrum.Conductance.Reverse().ToArray(),
        };
        var fitter = new GapFitter();
        Assert.AreEqual(fitter.Fit(spectrum).DeltaMeV, fitter.Fit(reversed).DeltaMeV, 0.0);
    }

    [TestMethod]
    public void FlagsASpectrumWithNoGap()
    {
        var rng = new Random(11);
        var bias = Enumerable.Range(0, 201).Select(i => -5 + 0.05 * i).ToArray();
        var flat = bias.Select(v => 1 + 0.01 * v + 0.02 * SyntheticSpectra.Gaussian(rng)).ToArray();
        var r = new GapFitter().Fit(new Spectrum { Source = "s", Name = "flat", BiasMV = bias, Conductance = flat });
        Assert.AreNotEqual(FitFlags.Ok, r.Flag);
        Assert.IsTrue(r.Flag is FitFlags.NoGap || r.Flag.StartsWith(FitFlags.AtBoundPrefix), r.Flag);
    }

    [TestMethod]
    public void FlagsASubgapPeak()
    {
        var truth = new BcsParameters(2.0, 1.0, 1.0, 0.0);
        var rng = new Random(12);
        var clean = Make(truth, 0.01, rng);
        var withPeak = clean.Conductance.Select((g, i) => g + 0.4 * Math.Exp(-Math.Pow((clean.BiasMV[i] - 0.8) / 0.1, 2))).ToArray();
        var fitter = new GapFitter();
        Assert.AreEqual(FitFlags.Ok, fitter.Fit(clean).Flag);
        var r = fitter.Fit(new Spectrum { Source = "s", Name = "ysr", BiasMV = clean.BiasMV, Conductance = withPeak });
        Assert.AreEqual(FitFlags.SubgapPeak, r.Flag, $"{r.Parameters} σ={r.NoiseEstimate} ρ1={r.NoiseLag1Correlation} τ={r.NoiseCorrelationTime} χ²={r.Chi2Red}");
    }

    [TestMethod]
    public void TooFewPointsIsAFlagNotAnException()
    {
        var r = new GapFitter().Fit(new double[] { -1, 0, 1, 2, 3 }, new double[] { 1, 0.2, 1, 1, 1 });
        Assert.AreEqual(FitFlags.TooFewPoints, r.Flag);
        Assert.IsFalse(r.Converged);
    }
}
