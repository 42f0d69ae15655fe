
namespace NbnEdge.Analysis.Model;

/// <summary>
/// The tunnelling conductance the fitter uses, in the lab's units (mV, meV, K): thermally
/// broadened BCS (docs/DESIGN.md Eq. 2–3), optional Dynes Γ, lock-in modulation amplitude V_m (peak),
/// bias offset V₀, scale n₀ and a linear background:
/// y(V) = n₀ · (1 + slope·(V − V₀)) · ⟨G⟩_Vm(V − V₀).
/// </summary>
/// <remarks>
/// Everything here is the exact model: G from <see cref="ExactBcsIntegral"/> (Γ = 0) or from the
/// Matsubara-pole sum (Γ &gt; 0), averaged over the lock-in's
/// modulation by Gauss–Chebyshev quadrature of the second kind, which carries the
/// √(V_m² − ε²) weight exactly. The fitter's fast path evaluates the same formula through
/// <see cref="BcsConductanceTable"/>.
/// </remarks>
public static class ThermalBcsModel
{
    /// <summary>Exact normalised conductance G(V) (→ 1 far from the gap), before scale and background.</summary>
    /// <param name="biasMV">Bias V − V₀ in mV.</param>
    /// <param name="deltaMeV">Gap Δ in meV.</param>
    /// <param name="temperatureK">Effective temperature in K (tip's Fermi function).</param>
    /// <param name="gammaMeV">Dynes broadening Γ in meV (0 for pure BCS).</param>
    /// <param name="modulationMV">Lock-in modulation amplitude V_m (peak, = V_pp/2) in mV; 0 for none.</param>
    public static double Conductance(double biasMV, double deltaMeV, double temperatureK, double gammaMeV = 0, double modulationMV = 0)
    {
        if (!(deltaMeV > 0)) throw new ArgumentOutOfRangeException(nameof(deltaMeV), deltaMeV, "Δ must be positive.");
        if (!(temperatureK > 0)) throw new ArgumentOutOfRangeException(nameof(temperatureK), temperatureK, "T must be positive.");
        if (gammaMeV < 0) throw new ArgumentOutOfRangeException(nameof(gammaMeV), gammaMeV, "Γ must not be negative.");
        double t = PhysicalConstants.BoltzmannMeVPerK * temperatureK / deltaMeV;
        double gamma = gammaMeV / deltaMeV;
        return LockInAverage(biasMV, deltaMeV, modulationMV, temperatureK, gammaMeV, 1e-13, x => Reduced(x, t, gamma));
    }

    /// <summary>
    /// ⟨G⟩ at bias <paramref name="biasMV"/> − V₀: the reduced conductance G(x = eV/Δ) averaged over
    /// this point's lock-in rule (<see cref="LockInQuadrature.AtNisPoint"/>, sized at
    /// <paramref name="ruleTemperatureK"/> and Γ), or G(u/Δ) itself without modulation.
    /// </summary>
    private static double LockInAverage(double biasMV, double deltaMeV, double modulationMV, double ruleTemperatureK, double gammaMeV,
        double tolerance, Func<double, double> reducedConductance)
    {
        if (!(modulationMV > 0)) return reducedConductance(biasMV / deltaMeV);
        int count = LockInQuadrature.AtNisPoint(biasMV, deltaMeV, modulationMV, ruleTemperatureK, gammaMeV, tolerance, out var y, out var w);
        double sum = 0;
        for (int j = 0; j < count; j++)
            sum += w[j] * reducedConductance((biasMV - modulationMV * y[j]) / deltaMeV);
        return sum;
    }

    /// <summary>The instrument's reading for ⟨G⟩ at u = V − V₀: scale, linear background and leakage applied.</summary>
    private static double Reading(in BcsParameters p, double u, double g) =>
        p.Scale * (1.0 + p.SlopePerMV * u) * (p.LeakageFraction + (1.0 - p.LeakageFraction) * g);

