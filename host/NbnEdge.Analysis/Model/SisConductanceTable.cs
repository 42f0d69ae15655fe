using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MathNet.Numerics.IntegralTransforms;

namespace NbnEdge.Analysis.Model;

/// <summary>
/// The SIS conductance for the fitter: <see cref="SisConductanceModel"/> (its exact integral costs
/// tens of microseconds per bias point) tabulated for one tip (Δ_t, Γ_t) and one lock-in V_m, so
/// that a fit costs about a millisecond.
/// </summary>
/// <remarks>
/// <para>
/// The sample's two BCS branches E = ±(Δ_s + x) give G(V) = G₊(V − Δ_s) + G₊(−V − Δ_s) (the DOSs
/// are even), with G₊(w) = ∫₀^∞ ρ(x) [−A(x − w) + B(x − w) f(Δ_s + x)] dx, ρ(x) = (Δ_s + x)/√(x(2Δ_s + x)),
/// A = (n_t f)′, B = n_t′. In w = V ∓ Δ_s every sharp feature of G₊ sits still — the tip's peaks at
/// w = ±Δ_t, the thermal edge at w = 0 — so G₊(w; Δ_s, T) changes smoothly with Δ_s and T and is
/// interpolated between nodes (cubic in ln Δ_s and ln T) without smearing the peaks.
/// </para>
/// <para>
/// Each node is one correlation on a uniform lattice in x and w (step h = Γ_t/12), done by FFT
/// (MathNet.Numerics). ρ's x^−½ singularity is split off: ρ_s = x^−½ e^{−x/λ} P(x), P the cubic
/// Taylor polynomial of ρ√x e^{x/λ}, whose Fourier transform is exact
/// (Σ Pₙ Γ(n + ½)/(1/λ + 2πiν)^{n+½}) and multiplies the kernel's DFT (the kernels are band-limited
/// at that step: their poles lie Γ_t and πk_BT off the real axis); the remainder ρ − ρ_s vanishes
/// as x^{7/2} and the trapezoid rule on the lattice is exact to ~h^{4.5}. The lock-in average is a
/// product with the semicircle's transform 2J₁(2πνV_m)/(2πνV_m). The result and its w-derivative
/// come from one inverse FFT; between lattice points G₊ is cubic Hermite.
/// </para>
/// <para>
/// The same machinery serves a normal tip over a Dynes-broadened sample (<see cref="ForDynes"/>, NIS with a fixed Γ),
/// where the exact pole sum costs ~100 ns a point and a fit 3 ms. The Dynes DOS is the BCS DOS convolved with a
/// Lorentzian of half-width Γ (Re N(E + iΓ) is the Poisson integral of the boundary values of the analytic N), so
/// Γ moves to the kernel: K = L_Γ ⊛ (−f′), whose transform e^{−2πΓ|ν|}·(2π²k_BTν)/sinh(2π²k_BTν) is exact. The
/// Lorentzian's 1/ε² tails would make ρ's constant part reach across the whole lattice, so the lattice holds ρ − 1
/// (which falls like Δ²/2x²) and the constant part, the kernel's cumulative distribution, is added in closed form:
/// ∫₀^∞ K(x − w) dx = ½ + (1/π) Im ψ(½ + (Γ + iw)/(2πk_BT)). The lattice step is (Γ + πk_BT_min)/12, the band
/// limit of the kernel; the Lorentzian's periodic images (the FFT's period is finite) are subtracted in closed form.
/// </para>
/// <para>Tables are shared (thread-safe) and cached per tip (or sample Γ), V_m and bias reach; nodes are built on first use.</para>
/// </remarks>
public sealed class SisConductanceTable
{
    /// <summary>Tip gap Δ_t in meV.</summary>
    public double TipGapMeV { get; }

    /// <summary>Tip Dynes Γ_t in meV (0 for a normal tip).</summary>
    public double TipGammaMeV { get; }

    /// <summary>The sample's Dynes Γ in meV (NIS tables from <see cref="ForDynes"/>; 0 for SIS).</summary>
    public double SampleGammaMeV { get; }

    private bool IsDynes => SampleGammaMeV > 0;

    /// <summary>Lock-in modulation V_m (peak) in mV.</summary>
    public double ModulationMV { get; }

    /// <summary>Largest |V − V₀| the table answers, in mV.</summary>
    public double ReachMV { get; }

    /// <summary>Smallest sample gap the table answers (eight lattice steps), in meV.</summary>
    public double MinSampleGapMeV { get; }

    /// <summary>Largest sample gap the table answers, in meV.</summary>
    public double MaxSampleGapMeV { get; }

    /// <summary>Lowest temperature the table answers: SIS k_BT = Γ_t/4 (colder is sharper than the tip resolves); NIS with Γ 0.01 K, or warmer for Γ below 0.02 meV (the lattice step).</summary>
    public double MinTemperatureK { get; }

    /// <summary>Highest temperature the table answers, in K.</summary>
    public double MaxTemperatureK { get; }

    private readonly double _h;            // lattice step in meV
    private readonly int _jLo, _jCount;    // w lattice: w = (jLo + j)·h, j = 0.._jCount−1
    private const double DeltaRatio = 1.05, TempRatio = 1.10;
    private readonly double _lnDeltaMin, _lnTempMin, _invLnDeltaStep, _invLnTempStep;
    private readonly int _deltaNodes, _tempNodes;
    private readonly ConcurrentDictionary<int, Node> _nodes = new();
    private readonly ConcurrentDictionary<int, Kernel> _kernels = new();

    /// <summary>Γ + πk_BT_min, the narrowest kernel a Dynes table resolves: below Γ = 0.02 meV the floor temperature rises instead of the lattice shrinking.</summary>
    private const double DynesWidthFloorMeV = 0.02;

