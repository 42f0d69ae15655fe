using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Spatial;

namespace NbnEdge.Export;

/// <summary>One fitted spectrum as exported: its data, where it was taken, and its fit.</summary>
/// <param name="Spectrum">The spectrum (bias in mV, dI/dV in its channel's units).</param>
/// <param name="Fit">Its fit.</param>
/// <param name="DistanceNm">Distance along the line in nm, when the spectra form one (NaN otherwise).</param>
public sealed record ExportedSpectrum(Spectrum Spectrum, GapFitResult Fit, double DistanceNm);

/// <summary>
/// Everything a <c>--out FILE</c> holds: the spectra with their fits and positions, the settings of
/// the run, and the statistics when the command computed them.
/// </summary>
public sealed record ResultsExport
{
    /// <summary>The command that made it (fit, stats, map).</summary>
    public required string Command { get; init; }

    /// <summary>nbnedge's version.</summary>
    public required string ProgramVersion { get; init; }

    /// <summary>The spectra and fits, in output order.</summary>
    public required IReadOnlyList<ExportedSpectrum> Spectra { get; init; }

    /// <summary>The run's settings (fit options, inputs), name → value as text.</summary>
    public required IReadOnlyDictionary<string, string> Settings { get; init; }

    /// <summary>The homogeneity statistics (stats, map); null for fit.</summary>
    public HomogeneityResult? Statistics { get; init; }

    /// <summary>Standard error of the mean Δ in meV (spatial when known); NaN without statistics.</summary>
    public double MeanErrorMeV { get; init; } = double.NaN;

    /// <summary>The spatial statistics; null without positions.</summary>
    public SpatialCorrelationResult? Spatial { get; init; }

    /// <summary>
    /// The per-spectrum columns of the fits, in order: name, unit ("" for dimensionless) and value.
    /// The names are those of <c>fit --json</c>, so a reader can compare the two one to one.
    /// </summary>
    public static IReadOnlyList<(string Name, string Unit, Func<ExportedSpectrum, double> Value)> FitColumns { get; } =
    [
        ("x_nm", "nm", s => s.Spectrum.XNm ?? double.NaN),
        ("y_nm", "nm", s => s.Spectrum.YNm ?? double.NaN),
        ("distance_nm", "nm", s => s.DistanceNm),
        ("delta_meV", "meV", s => s.Fit.Parameters.DeltaMeV),
        ("delta_err_meV", "meV", s => s.Fit.Errors.DeltaMeV),
        ("t_eff_K", "K", s => s.Fit.Parameters.TemperatureK),
        ("t_eff_err_K", "K", s => s.Fit.Errors.TemperatureK),
        ("bias_offset_mV", "mV", s => s.Fit.Parameters.BiasOffsetMV),
        ("bias_offset_err_mV", "mV", s => s.Fit.Errors.BiasOffsetMV),
        ("gamma_meV", "meV", s => s.Fit.Parameters.GammaMeV),
        ("gamma_err_meV", "meV", s => s.Fit.Errors.GammaMeV),
        ("vm_mV", "mV", s => s.Fit.Parameters.ModulationMV),
        ("vm_err_mV", "mV", s => s.Fit.Errors.ModulationMV),
        ("leakage", "", s => s.Fit.Parameters.LeakageFraction),
        ("leakage_err", "", s => s.Fit.Errors.LeakageFraction),
        ("scale", "", s => s.Fit.Parameters.Scale),
        ("scale_err", "", s => s.Fit.Errors.Scale),
        ("slope_per_mV", "1/mV", s => s.Fit.Parameters.SlopePerMV),
        ("slope_err_per_mV", "1/mV", s => s.Fit.Errors.SlopePerMV),
        ("chi2_red", "", s => s.Fit.Chi2Red),
        ("noise", "", s => s.Fit.NoiseEstimate),
        ("points", "", s => s.Fit.Points),
    ];

    /// <summary>The scalar statistics, named as in <c>stats --json</c>, with their units.</summary>
    public IReadOnlyList<(string Name, string Unit, double Value)> StatisticsFields()
    {
        var list = new List<(string, string, double)>();
        if (Statistics is { } h)
        {
            list.Add(("n", "", h.Count));
            list.Add(("inliers", "", h.InlierCount));
            list.Add(("mean_meV", "meV", h.MeanMeV));
            list.Add(("mean_err_meV", "meV", MeanErrorMeV));
            list.Add(("sd_meV", "meV", h.StandardDeviationMeV));
            list.Add(("median_meV", "meV", h.MedianMeV));
            list.Add(("mad_meV", "meV", h.MadMeV));
            list.Add(("gauss_mean_meV", "meV", h.Gaussian.CentreMeV));
            list.Add(("gauss_sigma_meV", "meV", h.Gaussian.SigmaMeV));
            list.Add(("intrinsic_sigma_meV", "meV", h.IntrinsicSigmaMeV));
            list.Add(("intrinsic_sigma_ci_low_meV", "meV", h.IntrinsicSigmaLowerMeV));
            list.Add(("intrinsic_sigma_ci_high_meV", "meV", h.IntrinsicSigmaUpperMeV));
            list.Add(("rms_fit_error_meV", "meV", h.RmsFitErrorMeV));
        }
        if (Spatial is { } s)
        {
            list.Add(("correlation_length_nm", "nm", s.CorrelationLengthNm));
            list.Add(("correlation_length_ci_low_nm", "nm", s.CorrelationLengthLowerNm));
            list.Add(("correlation_length_ci_high_nm", "nm", s.CorrelationLengthUpperNm));
            list.Add(("spatial_correlation_p_value", "", s.PValue));
            list.Add(("spatially_correlated", "", s.SpatiallyCorrelated ? 1 : 0));
            list.Add(("nugget_meV2", "meV^2", s.Model.NuggetMeV2));
            list.Add(("partial_sill_meV2", "meV^2", s.Model.PartialSillMeV2));
            list.Add(("spacing_nm", "nm", s.SpacingNm));
        }
        return list;
    }
}
