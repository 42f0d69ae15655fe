using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
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
/// <para>Tables are shared (thread-safe) and cached per tip, V_m and bias reach; nodes are built on first use.</para>
/// </remarks>
public sealed class SisConductanceTable
{
    /// <summary>Tip gap Δ_t in meV.</summary>
    public double TipGapMeV { get; }

    /// <summary>Tip Dynes Γ_t in meV.</summary>
    public double TipGammaMeV { get; }

    /// <summary>Lock-in modulation V_m (peak) in mV.</summary>
    public double ModulationMV { get; }

    /// <summary>Largest |V − V₀| the table answers, in mV.</summary>
    public double ReachMV { get; }

    /// <summary>Smallest sample gap the table answers (eight lattice steps), in meV.</summary>
    public double MinSampleGapMeV { get; }

    /// <summary>Largest sample gap the table answers, in meV.</summary>
    public double MaxSampleGapMeV { get; }

    /// <summary>Lowest temperature the table answers: k_BT = Γ_t/4 (colder is sharper than the tip resolves).</summary>
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

    private SisConductanceTable(double tipGapMeV, double tipGammaMeV, double modulationMV, double reachMV, double maxSampleGapMeV)
    {
        TipGapMeV = tipGapMeV; TipGammaMeV = tipGammaMeV; ModulationMV = modulationMV; ReachMV = reachMV;
        _h = tipGammaMeV / 12.0;
        MinSampleGapMeV = 8 * _h;
        MaxSampleGapMeV = Math.Max(maxSampleGapMeV, 2 * MinSampleGapMeV);
        MinTemperatureK = tipGammaMeV / 4.0 / PhysicalConstants.BoltzmannMeVPerK;
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

    private static readonly ConcurrentDictionary<(double, double, double, double, double), SisConductanceTable> Tables = new();

    /// <summary>
    /// The shared table for this tip and lock-in that answers |V − V₀| ≤ <paramref name="reachMV"/>
    /// and Δ_s ≤ <paramref name="maxSampleGapMeV"/> (both rounded up so that neighbouring requests share one).
    /// </summary>
    public static SisConductanceTable For(double tipGapMeV, double tipGammaMeV, double modulationMV, double reachMV, double maxSampleGapMeV)
    {
        if (!(tipGapMeV >= 0) || !double.IsFinite(tipGapMeV)) throw new ArgumentOutOfRangeException(nameof(tipGapMeV));
        if (!(tipGammaMeV > 0) || !double.IsFinite(tipGammaMeV)) throw new ArgumentOutOfRangeException(nameof(tipGammaMeV));
        if (!(modulationMV >= 0) || !double.IsFinite(modulationMV)) throw new ArgumentOutOfRangeException(nameof(modulationMV));
        reachMV = Math.Ceiling(Math.Max(reachMV, 0.1) * 2) / 2;
        maxSampleGapMeV = Math.Ceiling(Math.Max(maxSampleGapMeV, 0.1) * 2) / 2;
        var key = (tipGapMeV, tipGammaMeV, modulationMV, reachMV, maxSampleGapMeV);
        if (Tables.TryGetValue(key, out var table)) return table;
        // Tables of fitted tip parameters (a new Δ_t every step) must not pile up.
        if (Tables.Count > 16) Tables.Clear();
        return Tables.GetOrAdd(key, k => new SisConductanceTable(k.Item1, k.Item2, k.Item3, k.Item4, k.Item5));
    }

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
        Array.Clear(acc, 0, 12 * m);
        var c = s.C;
        for (int k = 0; k < 16; k++)
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

    /// <summary>The 4×4 nodes and Lagrange weights around (Δ_s, T), reused for every bias point of one model evaluation.</summary>
    public sealed class Stencil
    {
        internal readonly Node[] Nodes = new Node[16];
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
        int iD = Weights((Math.Log(d) - _lnDeltaMin) * _invLnDeltaStep, _deltaNodes, stencil.WD, stencil.WDd);
        int iT = Weights((Math.Log(tK) - _lnTempMin) * _invLnTempStep, _tempNodes, stencil.WT, stencil.WTd);
        // d/dΔ = (d/d lnΔ)/Δ per node step.
        for (int a = 0; a < 4; a++) stencil.WDd[a] *= _invLnDeltaStep / d;
        for (int b = 0; b < 4; b++) stencil.WTd[b] *= _invLnTempStep / tK;
        for (int a = 0; a < 4; a++)
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
        return _nodes.GetOrAdd(key, _ => BuildNode(Math.Exp(_lnDeltaMin + iD / _invLnDeltaStep), KernelAt(iT)));
    }

    /// <summary>The tip side at one temperature: DFTs of A = (n_t f)′ and B = n_t′ on the ε lattice.</summary>
    private sealed class Kernel
    {
        public required double TemperatureK;
        public required int XCount;      // x lattice 0..XCount−1
        public required int MFirst;      // ε = (MFirst + n)·h at array index n
        public required int Size;        // FFT length
        public required Complex[] ASpectrum, BSpectrum;
    }

    private Kernel KernelAt(int iT) => _kernels.GetOrAdd(iT, i => BuildKernel(Math.Exp(_lnTempMin + i / _invLnTempStep)));

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
            wa += sA; wb += sB;
            // Correlation Σ_k W_k K_{k+n}: conj(Ŵ)·K̂.
            var sq = -Complex.Conjugate(wa) * k.ASpectrum[q] + Complex.Conjugate(wb) * k.BSpectrum[q];
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
            data[2 * j] = (float)(spectrum[n].Real * norm);
            data[2 * j + 1] = (float)(spectrum[n].Imaginary * norm);
        }
        return new Node(data);
    }

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