    private static double DynesMinTemperatureK(double sampleGammaMeV) =>
        Math.Max(0.01, (DynesWidthFloorMeV - sampleGammaMeV) / (Math.PI * PhysicalConstants.BoltzmannMeVPerK));

    /// <summary>
    /// The lattice step of a Dynes table for Γ = <paramref name="sampleGammaMeV"/>, in meV: the kernel's band limit
    /// (Γ + πk_BT_min)/12; above Γ = 0.12 meV it is held at 0.01 meV so that gaps down to eight steps stay in the table.
    /// A table's lattice spans about three bias reaches in these steps.
    /// </summary>
    public static double DynesStepMeV(double sampleGammaMeV) =>
        Math.Min(sampleGammaMeV + Math.PI * PhysicalConstants.BoltzmannMeVPerK * DynesMinTemperatureK(sampleGammaMeV), 0.12) / 12.0;

    private SisConductanceTable(double tipGapMeV, double tipGammaMeV, double sampleGammaMeV, double modulationMV, double reachMV, double maxSampleGapMeV)
    {
        TipGapMeV = tipGapMeV; TipGammaMeV = tipGammaMeV; SampleGammaMeV = sampleGammaMeV; ModulationMV = modulationMV; ReachMV = reachMV;
        double kB = PhysicalConstants.BoltzmannMeVPerK;
        if (sampleGammaMeV > 0)
        {
            MinTemperatureK = DynesMinTemperatureK(sampleGammaMeV);
            _h = DynesStepMeV(sampleGammaMeV);
        }
        else
        {
            MinTemperatureK = tipGammaMeV / 4.0 / kB;
            _h = tipGammaMeV / 12.0;
        }
        MinSampleGapMeV = 8 * _h;
        MaxSampleGapMeV = Math.Max(maxSampleGapMeV, 2 * MinSampleGapMeV);
        MaxTemperatureK = Math.Max(20.0, 2 * MinTemperatureK);
        double margin = modulationMV + 8 * _h;
        _jLo = (int)Math.Floor((-reachMV - MaxSampleGapMeV - margin) / _h);
        int jHi = (int)Math.Ceiling((reachMV + margin) / _h);
        _jCount = jHi - _jLo + 1;
        _lnDeltaMin = Math.Log(MinSampleGapMeV);
        _lnTempMin = Math.Log(MinTemperatureK);
        _invLnDeltaStep = 1.0 / Math.Log(DeltaRatio);
        _invLnTempStep = 1.0 / Math.Log(TempRatio);
        _deltaNodes = (int)Math.Ceiling((Math.Log(MaxSampleGapMeV) - _lnDeltaMin) * _invLnDeltaStep) + 1;
        _tempNodes = (int)Math.Ceiling((Math.Log(MaxTemperatureK) - _lnTempMin) * _invLnTempStep) + 1;
    }

    private static readonly ConcurrentDictionary<(double, double, double, double, double, double), SisConductanceTable> Tables = new();

    /// <summary>
    /// The shared table for this tip and lock-in that answers |V − V₀| ≤ <paramref name="reachMV"/>
    /// and Δ_s ≤ <paramref name="maxSampleGapMeV"/> (both rounded up so that neighbouring requests share one).
    /// </summary>
    public static SisConductanceTable For(double tipGapMeV, double tipGammaMeV, double modulationMV, double reachMV, double maxSampleGapMeV)
    {
        if (!(tipGapMeV >= 0) || !double.IsFinite(tipGapMeV)) throw new ArgumentOutOfRangeException(nameof(tipGapMeV));
        if (!(tipGammaMeV > 0) || !double.IsFinite(tipGammaMeV)) throw new ArgumentOutOfRangeException(nameof(tipGammaMeV));
        return Shared(tipGapMeV, tipGammaMeV, 0, modulationMV, reachMV, maxSampleGapMeV);
    }

    /// <summary>
    /// The shared NIS table for a sample with Dynes Γ = <paramref name="sampleGammaMeV"/> (fixed) under a normal tip,
    /// for lock-in <paramref name="modulationMV"/>, |V − V₀| ≤ <paramref name="reachMV"/> and Δ ≤ <paramref name="maxSampleGapMeV"/>.
    /// </summary>
    public static SisConductanceTable ForDynes(double sampleGammaMeV, double modulationMV, double reachMV, double maxSampleGapMeV)
    {
        if (!(sampleGammaMeV > 0) || !double.IsFinite(sampleGammaMeV)) throw new ArgumentOutOfRangeException(nameof(sampleGammaMeV));
        return Shared(0, 0, sampleGammaMeV, modulationMV, reachMV, maxSampleGapMeV);
    }

