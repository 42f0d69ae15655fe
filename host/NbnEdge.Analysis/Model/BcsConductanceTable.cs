using System.Buffers.Binary;
using System.IO.Compression;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace NbnEdge.Analysis.Model;

/// <summary>
/// The exact thermal-BCS conductance G(x, t) tabulated for speed: a fit evaluates the model and
/// its derivatives at ~200 points a few dozen times, and the exact integral costs 10–100 µs a
/// point, so the 20,000 fits/s target needs a table (docs/DESIGN.md: G depends on V, Δ, T only
/// through eV/Δ and k_BT/Δ).
/// </summary>
/// <remarks>
/// <para>Coordinates: w = (|x| − 1)/t, which stretches the coherence peak (whose width scales with t)
/// to the same size at every temperature, and σ = ln t. Nodes store G and its exact derivatives
/// ∂G/∂w, ∂G/∂σ, ∂²G/∂w∂σ (from <see cref="ExactBcsIntegral"/>), and a cell is a bicubic Hermite
/// patch: the model is C¹, so the fitter sees smooth derivatives, not steps.</para>
/// <para>Outside the nodes: w &gt; +36 uses the Sommerfeld expansion (exact to ~1e−12 there);
/// w &lt; −36 gives 0 (G &lt; 5e−15 there); t outside the table falls back to the exact integral.</para>
/// <para>The table is generated once by <see cref="Build"/> from the exact integral and shipped
/// as an embedded resource (regenerate with <c>nbnedge model-table</c>); the tests check it
/// against the exact integral away from the nodes.</para>
/// </remarks>
public sealed class BcsConductanceTable
{
    /// <summary>Largest |w| the table covers; beyond it the asymptotic forms hold.</summary>
    public const double WLimit = 36.0;

    /// <summary>Default node spacing in w.</summary>
    public const double DefaultStepW = 0.08;

    /// <summary>Default node spacing in ln t.</summary>
    public const double DefaultStepLnT = 0.05;

    /// <summary>Smallest k_BT/Δ in the default table.</summary>
    public const double DefaultMinT = 0.001;

    /// <summary>Largest k_BT/Δ in the default table.</summary>
    public const double DefaultMaxT = 1.3;

    private const string ResourceName = "NbnEdge.Analysis.Model.bcs-table.bin.br";
    private const uint FileMagic = 0x31534342; // "BCS1"

    private readonly double[] _nodes; // per node: G, G_w, G_σ, G_wσ; rows of constant σ
    private readonly int _nw, _ns;
    private readonly double _w0, _hw, _s0, _hs, _invHw;

    /// <summary>Smallest t the table covers.</summary>
    public double MinT { get; }

    /// <summary>Largest t the table covers.</summary>
    public double MaxT { get; }

    /// <summary>Node spacing in w.</summary>
    public double StepW => _hw;

    /// <summary>Node spacing in ln t.</summary>
    public double StepLnT => _hs;

    private BcsConductanceTable(double[] nodes, int nw, int ns, double w0, double hw, double s0, double hs)
    {
        _nodes = nodes; _nw = nw; _ns = ns; _w0 = w0; _hw = hw; _s0 = s0; _hs = hs; _invHw = 1.0 / hw;
        MinT = Math.Exp(s0);
        MaxT = Math.Exp(s0 + (ns - 1) * hs);
    }

