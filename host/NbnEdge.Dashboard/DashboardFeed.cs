using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;

namespace NbnEdge.Dashboard;

/// <summary>
/// One-line feeding of a <see cref="DashboardState"/> from the analysis types the CLI already has.
/// </summary>
public static class DashboardFeed
{
    /// <summary>
    /// Adds a spectrum with its fit (or without one). The position is the spectrum's x in nm when it
    /// has one, else <paramref name="position"/> (NaN: the sequence number).
    /// </summary>
    /// <param name="state">The dashboard's state.</param>
    /// <param name="spectrum">The measured spectrum.</param>
    /// <param name="fit">Its fit, or null when it was not fitted.</param>
    /// <param name="deviceDeltaMeV">The board's estimate in meV, or null.</param>
    /// <param name="position">Distance in nm, index or time; NaN uses <see cref="Spectrum.XNm"/> or the sequence number.</param>
    /// <returns>The spectrum's sequence number.</returns>
    public static long AddFit(this DashboardState state, Spectrum spectrum, GapFitResult? fit, double? deviceDeltaMeV = null,
        double position = double.NaN)
    {
        double pos = double.IsNaN(position) ? spectrum.XNm ?? double.NaN : position;
        double[]? model = fit?.ModelAt(spectrum.BiasMV);
        bool usable = fit is { IsUsable: true };
        double[] g = spectrum.Conductance;
        string? unit;
        if (fit?.DividedLine is { } line)
        {
            // Paper mode fits the spectrum divided by its normal-state line: show the data the model describes.
            g = new double[g.Length];
            for (int i = 0; i < g.Length; i++) g[i] = spectrum.Conductance[i] / (line.Intercept + line.SlopePerMV * spectrum.BiasMV[i]);
            unit = "normalised";
        }
        else if (fit is { Converged: true } f && f.Parameters.Scale is > 0 and < double.PositiveInfinity
            && double.IsFinite(f.Parameters.SlopePerMV) && double.IsFinite(f.Parameters.BiasOffsetMV))
        {
            // Normalised by the fit's own background n₀(1 + b(V − V₀)), as the paper shows
            // spectra: the gap's depth and the coherence peaks read directly, whatever the
            // lock-in's gain (issue 13). Without a fit the channel's units stay.
            var p = f.Parameters;
            g = new double[spectrum.Conductance.Length];
            for (int i = 0; i < g.Length; i++)
            {
                double background = p.Scale * (1 + p.SlopePerMV * (spectrum.BiasMV[i] - p.BiasOffsetMV));
                g[i] = spectrum.Conductance[i] / background;
                if (model is not null) model[i] /= background;
            }
            unit = "normalised";
        }
        else
        {
            // In SI base units, so the page can say nS or mV instead of a count.
            (unit, double toSi) = ConductanceUnits.Of(spectrum);
            if (toSi != 1)
            {
                g = g.Select(v => v * toSi).ToArray();
                if (model is not null) for (int i = 0; i < model.Length; i++) model[i] *= toSi;
            }
        }
        return state.AddSpectrum(spectrum.Name, pos, spectrum.BiasMV, g, model,
            usable ? fit!.DeltaMeV : double.NaN, usable ? fit!.DeltaErrMeV : double.NaN, deviceDeltaMeV,
            fit?.Flag ?? "not_fitted", unit);
    }

    /// <summary>Sets the statistics from a <see cref="HomogeneityResult"/> (the numbers the `stats` JSON prints).</summary>
    public static void SetStatistics(this DashboardState state, HomogeneityResult h) =>
        state.SetStatistics(new DashboardStatistics
        {
            Count = h.Count,
            MeanMeV = h.MeanMeV,
            SdMeV = h.StandardDeviationMeV,
            GaussMeanMeV = h.Gaussian.CentreMeV,
            GaussSigmaMeV = h.Gaussian.SigmaMeV,
            GaussAmplitude = h.Gaussian.Amplitude,
            IntrinsicSigmaMeV = h.IntrinsicSigmaMeV,
            IntrinsicCiMeV = (h.IntrinsicSigmaLowerMeV, h.IntrinsicSigmaUpperMeV),
            HistogramEdgesMeV = h.Histogram.EdgesMeV.ToArray(),
            HistogramCounts = h.Histogram.Counts.ToArray(),
        });
}