    private static SisConductanceTable Shared(double tipGapMeV, double tipGammaMeV, double sampleGammaMeV, double modulationMV, double reachMV, double maxSampleGapMeV)
    {
        if (!(modulationMV >= 0) || !double.IsFinite(modulationMV)) throw new ArgumentOutOfRangeException(nameof(modulationMV));
        if (sampleGammaMeV > 0)
        {
            // A Dynes table's Γ and V_m are fixed for a whole run, its nodes cost ~10 ms each, and spectra of
            // different bias ranges should share them: the narrowest cached table that reaches far enough serves
            // (so a spectrum keeps the table it first used: new tables only ever reach further), and a new one is
            // sized up to the next power of √2, at least twice the widest, so that a run of growing ranges builds few.
            SisConductanceTable? best = null;
            double widest = 0;
            foreach (var t in Tables.Values)
            {
                if (t.SampleGammaMeV != sampleGammaMeV || t.ModulationMV != modulationMV) continue;
                widest = Math.Max(widest, t.ReachMV);
                if (t.ReachMV >= reachMV && t.MaxSampleGapMeV >= maxSampleGapMeV && (best is null || t.ReachMV < best.ReachMV)) best = t;
            }
            if (best is not null) return best;
            reachMV = Math.Max(RootTwoCeiling(reachMV), 2 * widest);
            maxSampleGapMeV = Math.Max(RootTwoCeiling(maxSampleGapMeV), reachMV);
        }
        reachMV = Math.Ceiling(Math.Max(reachMV, 0.1) * 2) / 2;
        maxSampleGapMeV = Math.Ceiling(Math.Max(maxSampleGapMeV, 0.1) * 2) / 2;
        var key = (tipGapMeV, tipGammaMeV, sampleGammaMeV, modulationMV, reachMV, maxSampleGapMeV);
        if (Tables.TryGetValue(key, out var table)) return table;
        // Tables of fitted tip parameters (a new Δ_t every step) must not pile up.
        if (Tables.Count > 16) Tables.Clear();
        return Tables.GetOrAdd(key, k => new SisConductanceTable(k.Item1, k.Item2, k.Item3, k.Item4, k.Item5, k.Item6));
    }

    private static double RootTwoCeiling(double value) => Math.Pow(Math.Sqrt(2), Math.Ceiling(Math.Log(Math.Max(value, 0.1)) / Math.Log(Math.Sqrt(2)) - 1e-9));

    /// <summary>
    /// ⟨G⟩(u) at bias u = V − V₀ (mV) with its derivatives by Δ_s, T and u. Δ_s and T are held inside
    /// the table's range (their derivatives are then 0).
    /// </summary>
    public double Evaluate(double u, Stencil s, out double dDelta, out double dTemp, out double dU)
    {
        Span<double> g = stackalloc double[1], d = stackalloc double[1], t = stackalloc double[1], w = stackalloc double[1];
        EvaluateAll([u], s, g, d, t, w);
        dDelta = d[0]; dTemp = t[0]; dU = w[0];
        return g[0];
    }

    /// <summary>
    /// ⟨G⟩ at many biases u = V − V₀ at once, with ∂/∂Δ_s, ∂/∂T and ∂/∂u (the fitter's model
    /// evaluation; <see cref="Evaluate"/> is its one-point form). Node by node
    /// rather than point by point, so each node's lattice is walked in one direction and the
    /// hardware prefetcher streams it (point by point, every point touched 16 cold cache lines).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EvaluateAll(ReadOnlySpan<double> u, Stencil s, Span<double> g, Span<double> dDelta, Span<double> dTemp, Span<double> dU)
    {
        int n = u.Length, m = 2 * n;
        s.Ensure(m);
        var cell = s.Cell;
        var frac = s.Frac;
        var acc = s.Acc;
        // Branch 0 (w = u − Δ) in order, branch 1 (w = −u − Δ) after it: both walk the lattice monotonically.
        for (int q = 0; q < m; q++)
        {
            double w = (q < n ? u[q] : -u[q - n]) - s.DeltaMeV;
            if (w < s.NegligibleBelowMV) { cell[q] = -1; continue; }
            double pos = w / _h - _jLo;
            int j = (int)Math.Floor(pos);
            if (j < 0 || j >= _jCount - 1) { j = Math.Clamp(j, 0, _jCount - 2); pos = Math.Clamp(pos, 0, _jCount - 1); }
            cell[q] = 2 * j;
            frac[q] = pos - j;
        }
        var c = s.C;
        if (Vector256.IsHardwareAccelerated) AccumulateVectorised(s, m);
        else
        {
            Array.Clear(acc, 0, 12 * m);
            for (int k = 0; k < s.Count; k++)
            {
                var data = s.Nodes[k].Data;
                double cv = c[3 * k], cd = c[3 * k + 1], ct = c[3 * k + 2];
                for (int q = 0; q < m; q++)
                {
                    int at = cell[q];
                    if (at < 0) continue;
                    double v0 = data[at], v1 = data[at + 1], v2 = data[at + 2], v3 = data[at + 3];
                    int b = 12 * q;
                    acc[b] += cv * v0; acc[b + 1] += cv * v1; acc[b + 2] += cv * v2; acc[b + 3] += cv * v3;
                    acc[b + 4] += cd * v0; acc[b + 5] += cd * v1; acc[b + 6] += cd * v2; acc[b + 7] += cd * v3;
                    acc[b + 8] += ct * v0; acc[b + 9] += ct * v1; acc[b + 10] += ct * v2; acc[b + 11] += ct * v3;
                }
            }
        }
        for (int i = 0; i < n; i++)
        {
            double sumG = 0, sumD = 0, sumT = 0, sumW = 0;
            for (int branch = 0; branch < 2; branch++)
            {
                int q = branch == 0 ? i : n + i;
                if (cell[q] < 0) continue;
                int b = 12 * q;
                double t = frac[q], tt = t * t, ttt = tt * t;
                double h00 = 2 * ttt - 3 * tt + 1, h10 = (ttt - 2 * tt + t) * _h, h01 = -2 * ttt + 3 * tt, h11 = (ttt - tt) * _h;
                double slope = ((6 * tt - 6 * t) * (acc[b] - acc[b + 2])) / _h + (3 * tt - 4 * t + 1) * acc[b + 1] + (3 * tt - 2 * t) * acc[b + 3];
                sumG += h00 * acc[b] + h10 * acc[b + 1] + h01 * acc[b + 2] + h11 * acc[b + 3];
                sumD += h00 * acc[b + 4] + h10 * acc[b + 5] + h01 * acc[b + 6] + h11 * acc[b + 7] - slope;
                sumT += h00 * acc[b + 8] + h10 * acc[b + 9] + h01 * acc[b + 10] + h11 * acc[b + 11];
                sumW += branch == 0 ? slope : -slope;
            }
            g[i] = sumG;
            dDelta[i] = s.DeltaHeld ? 0 : sumD;
            dTemp[i] = s.TempHeld ? 0 : sumT;
            dU[i] = sumW;
        }
    }