    private static readonly Lazy<BcsConductanceTable> LazyDefault = new(LoadDefault, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shipped table (built in memory if the resource is missing).</summary>
    public static BcsConductanceTable Default => LazyDefault.Value;

    /// <summary>
    /// Computes a table from the exact integral. Each node costs one exact evaluation
    /// (10–100 µs), so the default table takes some seconds: it is shipped, not built at start-up.
    /// </summary>
    public static BcsConductanceTable Build(double stepW = DefaultStepW, double stepLnT = DefaultStepLnT,
        double minT = DefaultMinT, double maxT = DefaultMaxT, IProgress<double>? progress = null)
    {
        int nw = (int)Math.Round(2 * WLimit / stepW) + 1;
        double s0 = Math.Log(minT);
        int ns = (int)Math.Ceiling((Math.Log(maxT) - s0) / stepLnT) + 1;
        var nodes = new double[nw * ns * 4];
        int done = 0;
        Parallel.For(0, ns, j =>
        {
            double t = Math.Exp(s0 + j * stepLnT);
            for (int i = 0; i < nw; i++)
            {
                double w = -WLimit + i * stepW;
                double x = 1.0 + t * w; // may be negative: G is even, and the patch continues smoothly
                var v = ExactBcsIntegral.Evaluate(x, t);
                int k = (j * nw + i) * 4;
                // x = 1 + t·w, t = e^σ: ∂x/∂w = t, ∂x/∂σ = t·w, ∂t/∂σ = t.
                nodes[k] = v.G;
                nodes[k + 1] = t * v.Gx;
                nodes[k + 2] = t * (w * v.Gx + v.Gt);
                nodes[k + 3] = t * (v.Gx + t * (w * v.Gxx + v.Gxt));
            }
            progress?.Report(Interlocked.Increment(ref done) / (double)ns);
        });
        return new BcsConductanceTable(nodes, nw, ns, -WLimit, stepW, s0, stepLnT);
    }

    /// <summary>Writes the table in the shipped format (Brotli-compressed little-endian doubles).</summary>
    public void Save(Stream destination)
    {
        using var brotli = new BrotliStream(destination, CompressionLevel.SmallestSize, leaveOpen: true);
        Span<byte> header = stackalloc byte[4 + 4 + 4 + 4 * 8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, FileMagic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], _nw);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], _ns);
        BinaryPrimitives.WriteDoubleLittleEndian(header[12..], _w0);
        BinaryPrimitives.WriteDoubleLittleEndian(header[20..], _hw);
        BinaryPrimitives.WriteDoubleLittleEndian(header[28..], _s0);
        BinaryPrimitives.WriteDoubleLittleEndian(header[36..], _hs);
        brotli.Write(header);
        var bytes = new byte[_nodes.Length * 8];
        for (int i = 0; i < _nodes.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), _nodes[i]);
        brotli.Write(bytes);
    }

    /// <summary>Reads a table written by <see cref="Save"/>.</summary>
    public static BcsConductanceTable Load(Stream source)
    {
        using var brotli = new BrotliStream(source, CompressionMode.Decompress, leaveOpen: true);
        var header = new byte[44];
        brotli.ReadExactly(header);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != FileMagic)
            throw new InvalidDataException("not a BCS conductance table");
        int nw = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
        int ns = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
        double w0 = BinaryPrimitives.ReadDoubleLittleEndian(header.AsSpan(12));
        double hw = BinaryPrimitives.ReadDoubleLittleEndian(header.AsSpan(20));
        double s0 = BinaryPrimitives.ReadDoubleLittleEndian(header.AsSpan(28));
        double hs = BinaryPrimitives.ReadDoubleLittleEndian(header.AsSpan(36));
        var bytes = new byte[checked(nw * ns * 4 * 8)];
        brotli.ReadExactly(bytes);
        var nodes = new double[nw * ns * 4];
        for (int i = 0; i < nodes.Length; i++) nodes[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * 8));
        return new BcsConductanceTable(nodes, nw, ns, w0, hw, s0, hs);
    }

    private static BcsConductanceTable LoadDefault()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName);
        return stream is null ? Build() : Load(stream);
    }

    /// <summary>
    /// Per-temperature part of an evaluation, computed once per model evaluation (every point of
    /// a spectrum shares t): the row and the Hermite weights in σ.
    /// </summary>
    public readonly struct Row
    {
        internal readonly double T, InvT;
        internal readonly int Base0, Base1;        // node offsets of the two rows
        internal readonly bool InTable;
        // Hermite weights in σ for values (H, and D scaled by hs) and σ-derivatives (…s), each
        // broadcast to both lanes: a node's (G, G_w) and (G_σ, G_wσ) pairs are interpolated two at a time.
        internal readonly Vector128<double> H0, H1, D0, D1, H0s, H1s, D0s, D1s;

        internal Row(BcsConductanceTable table, double t)
        {
            T = t; InvT = 1.0 / t;
            double s = (Math.Log(t) - table._s0) / table._hs;
            int j = (int)Math.Floor(s);
            InTable = j >= 0 && j < table._ns - 1 || (j == table._ns - 1 && s == j);
            if (j == table._ns - 1) j--;
            if (!InTable) { Base0 = Base1 = 0; return; }
            double b = s - j;
            double b2 = b * b, b3 = b2 * b;
            double hs = table._hs;
            H0 = Vector128.Create(2 * b3 - 3 * b2 + 1);
            H1 = Vector128.Create(-2 * b3 + 3 * b2);
            D0 = Vector128.Create((b3 - 2 * b2 + b) * hs);
            D1 = Vector128.Create((b3 - b2) * hs);
            H0s = Vector128.Create((6 * b2 - 6 * b) / hs);
            H1s = Vector128.Create((-6 * b2 + 6 * b) / hs);
            D0s = Vector128.Create(3 * b2 - 4 * b + 1);
            D1s = Vector128.Create(3 * b2 - 2 * b);
            Base0 = j * table._nw * 4;
            Base1 = (j + 1) * table._nw * 4;
        }
    }

    /// <summary>Prepares the evaluations at one k_BT/Δ.</summary>
    public Row ForTemperature(double t) => new(this, t);

    /// <summary>
    /// G(x, t) with ∂G/∂x and ∂G/∂t (reduced units), t taken from <paramref name="row"/>.
    /// </summary>
    public void Evaluate(in Row row, double x, out double g, out double gx, out double gt)
    {
        g = gx = gt = 0;
        Evaluate(row, new ReadOnlySpan<double>(in x), new Span<double>(ref g), new Span<double>(ref gx), new Span<double>(ref gt));
    }

    /// <summary>
    /// G, ∂G/∂x and ∂G/∂t (reduced units) at every x, all at the t of <paramref name="row"/>: the
    /// fitter's hot loop (a spectrum's points share t), kept in one method so nothing is called per point.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Evaluate(in Row row, ReadOnlySpan<double> x, Span<double> g, Span<double> gx, Span<double> gt)
    {
        int n = x.Length;
        if (g.Length < n || gx.Length < n || gt.Length < n) throw new ArgumentException("output spans are shorter than x");
        double invT = row.InvT, w0 = _w0, invHw = _invHw, hw = _hw;
        int lastCell = _nw - 2;
        ref double nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        for (int k = 0; k < n; k++)
        {
            double xk = x[k];
            double ax = Math.Abs(xk);
            double w = (ax - 1.0) * invT;
            if (!row.InTable || !(Math.Abs(w) < WLimit))
            {
                Outside(row, xk, w, out g[k], out gx[k], out gt[k]);
                continue;
            }

            double a = (w - w0) * invHw;
            int i = (int)a;
            if (i > lastCell) i = lastCell;
            a -= i;
            // The cell index is in range by the |w| < WLimit check above; skip the 16 bounds checks.
            ref double r0 = ref Unsafe.Add(ref nodes, row.Base0 + i * 4);
            ref double r1 = ref Unsafe.Add(ref nodes, row.Base1 + i * 4);

            // Interpolate along σ at the cell's two w-columns: values and w-derivatives (v, d), and
            // their σ-derivatives (vs, ds). A node holds (G, G_w, G_σ, G_wσ); the σ-Hermite patch pairs
            // G with G_σ and G_w with G_wσ, so (v, d) = H0·(G, G_w)₀ + H1·(G, G_w)₁ + D0·(G_σ, G_wσ)₀ + D1·(G_σ, G_wσ)₁
            // is one two-lane expression, in the same order of operations as the scalar form.
            var gw00 = Vector128.LoadUnsafe(ref r0); var sx00 = Vector128.LoadUnsafe(ref Unsafe.Add(ref r0, 2));
            var gw01 = Vector128.LoadUnsafe(ref r1); var sx01 = Vector128.LoadUnsafe(ref Unsafe.Add(ref r1, 2));
            var gw10 = Vector128.LoadUnsafe(ref Unsafe.Add(ref r0, 4)); var sx10 = Vector128.LoadUnsafe(ref Unsafe.Add(ref r0, 6));
            var gw11 = Vector128.LoadUnsafe(ref Unsafe.Add(ref r1, 4)); var sx11 = Vector128.LoadUnsafe(ref Unsafe.Add(ref r1, 6));
            var vd0 = row.H0 * gw00 + row.H1 * gw01 + row.D0 * sx00 + row.D1 * sx01;
            var vd0s = row.H0s * gw00 + row.H1s * gw01 + row.D0s * sx00 + row.D1s * sx01;
            var vd1 = row.H0 * gw10 + row.H1 * gw11 + row.D0 * sx10 + row.D1 * sx11;
            var vd1s = row.H0s * gw10 + row.H1s * gw11 + row.D0s * sx10 + row.D1s * sx11;
            double v0 = vd0.ToScalar(), d0 = vd0.GetElement(1), v0s = vd0s.ToScalar(), d0s = vd0s.GetElement(1);
            double v1 = vd1.ToScalar(), d1 = vd1.GetElement(1), v1s = vd1s.ToScalar(), d1s = vd1s.GetElement(1);

            // Then along w.
            double a2 = a * a, a3 = a2 * a;
            double h0 = 2 * a3 - 3 * a2 + 1, h1 = -2 * a3 + 3 * a2;
            double e0 = (a3 - 2 * a2 + a) * hw, e1 = (a3 - a2) * hw;
            double h0a = (6 * a2 - 6 * a) * invHw, h1a = -h0a;
            double e0a = 3 * a2 - 4 * a + 1, e1a = 3 * a2 - 2 * a;

            g[k] = h0 * v0 + h1 * v1 + e0 * d0 + e1 * d1;
            double gW = h0a * v0 + h1a * v1 + e0a * d0 + e1a * d1;
            double gS = h0 * v0s + h1 * v1s + e0 * d0s + e1 * d1s;

            // Back to (x, t): G_x = G_w / t, G_t = (G_σ − w·G_w)/t.
            double gxk = gW * invT;
            gx[k] = xk < 0 ? -gxk : gxk;
            gt[k] = (gS - w * gW) * invT;
        }
    }

    /// <summary>Points the nodes do not cover: t outside the table (exact integral), far tails (asymptotic forms).</summary>
    private static void Outside(in Row row, double x, double w, out double g, out double gx, out double gt)
    {
        double t = row.T;
        if (double.IsNaN(x))
        {
            g = gx = gt = double.NaN;
        }
        else if (!row.InTable)
        {
            var v = ExactBcsIntegral.Evaluate(x, t);
            g = v.G; gx = v.Gx; gt = v.Gt;
        }
        else if (w >= WLimit)
        {
            SommerfeldTail.Evaluate(Math.Abs(x), t, out g, out gx, out gt);
            if (x < 0) gx = -gx;
        }
        else
        {
            g = 0; gx = 0; gt = 0; // w ≤ −WLimit: deep inside the gap, G < 5e−15
        }
    }

    /// <summary>G(x, t) alone.</summary>
    public double Conductance(double x, double t)
    {
        var row = ForTemperature(t);
        Evaluate(row, x, out double g, out _, out _);
        return g;
    }
}
