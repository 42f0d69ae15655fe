using NbnEdge.Analysis.Model;

namespace NbnEdge.Analysis.Fitting;

/// <summary>The verdicts a fit can carry; <see cref="Ok"/> when the model describes the spectrum.</summary>
public static class FitFlags
{
    /// <summary>The model describes the spectrum.</summary>
    public const string Ok = "ok";

    /// <summary>No significant gap: the fitted depression is within the noise.</summary>
    public const string NoGap = "no_gap";

    /// <summary>A significant peak inside the gap that BCS cannot produce (e.g. a bound state).</summary>
    public const string SubgapPeak = "subgap_peak";

    /// <summary>A parameter ended at its bound (the name follows the colon).</summary>
    public const string AtBoundPrefix = "at_bound:";

    /// <summary>Δ ended at its bound: the spectrum does not determine it.</summary>
    public const string AtBoundDelta = AtBoundPrefix + "delta";

    /// <summary>The solver stopped without meeting its convergence test.</summary>
    public const string NotConverged = "not_converged";

    /// <summary>χ²_red far above 1: the residuals are not noise.</summary>
    public const string PoorFit = "poor_fit";

    /// <summary>Too few points for the free parameters.</summary>
    public const string TooFewPoints = "too_few_points";

    /// <summary>
    /// The fitted coherence peaks are sub-gap states (e.g. Yu–Shiba–Rusinov peaks taller than the
    /// coherence peaks) inside a wider gap: beyond them the conductance stays far below the
    /// background. Δ is not the gap and is not used in statistics.
    /// </summary>
    public const string GapBeyondFit = "gap_beyond_fit";

    /// <summary>
    /// The NIS fit failed the way a superconducting tip makes it fail: peaks far sharper than thermal
    /// BCS allows (the data fall well below the model's 1/√ tail just outside them) or negative
    /// dI/dV. Δ is then about Δ_tip + Δ_sample and is not used in statistics; the note suggests --tip-gap.
    /// </summary>
    public const string SisSuspected = "sis_suspected";

    /// <summary>A fixed lock-in modulation wider than half the sweep: not fitted (the note says why).</summary>
    public const string ModulationTooLarge = "vm_too_large";

    /// <summary>The fitter failed on this spectrum (a fault, reported in the notes); the run goes on.</summary>
    public const string FitFailed = "fit_failed";
}

/// <summary>One spectrum's fit: the parameters with their standard errors, and the verdicts.</summary>
public sealed record GapFitResult
{
    /// <summary>The spectrum's source (file, stream).</summary>
    public required string Source { get; init; }

    /// <summary>The spectrum's name within its source.</summary>
    public required string Spectrum { get; init; }

    /// <summary>Fitted parameters (in the normalised units when the background was divided out).</summary>
    public required BcsParameters Parameters { get; init; }

    /// <summary>Standard errors of <see cref="Parameters"/>, scaled by √χ²_red; 0 for fixed parameters, NaN where undetermined.</summary>
    public required BcsParameters Errors { get; init; }

    /// <summary>Gap Δ in meV.</summary>
    public double DeltaMeV => Parameters.DeltaMeV;

    /// <summary>Standard error of Δ in meV.</summary>
    public double DeltaErrMeV => Errors.DeltaMeV;

    /// <summary>Effective temperature in K.</summary>
    public double TEffK => Parameters.TemperatureK;

    /// <summary>Standard error of T_eff in K.</summary>
    public double TEffErrK => Errors.TemperatureK;

    /// <summary>χ² per degree of freedom, with the noise estimated from the data's second differences.</summary>
    public required double Chi2Red { get; init; }

    /// <summary>Noise estimate of the data (its units), from robust second differences.</summary>
    public required double NoiseEstimate { get; init; }

    /// <summary>Lag-1 autocorrelation of the fit's residual (a lock-in's time constant makes it positive); NaN when not fitted.</summary>
    public double NoiseLag1Correlation { get; init; } = double.NaN;

    /// <summary>
    /// Correlation time of the noise in points, τ = 1 + 2Σρ_k (1 for white noise): the errors are
    /// scaled by √τ, the effective-sample-size correction for correlated points.
    /// </summary>
    public double NoiseCorrelationTime { get; init; } = 1.0;

