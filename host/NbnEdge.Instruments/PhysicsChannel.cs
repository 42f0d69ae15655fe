namespace NbnEdge.Instruments;

/// <summary>What the physics check decided: the family to fit, its sign, or the Current derivative, and why.</summary>
internal sealed record PhysicsChoice(List<(int Index, ChannelName Name)> Family, double Sign, bool DerivativeOfCurrent, string Why);

/// <summary>
/// Picks the column that IS dI/dV by comparing each candidate with the numerical derivative of the
/// <c>Current</c> channel (Pearson correlation over the sweep). Names only break ties: a recognised
/// lock-in name wins when its correlation is within <see cref="TieMargin"/> of the best.
/// </summary>
internal static class PhysicsChannel
{
    /// <summary>How close a named channel's |r| must be to the best to be preferred for its name.</summary>
    public const double TieMargin = 0.02;

    /// <summary>Below this |r| no channel is taken to be dI/dV on physics alone (lock-in noise on a flat gap still gives ≥ 0.9 on real files).</summary>
    public const double MinimumCorrelation = 0.8;

    /// <summary>Channels that are never dI/dV: the bias, the topography and the oscillator's housekeeping.</summary>
    private static readonly string[] NotConductance = ["Bias", "Bias calc", "Z", "Phase", "Amplitude", "Frequency Shift", "Excitation", "X", "Y", "Applied Voltage measured", "Temperature"];

    /// <summary>
    /// Chooses among <paramref name="columns"/> using their parsed values. Returns null when the file has no
    /// usable Current channel (then the header names alone decide).
    /// </summary>
    public static PhysicsChoice? Choose(
        IReadOnlyList<(int Index, ChannelName Name)> columns,
        IReadOnlyDictionary<int, List<double>> values,
        List<double> bias,
        List<(int Index, ChannelName Name)>? byName)
    {
        var families = columns.Where(c => !c.Name.IsFiltered).GroupBy(c => c.Name.FamilyKey).Select(g => g.ToList()).ToList();
        var current = families.FirstOrDefault(f => f[0].Name.Base.Equals("Current", StringComparison.OrdinalIgnoreCase));
        if (current is null || bias.Count < 3) return null;
        var dIdV = Derivative(bias, Mean(current, values, bias.Count));
        if (dIdV is null) return null;

        // The numerical derivative amplifies the current's noise; a moving average over ~2 % of the sweep
        // (applied to both, so a real peak stays aligned) keeps the comparison about the spectrum's shape.
        int halfWidth = Math.Max(1, bias.Count / 50);
        var scored = new List<(List<(int Index, ChannelName Name)> Family, double R)>();
        foreach (var f in families)
        {
            if (ReferenceEquals(f, current)) continue;
            string b = f[0].Name.Base;
            if (NotConductance.Any(n => b.Equals(n, StringComparison.OrdinalIgnoreCase))) continue;
            double r = Correlation(Smooth(dIdV, halfWidth), Smooth(Mean(f, values, bias.Count), halfWidth));
            if (double.IsFinite(r)) scored.Add((f, r));
        }
        var best = scored.OrderByDescending(s => Math.Abs(s.R)).FirstOrDefault();
        string Describe(double r) => $"r = {r:F3} with dI/dV from the Current channel";

        if (byName is not null)
        {
            var named = scored.FirstOrDefault(s => ReferenceEquals(s.Family, byName) || s.Family[0].Name.FamilyKey == byName[0].Name.FamilyKey);
            if (named.Family is not null && (best.Family is null || Math.Abs(named.R) >= Math.Abs(best.R) - TieMargin) && Math.Abs(named.R) >= MinimumCorrelation)
                return new PhysicsChoice(named.Family, Math.Sign(named.R), false,
                    $"its name marks it as the lock-in's X output and it matches the physics ({Describe(named.R)}){(named.R < 0 ? "; the lock-in phase is inverted, so its sign was flipped" : "")}");
        }
        if (best.Family is not null && Math.Abs(best.R) >= MinimumCorrelation)
            return new PhysicsChoice(best.Family, Math.Sign(best.R), false,
                $"it is the channel most like dI/dV ({Describe(best.R)}){(best.R < 0 ? "; the lock-in phase is inverted, so its sign was flipped" : "")}");
        if (byName is not null)
        {
            // Physics undecided (a flat or noisy spectrum): keep the name's choice, and say how weak the check was.
            var named = scored.FirstOrDefault(x => x.Family[0].Name.FamilyKey == byName[0].Name.FamilyKey);
            // dI/dV is positive: a lock-in X whose sweep averages below zero has its phase inverted.
            double mean = Mean(byName, values, bias.Count).Where(double.IsFinite).DefaultIfEmpty(0).Average();
            double sign = mean < 0 ? -1 : 1;
            return new PhysicsChoice(byName, sign, false,
                $"taken by its name; the physics check was inconclusive ({(named.Family is null ? "no correlation" : Describe(named.R))})"
                + (sign < 0 ? "; its mean is negative, so the lock-in phase is inverted and its sign was flipped" : ""));
        }
        return new PhysicsChoice(current, 1, true,
            best.Family is null
                ? "the file has no lock-in channel, so the numerical derivative of Current is fitted"
                : $"no channel resembles dI/dV (best: {best.Family[0].Name.Base}, r = {best.R:F3}), so the numerical derivative of Current is fitted");
    }