    /// <summary>The full instrument model: scale, background and offset applied.</summary>
    public static double Evaluate(in BcsParameters p, double biasMV)
    {
        if (p.IsSis) return SisConductanceModel.Evaluate(p, biasMV);
        double u = biasMV - p.BiasOffsetMV;
        return Reading(p, u, Conductance(u, p.DeltaMeV, p.TemperatureK, p.GammaMeV, p.ModulationMV));
    }

    /// <summary>
    /// The model curve a fit drew its Δ from, for figures, the dashboard and exported models: with
    /// Γ = 0 (NIS) it is evaluated as <see cref="Fitting.GapFitter"/> evaluates it, through
    /// <see cref="BcsConductanceTable.Default"/> (7.5e−7 of G) with k_BT/Δ held inside the table's
    /// range and the lock-in rule at 1e−8; with Γ &gt; 0 by the pole sum at the fitter's accuracy;
    /// a superconducting tip point by point with <see cref="Evaluate"/>.
    /// </summary>
    /// <remarks>
    /// Why not <see cref="Evaluate"/> throughout: a fit at T_eff's floor with a wide lock-in (a real
    /// ±50 mV, V_m = 2 mV Nanonis file) has k_BT/Δ ≈ 1e−4, where the exact integral costs
    /// milliseconds a node and the graded lock-in rule has hundreds of nodes: 34 s to draw 2,049
    /// points, for a curve the fitter had held at the table's coldest k_BT/Δ anyway.
    /// </remarks>
    public static void Curve(in BcsParameters p, ReadOnlySpan<double> biasMV, Span<double> result)
    {
        if (result.Length < biasMV.Length) throw new ArgumentException("result is shorter than biasMV", nameof(result));
        const double lockInTolerance = 1e-8; // the fitter's (GapFitter.EvaluateModel)
        if (p.IsSis)
        {
            for (int i = 0; i < biasMV.Length; i++) result[i] = Evaluate(p, biasMV[i]);
            return;
        }
        // Γ > 0: the exact pole sum at the accuracy the fitter's exact path uses (2e−9 of G, rule at
        // 1e−8; at 1e−13 the figure of a 2,048-point ±50 mV fit took longer than the fit). Γ = 0: the
        // fitter's table, with k_BT/Δ held inside its range and the rule sized at that temperature.
        Func<double, double> reduced;
        double ruleTemperatureK;
        if (p.GammaMeV > 0)
        {
            double tDynes = PhysicalConstants.BoltzmannMeVPerK * p.TemperatureK / p.DeltaMeV, gamma = p.GammaMeV / p.DeltaMeV;
            reduced = x => MatsubaraBcsSum.ConductanceForFit(x, tDynes, gamma);
            ruleTemperatureK = p.TemperatureK;
        }
        else
        {
            var table = BcsConductanceTable.Default;
            double t = Math.Clamp(PhysicalConstants.BoltzmannMeVPerK * p.TemperatureK / p.DeltaMeV, table.MinT, table.MaxT);
            var row = table.ForTemperature(t);
            reduced = x => { table.Evaluate(row, x, out double g, out _, out _); return g; };
            ruleTemperatureK = t * p.DeltaMeV / PhysicalConstants.BoltzmannMeVPerK;
        }
        for (int i = 0; i < biasMV.Length; i++)
        {
            double u = biasMV[i] - p.BiasOffsetMV;
            result[i] = Reading(p, u, LockInAverage(u, p.DeltaMeV, p.ModulationMV, ruleTemperatureK, p.GammaMeV, lockInTolerance, reduced));
        }
    }

    private static double Reduced(double x, double t, double gamma) =>
        gamma > 0 ? DynesConductance(x, t, gamma) : ExactBcsIntegral.Evaluate(x, t).G;

