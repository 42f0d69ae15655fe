using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace NbnEdge.Analysis.Spatial;

/// <summary>
/// The measurement's geometry for the parametric bootstrap of ξ_Δ: it draws Gaussian Δ at the
/// measured positions from an exponential model (plus white nugget and each spectrum's own fit
/// error) and bins the drawn Δ's pair sums exactly as the data's variogram is binned.
/// </summary>
/// <remarks>
/// One exact geometry: a map whose points sit on a rectangular lattice (a grid, complete or not:
/// circulant embedding by FFT, Dietrich &amp; Newsam 1997). Scattered map points have none; <see cref="For"/>
/// returns null. Lines need no simulation: <see cref="LineLikelihood"/> gives their interval.
/// </remarks>
internal abstract class SimulatedVariogram
{
    /// <summary>
    /// Most points simulated: each draw's pair sums cost n²/2, so 1000 draws of 2500 points take
    /// a few seconds of CPU (a 48 × 48 map: 2.5 s); more points keep the block bootstrap.
    /// </summary>
    public const int MaximumPoints = 2500;

    protected SimulatedVariogram(int bins, double[] fitVariance)
    {
        Bins = bins;
        FitVariance = fitVariance;
        Pairs = new double[bins];
        LagNm = new double[bins];
        FitNugget = new double[bins];
    }

    /// <summary>Lag bins (the data's).</summary>
    public int Bins { get; }

    /// <summary>σᵢ² of each point, meV².</summary>
    protected double[] FitVariance { get; }

    /// <summary>Pairs per bin.</summary>
    public double[] Pairs { get; }

    /// <summary>Mean pair distance per bin, nm.</summary>
    public double[] LagNm { get; }

    /// <summary>Mean ½(σᵢ² + σⱼ²) per bin, meV² (the fit errors' nugget, fixed from draw to draw).</summary>
    public double[] FitNugget { get; }

    /// <summary>True when the geometry also bins the pairs within 22.5° of x and of y (a map).</summary>
    public abstract bool Directional { get; }

    /// <summary>Pairs per bin along x.</summary>
    public double[]? PairsX { get; protected set; }

    /// <summary>Pairs per bin along y.</summary>
    public double[]? PairsY { get; protected set; }

    /// <summary>Mean lag per bin along x and y (maps).</summary>
    public double[]? LagXNm { get; protected set; }

    /// <inheritdoc cref="LagXNm"/>
    public double[]? LagYNm { get; protected set; }

    /// <summary>Mean fit-error nugget per bin along x and y (maps).</summary>
    public double[]? FitNuggetX { get; protected set; }

    /// <inheritdoc cref="FitNuggetX"/>
    public double[]? FitNuggetY { get; protected set; }

    /// <summary>Scratch space of one thread.</summary>
    public abstract object NewWorkspace();

    /// <summary>
    /// Draws Δ = √c₁·s + √c₀·w + σᵢ·e (s the exponential field of <paramref name="model"/>, w and e
    /// white) and writes its nugget-corrected semivariance per bin (radial, and along x and y on a map).
    /// Call it twice per workspace in a row with one generator: on a map the second call uses the
    /// second field of the first call's FFT.
    /// </summary>
    public abstract void Draw(ExponentialVariogram model, Random rng, object workspace, double[] gamma, double[]? gammaX, double[]? gammaY);

    /// <summary>The geometry for these map points, or null (scattered points, or too many points).</summary>
    public static SimulatedVariogram? For(double[] xNm, double[] yNm, double[] fitVariance, int bins, double binWidthNm) =>
        xNm.Length > MaximumPoints ? null : LatticeVariogram.TryCreate(xNm, yNm, fitVariance, bins, binWidthNm);

    /// <summary>The bin of a pair at <paramref name="lagNm"/>: as the data's variogram bins it.</summary>
    protected static int BinOf(double lagNm, int bins, double binWidthNm) => Math.Min(bins - 1, (int)(lagNm / binWidthNm));

    protected static void Normalise(double[] pairs, double[] lag, double[] nugget)
    {
        for (int k = 0; k < pairs.Length; k++)
            if (pairs[k] > 0) { lag[k] /= pairs[k]; nugget[k] /= pairs[k]; }
    }

