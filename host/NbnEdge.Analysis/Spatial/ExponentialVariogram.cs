namespace NbnEdge.Analysis.Spatial;

/// <summary>
/// The exponential semivariogram γ(h) = c₀ + c₁(1 − e^(−h/ξ)): a nugget c₀ (intrinsic variation
/// on scales below the spacing, after the fit errors are removed), a partial sill c₁ and the
/// correlation length ξ, the distance over which the correlation of Δ falls by 1/e
/// (covariance C(h) = c₁e^(−h/ξ) for h &gt; 0).
/// </summary>
/// <param name="NuggetMeV2">c₀ in meV².</param>
/// <param name="PartialSillMeV2">c₁ in meV².</param>
/// <param name="CorrelationLengthNm">ξ in nm.</param>
public sealed record ExponentialVariogram(double NuggetMeV2, double PartialSillMeV2, double CorrelationLengthNm)
{
    /// <summary>γ(h) in meV² at lag <paramref name="lagNm"/> (0 at h = 0, c₀ + … beyond).</summary>
    public double SemivarianceMeV2(double lagNm) =>
        lagNm <= 0 ? 0 : NuggetMeV2 + PartialSillMeV2 * (1 - Math.Exp(-lagNm / CorrelationLengthNm));

    /// <summary>Covariance of the true Δ at lag <paramref name="lagNm"/> in meV² (c₀ + c₁ at h = 0).</summary>
    public double CovarianceMeV2(double lagNm) =>
        lagNm <= 0 ? NuggetMeV2 + PartialSillMeV2 : PartialSillMeV2 * Math.Exp(-lagNm / CorrelationLengthNm);

    /// <summary>
    /// Weighted least-squares fit to binned semivariances: for each trial ξ the nugget and sill
    /// follow by non-negative linear least squares, and ξ is searched on a log grid, then refined by
    /// golden section. A second pass uses Cressie's weights N/γ_model², which give the short lags
    /// (few pairs, small γ, most of the information on ξ) their due.
    /// </summary>
    /// <remarks>
    /// Bins beyond <paramref name="fitBins"/> are not fitted one by one (far lags carry little on ξ
    /// and much of the line's large-scale accident) but enter one moment condition, weighted as
    /// much as all the fitted bins together: the model averaged over every pair must equal the
    /// measured mean semivariance over every pair (the line's variance less the fit errors). That
    /// is unbiased whatever ξ is, and pins the sill, so ξ cannot run off to where a variogram that
    /// has not yet flattened within the fitted lags would send it.
    /// </remarks>
    /// <param name="lagNm">Mean pair distance of each bin, in nm.</param>
    /// <param name="gammaMeV2">Semivariance of each bin (fit-error nugget already removed), in meV².</param>
    /// <param name="pairs">Pairs in each bin (weights); bins with 0 pairs are ignored.</param>
    /// <param name="fitBins">How many of the first bins are fitted; all bins enter the all-pairs moment.</param>
    /// <param name="minXiNm">Smallest ξ searched, in nm.</param>
    /// <param name="maxXiNm">Largest ξ searched, in nm.</param>
    /// <returns>The fitted model; null when fewer than three fitted bins hold pairs.</returns>
    public static ExponentialVariogram? Fit(ReadOnlySpan<double> lagNm, ReadOnlySpan<double> gammaMeV2, ReadOnlySpan<double> pairs,
        int fitBins, double minXiNm, double maxXiNm) => Fit(lagNm, gammaMeV2, pairs, fitBins, minXiNm, maxXiNm, null);

    /// <inheritdoc cref="Fit(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, int, double, double)"/>
    /// <param name="shape">⟨1 − e^(−h/ξ)⟩ over all pairs tabulated for these bins (many fits to one geometry); null computes it.</param>
    internal static ExponentialVariogram? Fit(ReadOnlySpan<double> lagNm, ReadOnlySpan<double> gammaMeV2, ReadOnlySpan<double> pairs,
        int fitBins, double minXiNm, double maxXiNm, AllPairsShape? shape)
    {
        return TwoPass(lagNm, gammaMeV2, pairs, fitBins, shape, (lag, gamma, w, all) => FitWithWeights(lag, gamma, w, all, minXiNm, maxXiNm));
    }