    /// <summary>
    /// The hot loop of <see cref="EvaluateAll"/> four lanes wide: each query's (G_j, G′_j, G_{j+1}, G′_{j+1}) of one node
    /// is one 16-byte load, widened to doubles, and three fused multiply-adds (value, ∂/∂Δ and ∂/∂T weights).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateVectorised(Stencil s, int m)
    {
        // Query by query, the three sums stay in registers across the nodes (node by node, every node's pass loaded
        // and stored each query's twelve sums again: half the loop's memory traffic). The queries walk each node's
        // lattice monotonically, so its cache lines are reused or prefetched either way.
        var cell = s.Cell;
        ref double acc = ref MemoryMarshal.GetArrayDataReference(s.Acc);
        var c = s.C;
        int count = s.Count;
        Span<Vector256<double>> weights = stackalloc Vector256<double>[3 * 16];
        for (int k = 0; k < count; k++)
        {
            weights[3 * k] = Vector256.Create(c[3 * k]);
            weights[3 * k + 1] = Vector256.Create(c[3 * k + 1]);
            weights[3 * k + 2] = Vector256.Create(c[3 * k + 2]);
        }
        var nodes = s.Nodes;
        for (int q = 0; q < m; q++)
        {
            int at = cell[q];
            if (at < 0) continue;
            Vector256<double> sumV = Vector256<double>.Zero, sumD = Vector256<double>.Zero, sumT = Vector256<double>.Zero;
            for (int k = 0; k < count; k++)
            {
                var f = Vector128.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(nodes[k].Data), (nuint)at);
                var v = Vector256.Create(Vector128.WidenLower(f), Vector128.WidenUpper(f));
                sumV = Vector256.FusedMultiplyAdd(weights[3 * k], v, sumV);
                sumD = Vector256.FusedMultiplyAdd(weights[3 * k + 1], v, sumD);
                sumT = Vector256.FusedMultiplyAdd(weights[3 * k + 2], v, sumT);
            }
            ref double a = ref Unsafe.Add(ref acc, 12 * q);
            sumV.StoreUnsafe(ref a);
            sumD.StoreUnsafe(ref a, 4);
            sumT.StoreUnsafe(ref a, 8);
        }
    }

    /// <summary>The 4×4 (Dynes: 3×4) nodes and Lagrange weights around (Δ_s, T), reused for every bias point of one model evaluation.</summary>
    public sealed class Stencil
    {
        internal readonly Node[] Nodes = new Node[16];
        internal int Count = 16; // nodes in use: 4 × 4 (SIS), 3 × 4 (Dynes)
        internal readonly double[] WD = new double[4], WDd = new double[4], WT = new double[4], WTd = new double[4];
        // Per node: value weight, ∂/∂Δ weight, ∂/∂T weight.
        internal readonly double[] C = new double[48];
        internal double DeltaMeV;
        internal double NegligibleBelowMV = double.NegativeInfinity;
        internal int[] Cell = [];
        internal double[] Frac = [], Acc = [];

        internal void Ensure(int count)
        {
            if (Cell.Length >= count) return;
            Cell = new int[count]; Frac = new double[count]; Acc = new double[12 * count];
        }
        internal bool DeltaHeld, TempHeld;
    }

    /// <summary>
    /// The full SIS instrument model of <paramref name="p"/> (scale, background, V₀, leakage) at
    /// <paramref name="biasMV"/> through the table: for drawing fits, where the exact integral would
    /// take seconds per curve.
    /// </summary>
    public static void EvaluateModel(in BcsParameters p, ReadOnlySpan<double> biasMV, Span<double> result)
    {
        double reach = 0;
        foreach (double v in biasMV) reach = Math.Max(reach, Math.Abs(v - p.BiasOffsetMV));
        var table = For(p.TipGapMeV, p.TipGammaMeV, p.ModulationMV, reach, p.DeltaMeV * 1.1);
        var stencil = new Stencil();
        table.Prepare(p.DeltaMeV, p.TemperatureK, stencil);
        int n = biasMV.Length;
        var u = new double[n];
        var g = new double[n];
        var unused = new double[n];
        for (int i = 0; i < n; i++) u[i] = biasMV[i] - p.BiasOffsetMV;
        table.EvaluateAll(u, stencil, g, unused, unused, unused);
        for (int i = 0; i < n; i++)
            result[i] = p.Scale * (1.0 + p.SlopePerMV * u[i]) * (p.LeakageFraction + (1.0 - p.LeakageFraction) * g[i]);
    }

    /// <summary>Fills <paramref name="stencil"/> for (Δ_s, T), building missing nodes.</summary>
    public void Prepare(double sampleGapMeV, double temperatureK, Stencil stencil)
    {
        double d = Math.Clamp(sampleGapMeV, MinSampleGapMeV, MaxSampleGapMeV);
        double tK = Math.Clamp(temperatureK, MinTemperatureK, MaxTemperatureK);
        stencil.DeltaHeld = d != sampleGapMeV;
        stencil.TempHeld = tK != temperatureK;
        stencil.DeltaMeV = d;
        // A Dynes table is quadratic in ln Δ: in the branch coordinate w its nodes differ mainly by ρ's √(Δ/2), whose
        // third derivative in ln Δ leaves ~1e−6 of G between nodes 5 % apart, and 12 nodes instead of 16 are a quarter
        // of the fit's time. The SIS tip's peaks make Δ_s matter more sharply: cubic.
        int deltaNodes = IsDynes ? 3 : 4;
        stencil.Count = 4 * deltaNodes;
        double pD = (Math.Log(d) - _lnDeltaMin) * _invLnDeltaStep;
        int iD = IsDynes ? QuadraticWeights(pD, _deltaNodes, stencil.WD, stencil.WDd) : Weights(pD, _deltaNodes, stencil.WD, stencil.WDd);
        int iT = Weights((Math.Log(tK) - _lnTempMin) * _invLnTempStep, _tempNodes, stencil.WT, stencil.WTd);
        // d/dΔ = (d/d lnΔ)/Δ per node step.
        for (int a = 0; a < deltaNodes; a++) stencil.WDd[a] *= _invLnDeltaStep / d;
        for (int b = 0; b < 4; b++) stencil.WTd[b] *= _invLnTempStep / tK;
        for (int a = 0; a < deltaNodes; a++)
            for (int b = 0; b < 4; b++)
            {
                int k = a * 4 + b;
                stencil.Nodes[k] = NodeAt(iD + a, iT + b);
                if (k == 0) stencil.NegligibleBelowMV = double.PositiveInfinity;
                stencil.NegligibleBelowMV = Math.Min(stencil.NegligibleBelowMV, (_jLo + stencil.Nodes[k].NegligibleBelow) * _h);
                stencil.C[3 * k] = stencil.WD[a] * stencil.WT[b];
                stencil.C[3 * k + 1] = stencil.WDd[a] * stencil.WT[b];
                stencil.C[3 * k + 2] = stencil.WD[a] * stencil.WTd[b];
            }
    }

    /// <summary>
    /// Quadratic Lagrange weights (and their derivatives) on the 3 nodes i − 1, i, i + 1 for p in [i, i + 1); returns
    /// the first node. Changing stencils at the nodes (not between them) keeps the interpolant continuous.
    /// </summary>
    private static int QuadraticWeights(double p, int count, double[] w, double[] dw)
    {
        int i0 = Math.Clamp((int)Math.Floor(p) - 1, 0, Math.Max(0, count - 3));
        double x = p - i0; // nodes at 0, 1, 2
        w[0] = (x - 1) * (x - 2) / 2; w[1] = -x * (x - 2); w[2] = x * (x - 1) / 2;
        dw[0] = (2 * x - 3) / 2; dw[1] = -(2 * x - 2); dw[2] = (2 * x - 1) / 2;
        return i0;
    }

    /// <summary>Cubic Lagrange weights (and their derivatives) on 4 nodes around position p; returns the first node.</summary>
    private static int Weights(double p, int count, double[] w, double[] dw)
    {
        int i0 = Math.Clamp((int)Math.Floor(p) - 1, 0, Math.Max(0, count - 4));
        double x = p - i0; // nodes at 0, 1, 2, 3
        double x0 = x, x1 = x - 1, x2 = x - 2, x3 = x - 3;
        w[0] = -x1 * x2 * x3 / 6; w[1] = x0 * x2 * x3 / 2; w[2] = -x0 * x1 * x3 / 2; w[3] = x0 * x1 * x2 / 6;
        dw[0] = -(x2 * x3 + x1 * x3 + x1 * x2) / 6;
        dw[1] = (x2 * x3 + x0 * x3 + x0 * x2) / 2;
        dw[2] = -(x1 * x3 + x0 * x3 + x0 * x1) / 2;
        dw[3] = (x1 * x2 + x0 * x2 + x0 * x1) / 6;
        return i0;
    }

    /// <summary>G₊ and dG₊/dw on the w lattice, interleaved.</summary>
    internal sealed class Node
    {
        // float: half the memory traffic of the fitter's hot loop, at 6e−8 relative (G to ~3e−7,
        // below the table's own 1e−5).
        public readonly float[] Data;

        /// <summary>Lattice index below which |G₊| and 10⁻³·|dG₊/dw| stay under 2e−7 (the thermally excited tail only).</summary>
        public readonly int NegligibleBelow;

        public Node(float[] data)
        {
            Data = data;
            int j = 0, count = data.Length / 2;
            while (j < count - 1 && Math.Abs(data[2 * j]) < 2e-7 && Math.Abs(data[2 * j + 1]) * 1e-3 < 2e-7) j++;
            NegligibleBelow = Math.Max(0, j - 1);
        }
    }

    private Node NodeAt(int iD, int iT)
    {
        int key = iD * 4096 + iT;
        if (_nodes.TryGetValue(key, out var node)) return node;
        // Nodes are kept for reuse, but not without bound: a fit that wanders (a spectrum that is no
        // gap, run to T's bound and back) visited thousands, 1 GB on a ±18 mV sweep. Over the budget
        // the cache starts again; a fit's stencil needs 16 nodes at a time, rebuilt in ~10 ms each.
        if (_nodes.Count >= MaxCachedNodes) _nodes.Clear();
        return _nodes.GetOrAdd(key, _ => BuildNode(Math.Exp(_lnDeltaMin + iD / _invLnDeltaStep), KernelAt(iT)));
    }

    /// <summary>Most nodes kept: 256 MB of lattice values (8 bytes a step), and at least 64.</summary>
    private int MaxCachedNodes => Math.Max(64, (int)Math.Min(int.MaxValue, (256L << 20) / (8L * _jCount)));

    /// <summary>The tip side at one temperature: DFTs of A = (n_t f)′ and B = n_t′ on the ε lattice.</summary>
    private sealed class Kernel
    {
        public required double TemperatureK;
        public required int XCount;      // x lattice 0..XCount−1
        public required int MFirst;      // ε = (MFirst + n)·h at array index n
        public required int Size;        // FFT length
        public required Complex[] ASpectrum;
        public Complex[]? BSpectrum;     // null for a normal tip (n_t′ = 0)
        public double[]? Cumulative;     // Dynes: ∫₀^∞ K(x − w) dx and its w-derivative on the w lattice, interleaved
    }

    private Kernel KernelAt(int iT) => _kernels.GetOrAdd(iT, i =>
    {
        double temperatureK = Math.Exp(_lnTempMin + i / _invLnTempStep);
        return IsDynes ? BuildDynesKernel(temperatureK) : BuildKernel(temperatureK);
    });

    /// <summary>
    /// A normal tip over a Dynes sample at one temperature: the kernel K = L_Γ ⊛ (−f′) (lock-in applied per node)
    /// from its exact transform, and its cumulative distribution on the w lattice.
    /// </summary>
    private Kernel BuildDynesKernel(double temperatureK)
    {
        double h = _h, kT = PhysicalConstants.BoltzmannMeVPerK * temperatureK, gamma = SampleGammaMeV;
        int jHi = _jLo + _jCount - 1;
        // The Fermi factor's tails fall below 1e−6 of a term beyond 14 k_BT; the Lorentzian's never do, so ρ − 1
        // (~Δ²/2x²) runs on far enough that the dropped rest, ~ΓΔ²/(6πx³), is below 5e−6 (smooth in w, and mostly taken up by the background line). The padding only
        // needs the thermal tails: the Lorentzian's periodic images are taken away below.
        double tails = 14 * kT + ModulationMV;
        double xMax = Math.Max(Math.Max(jHi * h, 0) + tails + 8 * gamma, Math.Cbrt(gamma * MaxSampleGapMeV * MaxSampleGapMeV / (6 * Math.PI * 5e-6)));
        int xCount = (int)Math.Ceiling(xMax / h) + 1;
        int pad = (int)Math.Ceiling(tails / h) + 64;
        int mFirst = -jHi - pad, mLast = xCount - 1 - _jLo + pad;
        int size = 1;
        while (size < mLast - mFirst + 1) size <<= 1;
        mLast = mFirst + size - 1;
        double period = size * h;
        int coreFirst = mFirst + pad, coreLast = mLast - pad;

        // The transform below is that of the kernel repeated every period: its Lorentzian images,
        // Σ_{k≠0} L(ε + kP) = (1/P) sinh(2πΓ/P)/(cosh(2πΓ/P) − cos(2πε/P)) − L(ε), smooth on the scale of P, are
        // sampled (tapered off in the padding no output reads) and taken away.
        var images = new Complex[size];
        double a = 2 * Math.PI * gamma / period;
        for (int n = 0; n < size; n++)
        {
            int m = mFirst + n;
            double eps = m * h;
            double periodic = Math.Sinh(a) / (period * (Math.Cosh(a) - Math.Cos(2 * Math.PI * eps / period)));
            double lorentz = gamma / (Math.PI * (eps * eps + gamma * gamma));
            double taper = m < coreFirst ? Taper((double)(m - mFirst) / pad) : m > coreLast ? Taper((double)(mLast - m) / pad) : 1.0;
            images[n] = new Complex((periodic - lorentz) * taper, 0);
        }
        Fourier.Forward(images, FourierOptions.NoScaling);
        var aSpec = new Complex[size];
        for (int q = 0; q < size; q++)
        {
            int qs = q <= size / 2 ? q : q - size;
            double nu = qs / period;
            double y = 2 * Math.PI * Math.PI * kT * nu;
            double thermal = Math.Abs(y) < 1e-8 ? 1.0 : Math.Abs(y) > 700 ? 0.0 : y / Math.Sinh(y);
            double lorentz = Math.Exp(-2 * Math.PI * gamma * Math.Abs(nu));
            // Σ_n K((mFirst + n)h) e^{−2πiqn/N} = e^{2πiq·mFirst/N} K̂(ν_q)/h for the periodic kernel; A = −K.
            var phase = Complex.FromPolarCoordinates(1.0, 2 * Math.PI * ((long)q * mFirst % size) / size);
            aSpec[q] = -(phase * (thermal * lorentz / h) - images[q] * thermal);
        }
        var rule = ModulationMV > 0 ? LockInQuadrature.For(ModulationMV, temperatureK, gamma, 1e-9) : null;
        var cumulative = new double[2 * _jCount];
        for (int j = 0; j < _jCount; j++)
        {
            double w = (_jLo + j) * h, c = 0, dc = 0;
            int nodes = rule?.Count ?? 1;
            for (int k = 0; k < nodes; k++)
            {
                double wk = rule is null ? w : w - ModulationMV * rule.Nodes[k], weight = rule?.Weights[k] ?? 1.0;
                DynesCumulative(wk, gamma, kT, out double ck, out double dk);
                c += weight * ck; dc += weight * dk;
            }
            cumulative[2 * j] = c;
            cumulative[2 * j + 1] = dc;
        }
        return new Kernel { TemperatureK = temperatureK, XCount = xCount, MFirst = mFirst, Size = size, ASpectrum = aSpec, Cumulative = cumulative };
    }

    /// <summary>
    /// The distribution of K = L_Γ ⊛ (−f′): C(w) = ∫_{−∞}^w K = ½ + (1/π) Im ψ(z) and K(w) = Re ψ′(z)/(2π²k_BT),
    /// z = ½ + (Γ + iw)/(2πk_BT) (the Fermi function's poles shifted by Γ).
    /// </summary>
    internal static void DynesCumulative(double w, double gammaMeV, double kT, out double cumulative, out double density)
    {
        var z = new Complex(0.5 + gammaMeV / (2 * Math.PI * kT), w / (2 * Math.PI * kT));
        ComplexPolygamma.DigammaTrigamma(z, out var psi, out var psi1);
        cumulative = 0.5 + psi.Imaginary / Math.PI;
        density = psi1.Real / (2 * Math.PI * Math.PI * kT);
    }

    private const double FermiWindowKT = 25.0; // f < 1.4e−11 beyond it

    private Kernel BuildKernel(double temperatureK)
    {
        double h = _h, kT = PhysicalConstants.BoltzmannMeVPerK * temperatureK;
        int jHi = _jLo + _jCount - 1;
        // x reaches the Fermi window's far side for the highest w, and the B-term's f(Δ_s + x) tail.
        int xCount = (int)Math.Ceiling((Math.Max(jHi * h, 0) + FermiWindowKT * kT) / h) + 1;
        // ε = x − w spans [−w_max, x_max − w_min]; pad both ends so the tapered kernel is periodic and smooth.
        int pad = 256;
        int mFirst = -jHi - pad, mLast = xCount - 1 - _jLo + pad;
        int size = 1;
        while (size < mLast - mFirst + 1) size <<= 1;
        mLast = mFirst + size - 1;
        var ab = new Complex[size];
        double dt = TipGapMeV, gt = TipGammaMeV;
        int coreFirst = mFirst + pad, coreLast = mLast - pad;
        for (int n = 0; n < size; n++)
        {
            int m = mFirst + n;
            double eps = m * h;
            SisConductanceModel.TipDos(eps, dt, gt, out double nt, out double dnt);
            double x = eps / kT;
            double f = x > 0 ? Math.Exp(-x) / (1 + Math.Exp(-x)) : 1 / (1 + Math.Exp(x));
            double fPrime = -f * (1 - f) / kT;
            double a = dnt * f + nt * fPrime;
            double taper = m < coreFirst ? Taper((double)(m - mFirst) / pad) : m > coreLast ? Taper((double)(mLast - m) / pad) : 1.0;
            ab[n] = new Complex(a * taper, dnt * taper);
        }
        Fourier.Forward(ab, FourierOptions.NoScaling);
        var aSpec = new Complex[size];
        var bSpec = new Complex[size];
        for (int q = 0; q < size; q++)
        {
            var z = ab[q];
            var zc = Complex.Conjugate(ab[(size - q) % size]);
            aSpec[q] = (z + zc) * 0.5;
            bSpec[q] = (z - zc) / new Complex(0, 2);
        }
        return new Kernel { TemperatureK = temperatureK, XCount = xCount, MFirst = mFirst, Size = size, ASpectrum = aSpec, BSpectrum = bSpec };
    }

    /// <summary>A C^∞ step from 0 (s ≤ 0) to 1 (s ≥ 1).</summary>
    private static double Taper(double s)
    {
        if (s <= 0) return 0;
        if (s >= 1) return 1;
        double a = Math.Exp(-1 / s), b = Math.Exp(-1 / (1 - s));
        return a / (a + b);
    }

    private Node BuildNode(double ds, Kernel k)
    {
        double h = _h, kT = PhysicalConstants.BoltzmannMeVPerK * k.TemperatureK;
        int size = k.Size;
        double xMax = (k.XCount - 1) * h;
        // λ: long enough for the Taylor remainder to stay smooth on the lattice (≥ 20h), short enough
        // for e^{−x/λ} to vanish before the lattice ends (≤ x_max/40, unless that is below 20h).
        double lambda = Math.Max(20 * h, Math.Min(ds, xMax / 40));
        // Taylor coefficients (in x) of √x·ρ(x) = (Δ + x)/√(2Δ + x) = √(Δ/2)(1 + 3u/4 − 5u²/32 + 7u³/128), u = x/Δ.
        double c = Math.Sqrt(ds / 2);
        Span<double> hCoef = [c, c * 0.75 / ds, -c * 5.0 / 32 / (ds * ds), c * 7.0 / 128 / (ds * ds * ds)];
        Span<double> expCoef = [1, 1 / lambda, 1 / (2 * lambda * lambda), 1 / (6 * lambda * lambda * lambda)];
        // f(Δ + x) and its first three derivatives.
        double y = ds / kT;
        double f = y > 0 ? Math.Exp(-y) / (1 + Math.Exp(-y)) : 1 / (1 + Math.Exp(y));
        double g1 = f * (1 - f);
        Span<double> fCoef = [f, -g1 / kT, g1 * (1 - 2 * f) / (kT * kT) / 2, -g1 * (1 - 6 * f + 6 * f * f) / (kT * kT * kT) / 6];
        Span<double> pa = stackalloc double[4], pb = stackalloc double[4], he = stackalloc double[4];
        Multiply(hCoef, expCoef, he);
        he.CopyTo(pa);
        Multiply(he, fCoef, pb);

        // Dynes (normal tip): the lattice holds ρ − 1, whose constant part at x → 0 is taken out like the
        // singular one, as e^{−x/λ}·(Taylor polynomial of e^{x/λ}) with the exact transform Σ qₙ n!/(1/λ + 2πiν)^{n+1}.
        bool dynes = k.Cumulative is not null;
        // Lattice weights of the smooth remainder, packed A-term + i·B-term.
        var z = new Complex[size];
        for (int kx = 1; kx < k.XCount; kx++)
        {
            double x = kx * h;
            double rho = (ds + x) / Math.Sqrt(x * (2 * ds + x));
            double e = Math.Exp(-x / lambda) / Math.Sqrt(x);
            double sa = e * (pa[0] + x * (pa[1] + x * (pa[2] + x * pa[3])));
            double sb = e * (pb[0] + x * (pb[1] + x * (pb[2] + x * pb[3])));
            double yx = (ds + x) / kT;
            double fx = yx > 0 ? Math.Exp(-yx) / (1 + Math.Exp(-yx)) : 1 / (1 + Math.Exp(yx));
            double end = kx == k.XCount - 1 ? 0.5 : 1.0;
            if (dynes)
            {
                double constant = Math.Exp(-x / lambda) * (expCoef[0] + x * (expCoef[1] + x * (expCoef[2] + x * expCoef[3])));
                z[kx] = new Complex(end * h * (rho - 1 - sa + constant), 0);
                continue;
            }
            z[kx] = new Complex(end * h * (rho - sa), end * h * (rho * fx - sb));
        }
        Fourier.Forward(z, FourierOptions.NoScaling);

        double length = size * h;
        var lockIn = ModulationMV > 0 ? LockInSpectrum(size) : null;
        var spectrum = new Complex[size];
        for (int q = 0; q < size; q++)
        {
            var zq = z[q];
            var zc = Complex.Conjugate(z[(size - q) % size]);
            var wa = (zq + zc) * 0.5;
            var wb = (zq - zc) / new Complex(0, 2);
            int qs = q <= size / 2 ? q : q - size;
            double nu = qs / length;
            // Exact transform of the singular part: ∫₀^∞ x^{n−½} e^{−x/λ} e^{−2πiνx} dx = Γ(n+½)/(1/λ + 2πiν)^{n+½}.
            var s = new Complex(1 / lambda, 2 * Math.PI * nu);
            var inverse = 1.0 / s;
            var term = 1.0 / Complex.Sqrt(s);
            Complex sA = 0, sB = 0;
            for (int n = 0; n < 4; n++)
            {
                sA += pa[n] * GammaHalf[n] * term; sB += pb[n] * GammaHalf[n] * term;
                term *= inverse;
            }
            if (dynes)
            {
                // −e^{−x/λ}Q(x): ∫₀^∞ xⁿ e^{−sx} dx = n!/s^{n+1}.
                var power = inverse;
                for (int n = 0; n < 4; n++)
                {
                    sA -= expCoef[n] * Factorial[n] * power;
                    power *= inverse;
                }
            }
            wa += sA; wb += sB;
            // Correlation Σ_k W_k K_{k+n}: conj(Ŵ)·K̂.
            var sq = -Complex.Conjugate(wa) * k.ASpectrum[q];
            if (k.BSpectrum is not null) sq += Complex.Conjugate(wb) * k.BSpectrum[q];
            if (lockIn is not null) sq *= lockIn[q];
            // Index n of the correlation holds w = −(MFirst + n)·h, so d/dw = −(1/h) d/dn.
            double dn = q == size / 2 ? 0 : 2 * Math.PI * qs / size;
            spectrum[q] = sq + new Complex(0, 1) * (sq * new Complex(0, dn) * (-1 / h));
        }
        Fourier.Inverse(spectrum, FourierOptions.NoScaling);
        var data = new float[2 * _jCount];
        double norm = 1.0 / size;
        for (int j = 0; j < _jCount; j++)
        {
            int m = -(_jLo + j) - k.MFirst;
            int n = ((m % size) + size) % size;
            double g = spectrum[n].Real * norm, dg = spectrum[n].Imaginary * norm;
            if (dynes) { g += k.Cumulative![2 * j]; dg += k.Cumulative[2 * j + 1]; }
            data[2 * j] = (float)g;
            data[2 * j + 1] = (float)dg;
        }
        return new Node(data);
    }

    private static readonly double[] Factorial = [1, 1, 2, 6];

    private static readonly double[] GammaHalf = [Math.Sqrt(Math.PI), Math.Sqrt(Math.PI) / 2, 3 * Math.Sqrt(Math.PI) / 4, 15 * Math.Sqrt(Math.PI) / 8];

    private static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> result)
    {
        for (int n = 0; n < 4; n++)
        {
            double s = 0;
            for (int i = 0; i <= n; i++) s += a[i] * b[n - i];
            result[n] = s;
        }
    }

    private readonly ConcurrentDictionary<int, double[]> _lockIn = new();

    /// <summary>The lock-in semicircle's transform 2J₁(z)/z, z = 2πνV_m, at the DFT frequencies of one FFT length.</summary>
    private double[] LockInSpectrum(int size) => _lockIn.GetOrAdd(size, n =>
    {
        var t = new double[n];
        for (int q = 0; q < n; q++)
        {
            int qs = q <= n / 2 ? q : q - n;
            double z = 2 * Math.PI * qs / (n * _h) * ModulationMV;
            t[q] = Math.Abs(z) < 1e-8 ? 1.0 : 2 * BesselJ1(z) / z;
        }
        return t;
    });

    /// <summary>
    /// J₁(z) = (1/2π)∫₀^{2π} cos(τ − z sin τ) dτ by the trapezoid rule, exact to rounding once the
    /// node count exceeds |z| + 30 (the integrand is periodic and entire).
    /// </summary>
    internal static double BesselJ1(double z)
    {
        int n = (int)Math.Abs(z) + 40;
        double s = 0;
        for (int i = 0; i < n; i++)
        {
            double tau = 2 * Math.PI * i / n;
            s += Math.Cos(tau - z * Math.Sin(tau));
        }
        return s / n;
    }
}
