using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using NbnEdge.Analysis.Model;

namespace NbnEdge.Analysis.Fitting;

/// <summary>
/// Fits one spectrum with the thermal-BCS model by bounded Levenberg–Marquardt, from automatic
/// starting values. Not thread-safe: it keeps its work buffers; use one instance per thread.
/// </summary>
/// <remarks>
/// Written by hand rather than taken from a library: a fit must cost well under 100 µs for the
/// 20,000 fits/s target, which needs the model and its analytic Jacobian evaluated in one pass
/// through the table, no allocation per iteration, and a 4–7 parameter normal-equation solve.
/// </remarks>
public sealed class GapFitter
{
    // Parameter slots, in BcsParameters order.
    private const int PDelta = 0, PTemp = 1, PScale = 2, PSlope = 3, POffset = 4, PGamma = 5, PMod = 6, PLeak = 7, PTip = 8, PTipGamma = 9, PLag = 10, NP = 11;
    private static readonly string[] ParameterNames = ["delta", "t_eff", "scale", "slope", "bias_offset", "gamma", "vm", "leakage", "tip_gap", "tip_gamma", "lag"];

    private readonly BcsConductanceTable _table;
    private readonly GapFitOptions _options;

    // The Jacobian is stored column-major (parameter k's derivatives at _jac[k·Stride ..]), so the
    // normal equations are contiguous dot products.
    // ±1 per point in the joint forward/backward fit (the sign of its lag), 0 otherwise.
    private double[] _lagSign = [];
    private bool _joint;
    private double[] _bias = [], _data = [], _model = [], _jac = [], _trialModel = [], _trialJac = [], _scratch = [], _column = [], _residual = [];
    private int Stride => _bias.Length; // every per-point buffer has this capacity
    private readonly double[] _shiftedP = new double[NP];
    private readonly double[] _p = new double[NP], _lo = new double[NP], _hi = new double[NP], _trialP = new double[NP];
    private readonly bool[] _free = new bool[NP];
    private readonly int[] _active = new int[NP];
    private readonly double[] _a = new double[NP * NP], _g = new double[NP], _m = new double[NP * NP], _delta = new double[NP];
    private int _n;
    // Points that count in the cost: _n, or fewer while sub-gap states are masked (see RefitOutsideSubgapStates).
    private int _fitted;
    // While positive, points within this distance of _maskCentreMV are left out of the fit.
    private double _maskRadiusMV, _maskCentreMV;
    private bool _descending;
    private readonly double[] _inverse = new double[NP * NP], _middle = new double[NP * NP], _unit = new double[NP];

    /// <summary>Creates a fitter with the given options and the shipped model table.</summary>
    public GapFitter(GapFitOptions? options = null, BcsConductanceTable? table = null)
    {
        _options = options ?? GapFitOptions.Default;
        if (_options.Problem() is { } problem) throw new ArgumentException(problem, nameof(options));
        _table = table ?? BcsConductanceTable.Default;
    }

    /// <summary>Fits a spectrum.</summary>
    public GapFitResult Fit(Spectrum spectrum)
    {
        GapFitResult result;
        _sweeps = spectrum.Sweeps.Count >= 2 && spectrum.Sweeps.All(w => w.Conductance.Length == spectrum.Count) ? spectrum.Sweeps : null;
        try { result = Fit(spectrum.BiasMV, spectrum.Conductance, spectrum.ModulationAmplitudeMV, spectrum.Source, spectrum.Name); }
        finally { _sweeps = null; }
        if (spectrum.Sweeps.Count >= 2 && result.Converged && FitDirectionsJointly(spectrum, result) is { } lag)
        {
            result = result with
            {
                BiasOffsetFwdBwdMV = lag.DifferenceMV,
                BiasOffsetFwdBwdErrMV = lag.ErrorMV,
                Notes = [.. result.Notes, $"forward and backward sweeps, fitted jointly (shared Δ, T_eff, Γ): lag ±δV = ±{500 * lag.DifferenceMV:0.0} ± {500 * lag.ErrorMV:0.0} µV, so V₀ differs by {1000 * lag.DifferenceMV:+0.0;-0.0} ± {1000 * lag.ErrorMV:0.0} µV (forward − backward: the lock-in's time constant); their average cancels it to first order"],
            };
        }
        if (SweepMissesZeroBias(spectrum.BiasMV) is { } missing) result = result with { Notes = [.. result.Notes, missing] };
        return spectrum.Notes.Count == 0 ? result : result with { Notes = [.. spectrum.Notes, .. result.Notes] };
    }