    protected static void Corrected(double[] halfSquares, double[] pairs, double[] nugget, double[] gamma)
    {
        for (int k = 0; k < pairs.Length; k++) gamma[k] = pairs[k] > 0 ? halfSquares[k] / pairs[k] - nugget[k] : 0;
    }

    /// <summary>A standard normal deviate (Box–Muller, one of the pair).</summary>
    protected static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Two independent standard normal deviates (both of Box–Muller's pair).</summary>
    protected static (double, double) GaussianPair(Random rng)
    {
        double radius = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble()));
        var (sin, cos) = Math.SinCos(2 * Math.PI * rng.NextDouble());
        return (radius * cos, radius * sin);
    }
}

/// <summary>
/// A map on a rectangular lattice (steps px, py; missing pixels allowed): the exponential field by
/// circulant embedding (two independent fields per complex FFT), and the pair sums per lattice
/// offset, every pair at one offset sharing its distance, bin and direction.
/// </summary>
internal sealed class LatticeVariogram : SimulatedVariogram
{
    private readonly int _columns, _rows, _embedColumns, _embedRows;
    private readonly double _pxNm, _pyNm;
    private readonly int[] _pointAt;          // lattice cell → point index, −1 where no point
    private readonly bool _complete;
    private readonly (int Dx, int Dy, int Bin, sbyte Axis)[] _offsets;  // Axis: 1 along x, 2 along y, 0 neither
    private readonly Dictionary<double, double[]> _spectra = new();
    private readonly Lock _spectraLock = new();

    private LatticeVariogram(double[] fitVariance, int bins, double binWidthNm, double px, double py, int columns, int rows,
        int[] pointAt) : base(bins, fitVariance)
    {
        _columns = columns; _rows = rows; _pxNm = px; _pyNm = py; _pointAt = pointAt;
        _complete = pointAt.All(i => i >= 0);
        // The embedding torus at least twice the lattice: power-of-two sides for the FFT.
        _embedColumns = (int)BitOperations.RoundUpToPowerOf2((uint)(2 * columns));
        _embedRows = (int)BitOperations.RoundUpToPowerOf2((uint)(2 * rows));
        PairsX = new double[bins]; PairsY = new double[bins];
        LagXNm = new double[bins]; LagYNm = new double[bins];
        FitNuggetX = new double[bins]; FitNuggetY = new double[bins];
        double tan225 = Math.Tan(Math.PI / 8);
        var offsets = new List<(int, int, int, sbyte)>();
        for (int dy = 0; dy < rows; dy++)
            for (int dx = -(columns - 1); dx < columns; dx++)
            {
                if (dy == 0 && dx <= 0) continue;   // each unordered pair once
                double ax = Math.Abs(dx) * px, ay = dy * py;
                double h = Math.Sqrt(ax * ax + ay * ay);
                int bin = BinOf(h, bins, binWidthNm);
                sbyte axis = (sbyte)(ay <= tan225 * ax ? 1 : ax <= tan225 * ay ? 2 : 0);
                double pairs = 0, nugget = 0;
                ForEachPair(dx, dy, (a, b) => { pairs++; nugget += 0.5 * (fitVariance[a] + fitVariance[b]); });
                if (pairs == 0) continue;
                offsets.Add((dx, dy, bin, axis));
                Pairs[bin] += pairs; LagNm[bin] += pairs * h; FitNugget[bin] += nugget;
                if (axis == 1) { PairsX[bin] += pairs; LagXNm[bin] += pairs * h; FitNuggetX[bin] += nugget; }
                if (axis == 2) { PairsY[bin] += pairs; LagYNm[bin] += pairs * h; FitNuggetY[bin] += nugget; }
            }
        _offsets = offsets.ToArray();
        Normalise(Pairs, LagNm, FitNugget);
        Normalise(PairsX, LagXNm, FitNuggetX);
        Normalise(PairsY, LagYNm, FitNuggetY);
    }