    private static double[] Mean(List<(int Index, ChannelName Name)> family, IReadOnlyDictionary<int, List<double>> values, int n)
    {
        var m = new double[n];
        foreach (var c in family)
        {
            var v = values[c.Index];
            for (int i = 0; i < n; i++) m[i] += v[i];
        }
        for (int i = 0; i < n; i++) m[i] /= family.Count;
        return m;
    }

    /// <summary>
    /// The column label of a conductance taken as the derivative of Current per volt: each current
    /// unit in <paramref name="currentColumns"/> ("Current (A)", "(nA)") becomes the conductance's,
    /// in siemens with the same prefix ("(S)", "(nS)"), so figures label dI/dV in S, not in A.
    /// </summary>
    public static string DerivativeColumns(string currentColumns) =>
        "d/dV of " + System.Text.RegularExpressions.Regex.Replace(currentColumns, @"\(([fpnuµμm]?)A\)", "($1S)");

    /// <summary>
    /// Current's derivative as the conductance per volt (the unit <see cref="DerivativeColumns"/>
    /// labels), from a bias axis in units of <paramref name="voltsPerBiasUnit"/> V; null when the
    /// bias axis has a zero step.
    /// </summary>
    public static double[]? DerivativePerVolt(IReadOnlyList<double> bias, double voltsPerBiasUnit, double[] current)
    {
        var d = Derivative(bias, current);
        if (d is null) return null;
        for (int i = 0; i < d.Length; i++) d[i] /= voltsPerBiasUnit;
        return d;
    }

    /// <summary>Central differences d(y)/d(bias); null when the bias axis has a zero step.</summary>
    public static double[]? Derivative(IReadOnlyList<double> bias, double[] y)
    {
        int n = y.Length;
        var d = new double[n];
        for (int i = 0; i < n; i++)
        {
            int lo = Math.Max(0, i - 1), hi = Math.Min(n - 1, i + 1);
            double dv = bias[hi] - bias[lo];
            if (!(dv != 0) || !double.IsFinite(dv)) return null;
            d[i] = (y[hi] - y[lo]) / dv;
        }
        return d;
    }

    private static double[] Smooth(double[] y, int halfWidth)
    {
        var s = new double[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            int lo = Math.Max(0, i - halfWidth), hi = Math.Min(y.Length - 1, i + halfWidth);
            double sum = 0;
            for (int k = lo; k <= hi; k++) sum += y[k];
            s[i] = sum / (hi - lo + 1);
        }
        return s;
    }

    private static double Correlation(double[] a, double[] b)
    {
        double ma = 0, mb = 0; int n = 0;
        for (int i = 0; i < a.Length; i++)
            if (double.IsFinite(a[i]) && double.IsFinite(b[i])) { ma += a[i]; mb += b[i]; n++; }
        if (n < 3) return double.NaN;
        ma /= n; mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
            if (double.IsFinite(a[i]) && double.IsFinite(b[i]))
            {
                double da = a[i] - ma, db = b[i] - mb;
                sab += da * db; saa += da * da; sbb += db * db;
            }
        return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : double.NaN;
    }
}