    /// <summary>
    /// The nugget and partial sill that go with a given ξ: the fit of <see cref="Fit"/> (same
    /// bins, weights and all-pairs moment) with ξ held at <paramref name="xiNm"/>.
    /// </summary>
    /// <returns>The model; null when fewer than three fitted bins hold pairs.</returns>
    public static ExponentialVariogram? FitSills(ReadOnlySpan<double> lagNm, ReadOnlySpan<double> gammaMeV2, ReadOnlySpan<double> pairs,
        int fitBins, double xiNm) => FitSills(lagNm, gammaMeV2, pairs, fitBins, xiNm, null);

    /// <inheritdoc cref="FitSills(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, int, double)"/>
    internal static ExponentialVariogram? FitSills(ReadOnlySpan<double> lagNm, ReadOnlySpan<double> gammaMeV2, ReadOnlySpan<double> pairs,
        int fitBins, double xiNm, AllPairsShape? shape)
    {
        return TwoPass(lagNm, gammaMeV2, pairs, fitBins, shape, (lag, gamma, w, all) =>
        {
            Cost(lag, gamma, w, all, xiNm, out double c0, out double c1);
            return new ExponentialVariogram(c0, c1, xiNm);
        });
    }

    private delegate ExponentialVariogram WeightedFit(ReadOnlySpan<double> lagNm, ReadOnlySpan<double> gammaMeV2, double[] weights, AllPairs all);

    /// <summary>
    /// The fit both <see cref="Fit"/> and <see cref="FitSills"/> make: over the first <paramref name="fitBins"/> bins,
    /// once weighted by the pairs and once by Cressie's weights from that first result; null when fewer than three
    /// of those bins hold pairs.
    /// </summary>
    private static ExponentialVariogram? TwoPass(ReadOnlySpan<double> lagNm, ReadOnlySpan<double> gammaMeV2, ReadOnlySpan<double> pairs,
        int fitBins, AllPairsShape? shape, WeightedFit fit)
    {
        if (FewerThanThreeBins(pairs, fitBins)) return null;
        var all = new AllPairs(lagNm, gammaMeV2, pairs, shape);
        lagNm = lagNm[..fitBins];
        gammaMeV2 = gammaMeV2[..fitBins];
        pairs = pairs[..fitBins];
        var w = pairs.ToArray();
        CressieWeights(fit(lagNm, gammaMeV2, w, all), lagNm, pairs, w);
        return fit(lagNm, gammaMeV2, w, all);
    }

    private static bool FewerThanThreeBins(ReadOnlySpan<double> pairs, int fitBins)
    {
        int used = 0;
        for (int k = 0; k < fitBins; k++) if (pairs[k] > 0) used++;
        return used < 3;
    }

    /// <summary>
    /// Cressie's weights pairs/γ(h)² from a first fit into <paramref name="w"/>; a floor keeps a zero model at short lags
    /// from handing one bin all the weight.
    /// </summary>
    private static void CressieWeights(ExponentialVariogram first, ReadOnlySpan<double> lagNm, ReadOnlySpan<double> pairs, double[] w)
    {
        double floor = 0.05 * Math.Max(first.NuggetMeV2 + first.PartialSillMeV2, 1e-30);
        for (int k = 0; k < w.Length; k++)
        {
            double g = Math.Max(first.SemivarianceMeV2(lagNm[k]), floor);
            w[k] = pairs[k] / (g * g);
        }
    }

    /// <summary>The all-pairs moment: every bin's pairs and lag, and the mean corrected semivariance over all pairs.</summary>
    private sealed class AllPairs
    {
        private readonly AllPairsShape? _shape;