    /// <summary>
    /// Dynes-broadened thermal conductance in reduced units (x = eV/Δ, t = k_BT/Δ, γ = Γ/Δ),
    /// exact: the Matsubara-pole sum of <see cref="MatsubaraBcsSum"/>.
    /// </summary>
    public static double DynesConductance(double x, double t, double gamma) => MatsubaraBcsSum.Conductance(x, t, gamma);
}

/// <summary>Parameters of the instrument model, in mV / meV / K.</summary>
/// <param name="DeltaMeV">Gap Δ.</param>
/// <param name="TemperatureK">Effective temperature T_eff.</param>
/// <param name="Scale">n₀: conductance far from the gap at V = V₀, in the data's units.</param>
/// <param name="SlopePerMV">Linear background, relative to n₀, per mV.</param>
/// <param name="BiasOffsetMV">V₀: the bias at the centre of the gap.</param>
/// <param name="GammaMeV">Dynes Γ.</param>
/// <param name="ModulationMV">Lock-in modulation amplitude V_m (peak).</param>
/// <param name="LeakageFraction">
/// In-gap leakage η: a constant conductance in parallel, G → η + (1 − η)G (a normal channel, a
/// pinhole, an unresolved residual density of states); 0 for none.
/// </param>
/// <param name="TipGapMeV">Superconducting tip (SIS model): the tip's gap Δ_t; 0 for a normal tip.</param>
/// <param name="TipGammaMeV">
/// Superconducting tip: the tip's Dynes Γ_t. Positive selects the SIS model
/// (<see cref="SisConductanceModel"/>, with <see cref="DeltaMeV"/> the sample's gap); 0 is the NIS model.
/// </param>
public readonly record struct BcsParameters(
    double DeltaMeV, double TemperatureK, double Scale = 1.0, double SlopePerMV = 0.0,
    double BiasOffsetMV = 0.0, double GammaMeV = 0.0, double ModulationMV = 0.0, double LeakageFraction = 0.0,
    double TipGapMeV = 0.0, double TipGammaMeV = 0.0)
{
    /// <summary>True for a superconducting tip (SIS model): the tip's Γ_t is positive.</summary>
    public bool IsSis => TipGammaMeV > 0;
}

/// <summary>
/// Gauss–Chebyshev quadrature (second kind) for the lock-in average
/// ⟨G⟩(V) = ∫ χ(ε) G(V − ε) dε, χ(ε) = 2√(V_m² − ε²)/(π V_m²): with ε = V_m·y the weight is
/// (2/π)√(1 − y²), and the n-point rule y_j = cos(jπ/(n+1)), w_j = (2/(n+1)) sin²(jπ/(n+1)) is exact
/// for polynomials of degree 2n − 1.
/// </summary>
public sealed class LockInQuadrature
{
    /// <summary>Abscissae y_j in [−1, 1] (multiply by V_m).</summary>
    public double[] Nodes { get; }

    /// <summary>Weights, summing to 1.</summary>
    public double[] Weights { get; }

    /// <summary>Number of nodes.</summary>
    public int Count => Nodes.Length;

    private LockInQuadrature(int n)
    {
        Nodes = new double[n];
        Weights = new double[n];
        for (int j = 1; j <= n; j++)
        {
            double theta = j * Math.PI / (n + 1);
            double s = Math.Sin(theta);
            Nodes[j - 1] = Math.Cos(theta);
            Weights[j - 1] = 2.0 / (n + 1) * s * s;
        }
    }

    private static readonly LockInQuadrature?[] Cache = new LockInQuadrature?[MaxNodes + 1];
    private const int MaxNodes = 96;

    /// <summary>The rule with <paramref name="n"/> nodes (cached).</summary>
    public static LockInQuadrature WithNodes(int n)
    {
        n = Math.Clamp(n, 1, MaxNodes);
        return Cache[n] ??= new LockInQuadrature(n);
    }

