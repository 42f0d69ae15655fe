using NbnEdge.Analysis.Spatial;

namespace NbnEdge.Simulator.Tests;

/// <summary>
/// ξ_Δ recovered from the simulator's Δ profiles with a known correlation length (issue 13): the
/// spatial statistics see only Δ measured with independent fit errors, as a real line gives them.
/// </summary>
[TestClass]
public sealed class SpatialRecoveryTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>One simulated line: Δ from <see cref="GapProfile"/>, plus fit errors of 5–15 µeV drawn per spectrum.</summary>
    internal static (double[] X, double[] Y, double[] Delta, double[] Err) Line(double xiNm, double smoothFraction, int seed,
        int positions = 200, double lengthNm = 424, double sigmaMeV = 0.040)
    {
        var profile = new GapProfile(2.02, sigmaMeV, positions, lengthNm, smoothFraction, xiNm, seed);
        var rng = new Random(seed ^ 0x7A3);
        var err = new double[positions];
        var delta = new double[positions];
        for (int i = 0; i < positions; i++)
        {
            err[i] = 0.005 + 0.010 * rng.NextDouble();
            delta[i] = profile.DeltaMeV[i] + err[i] * Gaussian(rng);
        }
        return (profile.PositionsNm, new double[positions], delta, err);
    }

    internal static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    // 160 parametric draws at the fit and 80 at each end of the interval: the README's table was
    // measured with the product's 500 (and more seeds).
    private static readonly SpatialOptions Fast = new() { BootstrapResamples = 160, Permutations = 199 };

    private sealed record Recovery(double TrueXi, int Seeds, double MedianXi, int Covered, int Correlated, double MedianLowerNm = double.NaN);

    private Recovery RunLines(double xi, double smoothFraction, int seeds, SpatialOptions? options = null)
    {
        options ??= Fast;
        var estimates = new double[seeds];
        var lowers = new double[seeds];
        var uppers = new double[seeds];
        int covered = 0, correlated = 0, above = 0, below = 0;
        Parallel.For(0, seeds, s =>
        {
            var (x, y, d, e) = Line(xi, smoothFraction, 1000 + s);
            var r = SpatialCorrelation.Analyse(x, y, d, e, options with { Seed = 77 + s });
            Assert.AreEqual(SpatialIntervalMethod.ProfileLikelihood, r.IntervalMethod);
            estimates[s] = r.CorrelationLengthNm;
            lowers[s] = r.CorrelationLengthLowerNm;
            uppers[s] = r.CorrelationLengthUpperNm;
            if (r.CorrelationLengthLowerNm <= xi && xi <= r.CorrelationLengthUpperNm) Interlocked.Increment(ref covered);
            else if (xi > r.CorrelationLengthUpperNm) Interlocked.Increment(ref above);
            else Interlocked.Increment(ref below);
            if (r.SpatiallyCorrelated) Interlocked.Increment(ref correlated);
        });
        Array.Sort(estimates);
        Array.Sort(lowers);
        Array.Sort(uppers);
        var rec = new Recovery(xi, seeds, estimates[seeds / 2], covered, correlated, lowers[seeds / 2]);
        TestContext.WriteLine($"line ξ={xi} nm smooth={smoothFraction}: median ξ̂ {rec.MedianXi:F1} nm, CI covers {covered}/{seeds} (truth above {above}, below {below}), median CI {lowers[seeds / 2]:G3}–{uppers[seeds / 2]:G3} nm, correlated {correlated}/{seeds}");
        return rec;
    }

    // ξ = 20 nm with half the variance white is the demo's film; 8 nm is a few spacings (2.1 nm);
    // 50 nm leaves the 424 nm line only ~8 ξ (the block bootstrap covered 83 % there, and the
    // basic parametric bootstrap 73 %: the inverted interval is needed). Seeds are fixed, so each
    // count is reproducible; at a true 95 % coverage, fewer than 90 of 100 (or 54 of 60) has a
    // probability of about 2 % (3 %): an interval that covers 85 % fails these in most seed sets.
    [TestMethod]
    [DataRow(20.0, 0.5, 100)]
    [DataRow(50.0, 0.7, 100)]
    [DataRow(8.0, 0.7, 60)]
    [DataRow(20.0, 1.0, 60)]
    public void Line_KnownCorrelationLength_RecoveredWithinItsCiInAtLeast90PercentOfSeeds(double xi, double smoothFraction, int seeds)
    {
        var r = RunLines(xi, smoothFraction, seeds);
        Assert.IsTrue(r.Covered >= 0.9 * seeds, $"ξ = {xi} nm inside its 95 % CI in only {r.Covered} of {seeds} seeds");
        Assert.IsTrue(Math.Abs(Math.Log(r.MedianXi / xi)) < Math.Log(1.25), $"median ξ̂ {r.MedianXi:F1} nm, true {xi} nm");
        Assert.IsTrue(r.Correlated >= 0.95 * seeds, $"spatial correlation detected in only {r.Correlated} of {seeds} seeds");
        // An interval that covers by reaching below the spacing says nothing: the variogram bootstrap's median lower end
        // was 0.2–3.8 nm in these cases; the likelihood's is 4.4–15 nm.
        Assert.IsTrue(r.MedianLowerNm > 0.25 * xi, $"median lower end {r.MedianLowerNm:G3} nm for a true {xi} nm");
    }

    [TestMethod]
    public void Line_WhiteNoise_IsCalledCorrelatedAtTheTestsLevel()
    {
        const int seeds = 100;
        // The test's p-value does not depend on the bootstrap (its own random stream): few draws suffice here.
        var r = RunLines(0, 0, seeds, Fast with { BootstrapResamples = 100 });
        // At α = 0.05 the expected count is 5 of 100; 12 or more has probability < 0.5 % for a
        // correct test, while a test that confused the fit errors' nugget with structure would exceed it.
        Assert.IsTrue(r.Correlated < 12, $"white noise called spatially correlated in {r.Correlated} of {seeds} seeds");
    }

    [TestMethod]
    public void Line_WhiteNoiseWithUnequalFitErrors_IsNotCalledCorrelated()
    {
        // Fit errors that grow along the line (a drifting tip) must not look like structure:
        // the permutation keeps each Δ with its error.
        int called = 0;
        for (int s = 0; s < 60; s++)
        {
            var (x, y, d, e) = Line(0, 0, 5000 + s, sigmaMeV: 0.010);
            var rng = new Random(s);
            for (int i = 0; i < d.Length; i++) { e[i] = 0.002 + 0.02 * i / d.Length; d[i] += e[i] * Gaussian(rng); }
            if (SpatialCorrelation.Analyse(x, y, d, e, Fast with { Seed = s, BootstrapResamples = 100 }).SpatiallyCorrelated) called++;
        }
        Assert.IsTrue(called < 9, $"called correlated in {called} of 60");
    }

    [TestMethod]
    public void Map_KnownCorrelationLength_RecoveredWithinItsCi_AndIsotropic()
    {
        // 32 × 32 pixels of 1.5 nm, ξ = 4 nm: 48 nm a side, 12 ξ; 20 % of the variance white. The
        // block bootstrap's 3 × 3 tiles covered 85 %; the parametric bootstrap simulates the
        // lattice exactly (circulant embedding). The median ξ̂ of these seeds is high (4.6 nm for
        // 40 seeds, 4.5 for 100): the seeds' luck, not a bias (3.95 nm over 4000 seeds, README);
        // within the 30 % asserted.
        const int seeds = 40;
        const double xi = 4;
        int covered = 0, correlated = 0, anisotropic = 0, anisotropyChecked = 0;
        var estimates = new double[seeds];
        var lowers = new double[seeds];
        var uppers = new double[seeds];
        Parallel.For(0, seeds, s =>
        {
            var map = new GapMapProfile(2.02, 0.030, 0.015, 32, 1.5, xi, 300 + s);
            var rng = new Random(s);
            var err = new double[map.DeltaMeV.Length];
            var delta = new double[err.Length];
            for (int i = 0; i < err.Length; i++) { err[i] = 0.005 + 0.01 * rng.NextDouble(); delta[i] = map.DeltaMeV[i] + err[i] * Gaussian(rng); }
            var r = SpatialCorrelation.Analyse(map.XNm, map.YNm, delta, err, Fast with { Seed = s });
            Assert.IsTrue(r.IsMap);
            Assert.AreEqual(SpatialIntervalMethod.ParametricBootstrap, r.IntervalMethod);
            estimates[s] = r.CorrelationLengthNm;
            lowers[s] = r.CorrelationLengthLowerNm;
            uppers[s] = r.CorrelationLengthUpperNm;
            if (r.CorrelationLengthLowerNm <= xi && xi <= r.CorrelationLengthUpperNm) Interlocked.Increment(ref covered);
            if (r.SpatiallyCorrelated) Interlocked.Increment(ref correlated);
            if (r.Anisotropy is { Anisotropic: true }) Interlocked.Increment(ref anisotropic);
            if (r.Anisotropy is not null) Interlocked.Increment(ref anisotropyChecked);
        });
        Array.Sort(estimates);
        Array.Sort(lowers);
        Array.Sort(uppers);
        TestContext.WriteLine($"map ξ={xi} nm: median ξ̂ {estimates[seeds / 2]:F2} nm, CI covers {covered}/{seeds}, median CI {lowers[seeds / 2]:G3}–{uppers[seeds / 2]:G3} nm, correlated {correlated}/{seeds}, anisotropic {anisotropic}/{seeds}, anisotropy checked {anisotropyChecked}/{seeds}");
        Assert.IsTrue(covered >= 36, $"ξ inside its CI in only {covered} of {seeds} maps");
        Assert.IsTrue(Math.Abs(Math.Log(estimates[seeds / 2] / xi)) < Math.Log(1.3), $"median ξ̂ {estimates[seeds / 2]:F2} nm");
        Assert.AreEqual(seeds, correlated);
        // The isotropy test's level is 5 %: 2 of 40 expected, more than 5 has probability < 2 %.
        Assert.IsTrue(anisotropic <= 5, $"an isotropic field called anisotropic in {anisotropic} of {seeds} maps");
        // Directional lengths at a bound of the fit skip the check; on these maps both are determined.
        Assert.IsTrue(anisotropyChecked >= 36, $"the anisotropy check ran on only {anisotropyChecked} of {seeds} maps");
    }
}