    /// <summary>The lattice through the points, or null when they are not on one (or it would be mostly empty).</summary>
    public static LatticeVariogram? TryCreate(double[] xNm, double[] yNm, double[] fitVariance, int bins, double binWidthNm)
    {
        if (!(Step(xNm) is { } px && Step(yNm) is { } py)) return null;
        double x0 = xNm.Min(), y0 = yNm.Min();
        int columns = (int)Math.Round((xNm.Max() - x0) / px) + 1, rows = (int)Math.Round((yNm.Max() - y0) / py) + 1;
        int n = xNm.Length;
        if ((long)columns * rows > 2L * n || columns < 2 || rows < 2) return null;
        var pointAt = new int[columns * rows];
        Array.Fill(pointAt, -1);
        for (int i = 0; i < n; i++)
        {
            int c = (int)Math.Round((xNm[i] - x0) / px), r = (int)Math.Round((yNm[i] - y0) / py);
            if (pointAt[r * columns + c] >= 0) return null;
            pointAt[r * columns + c] = i;
        }
        return new LatticeVariogram(fitVariance, bins, binWidthNm, px, py, columns, rows, pointAt);
    }

    /// <summary>The lattice step of one coordinate: the smallest gap between distinct values, every value a whole number of steps from the first; null otherwise.</summary>
    private static double? Step(double[] v)
    {
        var sorted = v.Order().ToArray();
        double extent = sorted[^1] - sorted[0];
        if (!(extent > 0)) return null;
        double tolerance = 1e-6 * extent;
        double step = double.PositiveInfinity;
        for (int k = 1; k < sorted.Length; k++)
        {
            double gap = sorted[k] - sorted[k - 1];
            if (gap > tolerance && gap < step) step = gap;
        }
        if (!double.IsFinite(step)) return null;
        foreach (double x in sorted)
        {
            double units = (x - sorted[0]) / step;
            if (Math.Abs(units - Math.Round(units)) > 1e-3) return null;
        }
        return step;
    }

    public override bool Directional => true;

    private void ForEachPair(int dx, int dy, Action<int, int> pair)
    {
        for (int r = 0; r + dy < _rows; r++)
            for (int c = Math.Max(0, -dx); c < _columns && c + dx < _columns; c++)
            {
                int a = _pointAt[r * _columns + c], b = _pointAt[(r + dy) * _columns + c + dx];
                if (a >= 0 && b >= 0) pair(a, b);
            }
    }

    /// <summary>√(λ/N) of the embedding's circulant for this ξ (λ clipped at 0), cached per ξ.</summary>
    private double[] Spectrum(double xiNm)
    {
        lock (_spectraLock)
            if (_spectra.TryGetValue(xiNm, out var cached)) return cached;
        int nc = _embedColumns, nr = _embedRows;
        var c = new Complex[nc * nr];
        for (int r = 0; r < nr; r++)
            for (int k = 0; k < nc; k++)
            {
                double ax = Math.Min(k, nc - k) * _pxNm, ay = Math.Min(r, nr - r) * _pyNm;
                c[r * nc + k] = Math.Exp(-Math.Sqrt(ax * ax + ay * ay) / xiNm);
            }
        Forward2D(c, allColumns: true);
        // The exponential covariance embeds with (almost) no negative eigenvalues on a torus twice
        // the map; the few slightly negative ones of a ξ comparable to the map are set to 0.
        var root = new double[c.Length];
        for (int k = 0; k < c.Length; k++) root[k] = Math.Sqrt(Math.Max(0, c[k].Real) / c.Length);
        lock (_spectraLock) _spectra[xiNm] = root;
        return root;
    }

    private sealed class Workspace(int embedded, int lattice, int bins)
    {
        public Complex[] Field { get; } = new Complex[embedded];
        public double[] Value { get; } = new double[lattice];
        public bool HasSpare { get; set; }
        public double[] Half { get; } = new double[bins];
        public double[] HalfX { get; } = new double[bins];
        public double[] HalfY { get; } = new double[bins];
    }

    public override object NewWorkspace() => new Workspace(_embedColumns * _embedRows, _columns * _rows, Bins);