    /// <summary>
    /// Enough nodes for a relative error of about <paramref name="tolerance"/>. G(V) is analytic in
    /// a strip |Im V| &lt; πk_BT + Γ (the Fermi kernel's poles, and the Dynes broadening), so in y
    /// the integrand is analytic inside the Bernstein ellipse with ρ = d + √(d² + 1), d = (πk_BT + Γ)/V_m,
    /// and the error falls like ρ^(−2n).
    /// </summary>
    public static LockInQuadrature For(double modulationMV, double temperatureK, double gammaMeV, double tolerance) =>
        WithNodes(NodesNeeded(modulationMV, temperatureK, gammaMeV, tolerance));

    /// <summary>
    /// Whether <see cref="For"/> meets <paramref name="tolerance"/> within its 96 nodes. It does not
    /// when the lock-in is wide against the thermal and Dynes smoothing (k_BT + Γ below ~3 % of V_m:
    /// 50 mK with V_m = 0.5 mV): the capped rule then missed G by 1 % of the background there, and by
    /// 12 % at 30 mK and 1 mV; <see cref="AtPoint"/> is exact there.
    /// </summary>
    public static bool Suffices(double modulationMV, double temperatureK, double gammaMeV, double tolerance) =>
        NodesNeeded(modulationMV, temperatureK, gammaMeV, tolerance, capped: false) <= MaxNodes;

    private static int NodesNeeded(double modulationMV, double temperatureK, double gammaMeV, double tolerance, bool capped = true)
    {
        double d = (Math.PI * PhysicalConstants.BoltzmannMeVPerK * temperatureK + gammaMeV) / modulationMV;
        double rho = d + Math.Sqrt(d * d + 1.0);
        double n = NodesFor(rho, tolerance);
        if (!capped) return n > int.MaxValue / 2 ? int.MaxValue / 2 : (int)n;
        return (int)Math.Clamp(n, 2, MaxNodes);
    }

    /// <summary>Nodes for an error of about <paramref name="tolerance"/> when the nearest singularity lies on the Bernstein ellipse ρ (the error falls like ρ^(−2n)).</summary>
    private static double NodesFor(double rho, double tolerance) => Math.Ceiling(Math.Log(1.0 / tolerance) / (2.0 * Math.Log(rho))) + 1;

    /// <summary>Most nodes <see cref="AtPoint"/> returns.</summary>
    public const int MaxPointNodes = (1 + 2 * MaxEdges) * 2 * (MaxGradingLevels + 1) * PanelNodes;

    private const int MaxEdges = 2;

    private const int MaxGradingLevels = 50;
    private const int PanelNodes = 8;

    // 8-point Gauss–Legendre on [−1, 1].
    private static readonly double[] PanelX =
        [-0.9602898564975363, -0.7966664774136267, -0.5255324099163290, -0.1834346424956498, 0.1834346424956498, 0.5255324099163290, 0.7966664774136267, 0.9602898564975363];
    private static readonly double[] PanelW =
        [0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.3626837833783620, 0.3626837833783620, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763];

    /// <summary>
    /// The lock-in rule for one bias point of a conductance with edges at ±each of
    /// <paramref name="edgesMeV"/> (the BCS gap's ±Δ; a superconducting tip's ±(Δ_s + Δ_t) and
    /// ±|Δ_s − Δ_t|; at most two), smoothed by k_BT + Γ: the shared Gauss–Chebyshev rule of
    /// <see cref="For"/> when it <see cref="Suffices"/>, else <see cref="ForPoint"/>'s in buffers of
    /// this thread, valid until its next call. Returns the node count.
    /// </summary>
    public static int AtPoint(double biasMV, ReadOnlySpan<double> edgesMeV, double modulationMV, double temperatureK, double gammaMeV,
        double tolerance, out double[] nodes, out double[] weights)
    {
        if (Suffices(modulationMV, temperatureK, gammaMeV, tolerance))
        {
            var rule = For(modulationMV, temperatureK, gammaMeV, tolerance);
            (nodes, weights) = (rule.Nodes, rule.Weights);
            return rule.Count;
        }
        nodes = PointNodes ??= new double[MaxPointNodes];
        weights = PointWeights ??= new double[MaxPointNodes];
        double smoothingY = (PhysicalConstants.BoltzmannMeVPerK * temperatureK + gammaMeV) / modulationMV;
        return ForPoint(biasMV, edgesMeV, modulationMV, smoothingY, tolerance, nodes, weights);
    }