        public AllPairs(ReadOnlySpan<double> lag, ReadOnlySpan<double> gamma, ReadOnlySpan<double> pairs, AllPairsShape? shape)
        {
            _shape = shape;
            Lag = lag.ToArray();
            Share = new double[lag.Length];
            double total = 0, sum = 0;
            for (int k = 0; k < lag.Length; k++) { total += pairs[k]; sum += pairs[k] * gamma[k]; }
            for (int k = 0; k < lag.Length; k++) Share[k] = total > 0 ? pairs[k] / total : 0;
            MeanGamma = total > 0 ? sum / total : 0;
        }

        public double[] Lag { get; }
        public double[] Share { get; }
        public double MeanGamma { get; }

        /// <summary>⟨1 − e^(−h/ξ)⟩ over all pairs.</summary>
        public double MeanShape(double xi)
        {
            if (_shape is not null) return _shape.At(xi);
            double f = 0;
            for (int k = 0; k < Lag.Length; k++) if (Share[k] > 0) f += Share[k] * (1 - Math.Exp(-Lag[k] / xi));
            return f;
        }
    }

    private static ExponentialVariogram FitWithWeights(ReadOnlySpan<double> lag, ReadOnlySpan<double> gamma, double[] w, AllPairs all,
        double minXi, double maxXi)
    {
        const int gridPoints = 48;
        double logMin = Math.Log(minXi), logMax = Math.Log(maxXi);
        double bestLog = logMin, bestCost = double.PositiveInfinity;
        for (int g = 0; g < gridPoints; g++)
        {
            double lx = logMin + (logMax - logMin) * g / (gridPoints - 1);
            double cost = Cost(lag, gamma, w, all, Math.Exp(lx), out _, out _);
            if (cost < bestCost) { bestCost = cost; bestLog = lx; }
        }
        // Golden section on log ξ within one grid step either side of the best grid point.
        double step = (logMax - logMin) / (gridPoints - 1);
        double a = Math.Max(logMin, bestLog - step), b = Math.Min(logMax, bestLog + step);
        const double invPhi = 0.6180339887498949;
        double c = b - invPhi * (b - a), d = a + invPhi * (b - a);
        double fc = Cost(lag, gamma, w, all, Math.Exp(c), out _, out _), fd = Cost(lag, gamma, w, all, Math.Exp(d), out _, out _);
        // 30 steps narrow one grid step (a factor ≤ 1.3 in ξ) to 1e-6 of ξ.
        for (int it = 0; it < 30; it++)
        {
            if (fc < fd) { b = d; d = c; fd = fc; c = b - invPhi * (b - a); fc = Cost(lag, gamma, w, all, Math.Exp(c), out _, out _); }
            else { a = c; c = d; fc = fd; d = a + invPhi * (b - a); fd = Cost(lag, gamma, w, all, Math.Exp(d), out _, out _); }
        }
        double xi = Math.Exp(0.5 * (a + b));
        double final = Cost(lag, gamma, w, all, xi, out double c0, out double c1);
        if (bestCost < final) { xi = Math.Exp(bestLog); Cost(lag, gamma, w, all, xi, out c0, out c1); }
        return new ExponentialVariogram(c0, c1, xi);
    }