    public override void Draw(ExponentialVariogram model, Random rng, object workspace, double[] gamma, double[]? gammaX, double[]? gammaY)
    {
        var w = (Workspace)workspace;
        var root = Spectrum(model.CorrelationLengthNm);
        var field = w.Field;
        if (!w.HasSpare)
        {
            for (int k = 0; k < field.Length; k++)
            {
                var (g1, g2) = GaussianPair(rng);
                field[k] = new Complex(root[k] * g1, root[k] * g2);
            }
            Forward2D(field);
        }
        // The real and the imaginary part are two independent fields: one draw in two uses the second.
        bool imaginary = w.HasSpare;
        w.HasSpare = !w.HasSpare;
        double c1 = Math.Sqrt(model.PartialSillMeV2), c0 = Math.Sqrt(model.NuggetMeV2);
        var value = w.Value;
        for (int r = 0; r < _rows; r++)
            for (int c = 0; c < _columns; c++)
            {
                int i = _pointAt[r * _columns + c];
                var z = field[r * _embedColumns + c];
                value[r * _columns + c] = i < 0 ? 0
                    : c1 * (imaginary ? z.Imaginary : z.Real) + c0 * Gaussian(rng) + Math.Sqrt(FitVariance[i]) * Gaussian(rng);
            }
        Array.Clear(w.Half); Array.Clear(w.HalfX); Array.Clear(w.HalfY);
        foreach (var (dx, dy, bin, axis) in _offsets)
        {
            double sum = 0;
            for (int r = 0; r + dy < _rows; r++)
            {
                int c0Col = Math.Max(0, -dx), c1Col = Math.Min(_columns, _columns - dx);
                var a = value.AsSpan(r * _columns + c0Col, c1Col - c0Col);
                var b = value.AsSpan((r + dy) * _columns + c0Col + dx, c1Col - c0Col);
                if (_complete) sum += SquaredDistance(a, b);
                else
                    for (int c = c0Col; c < c1Col; c++)
                        if (_pointAt[r * _columns + c] >= 0 && _pointAt[(r + dy) * _columns + c + dx] >= 0)
                        {
                            double diff = value[r * _columns + c] - value[(r + dy) * _columns + c + dx];
                            sum += diff * diff;
                        }
            }
            w.Half[bin] += 0.5 * sum;
            if (axis == 1) w.HalfX[bin] += 0.5 * sum;
            else if (axis == 2) w.HalfY[bin] += 0.5 * sum;
        }
        Corrected(w.Half, Pairs, FitNugget, gamma);
        if (gammaX is not null) Corrected(w.HalfX, PairsX!, FitNuggetX!, gammaX);
        if (gammaY is not null) Corrected(w.HalfY, PairsY!, FitNuggetY!, gammaY);
    }

    /// <summary>
    /// Unscaled 2-D DFT of the embedding torus (row-wise), in place: rows, then columns (MathNet's
    /// managed provider has no multi-dimensional transform). Only the lattice's columns are
    /// transformed along y: the rest of the torus is never read.
    /// </summary>
    private void Forward2D(Complex[] data, bool allColumns = false)
    {
        int nc = _embedColumns, nr = _embedRows;
        var row = new Complex[nc];
        for (int r = 0; r < nr; r++)
        {
            data.AsSpan(r * nc, nc).CopyTo(row);
            Fourier.Forward(row, FourierOptions.NoScaling);
            row.CopyTo(data.AsSpan(r * nc, nc));
        }
        var column = new Complex[nr];
        for (int c = 0; c < (allColumns ? nc : _columns); c++)
        {
            for (int r = 0; r < nr; r++) column[r] = data[r * nc + c];
            Fourier.Forward(column, FourierOptions.NoScaling);
            for (int r = 0; r < nr; r++) data[r * nc + c] = column[r];
        }
    }

    private static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        int k = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<double>.Count)
        {
            var acc = Vector<double>.Zero;
            for (; k <= a.Length - Vector<double>.Count; k += Vector<double>.Count)
            {
                var d = new Vector<double>(a[k..]) - new Vector<double>(b[k..]);
                acc += d * d;
            }
            sum = Vector.Sum(acc);
        }
        for (; k < a.Length; k++) { double d = a[k] - b[k]; sum += d * d; }
        return sum;
    }
}