    [ThreadStatic] private static double[]? PointNodes, PointWeights;

    /// <summary>
    /// The lock-in rule for one bias point of the NIS conductance (gap edges at ±Δ): as many
    /// Gauss–Chebyshev nodes as this point needs, else <see cref="AtPoint"/>'s graded rule. Returns the node count.
    /// </summary>
    /// <remarks>
    /// By the pole sum of <see cref="MatsubaraBcsSum"/>, G(V) is analytic everywhere but at
    /// V = ±Δ ± i(πk_BT(2m + 1) + Γ): away from the edges it is smooth on far more than the strip
    /// |Im V| &lt; πk_BT + Γ that <see cref="For"/> must assume for every point. So each point's rule
    /// is sized by its own nearest singularity, y* = (u ∓ Δ)/V_m ± i(πk_BT + Γ)/V_m, on the Bernstein
    /// ellipse ρ = |y* + √(y*² − 1)|. On a ±50 mV sweep with V_m = 2 mV most points are several V_m
    /// from an edge and need 3–10 nodes instead of 58–96: the exact (Dynes) path pays per node.
    /// </remarks>
    public static int AtNisPoint(double biasMV, double deltaMeV, double modulationMV, double temperatureK, double gammaMeV,
        double tolerance, out double[] nodes, out double[] weights)
    {
        double d = (Math.PI * PhysicalConstants.BoltzmannMeVPerK * temperatureK + gammaMeV) / modulationMV;
        double rho = Math.Min(EllipseParameter((biasMV - deltaMeV) / modulationMV, d), EllipseParameter((biasMV + deltaMeV) / modulationMV, d));
        double n = NodesFor(rho, tolerance);
        if (n <= MaxNodes)
        {
            var rule = WithNodes((int)Math.Max(n, 2));
            (nodes, weights) = (rule.Nodes, rule.Weights);
            return rule.Count;
        }
        return AtPoint(biasMV, [deltaMeV], modulationMV, temperatureK, gammaMeV, tolerance, out nodes, out weights);
    }

    /// <summary>ρ of the Bernstein ellipse (foci ±1) through y = a + ib: |y + √(y² − 1)|, taking the root with ρ ≥ 1.</summary>
    private static double EllipseParameter(double a, double b)
    {
        var y = new System.Numerics.Complex(a, b);
        double r = (y + System.Numerics.Complex.Sqrt(y - 1.0) * System.Numerics.Complex.Sqrt(y + 1.0)).Magnitude;
        return Math.Max(r, 1.0 / r);
    }