    /// <summary>
    /// V₀ of the forward sweeps minus V₀ of the backward ones, in mV, each direction fitted alone
    /// (the lock-in's time-constant lag); NaN when the spectrum does not hold both directions.
    /// </summary>
    public double BiasOffsetFwdBwdMV { get; init; } = double.NaN;

    /// <summary>Standard error of <see cref="BiasOffsetFwdBwdMV"/>, in mV.</summary>
    public double BiasOffsetFwdBwdErrMV { get; init; } = double.NaN;

    /// <summary>True when the solver met its convergence test.</summary>
    public required bool Converged { get; init; }

    /// <summary>Solver iterations used.</summary>
    public required int Iterations { get; init; }

    /// <summary>One of <see cref="FitFlags"/>.</summary>
    public required string Flag { get; init; }

    /// <summary>Number of points fitted.</summary>
    public required int Points { get; init; }

    /// <summary>Background treatment used.</summary>
    public required BackgroundTreatment Background { get; init; }

    /// <summary>For <see cref="BackgroundTreatment.Paper"/>: the line divided out, a + b·V (data units, per mV).</summary>
    public (double Intercept, double SlopePerMV)? DividedLine { get; init; }

    /// <summary>
    /// Whether Δ belongs in homogeneity statistics. That rests on Δ itself: the fit converged, Δ
    /// and its error are finite, the gap is significant and Δ is not at its bound. The other
    /// flags (subgap_peak, poor_fit, another parameter at a bound) are advice about the model, not
    /// about Δ: a good real fit with a χ² above 1 must still count.
    /// </summary>
    public bool IsUsable => Converged && double.IsFinite(Parameters.DeltaMeV) && double.IsFinite(Errors.DeltaMeV)
        && Flag is not (FitFlags.NoGap or FitFlags.NotConverged or FitFlags.TooFewPoints or FitFlags.FitFailed
            or FitFlags.ModulationTooLarge or FitFlags.AtBoundDelta or FitFlags.GapBeyondFit or FitFlags.SisSuspected);

    /// <summary>SIS fits: the tip's gap Δ_t in meV; null for the NIS model.</summary>
    public double? TipGapMeV => Parameters.IsSis ? Parameters.TipGapMeV : null;

    /// <summary>SIS fits: standard error of Δ_t in meV (0 when it was fixed).</summary>
    public double? TipGapErrMeV => Parameters.IsSis ? Errors.TipGapMeV : null;

    /// <summary>SIS fits: the tip's Dynes Γ_t in meV.</summary>
    public double? TipGammaMeV => Parameters.IsSis ? Parameters.TipGammaMeV : null;

    /// <summary>SIS fits: standard error of Γ_t in meV (0 when it was fixed).</summary>
    public double? TipGammaErrMeV => Parameters.IsSis ? Errors.TipGammaMeV : null;

    /// <summary>Reader notes carried over from the spectrum (dropped NaN points, …).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The result for a spectrum the fitter failed on: no parameters, flag <see cref="FitFlags.FitFailed"/>, the reason in the notes.</summary>
    public static GapFitResult Failed(Spectrum spectrum, string reason)
    {
        var nan = new BcsParameters(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        return new GapFitResult
        {
            Source = spectrum.Source,
            Spectrum = spectrum.Name,
            Parameters = nan,
            Errors = nan,
            Chi2Red = double.NaN,
            NoiseEstimate = double.NaN,
            Converged = false,
            Iterations = 0,
            Flag = FitFlags.FitFailed,
            Points = spectrum.Count,
            Background = BackgroundTreatment.Joint,
            Notes = [.. spectrum.Notes, $"the fit failed: {reason}"],
        };
    }

    /// <summary>The model at the given biases, in the fitted data's units (divided by the line in paper mode).</summary>
    public double[] ModelAt(ReadOnlySpan<double> biasMV)
    {
        var result = new double[biasMV.Length];
        if (!(Parameters.DeltaMeV > 0 && Parameters.TemperatureK > 0 && Parameters.GammaMeV >= 0))
        {
            Array.Fill(result, double.NaN); // a failed fit has no model to draw
            return result;
        }
        if (Parameters.IsSis)
        {
            // The exact SIS integral costs milliseconds a point; the fitter's table is 1e−5 of G.
            SisConductanceTable.EvaluateModel(Parameters, biasMV, result);
            return result;
        }
        ThermalBcsModel.Curve(Parameters, biasMV, result);
        return result;
    }
}