    /// <summary>
    /// A note when the sweep never reaches zero bias (a real file swept −4 → −5 mV, another −52 → −62 V):
    /// a gap is centred near V = 0, so such a spectrum cannot show one, whatever the fit says.
    /// </summary>
    private static string? SweepMissesZeroBias(ReadOnlySpan<double> biasMV)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in biasMV) { min = Math.Min(min, v); max = Math.Max(max, v); }
        return min > 0 || max < 0
            ? string.Create(CultureInfo.InvariantCulture, $"the sweep ({min:G4} to {max:G4} mV) does not reach zero bias: a superconducting gap is centred there, so this spectrum cannot show one")
            : null;
    }

    // The single sweeps of the spectrum being fitted (null when it has none): the noise comes from their scatter.
    private IReadOnlyList<SweepConductance>? _sweeps;
    private GapFitter? _directionFitter;

    /// <summary>
    /// The forward and backward sweeps fitted jointly: shared Δ, T, Γ (and every other parameter of
    /// the averaged fit, started from it), V₀ free, and a lag ±δV — the lock-in's time constant
    /// delays dI/dV, so the forward sweeps see the gap shifted by +δV along the bias and the backward
    /// ones by −δV. Returns V₀(forward) − V₀(backward) = 2δV and its error; null without both
    /// directions, in paper mode (each direction would need its own line) or when the fit fails.
    /// </summary>
    private (double DifferenceMV, double ErrorMV)? FitDirectionsJointly(Spectrum spectrum, GapFitResult averaged)
    {
        int n = spectrum.Count;
        double[]? Mean(bool backward)
        {
            var sum = new double[n];
            int count = 0;
            foreach (var w in spectrum.Sweeps)
            {
                if (w.Backward != backward) continue;
                for (int i = 0; i < n; i++) sum[i] += w.Conductance[i];
                count++;
            }
            if (count == 0) return null;
            for (int i = 0; i < n; i++) sum[i] /= count;
            return sum;
        }
        var forward = Mean(false);
        var backward = Mean(true);
        if (forward is null || backward is null || _options.Background == BackgroundTreatment.Paper) return null;
        _directionFitter ??= new GapFitter(_options with { FitOffset = true }, _table) { _joint = true };
        return _directionFitter.FitJoint(spectrum.BiasMV, forward, backward, averaged.Parameters, averaged.NoiseCorrelationTime);
    }

    private (double DifferenceMV, double ErrorMV)? FitJoint(double[] bias, double[] forward, double[] backward, BcsParameters start, double correlationTime)
    {
        int n = bias.Length;
        // Interleaved (f₀, b₀, f₁, b₁, …) in ascending bias: the buffers' order is the fitter's usual one.
        var b2 = new double[2 * n];
        var g2 = new double[2 * n];
        bool descending = n > 1 && bias[0] > bias[n - 1];
        for (int i = 0; i < n; i++)
        {
            int k = descending ? n - 1 - i : i;
            b2[2 * i] = b2[2 * i + 1] = bias[k];
            g2[2 * i] = forward[k];
            g2[2 * i + 1] = backward[k];
        }
        Prepare(b2, g2);
        for (int i = 0; i < _n; i++) _lagSign[i] = (i & 1) == 0 ? 1.0 : -1.0;
        double maxAbsBias = 0;
        for (int i = 0; i < _n; i++) maxAbsBias = Math.Max(maxAbsBias, Math.Abs(_bias[i]));
        ChooseModelPath(maxAbsBias, start.ModulationMV);
        SetBounds(maxAbsBias, paper: false);
        if (UsesFftTable) SetTableReach(maxAbsBias + Math.Max(Math.Abs(_lo[POffset]), Math.Abs(_hi[POffset])) + _hi[PLag], start.ModulationMV);
        if (!(start.DeltaMeV > 0) || !(start.TemperatureK > 0)) return null;
        Solve(start, out bool converged, out _, out double cost);
        if (!converged) return null;
        StandardErrors(cost, FreeCount());
        // Lock-in-correlated noise (τ points, measured on the averaged fit) leaves τ times fewer
        // independent points: the effective-sample-size correction.
        double lag = _p[PLag], lagErr = _lastErrors[PLag] * Math.Sqrt(Math.Max(1.0, correlationTime));
        return double.IsFinite(lag) && double.IsFinite(lagErr) ? (2 * lag, 2 * lagErr) : null;
    }

    /// <summary>Fits (bias in mV, conductance) pairs; the bias must be monotonic, either direction.</summary>
    public GapFitResult Fit(ReadOnlySpan<double> biasMV, ReadOnlySpan<double> conductance, double? sourceModulationMV = null,
        string source = "", string name = "")
    {
        if (biasMV.Length != conductance.Length) throw new ArgumentException("bias and conductance differ in length");
        Prepare(biasMV, conductance);
        var opt = _options;
        double vm = opt.ModulationMV ?? sourceModulationMV ?? 0.0;
        bool paper = opt.Background == BackgroundTreatment.Paper;

        (double Intercept, double SlopePerMV)? line = null;
        double maxAbsBias = 0;
        for (int i = 0; i < _n; i++) maxAbsBias = Math.Max(maxAbsBias, Math.Abs(_bias[i]));
        ChooseModelPath(maxAbsBias, vm);
        SetBounds(maxAbsBias, paper);
        var start = StartingValues(vm, out double outsideIntercept, out double outsideSlope);
        if (paper)
        {
            line = (outsideIntercept, outsideSlope);
            for (int i = 0; i < _n; i++) _data[i] /= outsideIntercept + outsideSlope * _bias[i];
            start = start with { Scale = 1.0, SlopePerMV = 0.0 };
        }

        if (UsesFftTable)
        {
            SetTableReach(maxAbsBias + (_free[POffset] ? Math.Max(Math.Abs(_lo[POffset]), Math.Abs(_hi[POffset])) : Math.Abs(start.BiasOffsetMV)), vm);
            start = start with
            {
                DeltaMeV = Math.Clamp(start.DeltaMeV, _lo[PDelta] * 1.01, _hi[PDelta] * 0.99),
                TemperatureK = Math.Clamp(start.TemperatureK, _lo[PTemp] * 1.01, _hi[PTemp] * 0.99),
            };
        }
        int freeCount = 0;
        for (int k = 0; k < NP; k++) if (_free[k]) freeCount++;
        double noise = EstimateNoise();

        if (_n < freeCount + 3)
            return Result(source, name, start, converged: false, iterations: 0, FitFlags.TooFewPoints, noise, double.NaN, line, errors: default);
        if (Unfittable(vm, maxAbsBias) is { } refusal)
            return Result(source, name, Undetermined(start), converged: false, iterations: 0, refusal.Flag, noise, double.NaN, line,
                errors: Undetermined(start)) with { Notes = [refusal.Note] };

        var best = Solve(start, out bool converged, out int iterations, out double cost);
        bool buffersHoldBest = true; // Solve leaves the model and Jacobian of its result in the buffers
        double chi2 = cost / ((_n - freeCount) * Math.Max(noise * noise, 1e-300));
        // With Γ > 0 a T_eff at its floor is an answer (Γ carries the broadening), not a stall.
        string? bound = AtBound();
        bool retryStarts = !converged || (bound is not null && !(bound == ParameterNames[PTemp] && _p[PGamma] > 0));
        if (!retryStarts && chi2 > 3.0)
        {
            // The white-noise χ² overstates lock-in-correlated data several times: ask the measured noise.
            double sigma = ((_sweeps is not null ? SweepNoise(line) : null) ?? ResidualNoise(noise)).Sigma;
            retryStarts = cost / ((_n - freeCount) * Math.Max(sigma * sigma, 1e-300)) > 3.0;
        }
        // A free tip gap or Γ_t rebuilds the SIS table at every trial value (seconds per solve): the
        // spread of restarts, meant for NIS side minima, would take minutes there.
        if (_free[PTip] || _free[PTipGamma]) retryStarts = false;
        if (retryStarts)
        {
            // A poor start can stall the solver in a side minimum; retry from a spread of starts.
            foreach (var retry in RetryStarts(start))
            {
                var candidate = Solve(retry, out bool c2, out int it2, out double cost2);
                iterations += it2;
                if (cost2 < cost * (1 - 1e-9) || (!converged && c2 && cost2 <= cost * (1 + 1e-9)))
                {
                    best = candidate; converged = c2; cost = cost2;
                    buffersHoldBest = true;
                }
                else buffersHoldBest = false;
            }
            chi2 = cost / ((_n - freeCount) * Math.Max(noise * noise, 1e-300));
        }

        if (!buffersHoldBest)
        {
            Load(best);
            Evaluate(_p, _model, _jac, withJacobian: true);
        }
        // The residual tells how the noise is correlated (a lock-in's time constant spans several
        // points); χ² and the errors are computed with that, not with the white-noise guess.
        // With several sweeps their scatter is the noise, measured rather than inferred.
        double whiteNoise = noise;
        (var residualNoise, chi2, var errors) = NoiseAndErrors(cost, whiteNoise, line, freeCount);
        noise = residualNoise.Sigma;
        string flag = Verdict(best, converged, cost, noise, residualNoise);
        var result = Result(source, name, best, converged, iterations, flag, noise, chi2, line, errors, residualNoise);
        if (flag == FitFlags.SubgapPeak && !_options.IsSis && !_joint
            && RefitOutsideSubgapStates(best, errors.DeltaMeV, whiteNoise, line, freeCount, source, name) is { } outside)
            result = outside with { Iterations = iterations + outside.Iterations };
        if (flag == FitFlags.SisSuspected)
            result = result with
            {
                Notes = [$"the peaks are sharper than thermal BCS allows (or dI/dV goes negative): a superconducting tip? Then Δ = {best.DeltaMeV:F3} meV is about Δ_tip + Δ_sample; fit with --tip-gap MEV (the tip's gap, e.g. 1.35 for Pb; --fit-tip-gap to fit it)"],
            };
        if (flag == FitFlags.NoGap && MissingCoherencePeak(best, noise, residualNoise) is double missingAt)
            result = result with
            {
                Notes = [.. result.Notes, string.Create(CultureInfo.InvariantCulture,
                    $"not a superconducting gap: the fit (Δ = {best.DeltaMeV:G4} meV) draws a coherence peak at {missingAt:G4} mV that the data do not show; BCS puts one at each edge, so this dip or step is one-sided (a resonance, a band edge)")],
            };
        if (_free[PTip] && !converged)
            // The main SIS peaks sit at ±(Δ_s + Δ_t) and fix the sum; only the thermal peaks at
            // ±|Δ_t − Δ_s| split it (a real Pb tip on Pb(100) stalled at 1.16 + 1.50 for 1.35 + 1.30).
            result = result with
            {
                Notes = [.. result.Notes, string.Create(CultureInfo.InvariantCulture,
                    $"the tip's gap, fitted free, did not settle: the main peaks fix only Δ_sample + Δ_tip ≈ {best.DeltaMeV + best.TipGapMeV:F3} meV; splitting it needs the thermal peaks at ±|Δ_tip − Δ_sample|, which this spectrum does not show clearly. Fix --tip-gap to the tip's known gap (e.g. from a spectrum on a normal metal, or 1.35 for Pb) and fit again")],
            };
        return result;
    }

    /// <summary>Sub-gap states are left out inside this fraction of the fitted Δ (HasSubgapPeak looks inside 0.8Δ too).</summary>
    internal const double SubgapMaskFraction = 0.8;

    /// <summary>
    /// Sub-gap states (a Yu–Shiba–Rusinov pair, a bound state) that the model lacks pull a fit of
    /// the whole spectrum inward: it trades the coherence peaks for a compromise between them and
    /// the states (a real Pb(111) spectrum with YSR peaks at ±0.6 mV fitted Δ = 1.03 meV at 4.5 K
    /// where Pb's coherence peaks say 1.3). The usual remedy is to fit the gap edge and the
    /// background only: the points within <see cref="SubgapMaskFraction"/>·Δ of V₀ are left out
    /// and the fit repeated, the mask widened to the new Δ until it stops growing (three rounds at
    /// most). Kept only when the states had pulled the fit inward (the gap comes out wider by more
    /// than twice the first fit's error, with its edge beyond the mask) and the result, judged on
    /// every point, is still usable; the flag then stays subgap_peak and a note says what was left
    /// out. Otherwise null: the first fit stands.
    /// </summary>
    private GapFitResult? RefitOutsideSubgapStates(BcsParameters first, double firstErrorMeV, double whiteNoise, (double, double)? line, int freeCount,
        string source, string name)
    {
        BcsParameters from = first, best = default;
        double radius = SubgapMaskFraction * first.DeltaMeV, bestRadius = 0, cost = 0;
        bool converged = false, found = false;
        int iterations = 0;
        try
        {
            _maskCentreMV = first.BiasOffsetMV;
            for (int round = 0; round < 3; round++)
            {
                Mask(radius);
                if (_fitted < Math.Max(freeCount + 3, _n / 4)) break;
                var candidate = Solve(from, out bool c, out int it, out double candidateCost);
                iterations += it;
                if (!c || !(SubgapMaskFraction * candidate.DeltaMeV >= 0.98 * radius)) break;
                best = candidate; converged = c; cost = candidateCost; bestRadius = radius; found = true;
                double next = SubgapMaskFraction * candidate.DeltaMeV;
                if (next <= 1.02 * radius) break;
                from = candidate;
                radius = next;
            }
            // Not pulled (Δ moved by less than twice its error): the first fit stands, with every point.
            if (!found || !(best.DeltaMeV - first.DeltaMeV > 2 * (double.IsFinite(firstErrorMeV) ? firstErrorMeV : 0))) return null;

            // Noise and errors from the points fitted; the verdict from every point.
            Mask(bestRadius);
            int fitted = _fitted, left = _n - fitted;
            Load(best);
            Evaluate(_p, _model, _jac, withJacobian: true);
            var (residualNoise, chi2, errors) = NoiseAndErrors(cost, whiteNoise, line, freeCount);
            double noise = residualNoise.Sigma;
            bool significant = GapIsSignificant(cost, noise);

            Mask(0);
            Evaluate(_p, _model, _jac, withJacobian: true);
            string flag = Verdict(best, converged, Cost(_model), noise, residualNoise, significant);
            var result = Result(source, name, best, converged, iterations, flag, noise, chi2, line, errors, residualNoise) with
            {
                Notes = [string.Create(CultureInfo.InvariantCulture,
                    $"sub-gap states: the {left} points within ±{bestRadius:0.###} mV of V₀ were left out of the fit, which took them into the coherence peaks (Δ = {first.DeltaMeV:0.###} meV with them); χ²_red is over the {fitted} points fitted")],
            };
            return result.IsUsable ? result : null;
        }
        finally
        {
            Mask(0);
        }
    }

    /// <summary>Leaves out the points within <paramref name="radiusMV"/> of the mask's centre (0: none), and counts the rest.</summary>
    private void Mask(double radiusMV)
    {
        _maskRadiusMV = radiusMV;
        var (first, end) = MaskedRange();
        _fitted = _n - (end - first);
    }

    /// <summary>
    /// The masked points, [first, end): those within the mask's radius of its centre, one run of
    /// the ascending bias (empty, at _n, without a mask).
    /// </summary>
    private (int First, int End) MaskedRange()
    {
        if (!(_maskRadiusMV > 0)) return (_n, _n);
        int first = 0;
        while (first < _n && _bias[first] <= _maskCentreMV - _maskRadiusMV) first++;
        int end = first;
        while (end < _n && _bias[end] - _maskCentreMV < _maskRadiusMV) end++;
        return (first, end);
    }

    /// <summary>
    /// Spectra no parameter set can be asked of: a constant conductance (a dead channel reads all
    /// zeros; a fit would invent a gap from the starting values), non-finite values, or a fixed
    /// lock-in modulation wider than half the sweep (the average would wash out any gap).
    /// </summary>
    private (string Flag, string Note)? Unfittable(double vm, double maxAbsBias)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int i = 0; i < _n; i++)
        {
            if (!double.IsFinite(_data[i]) || !double.IsFinite(_bias[i]))
                return (FitFlags.NotConverged, $"point {i} is not a finite number; not fitted");
            min = Math.Min(min, _data[i]); max = Math.Max(max, _data[i]);
        }
        if (max - min <= 1e-12 * Math.Max(Math.Abs(max), Math.Abs(min)))
            return (FitFlags.NoGap, max == 0 ? "the conductance is zero at every point (a dead channel?); not fitted"
                : "the conductance is the same at every point; not fitted");
        if (!_free[PMod] && vm > _hi[PMod])
            return (FitFlags.ModulationTooLarge,
                $"the lock-in modulation V_m = {vm:G4} mV exceeds half the bias range ({_hi[PMod]:G4} mV): it would average the gap away; not fitted");
        if (_options.IsSis && SisLatticeSteps(maxAbsBias, out double stepMeV) is var steps && steps > MaxSisLatticeSteps)
        {
            double widest = maxAbsBias * MaxSisLatticeSteps / steps;
            return (FitFlags.FitFailed, string.Create(CultureInfo.InvariantCulture,
                $"the sweep reaches ±{maxAbsBias:0.###} mV, too wide for the superconducting-tip model: its table resolves the tip's Γ_t in steps of {1000 * stepMeV:0.##} µV and would need {steps:N0} of them (at most {MaxSisLatticeSteps:N0}, for memory); a tip's gap is fitted within a few gaps of zero bias, so keep ±{Math.Floor(widest * 10) / 10:0.#} mV or less (--bias-window {Math.Floor(widest * 10) / 10:0.#}) or raise --tip-gamma; not fitted"));
        }
        return null;
    }

    /// <summary>
    /// Most lattice steps a superconducting-tip table may span: each (Δ_s, T) node the fit visits
    /// holds 8 bytes a step (0.5 MB here; a fit visits hundreds). Without the bound a real ±0.6 V
    /// spectrum fitted with --tip-gap took 13 GB and five minutes, and a ±50 mV one 2.1 GB.
    /// </summary>
    internal const int MaxSisLatticeSteps = 32_768;

    /// <summary>Steps of the SIS table this sweep would need: Δ_s up to the reach, biases to ±(reach + |V₀|), at Γ_t/12 (the smallest Γ_t a free Γ_t may try).</summary>
    private double SisLatticeSteps(double maxAbsBias, out double stepMeV)
    {
        stepMeV = (_options.FitTipGamma ? GapFitOptions.MinTipGammaMeV : _options.TipGammaMeV) / 12.0;
        double reach = maxAbsBias + Math.Max(Math.Abs(_lo[POffset]), Math.Abs(_hi[POffset])) * (_free[POffset] ? 1 : 0);
        return (2 * reach + _hi[PDelta]) / stepMeV;
    }

    private static BcsParameters Undetermined(in BcsParameters p) =>
        p with { DeltaMeV = double.NaN, TemperatureK = double.NaN, Scale = double.NaN, SlopePerMV = double.NaN };

    /// <summary>
    /// The noise of the data at the fit in the buffers (the sweeps' scatter, else the residual's,
    /// from <paramref name="whiteNoise"/>), χ²_red over the points fitted, and the standard errors.
    /// </summary>
    private (NoiseModel Noise, double Chi2, BcsParameters Errors) NoiseAndErrors(double cost, double whiteNoise,
        (double, double)? line, int freeCount)
    {
        var noise = (_sweeps is not null ? SweepNoise(line) : null) ?? ResidualNoise(whiteNoise);
        double variance = noise.Sigma * noise.Sigma;
        double chi2 = cost / ((_fitted - freeCount) * Math.Max(variance, 1e-300));
        var errors = StandardErrors(cost, freeCount, noise.Tau > 1 ? noise.Lag1 : 0, noise.FromSweeps ? variance : null);
        return (noise, chi2, errors);
    }

    private GapFitResult Result(string source, string name, BcsParameters p, bool converged, int iterations, string flag,
        double noise, double chi2, (double, double)? line, BcsParameters errors, NoiseModel? noiseModel = null) => new()
        {
            NoiseLag1Correlation = noiseModel?.Lag1 ?? double.NaN,
            NoiseCorrelationTime = noiseModel?.Tau ?? 1.0,
            Source = source,
            Spectrum = name,
            Parameters = p,
            Errors = errors,
            Chi2Red = chi2,
            NoiseEstimate = noise,
            Converged = converged,
            Iterations = iterations,
            Flag = flag,
            Points = _n,
            Background = _options.Background,
            DividedLine = line,
        };

    private void Prepare(ReadOnlySpan<double> biasMV, ReadOnlySpan<double> conductance)
    {
        _n = biasMV.Length;
        if (_bias.Length < _n)
        {
            int size = Math.Max(_n, 256);
            _bias = new double[size]; _data = new double[size]; _model = new double[size]; _trialModel = new double[size];
            _jac = new double[size * NP]; _trialJac = new double[size * NP]; _scratch = new double[size]; _column = new double[size];
            _residual = new double[size];
            _lagSign = new double[size];
        }
        Array.Clear(_lagSign);
        Mask(0);
        // Ascending order makes the starting-value scans simple; the fit itself does not care.
        bool descending = _n > 1 && biasMV[0] > biasMV[_n - 1];
        _descending = descending;
        for (int i = 0; i < _n; i++)
        {
            int src = descending ? _n - 1 - i : i;
            _bias[i] = biasMV[src];
            _data[i] = conductance[src];
        }
    }

    private void SetBounds(double maxAbsBias, bool paper)
    {
        var o = _options;
        double span = Math.Max(maxAbsBias, 1e-3);
        _lo[PDelta] = 1e-3 * span; _hi[PDelta] = 3.0 * span;
        _lo[PTemp] = 0.01; _hi[PTemp] = 100.0;
        _lo[PScale] = double.NegativeInfinity; _hi[PScale] = double.PositiveInfinity;
        _lo[PSlope] = double.NegativeInfinity; _hi[PSlope] = double.PositiveInfinity;
        _lo[POffset] = -0.5 * span; _hi[POffset] = 0.5 * span;
        _lo[PGamma] = 0.0; _hi[PGamma] = span;
        _lo[PMod] = 0.0; _hi[PMod] = 0.5 * span;
        _lo[PLeak] = 0.0; _hi[PLeak] = 0.9;
        _free[PDelta] = _free[PTemp] = _free[PScale] = true;
        _free[PSlope] = !paper;
        _free[POffset] = o.FitOffset;
        _free[PGamma] = o.FitGamma;
        _free[PMod] = o.FitModulation;
        _free[PLeak] = o.FitLeakage;
        _free[PTip] = _free[PTipGamma] = false;
        // The joint forward/backward fit's lag ±δV (each direction sees the gap shifted along its sweep).
        _lo[PLag] = -0.1 * span; _hi[PLag] = 0.1 * span;
        _free[PLag] = _joint;
        if (o.IsSis)
        {
            // The SIS table's range: Δ_s from eight lattice steps (2Γ_t/3) to the bias reach, k_BT
            // from Γ_t/4 (colder is sharper than the tip resolves) to 20 K.
            double gammaFloor = o.FitTipGamma ? GapFitOptions.MinTipGammaMeV : o.TipGammaMeV;
            _lo[PDelta] = 8.0 / 12.0 * gammaFloor * 1.0001; _hi[PDelta] = span;
            _lo[PTemp] = gammaFloor / 4.0 / PhysicalConstants.BoltzmannMeVPerK * 1.0001; _hi[PTemp] = 20.0;
            _lo[PTip] = 0.0; _hi[PTip] = span;
            _lo[PTipGamma] = GapFitOptions.MinTipGammaMeV; _hi[PTipGamma] = 0.5;
            _free[PTip] = o.FitTipGap;
            _free[PTipGamma] = o.FitTipGamma;
        }
    }

    // ---------------------------------------------------------------- starting values

    private BcsParameters StartingValues(double vm, out double lineIntercept, out double lineSlope)
    {
        var o = _options;
        int n = _n;
        // Background from the outer eighth on each side.
        int edge = Math.Max(3, n / 8);
        double low = _bias[0], high = _bias[n - 1], reach = Math.Max(Math.Abs(low), Math.Abs(high));
        if (low < 0 && high > 0 && Math.Min(-low, high) > 0.5 * reach)
            FitLine(0, edge, n - edge, n, out lineIntercept, out lineSlope);
        else
        {
            // A half sweep (one side of zero bias, or nearly): its inner end lies in the gap, and a
            // line through both ends would make the gap a background slope. Take the outer quarter
            // of the longer side as flat background; the fit frees the slope.
            int a0 = 0, a1 = 0, b0 = n, b1 = n;
            if (Math.Abs(low) >= Math.Abs(high)) { while (a1 < n && Math.Abs(_bias[a1]) >= 0.75 * reach) a1++; a1 = Math.Max(a1, Math.Min(n, 3)); }
            else { while (b0 > 0 && Math.Abs(_bias[b0 - 1]) >= 0.75 * reach) b0--; b0 = Math.Min(b0, Math.Max(0, n - 3)); }
            double sum = 0; int count = 0;
            for (int i = a0; i < a1; i++) { sum += _data[i]; count++; }
            for (int i = b0; i < b1; i++) { sum += _data[i]; count++; }
            lineIntercept = sum / Math.Max(count, 1);
            lineSlope = 0;
        }
        if (!(Math.Abs(lineIntercept) > 0)) lineIntercept = 1.0;

        var g = _scratch;
        for (int i = 0; i < n; i++) g[i] = _data[i] / (lineIntercept + lineSlope * _bias[i]);

        double v0 = o.BiasOffsetMV;
        if (o.FitOffset)
        {
            // Centroid of the depression, weighted by its depth squared.
            double sw = 0, swv = 0;
            for (int i = 0; i < n; i++)
            {
                double d = Math.Max(0, 1 - g[i]);
                sw += d * d; swv += d * d * _bias[i];
            }
            if (sw > 0) v0 = swv / sw;
        }

        // Zero-bias conductance (3 points nearest V₀) and the coherence peaks on either side.
        int centre = 0;
        for (int i = 1; i < n; i++) if (Math.Abs(_bias[i] - v0) < Math.Abs(_bias[centre] - v0)) centre = i;
        double g0 = 0; int cnt = 0;
        for (int i = Math.Max(0, centre - 1); i <= Math.Min(n - 1, centre + 1); i++) { g0 += g[i]; cnt++; }
        g0 /= cnt;
        int left = PeakIndex(g, n, 0, centre), right = PeakIndex(g, n, centre + 1, n - 1);
        double height = 0.5 * (Smoothed(g, n, left) + Smoothed(g, n, right));
        double halfSeparation = 0.5 * (_bias[right] - _bias[left]);

        var shapes = SpectrumShapes.Instance;
        double t = g0 > 0.12 ? shapes.TemperatureFromZeroBias(g0)
            : height > 1.02 ? shapes.TemperatureFromPeakHeight(height)
            : 0.05;
        double delta = halfSeparation > 0 ? halfSeparation / shapes.PeakPosition(t) : 0.3 * _bias[n - 1];
        double maxAbs = Math.Max(Math.Abs(_bias[0]), Math.Abs(_bias[n - 1]));
        if (o.TipGapMeV is { } tipGap)
        {
            // SIS: the main peaks sit at ±(Δ_s + Δ_t), sharp at any temperature; start k_BT at 0.07Δ_s (films at STM temperatures: 0.04–0.1).
            double sample = halfSeparation - tipGap;
            sample = Math.Clamp(sample > 0.05 * halfSeparation ? sample : 0.3 * Math.Max(halfSeparation, 0.1 * maxAbs), _lo[PDelta] * 1.5, _hi[PDelta] * 0.9);
            double tStart = Math.Clamp(0.07 * sample / PhysicalConstants.BoltzmannMeVPerK, _lo[PTemp] * 1.5, 10.0);
            double sc = lineIntercept + lineSlope * v0;
            return new BcsParameters(sample, tStart, sc, lineSlope / sc, v0, 0.0, vm,
                o.FitLeakage ? Math.Max(o.LeakageFraction, 0.01) : o.LeakageFraction, tipGap, o.TipGammaMeV);
        }
        delta = Math.Clamp(delta, 0.01 * maxAbs, 2.0 * maxAbs);
        double temperature = Math.Clamp(t * delta / PhysicalConstants.BoltzmannMeVPerK, 0.02, 90);

        double scale = lineIntercept + lineSlope * v0;
        double slope = lineSlope / scale;
        return new BcsParameters(delta, temperature, scale, slope, v0, o.FitGamma ? Math.Max(o.GammaMeV, 0.01 * delta) : o.GammaMeV, vm,
            o.FitLeakage ? Math.Max(o.LeakageFraction, 0.01) : o.LeakageFraction);
    }

    /// <summary>Three-point mean at i, over the neighbours that exist among the first n (the scratch buffer is longer than n).</summary>
    private static double Smoothed(double[] g, int n, int i)
    {
        int a = Math.Max(0, i - 1), b = Math.Min(n - 1, i + 1);
        double s = 0;
        for (int k = a; k <= b; k++) s += g[k];
        return s / (b - a + 1);
    }

    /// <summary>
    /// Index in [from, to] ∩ [0, n) of the largest three-point mean; on a one-sided sweep the range
    /// on one side of the centre is empty and the centre's own neighbour is returned.
    /// </summary>
    private static int PeakIndex(double[] g, int n, int from, int to)
    {
        from = Math.Max(0, from); to = Math.Min(n - 1, to);
        if (from > to) return Math.Clamp(to, 0, n - 1);
        int best = from;
        double bestValue = double.NegativeInfinity;
        for (int i = from; i <= to; i++)
        {
            double s = Smoothed(g, n, i);
            if (s > bestValue) { bestValue = s; best = i; }
        }
        return best;
    }

    /// <summary>Least-squares line through the points [a0, a1) ∪ [b0, b1).</summary>
    private void FitLine(int a0, int a1, int b0, int b1, out double intercept, out double slope)
    {
        double sx = 0, sy = 0, sxx = 0, sxy = 0; int m = 0;
        void Add(int i) { double x = _bias[i], y = _data[i]; sx += x; sy += y; sxx += x * x; sxy += x * y; m++; }
        for (int i = a0; i < a1; i++) Add(i);
        for (int i = Math.Max(b0, a1); i < b1; i++) Add(i);
        double det = m * sxx - sx * sx;
        slope = det > 0 ? (m * sxy - sx * sy) / det : 0;
        intercept = (sy - slope * sx) / Math.Max(m, 1);
    }

    private IEnumerable<BcsParameters> RetryStarts(BcsParameters start)
    {
        if (_options.IsSis)
        {
            // SIS: the main peaks pin Δ_s + Δ_t; only T is loosely set. Restarts stay near (every
            // far (Δ_s, T) costs table nodes).
            foreach (double f in new[] { 0.95, 1.05 })
                foreach (double g in new[] { 0.6, 1.6 })
                    yield return start with
                    {
                        DeltaMeV = Math.Clamp(start.DeltaMeV * f, _lo[PDelta] * 1.01, _hi[PDelta] * 0.99),
                        TemperatureK = Math.Clamp(start.TemperatureK * g, _lo[PTemp] * 1.01, _hi[PTemp] * 0.99),
                    };
            yield break;
        }
        foreach (double t in new[] { 0.01, 0.05, 0.3 })
            foreach (double f in new[] { 0.6, 1.5 })
            {
                double delta = Math.Clamp(start.DeltaMeV * f, _lo[PDelta] * 1.01, _hi[PDelta] * 0.99);
                yield return start with
                {
                    DeltaMeV = delta,
                    TemperatureK = Math.Clamp(t * delta / PhysicalConstants.BoltzmannMeVPerK, Math.Max(0.02, _lo[PTemp] * 1.01), Math.Min(90, _hi[PTemp] * 0.99)),
                };
            }
    }

    // ---------------------------------------------------------------- solver

    private void Load(in BcsParameters p)
    {
        _p[PDelta] = p.DeltaMeV; _p[PTemp] = p.TemperatureK; _p[PScale] = p.Scale; _p[PSlope] = p.SlopePerMV;
        _p[POffset] = p.BiasOffsetMV; _p[PGamma] = p.GammaMeV; _p[PMod] = p.ModulationMV; _p[PLeak] = p.LeakageFraction;
        _p[PTip] = p.TipGapMeV; _p[PTipGamma] = p.TipGammaMeV;
        _p[PLag] = 0;
    }

    private static BcsParameters ToParameters(double[] p) =>
        new(p[PDelta], p[PTemp], p[PScale], p[PSlope], p[POffset], p[PGamma], p[PMod], p[PLeak], p[PTip], p[PTipGamma]);

    private BcsParameters Solve(BcsParameters start, out bool converged, out int iterations, out double cost)
    {
        Load(start);
        // Only free parameters are held inside their bounds: a fixed value is the user's (or the
        // file's) and is used as given, never changed silently.
        for (int k = 0; k < NP; k++) if (_free[k]) _p[k] = Math.Clamp(_p[k], _lo[k], _hi[k]);
        Evaluate(_p, _model, _jac, withJacobian: true);
        cost = Cost(_model);
        double lambda = 1e-3;
        converged = false;
        iterations = 0;
        int maxIterations = _free[PTip] || _free[PTipGamma] ? Math.Min(_options.MaxIterations, 40) : _options.MaxIterations;
        while (iterations < maxIterations && !converged)
        {
            iterations++;
            int nf = NormalEquations();
            if (nf == 0) { converged = true; break; }
            bool accepted = false;
            while (!accepted)
            {
                if (!SolveDamped(nf, lambda)) { lambda *= 10; if (lambda > 1e12) break; continue; }
                // The linearised model predicts the step's decrease of the cost (δᵀJᵀr); when even
                // the nearly undamped step would gain less than 1e−9 of the cost (parameters move by
                // ~1e−3 of their standard errors), the fit has converged and the trial is not evaluated.
                if (lambda < 1e-2)
                {
                    double predicted = 0;
                    for (int a = 0; a < nf; a++) predicted += _delta[a] * _g[a];
                    if (predicted <= 1e-9 * cost) { converged = true; break; }
                }
                double maxRelStep = 0;
                for (int k = 0; k < NP; k++) _trialP[k] = _p[k];
                for (int a = 0; a < nf; a++)
                {
                    int k = _active[a];
                    double v = Math.Clamp(_p[k] + _delta[a], _lo[k], _hi[k]);
                    // SIS: every (Δ_s, T) region a trial visits costs table nodes (milliseconds each),
                    // and a wild trial is rejected anyway; a trust region of ±10 % in Δ_s and ±25 % in
                    // T per step keeps the fit where the data are.
                    if (_options.IsSis && k is PDelta or PTemp && _p[k] > 0)
                    {
                        double ratio = k == PDelta ? 1.1 : 1.25;
                        v = Math.Clamp(v, _p[k] / ratio, _p[k] * ratio);
                    }
                    maxRelStep = Math.Max(maxRelStep, Math.Abs(v - _p[k]) / (Math.Abs(_p[k]) + TypicalScale(k)));
                    _trialP[k] = v;
                }
                Evaluate(_trialP, _trialModel, _trialJac, withJacobian: true);
                double trialCost = Cost(_trialModel);
                if (trialCost <= cost)
                {
                    accepted = true;
                    double decrease = cost - trialCost;
                    Array.Copy(_trialP, _p, NP);
                    (_model, _trialModel) = (_trialModel, _model);
                    (_jac, _trialJac) = (_trialJac, _jac);
                    cost = trialCost;
                    lambda = Math.Max(lambda * 0.2, 1e-12);
                    // SIS: a decrease of 1e−8 of the cost changes χ² by ~1e−5 (the table's kinks
                    // between stencils stop finer progress from meaning anything).
                    if (maxRelStep < 1e-9 || decrease <= (UsesFftTable ? 1e-8 : 1e-10) * cost) converged = true;
                }
                else
                {
                    lambda *= 4;
                    // The SIS table's cubic stencils join with a kink in their slopes at each node: a
                    // fit sitting on one can refuse every step below ~1e−7 (far inside Δ's error).
                    double stall = UsesFftTable ? 1e-7 : 1e-12, settled = UsesFftTable ? 1e-6 : 1e-9;
                    if (maxRelStep < stall || lambda > 1e12) { converged = maxRelStep < settled; break; }
                }
            }
            if (!accepted) break;
        }
        return ToParameters(_p);
    }

    private double TypicalScale(int k) => k switch
    {
        PDelta => 1e-3,
        PTemp => 1e-3,
        PScale => 1e-12,
        PSlope => 1e-6,
        POffset => 1e-4,
        PGamma => 1e-4,
        PLeak => 1e-4,
        PTip => 1e-3,
        PTipGamma => 1e-4,
        PLag => 1e-4,
        _ => 1e-4,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Cost(double[] model)
    {
        double s = 0;
        for (int i = 0; i < _n; i++) { double r = _data[i] - model[i]; s += r * r; }
        return s;
    }

    /// <summary>
    /// Builds JᵀJ and Jᵀr over the free parameters that are not pinned at a bound with the
    /// gradient pushing outward (the active set); returns their count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int NormalEquations()
    {
        int nf = 0;
        for (int i = 0; i < _n; i++) _residual[i] = _data[i] - _model[i];
        for (int k = 0; k < NP; k++)
        {
            if (!_free[k]) continue;
            double grad = Dot(_jac.AsSpan(k * Stride, _n), _residual.AsSpan(0, _n));
            bool pinnedLow = _p[k] <= _lo[k] && grad < 0, pinnedHigh = _p[k] >= _hi[k] && grad > 0;
            if (pinnedLow || pinnedHigh) continue;
            _active[nf] = k;
            _g[nf] = grad;
            nf++;
        }
        JacobianGram(nf, _a);
        return nf;
    }

    /// <summary>JᵀJ over the parameters listed in the first <paramref name="nf"/> entries of the active set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void JacobianGram(int nf, double[] target)
    {
        for (int a = 0; a < nf; a++)
            for (int b = 0; b <= a; b++)
            {
                int ka = _active[a], kb = _active[b];
                double s = Dot(_jac.AsSpan(ka * Stride, _n), _jac.AsSpan(kb * Stride, _n));
                target[a * NP + b] = target[b * NP + a] = s;
            }
    }

    /// <summary>Σ aᵢbᵢ, in 256-bit lanes where the CPU has them (two accumulators, so the additions do not wait on each other).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int n = a.Length, i = 0;
        b = b[..n];
        double s = 0;
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            ref double ra = ref MemoryMarshal.GetReference(a);
            ref double rb = ref MemoryMarshal.GetReference(b);
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            for (; i + 7 < n; i += 8)
            {
                acc0 += Vector256.LoadUnsafe(ref ra, (nuint)i) * Vector256.LoadUnsafe(ref rb, (nuint)i);
                acc1 += Vector256.LoadUnsafe(ref ra, (nuint)(i + 4)) * Vector256.LoadUnsafe(ref rb, (nuint)(i + 4));
            }
            s = Vector256.Sum(acc0 + acc1);
        }
        for (; i < n; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>Solves (A + λ·diag A) δ = g by Cholesky; false when not positive definite.</summary>
    private bool SolveDamped(int nf, double lambda)
    {
        for (int a = 0; a < nf; a++)
            for (int b = 0; b < nf; b++)
                _m[a * NP + b] = _a[a * NP + b] + (a == b ? lambda * Math.Max(_a[a * NP + a], 1e-300) : 0);
        if (!Cholesky(_m, nf)) return false;
        for (int a = 0; a < nf; a++) _delta[a] = _g[a];
        CholeskySolve(_m, nf, _delta);
        for (int a = 0; a < nf; a++) if (!double.IsFinite(_delta[a])) return false;
        return true;
    }

    private static bool Cholesky(double[] m, int n)
    {
        for (int j = 0; j < n; j++)
        {
            double d = m[j * NP + j];
            for (int k = 0; k < j; k++) d -= m[j * NP + k] * m[j * NP + k];
            if (!(d > 0)) return false;
            d = Math.Sqrt(d);
            m[j * NP + j] = d;
            for (int i = j + 1; i < n; i++)
            {
                double s = m[i * NP + j];
                for (int k = 0; k < j; k++) s -= m[i * NP + k] * m[j * NP + k];
                m[i * NP + j] = s / d;
            }
        }
        return true;
    }

    private static void CholeskySolve(double[] l, int n, double[] b)
    {
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++) s -= l[i * NP + k] * b[k];
            b[i] = s / l[i * NP + i];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = b[i];
            for (int k = i + 1; k < n; k++) s -= l[k * NP + i] * b[k];
            b[i] = s / l[i * NP + i];
        }
    }

    /// <summary>Standard errors from (JᵀJ)⁻¹ · SSR/(N − p) over the free parameters.</summary>
    // The last StandardErrors call's per-parameter errors (the lag's among them, which BcsParameters lacks).
    private readonly double[] _lastErrors = new double[NP];

    private BcsParameters StandardErrors(double cost, int freeCount, double noiseLag1 = 0, double? noiseVariance = null)
    {
        var err = _lastErrors;
        Array.Clear(err);
        int nf = 0;
        for (int k = 0; k < NP; k++)
        {
            if (!_free[k]) continue;
            // A parameter held at a bound (V_m or Γ at 0, say), or one the model no longer depends
            // on (T_eff saturated at the table's edge), has no standard error; the others are
            // conditional on it, instead of all turning NaN with a singular JᵀJ.
            var column = _jac.AsSpan(k * Stride, _n);
            if (_p[k] <= _lo[k] || _p[k] >= _hi[k] || Dot(column, column) == 0) { err[k] = double.NaN; continue; }
            _active[nf++] = k;
        }
        JacobianGram(nf, _m);
        double s2 = cost / Math.Max(1, _fitted - freeCount);
        // A measured noise (the sweeps' scatter) sets the scale, unless the misfit is larger.
        if (noiseVariance is { } v2) s2 = Math.Max(s2, v2);
        if (Cholesky(_m, nf))
        {
            // Columns of (JᵀJ)⁻¹.
            var inverse = _inverse;
            var e = _unit;
            for (int a = 0; a < nf; a++)
            {
                Array.Clear(e);
                e[a] = 1;
                CholeskySolve(_m, nf, e);
                for (int b = 0; b < nf; b++) inverse[b * NP + a] = e[b];
            }
            if (noiseLag1 > 0)
            {
                // Correlated noise (AR(1), correlation ρ^|i−j|): the sandwich
                // (JᵀJ)⁻¹ JᵀRJ (JᵀJ)⁻¹ instead of (JᵀJ)⁻¹, with R·column by a forward and a
                // backward exponential filter (O(N) per column).
                var middle = _middle;
                var filtered = _column;
                for (int a = 0; a < nf; a++)
                {
                    var col = _jac.AsSpan(_active[a] * Stride, _n);
                    double f = 0;
                    for (int i = 0; i < _n; i++) { f = col[i] + noiseLag1 * f; filtered[i] = f; }
                    double back = 0;
                    for (int i = _n - 1; i >= 0; i--) { back = col[i] + noiseLag1 * back; filtered[i] += back - col[i]; }
                    for (int b = 0; b < nf; b++) middle[a * NP + b] = Dot(_jac.AsSpan(_active[b] * Stride, _n), filtered.AsSpan(0, _n));
                }
                for (int a = 0; a < nf; a++)
                {
                    double v = 0;
                    for (int b = 0; b < nf; b++)
                        for (int c = 0; c < nf; c++) v += inverse[a * NP + b] * middle[b * NP + c] * inverse[c * NP + a];
                    err[_active[a]] = Math.Sqrt(v * s2);
                }
            }
            else
            {
                for (int a = 0; a < nf; a++) err[_active[a]] = Math.Sqrt(inverse[a * NP + a] * s2);
            }
        }
        else
        {
            for (int a = 0; a < nf; a++) err[_active[a]] = double.NaN;
        }
        return ToParameters(err);
    }

    // ---------------------------------------------------------------- model

    /// <summary>
    /// Model and Jacobian (∂model/∂p, all NP columns, only the free ones filled) at p.
    /// Γ = 0: table fast path with analytic derivatives. Γ &gt; 0 or Γ free: the exact
    /// Matsubara-sum model with forward-difference derivatives.
    /// </summary>
    private void Evaluate(double[] p, double[] model, double[] jac, bool withJacobian)
    {
        EvaluateModel(p, model, jac, withJacobian);
        if (_maskRadiusMV > 0) MaskSubgapPoints(model, jac, withJacobian);
    }

    /// <summary>
    /// Leaves the masked points out of the fit: their model equals the data and their Jacobian rows
    /// are zero, so the cost, the normal equations, the standard errors and the residual all see
    /// only the points outside the mask. The mask's centre is fixed (not the trial V₀), so the cost
    /// stays a smooth function of the parameters.
    /// </summary>
    private void MaskSubgapPoints(double[] model, double[] jac, bool withJacobian)
    {
        var (first, end) = MaskedRange();
        for (int i = first; i < end; i++)
        {
            model[i] = _data[i];
            if (withJacobian) for (int k = 0; k < NP; k++) jac[k * Stride + i] = 0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EvaluateModel(double[] p, double[] model, double[] jac, bool withJacobian)
    {
        if (UsesFftTable) { EvaluateFromTable(p, model, jac, withJacobian); return; }
        if (p[PGamma] > 0 || _free[PGamma]) { EvaluateExact(p, model, jac, withJacobian); return; }

        double delta = p[PDelta], temp = p[PTemp], n0 = p[PScale], b = p[PSlope], v0 = p[POffset], vm = p[PMod];
        double invDelta = 1.0 / delta;
        double t = PhysicalConstants.BoltzmannMeVPerK * temp * invDelta;
        // Beyond the table's largest k_BT/Δ the gap is washed out and carries no information; the
        // model is held there (∂/∂T = 0) instead of paying for the exact integral at every point,
        // and the verdict reports the temperature at its limit.
        // Likewise below the smallest: k_BT/Δ < 0.001 is a few µeV, below any bias step or lock-in
        // modulation, so the shape no longer depends on T.
        bool saturated = t > _table.MaxT || t < _table.MinT;
        if (saturated) t = Math.Clamp(t, _table.MinT, _table.MaxT);
        var row = _table.ForTemperature(t);
        double kOverDelta = PhysicalConstants.BoltzmannMeVPerK * invDelta;
        bool fitSlope = _free[PSlope], fitOffset = _free[POffset], fitVm = _free[PMod], fitLeak = _free[PLeak];
        // In-gap leakage η: G → η + (1 − η)G, a constant conductance in parallel with the gap.
        double leak = p[PLeak], keep = 1.0 - leak;
        bool leaky = leak != 0 || fitLeak;
        int c = Stride;
        // Every point at every node of the lock-in average (one node, weight 1, without modulation),
        // looked up in one call: the table's inner loop is the fitter's hot path.
        double[] yNodes = NoModulationNodes, weights = NoModulationWeights;
        // 1e−8 of G: a hundredth of the table's own 7.5e−7, and one quadrature node fewer
        // than 1e−10 at typical lock-in settings (a fifth of a map's fitting time).
        const double lockInTolerance = 1e-8;
        // The temperature the table's G is at (held at its coldest below it): the rule's smoothing.
        double tableTempK = t * delta / PhysicalConstants.BoltzmannMeVPerK;
        bool perPoint = vm > 0 && !LockInQuadrature.Suffices(vm, tableTempK, 0, lockInTolerance);
        if (vm > 0 && !perPoint)
        {
            var rule = LockInQuadrature.For(vm, tableTempK, 0, lockInTolerance);
            yNodes = rule.Nodes;
            weights = rule.Weights;
        }
        int nodes = yNodes.Length;
        double lag = p[PLag];
        int total;
        if (perPoint)
        {
            // A lock-in wide against k_BT: each point its own rule (LockInQuadrature.AtNisPoint).
            total = FillPointRules(v0, lag, delta, vm, tableTempK, lockInTolerance);
        }
        else
        {
            total = _n * nodes;
            EnsureLookupBuffers(total);
            for (int i = 0; i < _n; i++)
            {
                double u = _bias[i] - v0 - lag * _lagSign[i];
                for (int j = 0; j < nodes; j++) _x[i * nodes + j] = (u - vm * yNodes[j]) * invDelta;
            }
        }
        _table.Evaluate(row, _x.AsSpan(0, total), _lookG, _lookGx, _lookGt);
        for (int i = 0; i < _n; i++)
        {
            double u = _bias[i] - v0 - lag * _lagSign[i];
            double line = 1.0 + b * u;
            double gm = 0, dDelta = 0, dT = 0, dX = 0, dVm = 0;
            int q0 = perPoint ? _pointStart[i] : i * nodes;
            int count = perPoint ? _pointStart[i + 1] - q0 : nodes;
            ReadOnlySpan<double> ws = perPoint ? _pointW.AsSpan(q0, count) : weights;
            ReadOnlySpan<double> ys = perPoint ? _pointY.AsSpan(q0, count) : yNodes;
            for (int j = 0; j < count; j++)
            {
                int q = q0 + j;
                double w = ws[j];
                double x = _x[q], g = _lookG[q], gx = _lookGx[q], gt = _lookGt[q];
                gm += w * g;
                dDelta += w * (x * gx + t * gt);
                dT += w * gt;
                dX += w * gx;
                if (fitVm) dVm += w * gx * ys[j]; // 0 without modulation: ⟨G⟩ is even in V_m
            }
            if (leaky)
            {
                // η + (1 − η)⟨G⟩ in place of ⟨G⟩ (kept apart so the common η = 0 pays nothing).
                dDelta *= keep; dT *= keep; dX *= keep; dVm *= keep;
                if (fitLeak && withJacobian) jac[PLeak * c + i] = n0 * line * (1.0 - gm);
                gm = leak + keep * gm;
            }
            double scaled = n0 * line;
            model[i] = scaled * gm;
            if (!withJacobian) continue;
            jac[PDelta * c + i] = -scaled * (saturated ? dDelta - t * dT : dDelta) * invDelta;
            jac[PTemp * c + i] = saturated ? 0.0 : scaled * dT * kOverDelta;
            jac[PScale * c + i] = line * gm;
            if (fitSlope) jac[PSlope * c + i] = n0 * u * gm;
            if (fitOffset) jac[POffset * c + i] = n0 * (-b * gm - line * dX * invDelta);
            if (_joint) jac[PLag * c + i] = _lagSign[i] * n0 * (-b * gm - line * dX * invDelta);
            if (fitVm) jac[PMod * c + i] = -scaled * dVm * invDelta;
        }
    }

    private static readonly double[] NoModulationNodes = [0.0], NoModulationWeights = [1.0];

    // Per-point lock-in rules (a lock-in wide against k_BT): point i's nodes are [_pointStart[i], _pointStart[i + 1]).
    private double[] _pointY = [], _pointW = [];
    private int[] _pointStart = [];

    /// <summary>Each point's own lock-in rule into _pointY/_pointW, and the table's arguments into _x; returns the node count.</summary>
    private int FillPointRules(double v0, double lag, double delta, double vm, double temperatureK, double tolerance)
    {
        if (_pointStart.Length < _n + 1) _pointStart = new int[_n + 1];
        int total = 0;
        double invDelta = 1.0 / delta;
        for (int i = 0; i < _n; i++)
        {
            double u = _bias[i] - v0 - lag * _lagSign[i];
            int count = LockInQuadrature.AtNisPoint(u, delta, vm, temperatureK, 0, tolerance, out var y, out var w);
            if (_pointY.Length < total + count)
            {
                int size = Math.Max(total + count, 2 * _pointY.Length);
                Array.Resize(ref _pointY, size);
                Array.Resize(ref _pointW, size);
            }
            y.AsSpan(0, count).CopyTo(_pointY.AsSpan(total));
            w.AsSpan(0, count).CopyTo(_pointW.AsSpan(total));
            _pointStart[i] = total;
            total += count;
        }
        _pointStart[_n] = total;
        EnsureLookupBuffers(total);
        for (int i = 0; i < _n; i++)
        {
            double u = _bias[i] - v0 - lag * _lagSign[i];
            for (int q = _pointStart[i]; q < _pointStart[i + 1]; q++) _x[q] = (u - vm * _pointY[q]) * invDelta;
        }
        return total;
    }

    // ---------------------------------------------------------------- FFT tables (SIS, and NIS with a fixed Γ)

    private double _tableReach, _tableMaxGap;

    /// <summary>
    /// SIS, or NIS with a fixed Dynes Γ &gt; 0: the model comes from a <see cref="SisConductanceTable"/> (a fixed-Γ fit
    /// on the exact pole sum took 3 ms, 80 times a Γ = 0 fit). A free Γ stays on the exact path.
    /// </summary>
    private bool UsesFftTable => _options.IsSis || _dynesTable;

    /// <summary>
    /// NIS with a fixed Γ, when the options ask for the table (<see cref="GapFitOptions.DynesTable"/>): from 1e−4 meV to 1 meV and half the bias reach (broader is no visible gap, and the exact
    /// sum needs only a few poles there), with V_m fixed (a fitted V_m would need a table per trial), and a bias
    /// range of at most 16,000 lattice steps (±25 mV at small Γ, ±160 mV above 0.12 meV: a sweep of hundreds of mV
    /// would need FFTs of a million points per node, slower than the exact sum).
    /// </summary>
    private bool _dynesTable;

    /// <summary>
    /// Whether one exact evaluation of this spectrum costs over ~1 ms (8,192 point-nodes: a wide lock-in V_m needs up to 96
    /// quadrature nodes a point, and a 4,096-point sweep at V_m = 5 mV took minutes to fit), so that even a single
    /// spectrum is fitted sooner through the Dynes table, whose lock-in average is a product in its transform.
    /// </summary>
    private bool ExactModelIsSlow(double vm)
    {
        if (!(_options.GammaMeV > 0)) return false;
        int nodes = vm > 0 ? LockInQuadrature.For(vm, 0.3, _options.GammaMeV, 1e-10).Count : 1;
        return (long)_n * nodes >= 8192;
    }

    private void ChooseModelPath(double maxAbsBias, double vm) =>
        _dynesTable = (_options.DynesTable || ExactModelIsSlow(vm)) && !_options.IsSis && !_options.FitGamma && !_options.FitModulation
            && _options.GammaMeV >= 1e-4 && _options.GammaMeV <= Math.Min(1.0, 0.5 * maxAbsBias)
            && maxAbsBias <= 16_000 * SisConductanceTable.DynesStepMeV(_options.GammaMeV);

    private SisConductanceTable TableFor(double[] p) => _options.IsSis
        ? SisConductanceTable.For(p[PTip], p[PTipGamma], p[PMod], _tableReach, _tableMaxGap)
        : _dynes!;

    private SisConductanceTable? _dynes;

    /// <summary>The table's reach in |V − V₀| and Δ; a Dynes table also bounds Δ and T to the range it answers.</summary>
    private void SetTableReach(double reachMV, double modulationMV)
    {
        _tableReach = reachMV;
        // Δ up to the bias reach, as for SIS: a wider gap shows no peaks to fit.
        if (!_options.IsSis) _hi[PDelta] = Math.Min(_hi[PDelta], reachMV);
        _tableMaxGap = _hi[PDelta];
        if (_options.IsSis) return;
        var table = _dynes = SisConductanceTable.ForDynes(_options.GammaMeV, modulationMV, reachMV, _tableMaxGap);
        _lo[PDelta] = Math.Max(_lo[PDelta], table.MinSampleGapMeV * 1.0001);
        _lo[PTemp] = Math.Max(_lo[PTemp], table.MinTemperatureK * 1.0001);
        _hi[PTemp] = Math.Min(_hi[PTemp], table.MaxTemperatureK);
    }
    private double[] _tableDelta = [];
    private readonly SisConductanceTable.Stencil _stencil = new();

    /// <summary>
    /// Model and Jacobian from a <see cref="SisConductanceTable"/>, SIS or Dynes (analytic derivatives in Δ, T,
    /// V₀ and the linear parameters); the tip's Δ_t and Γ_t, when free, by forward differences,
    /// each on the table of its shifted value.
    /// </summary>
    private void EvaluateFromTable(double[] p, double[] model, double[] jac, bool withJacobian)
    {
        TableModel(p, model, jac, withJacobian);
        if (!withJacobian) return;
        foreach (int k in (ReadOnlySpan<int>)[PTip, PTipGamma])
        {
            if (!_free[k]) continue;
            Array.Copy(p, _shiftedP, NP);
            double h = k == PTip ? 1e-3 : 0.02 * p[k];
            if (_shiftedP[k] + h > _hi[k]) h = -h;
            _shiftedP[k] += h;
            TableModel(_shiftedP, _column, jac, withJacobian: false);
            for (int i = 0; i < _n; i++) jac[k * Stride + i] = (_column[i] - model[i]) / h;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TableModel(double[] p, double[] model, double[] jac, bool withJacobian)
    {
        var table = TableFor(p);
        table.Prepare(p[PDelta], p[PTemp], _stencil);
        double n0 = p[PScale], b = p[PSlope], v0 = p[POffset], leak = p[PLeak], keep = 1.0 - leak;
        bool fitSlope = _free[PSlope], fitOffset = _free[POffset], fitLeak = _free[PLeak];
        int c = Stride;
        EnsureLookupBuffers(_n);
        // The NIS lookup buffers hold u, G, ∂G/∂u and ∂G/∂T; ∂G/∂Δ has its own.
        if (_tableDelta.Length < _n) _tableDelta = new double[_bias.Length];
        for (int i = 0; i < _n; i++) _x[i] = _bias[i] - v0 - p[PLag] * _lagSign[i];
        table.EvaluateAll(_x.AsSpan(0, _n), _stencil, _lookG, _tableDelta, _lookGt, _lookGx);
        for (int i = 0; i < _n; i++)
        {
            double u = _x[i];
            double g = _lookG[i], dDelta = _tableDelta[i], dTemp = _lookGt[i], dU = _lookGx[i];
            double line = 1.0 + b * u, scaled = n0 * line;
            double gm = leak + keep * g;
            model[i] = scaled * gm;
            if (!withJacobian) continue;
            jac[PDelta * c + i] = scaled * keep * dDelta;
            jac[PTemp * c + i] = scaled * keep * dTemp;
            jac[PScale * c + i] = line * gm;
            if (fitSlope) jac[PSlope * c + i] = n0 * u * gm;
            if (fitOffset) jac[POffset * c + i] = n0 * (-b * gm - line * keep * dU);
            if (_joint) jac[PLag * c + i] = _lagSign[i] * n0 * (-b * gm - line * keep * dU);
            if (fitLeak) jac[PLeak * c + i] = scaled * (1.0 - g);
        }
    }
    private double[] _x = [], _lookG = [], _lookGx = [], _lookGt = [];

    private void EnsureLookupBuffers(int count)
    {
        if (_x.Length >= count) return;
        int size = Math.Max(count, 256);
        _x = new double[size]; _lookG = new double[size]; _lookGx = new double[size]; _lookGt = new double[size];
    }

    private void EvaluateExact(double[] p, double[] model, double[] jac, bool withJacobian)
    {
        ExactModel(p, model);
        if (!withJacobian) return;
        var shifted = _shiftedP;
        var column = _column;
        // The model is linear in the scale, and the slope and leakage enter outside the BCS
        // integral: their columns follow from ⟨G⟩ without evaluating the pole sum again
        // (⟨G⟩ = (model/(n₀(1 + b·u)) − η)/(1 − η)).
        double n0 = p[PScale], b = p[PSlope], leak = p[PLeak];
        bool analyticLinear = n0 != 0 && leak < 1;
        for (int k = 0; k < NP; k++)
        {
            if (!_free[k]) continue;
            if (analyticLinear && k is PScale or PSlope or PLeak)
            {
                for (int i = 0; i < _n; i++)
                {
                    double u = _bias[i] - p[POffset] - p[PLag] * _lagSign[i], line = 1.0 + b * u;
                    double shape = line != 0 ? model[i] / (n0 * line) : 1.0; // line = 0: a measure-zero point
                    jac[k * Stride + i] = k switch
                    {
                        PScale => line * shape,
                        PSlope => n0 * u * shape,
                        _ => n0 * line * (1.0 - (shape - leak) / (1.0 - leak)),
                    };
                }
                continue;
            }
            Array.Copy(p, shifted, NP);
            double h = 1e-6 * (Math.Abs(p[k]) + 100 * TypicalScale(k));
            if (shifted[k] + h > _hi[k]) h = -h;
            shifted[k] += h;
            ExactModel(shifted, column);
            for (int i = 0; i < _n; i++) jac[k * Stride + i] = (column[i] - model[i]) / h;
        }
    }

    private void ExactModel(double[] p, double[] model)
    {
        // A long sweep (a real ±50 mV file has 2,048 points at up to ~100 pole sums each) is shared
        // among the cores: the points are independent, so the result is the same to the last bit.
        // Short spectra stay on one thread: batches already fit one spectrum per core.
        if (_n >= ParallelExactPoints && Environment.ProcessorCount > 1)
        {
            int chunks = Math.Min(4 * Environment.ProcessorCount, _n / 256);
            Parallel.For(0, chunks, c => ExactModel(p, model, (int)((long)c * _n / chunks), (int)((long)(c + 1) * _n / chunks)));
        }
        else ExactModel(p, model, 0, _n);
    }

    /// <summary>Points from which one exact evaluation is split among the cores.</summary>
    private const int ParallelExactPoints = 1024;

    private void ExactModel(double[] p, double[] model, int first, int end)
    {
        double delta = p[PDelta], temp = p[PTemp], gamma = p[PGamma], vm = p[PMod];
        double t = PhysicalConstants.BoltzmannMeVPerK * temp / delta, gr = gamma / delta;
        double[] ys = NoModulationNodes, ws = NoModulationWeights;
        int nodes = 1;
        for (int i = first; i < end; i++)
        {
            double u = _bias[i] - p[POffset] - p[PLag] * _lagSign[i];
            // This point's own rule: few nodes far from ±Δ, graded ones over an edge when the lock-in is wide against k_BT + Γ.
            if (vm > 0) nodes = LockInQuadrature.AtNisPoint(u, delta, vm, temp, gamma, 1e-10, out ys, out ws);
            double gm = 0;
            for (int j = 0; j < nodes; j++)
                gm += ws[j] * MatsubaraBcsSum.ConductanceForFit((u - vm * ys[j]) / delta, t, gr);
            model[i] = p[PScale] * (1.0 + p[PSlope] * u) * (p[PLeak] + (1.0 - p[PLeak]) * gm);
        }
    }

    // ---------------------------------------------------------------- verdicts

    /// <summary>
    /// Noise of the data from second differences: for white noise Var(y₊ − 2y + y₋) = 6σ², and the
    /// median of |d| (×1.4826 for a Gaussian) ignores the few points where the signal's own
    /// curvature (the coherence peaks) dominates.
    /// </summary>
    private double EstimateNoise()
    {
        int m = 0;
        var d = _scratch;
        for (int i = 1; i + 1 < _n; i++) d[m++] = Math.Abs(_data[i + 1] - 2 * _data[i] + _data[i - 1]);
        if (m == 0) return 0;
        double median = Median(d, m);
        return 1.4826 * median / Math.Sqrt(6.0);
    }

    /// <summary>
    /// Mean of the smallest 95 % of the first m values (squares; reorders them): for Gaussian
    /// differences 0.7588 of the variance, the same fraction for any variance, so ratios need no
    /// correction and a few points of a narrow peak do not count.
    /// </summary>
    private static double TrimmedMeanSquare(double[] v, int m)
    {
        int keep = Math.Max(1, (int)(0.95 * m));
        double limit = Select(v, m, keep - 1);
        double sum = 0; int count = 0;
        for (int i = 0; i < m && count < keep; i++)
            if (v[i] <= limit) { sum += v[i]; count++; }
        return sum / count;
    }

    /// <summary>Median of the first m values by quickselect (reorders them), O(m).</summary>
    private static double Median(double[] v, int m)
    {
        double upper = Select(v, m, m / 2);
        if (m % 2 == 1) return upper;
        double lower = double.NegativeInfinity; // largest value left of the selected position
        for (int i = 0; i < m / 2; i++) lower = Math.Max(lower, v[i]);
        return 0.5 * (lower + upper);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Select(double[] v, int m, int k)
    {
        int lo = 0, hi = m - 1;
        while (lo < hi)
        {
            double pivot = v[(lo + hi) >>> 1];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (v[i] < pivot) i++;
                while (v[j] > pivot) j--;
                if (i <= j) { (v[i], v[j]) = (v[j], v[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return v[k];
        }
        return v[k];
    }

    private string? AtBound()
    {
        for (int k = 0; k < NP; k++)
        {
            if (!_free[k] || k == PScale || k == PSlope) continue;
            // Γ = 0 and V_m = 0 are physical values, not failures.
            bool lowIsPhysical = k == PGamma || k == PMod || k == PLeak;
            double tol = 1e-7 * (Math.Abs(_hi[k] - _lo[k]) + 1e-12);
            if ((!lowIsPhysical && _p[k] <= _lo[k] + tol) || _p[k] >= _hi[k] - tol) return ParameterNames[k];
        }
        return null;
    }

    /// <summary>Noise of the data at the fit: σ per point, its lag-1 correlation, and the correlation time τ (in points).</summary>
    private readonly record struct NoiseModel(double Sigma, double Lag1, double Tau, int Lag, bool FromSweeps = false);

    /// <summary>
    /// The noise of the averaged spectrum from the scatter of its sweeps: each sweep's deviation
    /// from their mean, less its share of the lock-in lag (the component along dȳ/dV, fitted per
    /// sweep), has variance σ²(1 − 1/n_s) for independent sweeps; the average's σ is σ/√n_s, and
    /// the deviations' lag-1 autocorrelation is the noise's own, free of any model misfit.
    /// </summary>
    private NoiseModel? SweepNoise((double Intercept, double SlopePerMV)? line)
    {
        var sweeps = _sweeps!;
        int n = _n, ns = sweeps.Count;
        if (n < 20) return null;
        var mean = new double[n];
        var deviation = new double[ns * n];
        for (int s = 0; s < ns; s++)
            for (int i = 0; i < n; i++)
            {
                double y = sweeps[s].Conductance[_descending ? n - 1 - i : i];
                if (line is { } l) y /= l.Intercept + l.SlopePerMV * _bias[i];
                deviation[s * n + i] = y;
                mean[i] += y / ns;
            }
        var slope = new double[n];
        for (int i = 0; i < n; i++)
        {
            int a = Math.Max(0, i - 1), b = Math.Min(n - 1, i + 1);
            slope[i] = (mean[b] - mean[a]) / (_bias[b] - _bias[a]);
        }
        double sumSq = 0, sumLag = 0, slope2 = 0;
        for (int i = 0; i < n; i++) slope2 += slope[i] * slope[i];
        for (int s = 0; s < ns; s++)
        {
            var e = deviation.AsSpan(s * n, n);
            double projection = 0;
            for (int i = 0; i < n; i++) { e[i] -= mean[i]; projection += e[i] * slope[i]; }
            double shift = slope2 > 0 ? projection / slope2 : 0;
            for (int i = 0; i < n; i++) e[i] -= shift * slope[i];
            for (int i = 0; i < n; i++)
            {
                sumSq += e[i] * e[i];
                if (i + 1 < n) sumLag += e[i] * e[i + 1];
            }
        }
        if (!(sumSq > 0)) return null;
        double sigmaSingle2 = sumSq / (n * (ns - 1.0));
        double sigma = Math.Sqrt(sigmaSingle2 / ns);
        double rho = sumLag / sumSq;
        if (!(rho > 3.0 / Math.Sqrt(n * (ns - 1.0)))) return new(sigma, rho, 1, 1, FromSweeps: true);
        rho = Math.Min(rho, 0.95);
        return new(sigma, rho, (1 + rho) / (1 - rho), (int)Math.Ceiling(-1.0 / Math.Log(rho)), FromSweeps: true);
    }

    /// <summary>
    /// The noise of the data as the fit's residual shows it. A lock-in's time constant correlates
    /// neighbouring points (an RC filter sampled along the sweep: e_i = ρe_{i−1} + …), and the
    /// second-difference estimate, which assumes white noise, then sees only part of σ:
    /// Var(Δ²e) = σ²(6 − 8ρ₁ + 2ρ₂). Two estimates of ρ₁: the residual's lag-1 autocorrelation
    /// (precise, ±1/√N, but a smooth systematic misfit or a narrow peak in the residual inflates
    /// it) and 3 − ⟨(Δ²r)²⟩/⟨(Δr)²⟩ over the smallest 95 % of each (so a narrow peak does not
    /// count, and smooth parts cancel in differences), exact for such noise and ±0.12 at 200
    /// points (a median-based ratio scatters ±0.4). The noise counts as correlated only when both
    /// are beyond chance (3/√N and 0.35); then ρ is the first if they agree within 0.3, else the
    /// second, σ² = ⟨(Δr)²⟩/(2(1 − ρ)), and the errors use the AR(1) sandwich (see
    /// <see cref="StandardErrors"/>). Otherwise the white-noise estimate stands. All of it is
    /// measured outside the gap (|V − V₀| ≥ 1.5Δ) when enough points lie there.
    /// </summary>
    private NoiseModel ResidualNoise(double whiteSigma)
    {
        int n = _n;
        if (n < 20) return new(whiteSigma, double.NaN, 1, 1);
        var r = _residual;
        // Fast path, one pass: white noise over the whole spectrum (what most spectra have) ends here.
        double sum = 0, sumSq = 0, sumLag = 0, previous = 0;
        for (int i = 0; i < n; i++)
        {
            double v = _data[i] - _model[i];
            r[i] = v;
            sum += v; sumSq += v * v;
            if (i > 0) sumLag += previous * v;
            previous = v;
        }
        {
            double mu = sum / n, variance = sumSq - n * mu * mu;
            double lag1 = (sumLag - mu * (2 * sum - r[0] - r[n - 1]) + (n - 1) * mu * mu) / variance * n / (n - 1);
            if (!(variance > 0) || !(lag1 > 3.0 / Math.Sqrt(n))) return new(whiteSigma, lag1, 1, 1);
        }
        // Outside the gap (|V − V₀| ≥ 1.5Δ) the model is nearly its background and the residual
        // nearly noise; inside, a bound state a few points wide looks like correlated noise to any
        // local statistic. So the noise is measured outside, where there are enough points, and
        // the peaks are judged inside. Pairs that straddle the gap are skipped.
        double v0 = _p[POffset], limit = 1.5 * _p[PDelta];
        int outside = 0;
        for (int i = 0; i < n; i++) if (Math.Abs(_bias[i] - v0) >= limit) outside++;
        bool all = outside < Math.Max(40, n / 4);
        bool Use(int i) => all || Math.Abs(_bias[i] - v0) >= limit;
        double mean = 0;
        int count = 0;
        for (int i = 0; i < n; i++) if (Use(i)) { mean += r[i]; count++; }
        mean /= count;
        double s0 = 0, s1 = 0;
        int pairs = 0;
        for (int i = 0; i < n; i++)
        {
            if (!Use(i)) continue;
            double c = r[i] - mean;
            s0 += c * c;
            if (i + 1 < n && Use(i + 1)) { s1 += c * (r[i + 1] - mean); pairs++; }
        }
        if (!(s0 > 0) || pairs < 20) return new(whiteSigma, double.NaN, 1, 1);
        double direct = s1 / s0 * count / pairs;
        if (!(direct > 3.0 / Math.Sqrt(count))) return new(whiteSigma, direct, 1, 1);
        var d = _scratch;
        int m = 0;
        for (int i = 1; i + 1 < n; i++)
            if (Use(i - 1) && Use(i) && Use(i + 1)) { double v = r[i + 1] - 2 * r[i] + r[i - 1]; d[m++] = v * v; }
        double second = TrimmedMeanSquare(d, m);
        m = 0;
        for (int i = 0; i + 1 < n; i++)
            if (Use(i) && Use(i + 1)) { double v = r[i + 1] - r[i]; d[m++] = v * v; }
        double first = TrimmedMeanSquare(d, m);
        if (!(first > 0)) return new(whiteSigma, direct, 1, 1);
        double fromDifferences = 3.0 - second / first;
        if (!(fromDifferences > 0.35)) return new(whiteSigma, direct, 1, 1);
        double rho = Math.Min(Math.Abs(direct - fromDifferences) <= 0.3 ? direct : fromDifferences, 0.95);
        // The trimmed mean square of a Gaussian is 0.7588 of its variance.
        double sigma = Math.Sqrt(first / 0.7588 / (2.0 * (1.0 - rho)));
        return new(Math.Max(sigma, whiteSigma), rho, (1 + rho) / (1 - rho), (int)Math.Ceiling(-1.0 / Math.Log(rho)));
    }

    /// <summary>
    /// Whether the gap model describes the data significantly better than a straight line: the
    /// drop of the squared residual from the best line to the fit must exceed 25 σ² (a 5σ gap).
    /// σ has a floor of 1e−10 of the data's rms, so a noiseless flat spectrum (σ = 0) is no gap.
    /// </summary>
    private bool GapIsSignificant(double cost, double noise)
    {
        // While sub-gap states are masked the line is fitted to, and compared on, the same points as the gap.
        var (i1, i2) = MaskedRange();
        FitLine(0, i1, i2, _n, out double a, out double b);
        double lineCost = 0, meanSquare = 0;
        for (int i = 0; i < _n; i++)
        {
            if (i >= i1 && i < i2) continue;
            double e = _data[i] - (a + b * _bias[i]);
            lineCost += e * e;
            meanSquare += _data[i] * _data[i];
        }
        double sigma2 = Math.Max(noise * noise, 1e-20 * meanSquare / _n);
        return lineCost - cost >= 25.0 * sigma2;
    }

    /// <summary>
    /// The verdict, most serious first. Whether Δ can be used rests on Δ itself: no significant
    /// gap, no convergence, or Δ at its bound. Then advice: a sub-gap peak, another parameter at a
    /// bound, T_eff at the table's edge, a poor χ².
    /// </summary>
    private string Verdict(in BcsParameters p, bool converged, double cost, double noise, in NoiseModel noiseModel, bool? significant = null)
    {
        if (!(significant ?? GapIsSignificant(cost, noise))) return FitFlags.NoGap;
        // A gap at a temperature above its own BCS T_c (k_BT_eff > Δ/1.764, with some room: 0.6Δ)
        // cannot exist: the dip is a curved background, not a superconducting gap (real films fit
        // at k_BT_eff ≈ 0.05–0.15Δ; a KPFM grid's Current derivative over ±200 mV "fits" at 1.3Δ).
        // (Not with a superconducting tip: the tip's gap shapes the spectrum whatever the sample's T,
        // and T_eff there also absorbs the tip's broadening.)
        if (!p.IsSis && PhysicalConstants.BoltzmannMeVPerK * p.TemperatureK / p.DeltaMeV >= MaxThermalRatio) return FitFlags.NoGap;
        // A "gap" narrower than two bias steps is not resolved by the sweep (a KPFM grid's 2.4 mV
        // steps "fitted" Δ = 0.5 meV): there is nothing to measure it from.
        if (GapEdgeMeV(p) < 2.0 * MedianBiasStep()) return FitFlags.NoGap;
        // A superconducting tip makes the NIS fit fail in its own way (stalled, T_eff at its floor,
        // or a poor χ²); saying so, with the way out, beats a bare "not converged".
        if (LooksLikeSuperconductingTip(p, cost, noise, noiseModel)) return FitFlags.SisSuspected;
        // A gap the fit did not take (the data far below the background beyond the fitted peaks) is
        // the reason a fit stalls on sub-gap states; saying so beats a bare "not converged".
        if (!converged) return GapExtendsBeyondFit(p, noise, noiseModel) ? FitFlags.GapBeyondFit : FitFlags.NotConverged;
        string? atBound = AtBound();
        if (atBound == ParameterNames[PDelta]) return FitFlags.AtBoundPrefix + atBound;
        // A dip that wants more thermal broadening than 100 K (an I–V curve fitted as dI/dV, a
        // semiconductor's band gap) is no superconducting gap either: its "Δ" tells nothing.
        if (atBound == ParameterNames[PTemp] && p.TemperatureK >= 0.5 * _hi[PTemp]) return FitFlags.NoGap;
        if (GapExtendsBeyondFit(p, noise, noiseModel)) return FitFlags.GapBeyondFit;
        // A "gap" whose fitted coherence peak the data lack on one side is a one-sided feature (a
        // resonance, a band edge), not a superconducting gap. (After gap_beyond_fit: sub-gap states
        // taken for the peaks are often one-sided too, and that flag says what they are.)
        if (MissingCoherencePeak(p, noise, noiseModel) is not null) return FitFlags.NoGap;
        if (HasSubgapPeak(p, noise, noiseModel)) return FitFlags.SubgapPeak;
        if (atBound is not null) return FitFlags.AtBoundPrefix + atBound;
        double tFinal = PhysicalConstants.BoltzmannMeVPerK * p.TemperatureK / p.DeltaMeV;
        if (!p.IsSis && !_free[PGamma] && p.GammaMeV == 0 && (tFinal >= _table.MaxT || tFinal <= _table.MinT))
            return FitFlags.AtBoundPrefix + ParameterNames[PTemp];
        double chi2 = cost / ((_n - FreeCount()) * Math.Max(noise * noise, 1e-300));
        if (chi2 > 4.0 && _n >= 30) return FitFlags.PoorFit;
        return FitFlags.Ok;
    }

    /// <summary>
    /// The bias (mV) of a coherence peak the fit draws but the data lack, else null. BCS puts a peak
    /// at each edge ±Δ; on each side the fitted model's excess over its own background n₀(1 + b·u)
    /// is averaged where it is at least half its maximum (within 0.5Δ of the edge), and the data's
    /// excess over the same points. A peak is missing when the model's excess is significant (over
    /// 5 standard errors of such a mean) and the data keep less than 30 % of it, short by as much.
    /// Real spectra keep their peaks on both sides (a sloped background is the model's own); a
    /// ~100 meV "gap" over a one-sided resonance in a real grid did not (its fit drew a peak at
    /// −110 mV over flat data), nor a fit run off to Δ = 2.3 eV. A side without data (a one-sided
    /// sweep) or with fewer than three points in the peak is not judged. NIS only.
    /// </summary>
    private double? MissingCoherencePeak(in BcsParameters p, double noise, in NoiseModel noiseModel)
    {
        if (p.IsSis || !(p.DeltaMeV > 0) || !(p.Scale != 0)) return null;
        foreach (double side in (ReadOnlySpan<double>)[-1.0, 1.0])
        {
            double maxExcess = 0;
            for (int i = 0; i < _n; i++)
            {
                double u = _bias[i] - p.BiasOffsetMV;
                if (Math.Abs(u - side * p.DeltaMeV) > 0.5 * p.DeltaMeV) continue;
                maxExcess = Math.Max(maxExcess, (_model[i] - p.Scale * (1 + p.SlopePerMV * u)) * Math.Sign(p.Scale));
            }
            if (!(maxExcess > 0)) continue;
            double modelSum = 0, dataSum = 0;
            int count = 0;
            for (int i = 0; i < _n; i++)
            {
                double u = _bias[i] - p.BiasOffsetMV;
                if (Math.Abs(u - side * p.DeltaMeV) > 0.5 * p.DeltaMeV) continue;
                double background = p.Scale * (1 + p.SlopePerMV * u);
                double excess = (_model[i] - background) * Math.Sign(p.Scale);
                if (excess < 0.5 * maxExcess) continue;
                modelSum += excess;
                dataSum += (_data[i] - background) * Math.Sign(p.Scale);
                count++;
            }
            if (count < 3) continue;
            double se = noise * Math.Sqrt(Math.Min(Math.Max(noiseModel.Tau, 1.0), count) / count);
            double modelMean = modelSum / count, dataMean = dataSum / count;
            if (modelMean > 5 * se && dataMean < 0.3 * modelMean && modelMean - dataMean > 5 * se)
                return p.BiasOffsetMV + side * p.DeltaMeV;
        }
        return null;
    }

    /// <summary>
    /// Whether the fitted "gap" is a pair of strong sub-gap states (Yu–Shiba–Rusinov peaks taller
    /// than the coherence peaks) inside a wider gap. Beyond 1.5Δ from V₀ thermal BCS, with any Γ
    /// or leakage, lies above 0.9 of its background (at the table's hottest, k_BT = 1.3Δ); five
    /// consecutive points there averaging below half the background, by more than 5 noise standard
    /// deviations of such a mean, is a gap the model did not take. Then Δ is not the gap, and the
    /// spectrum cannot enter the statistics.
    /// </summary>
    private bool GapExtendsBeyondFit(in BcsParameters p, double noise, in NoiseModel noiseModel)
    {
        // Five points: a gap is wider than that, and a misfit model's correlation length means little.
        const int window = 5;
        double tolerance = 5.0 * noise * Math.Sqrt(Math.Min(noiseModel.Tau, window) / window);
        int run = 0;
        double sumData = 0, sumBackground = 0;
        for (int i = 0; i < _n; i++)
        {
            double u = _bias[i] - p.BiasOffsetMV;
            if (Math.Abs(u) < 1.5 * GapEdgeMeV(p)) { run = 0; sumData = sumBackground = 0; continue; }
            double background = p.Scale * (1 + p.SlopePerMV * u);
            sumData += _data[i];
            sumBackground += background;
            run++;
            if (run > window)
            {
                double uOut = _bias[i - window] - p.BiasOffsetMV;
                sumData -= _data[i - window];
                sumBackground -= p.Scale * (1 + p.SlopePerMV * uOut);
            }
            if (run >= window && sumBackground > 0 && sumData < 0.5 * sumBackground
                && (sumBackground - sumData) / window > tolerance)
                return true;
        }
        return false;
    }

    /// <summary>
    /// Whether a failed NIS fit is a superconducting tip's spectrum. Thermal BCS cannot make
    /// (a) negative dI/dV — five points averaging below zero by more than 5 noise standard
    /// deviations of such a mean — nor (b) a peak that falls back to the background right after
    /// its top: just outside the fitted peak (1.02Δ &lt; |V − V₀| &lt; 1.35Δ) NIS stays well above the
    /// background on its 1/√ tail, while an SIS peak (Γ_t wide, at Δ_t + Δ_s) has already ended.
    /// Claimed when the fit went colder than any real film (k_BT_eff &lt; 0.03Δ) and the data there
    /// miss more than a fifth of the model's excess over the background, by more than 5 standard
    /// deviations of that sum. Only asked of poor fits (χ²_red &gt; 4).
    /// </summary>
    private bool LooksLikeSuperconductingTip(in BcsParameters p, double cost, double noise, in NoiseModel noiseModel)
    {
        if (p.IsSis || _n < 30) return false;
        double chi2 = cost / ((_n - FreeCount()) * Math.Max(noise * noise, 1e-300));
        if (chi2 <= 4.0) return false;
        const int window = 5;
        double tau = Math.Max(noiseModel.Tau, 1.0);
        double windowLimit = 5.0 * noise * Math.Sqrt(Math.Min(tau, window) / window);
        double sign = p.Scale >= 0 ? 1.0 : -1.0; // an inverted lock-in phase: judge the sign-corrected data
        double sum = 0;
        for (int i = 0; i < _n; i++)
        {
            sum += sign * _data[i];
            if (i >= window) sum -= sign * _data[i - window];
            if (i >= window - 1 && sum / window < -windowLimit) return true;
        }
        // (b) is asked only of a fit that went colder than any real film (k_BT_eff < 0.03Δ; films fit
        // at 0.05–0.15Δ): the sharp SIS peaks drive it there. A hot misfit (sub-gap states taken
        // for the gap) also leaves data below the model beside its peaks, and is no SIS.
        if (PhysicalConstants.BoltzmannMeVPerK * p.TemperatureK >= 0.03 * p.DeltaMeV) return false;
        int m = 0;
        double missing = 0, excess = 0;
        for (int i = 0; i < _n; i++)
        {
            double u = Math.Abs(_bias[i] - p.BiasOffsetMV);
            if (u <= 1.02 * p.DeltaMeV || u >= 1.35 * p.DeltaMeV) continue;
            double background = p.Scale * (1 + p.SlopePerMV * (_bias[i] - p.BiasOffsetMV));
            missing += sign * (_model[i] - _data[i]);
            excess += sign * (_model[i] - background);
            m++;
        }
        return m >= window && excess > 0 && missing > excess / 5.0 && missing > 5.0 * noise * Math.Sqrt(m * Math.Min(tau, m));
    }

    /// <summary>k_BT_eff/Δ above which a fitted dip is not a gap: the BCS T_c (1/1.764 = 0.567) with a little room.</summary>
    internal const double MaxThermalRatio = 0.6;

    /// <summary>The median spacing of the sorted bias points, in mV.</summary>
    private double MedianBiasStep()
    {
        if (_n < 2) return 0;
        var steps = _scratch;
        for (int i = 1; i < _n; i++) steps[i - 1] = Math.Abs(_bias[i] - _bias[i - 1]);
        return Median(steps, _n - 1);
    }

    /// <summary>Where the gap's edge sits in bias: Δ for a normal tip, Δ_s + Δ_t for a superconducting one.</summary>
    private static double GapEdgeMeV(in BcsParameters p) => p.IsSis ? p.DeltaMeV + p.TipGapMeV : p.DeltaMeV;

    private int FreeCount()
    {
        int count = 0;
        for (int k = 0; k < NP; k++) if (_free[k]) count++;
        return count;
    }

    /// <summary>
    /// A peak inside the gap that the model (with its Γ, its leakage) cannot produce: within
    /// |V − V₀| &lt; 0.8Δ the residual is first relieved of a smooth in-gap baseline (a + b·u + c·u²:
    /// a flat in-gap conductance, a broadening the model lacks, a slope), and then a window of w
    /// consecutive points must sum to more than 5 standard deviations of such a sum
    /// (σ√(w·min(τ, w)) with the noise's correlation time τ). A smooth systematic residual is not a
    /// peak; a bound state a few points wide is.
    /// </summary>
    private bool HasSubgapPeak(in BcsParameters p, double noise, in NoiseModel noiseModel)
    {
        int first = -1, last = -1;
        double sw = 0, su = 0, su2 = 0, su3 = 0, su4 = 0, sr = 0, sur = 0, su2r = 0;
        for (int i = 0; i < _n; i++)
        {
            double u = _bias[i] - p.BiasOffsetMV;
            if (Math.Abs(u) >= 0.8 * GapEdgeMeV(p)) continue;
            if (first < 0) first = i;
            last = i;
            double r = _data[i] - _model[i], u2 = u * u;
            sw += 1; su += u; su2 += u2; su3 += u2 * u; su4 += u2 * u2; sr += r; sur += u * r; su2r += u2 * r;
        }
        int count = last - first + 1;
        int window = Math.Max(5, 2 * noiseModel.Lag + 1);
        if (first < 0 || count < window) return false;
        // Baseline a + b·u + c·u² by least squares when the gap holds enough points to leave a
        // peak standing; a constant otherwise.
        double a = sr / sw, b = 0, c = 0;
        if (count >= 3 * window)
        {
            Span<double> m = [sw, su, su2, su, su2, su3, su2, su3, su4];
            Span<double> rhs = [sr, sur, su2r];
            if (Solve3(m, rhs)) { a = rhs[0]; b = rhs[1]; c = rhs[2]; }
        }
        double limit = 5.0 * noise * Math.Sqrt(window * Math.Min(noiseModel.Tau, window));
        double sum = 0;
        for (int i = first; i <= last; i++)
        {
            double u = _bias[i] - p.BiasOffsetMV;
            sum += _data[i] - _model[i] - (a + b * u + c * u * u);
            if (i - first >= window)
            {
                double uOut = _bias[i - window] - p.BiasOffsetMV;
                sum -= _data[i - window] - _model[i - window] - (a + b * uOut + c * uOut * uOut);
            }
            if (i - first >= window - 1 && sum > limit) return true;
        }
        return false;
    }

    /// <summary>Solves a 3×3 system in place by Gaussian elimination with partial pivoting; false when singular.</summary>
    private static bool Solve3(Span<double> m, Span<double> rhs)
    {
        for (int col = 0; col < 3; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < 3; row++) if (Math.Abs(m[row * 3 + col]) > Math.Abs(m[pivot * 3 + col])) pivot = row;
            if (!(Math.Abs(m[pivot * 3 + col]) > 1e-300)) return false;
            if (pivot != col)
            {
                for (int k = 0; k < 3; k++) (m[col * 3 + k], m[pivot * 3 + k]) = (m[pivot * 3 + k], m[col * 3 + k]);
                (rhs[col], rhs[pivot]) = (rhs[pivot], rhs[col]);
            }
            for (int row = col + 1; row < 3; row++)
            {
                double f = m[row * 3 + col] / m[col * 3 + col];
                for (int k = col; k < 3; k++) m[row * 3 + k] -= f * m[col * 3 + k];
                rhs[row] -= f * rhs[col];
            }
        }
        for (int row = 2; row >= 0; row--)
        {
            double v = rhs[row];
            for (int k = row + 1; k < 3; k++) v -= m[row * 3 + k] * rhs[k];
            rhs[row] = v / m[row * 3 + row];
        }
        return double.IsFinite(rhs[0]) && double.IsFinite(rhs[1]) && double.IsFinite(rhs[2]);
    }
}