    /// <summary>
    /// The lock-in rule for one bias point, for when <see cref="Suffices"/> is false: nodes y and
    /// weights w (summing to 1) in the caller's buffers (at least <see cref="MaxPointNodes"/> long);
    /// returns their count. A point whose lock-in window lies well clear of the edges at ±each of
    /// <paramref name="edgesMeV"/> (at most two) gets the 96-node Gauss–Chebyshev rule: the
    /// conductance is smooth across the window, and the rule's error falls like ρ^(−192) with ρ set
    /// by the distance of the nearest edge. A window over an edge gets a graded composite rule: with
    /// y = cos θ the weight is (2/π)sin²θ dθ, smooth; the interval [0, π] is cut where u − V_m·y
    /// meets an edge (the BCS G jumps from the gap to its 1/√ peak there), and each piece is cut into
    /// panels halving towards its ends down to <paramref name="smoothingY"/>, the thermal and Dynes
    /// smoothing in units of V_m, with 8-point Gauss–Legendre in each panel (hp refinement:
    /// exponential convergence at an algebraic singularity).
    /// </summary>
    private static int ForPoint(double biasMV, ReadOnlySpan<double> edgesMeV, double modulationMV, double smoothingY, double tolerance,
        Span<double> y, Span<double> w)
    {
        // Clear of the edges: an edge at y_s outside [−1, 1] puts the nearest singularity on the
        // Bernstein ellipse ρ = |y_s| + √(y_s² − 1); 96 nodes reach the tolerance when ρ^(−192) does.
        double needRho = Math.Exp(Math.Log(1.0 / tolerance) / (2.0 * (MaxNodes - 1)));
        Span<double> cuts = stackalloc double[2 + 2 * MaxEdges];
        int nc = 0;
        bool clear = true;
        cuts[nc++] = 0.0;
        for (int e = 0; e < edgesMeV.Length && e < MaxEdges; e++)
            foreach (double sign in (ReadOnlySpan<double>)[1.0, -1.0])
            {
                double ys = (biasMV - sign * edgesMeV[e]) / modulationMV;
                clear &= Clear(ys, needRho);
                if (ys > -1 && ys < 1) cuts[nc++] = Math.Acos(ys);
            }
        if (clear)
        {
            var rule = WithNodes(MaxNodes);
            rule.Nodes.CopyTo(y);
            rule.Weights.CopyTo(w);
            return MaxNodes;
        }
        cuts[nc++] = Math.PI;
        cuts[..nc].Sort();
        int count = 0;
        for (int k = 0; k + 1 < nc; k++)
        {
            double a = cuts[k], b = cuts[k + 1];
            if (!(b > a)) continue;
            double mid = 0.5 * (a + b);
            count = Grade(a, mid, MinimumPanel(a, smoothingY), y, w, count);
            count = Grade(b, mid, MinimumPanel(b, smoothingY), y, w, count);
        }
        return count;
    }

    private static bool Clear(double ys, double needRho)
    {
        double a = Math.Abs(ys);
        return a > 1 && a + Math.Sqrt(a * a - 1) >= needRho;
    }

    /// <summary>The width in θ over which the smoothing (in y) rounds off an edge at θ: dy = sin θ dθ, and near y = ±1 dy ≈ dθ²/2.</summary>
    private static double MinimumPanel(double theta, double smoothingY)
    {
        double s = Math.Abs(Math.Sin(theta));
        double h = s * s > 2 * smoothingY ? smoothingY / s : Math.Sqrt(2 * smoothingY);
        return 0.5 * h;
    }

    /// <summary>Panels from <paramref name="edge"/> to <paramref name="other"/>, halving towards the edge down to <paramref name="finest"/>.</summary>
    private static int Grade(double edge, double other, double finest, Span<double> y, Span<double> w, int count)
    {
        double length = Math.Abs(other - edge), direction = other > edge ? 1.0 : -1.0;
        if (!(length > 0)) return count;
        int levels = finest > 0 ? (int)Math.Clamp(Math.Ceiling(Math.Log2(length / finest)), 0, MaxGradingLevels) : MaxGradingLevels;
        double outer = length;
        for (int level = 0; level <= levels; level++)
        {
            double inner = level == levels ? 0.0 : 0.5 * outer;
            double from = edge + direction * inner, to = edge + direction * outer;
            double centre = 0.5 * (from + to), half = 0.5 * Math.Abs(to - from);
            for (int j = 0; j < PanelNodes; j++)
            {
                double theta = centre + half * PanelX[j];
                double sin = Math.Sin(theta);
                y[count] = Math.Cos(theta);
                w[count] = half * PanelW[j] * (2.0 / Math.PI) * sin * sin;
                count++;
            }
            outer = inner;
        }
        return count;
    }
}