    /// <summary>Weighted squared residual at fixed ξ, with c₀, c₁ ≥ 0 by non-negative least squares.</summary>
    private static double Cost(ReadOnlySpan<double> lag, ReadOnlySpan<double> gamma, double[] w, AllPairs all, double xi, out double c0, out double c1)
    {
        // Normal equations of γ ≈ c₀·1 + c₁·f, f = 1 − e^(−h/ξ), plus the all-pairs moment as one more row.
        double s11 = 0, s1f = 0, sff = 0, s1g = 0, sfg = 0, wSum = 0;
        for (int k = 0; k < w.Length; k++)
        {
            if (!(w[k] > 0)) continue;
            double f = 1 - Math.Exp(-lag[k] / xi);
            wSum += w[k];
            s11 += w[k]; s1f += w[k] * f; sff += w[k] * f * f; s1g += w[k] * gamma[k]; sfg += w[k] * f * gamma[k];
        }
        double fm = all.MeanShape(xi), gm = all.MeanGamma;
        s11 += wSum; s1f += wSum * fm; sff += wSum * fm * fm; s1g += wSum * gm; sfg += wSum * fm * gm;
        double det = s11 * sff - s1f * s1f;
        c0 = det > 1e-12 * s11 * sff ? (sff * s1g - s1f * sfg) / det : double.NaN;
        c1 = det > 1e-12 * s11 * sff ? (s11 * sfg - s1f * s1g) / det : double.NaN;
        if (!(c0 >= 0 && c1 >= 0))
        {
            // The unconstrained optimum leaves the quadrant: the best lies on an edge.
            double onlyC1 = sff > 0 ? Math.Max(0, sfg / sff) : 0;
            double onlyC0 = s11 > 0 ? Math.Max(0, s1g / s11) : 0;
            double costC1 = Residual(lag, gamma, w, all, xi, fm, 0, onlyC1);
            double costC0 = Residual(lag, gamma, w, all, xi, fm, onlyC0, 0);
            if (costC1 <= costC0) { c0 = 0; c1 = onlyC1; return costC1; }
            c0 = onlyC0; c1 = 0; return costC0;
        }
        return Residual(lag, gamma, w, all, xi, fm, c0, c1);
    }

    private static double Residual(ReadOnlySpan<double> lag, ReadOnlySpan<double> gamma, double[] w, AllPairs all, double xi, double meanShape,
        double c0, double c1)
    {
        double sum = 0, wSum = 0;
        for (int k = 0; k < w.Length; k++)
        {
            if (!(w[k] > 0)) continue;
            double r = gamma[k] - c0 - c1 * (1 - Math.Exp(-lag[k] / xi));
            sum += w[k] * r * r;
            wSum += w[k];
        }
        double rm = all.MeanGamma - c0 - c1 * meanShape;
        return sum + wSum * rm * rm;
    }
}

/// <summary>
/// ⟨1 − e^(−h/ξ)⟩ over all pairs of one geometry, tabulated on a fine grid of ln ξ: the all-pairs
/// moment of <see cref="ExponentialVariogram.Fit(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, int, double, double)"/>
/// costs one exponential per bin and trial ξ, most of a fit's time; the parametric bootstrap
/// refits thousands of variograms with the same pairs. Linear interpolation in ln ξ on 4096
/// points is within 1e-6 of the sum (its second derivative in ln ξ is below ¼).
/// </summary>
internal sealed class AllPairsShape
{
    private const int Points = 4096;
    private readonly double[] _lag;
    private readonly double[] _share;
    private readonly double[] _table = new double[Points];
    private readonly double _logMin, _step;

    public AllPairsShape(ReadOnlySpan<double> lagNm, ReadOnlySpan<double> pairs, double minXiNm, double maxXiNm)
    {
        double total = 0;
        for (int k = 0; k < pairs.Length; k++) total += pairs[k];
        _lag = lagNm.ToArray();
        _share = new double[pairs.Length];
        for (int k = 0; k < pairs.Length; k++) _share[k] = total > 0 ? pairs[k] / total : 0;
        _logMin = Math.Log(minXiNm);
        _step = (Math.Log(maxXiNm) - _logMin) / (Points - 1);
        for (int g = 0; g < Points; g++) _table[g] = Exact(Math.Exp(_logMin + g * _step));
    }

    /// <summary>⟨1 − e^(−h/ξ)⟩ at <paramref name="xiNm"/>.</summary>
    public double At(double xiNm)
    {
        double u = (Math.Log(xiNm) - _logMin) / _step;
        if (!(u >= 0 && u < Points - 1)) return Exact(xiNm);
        int g = (int)u;
        double f = u - g;
        return _table[g] + f * (_table[g + 1] - _table[g]);
    }

    private double Exact(double xi)
    {
        double f = 0;
        for (int k = 0; k < _lag.Length; k++) if (_share[k] > 0) f += _share[k] * (1 - Math.Exp(-_lag[k] / xi));
        return f;
    }
}
