using System.Buffers;
using System.Text;
using System.Text.Json;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Link;
using NbnEdge.Live;

namespace NbnEdge.Session;

/// <summary>
/// The JSON of live results, in one place: the results-journal line (which the MQTT publisher sends
/// as it is, so a subscriber sees the fields of <c>--json</c>), the fit object of <c>fit --json</c>,
/// the link counters and the running statistics. Finite numbers are numbers, NaN and ∞ are null.
/// </summary>
public static class ResultJson
{
    private static readonly JsonWriterOptions LineOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A finite number, or null.</summary>
    public static void NumberOrNull(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    /// <summary>One compact JSON value as a string (a <c>--json</c> line, a results-journal line, an MQTT payload).</summary>
    public static string ToLine(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer, LineOptions)) write(w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>One fit as a JSON object (the <c>fit --json</c> line contract).</summary>
    public static void WriteFit(Utf8JsonWriter w, GapFitResult r, Spectrum? s, double? distanceNm = null)
    {
        var p = r.Parameters;
        var e = r.Errors;
        w.WriteStartObject();
        w.WriteString("source", r.Source);
        w.WriteString("spectrum", r.Spectrum);
        // The file columns the conductance came from (Nanonis readers), so a batch says which channel was taken.
        if (s is not null && s.Metadata.TryGetValue("NbnEdge>Columns", out var channel)) w.WriteString("channel", channel);
        NumberOrNull(w, "delta_meV", p.DeltaMeV);
        NumberOrNull(w, "delta_err_meV", e.DeltaMeV);
        NumberOrNull(w, "t_eff_K", p.TemperatureK);
        NumberOrNull(w, "t_eff_err_K", e.TemperatureK);
        NumberOrNull(w, "bias_offset_mV", p.BiasOffsetMV);
        NumberOrNull(w, "bias_offset_err_mV", e.BiasOffsetMV);
        NumberOrNull(w, "gamma_meV", p.GammaMeV);
        NumberOrNull(w, "gamma_err_meV", e.GammaMeV);
        if (r.TipGapMeV is { } tipGap)
        {
            NumberOrNull(w, "tip_gap_meV", tipGap);
            NumberOrNull(w, "tip_gap_err_meV", r.TipGapErrMeV ?? double.NaN);
            NumberOrNull(w, "tip_gamma_meV", r.TipGammaMeV ?? double.NaN);
            NumberOrNull(w, "tip_gamma_err_meV", r.TipGammaErrMeV ?? double.NaN);
        }
        NumberOrNull(w, "vm_mV", p.ModulationMV);
        NumberOrNull(w, "vm_err_mV", e.ModulationMV);
        NumberOrNull(w, "leakage", p.LeakageFraction);
        NumberOrNull(w, "leakage_err", e.LeakageFraction);
        NumberOrNull(w, "scale", p.Scale);
        NumberOrNull(w, "scale_err", e.Scale);
        NumberOrNull(w, "slope_per_mV", p.SlopePerMV);
        NumberOrNull(w, "slope_err_per_mV", e.SlopePerMV);
        NumberOrNull(w, "chi2_red", r.Chi2Red);
        NumberOrNull(w, "noise", r.NoiseEstimate);
        NumberOrNull(w, "noise_lag1_correlation", r.NoiseLag1Correlation);
        if (double.IsFinite(r.BiasOffsetFwdBwdMV))
        {
            NumberOrNull(w, "bias_offset_fwd_bwd_mV", r.BiasOffsetFwdBwdMV);
            NumberOrNull(w, "bias_offset_fwd_bwd_err_mV", r.BiasOffsetFwdBwdErrMV);
        }
        w.WriteBoolean("converged", r.Converged);
        w.WriteNumber("iterations", r.Iterations);
        w.WriteString("flag", r.Flag);
        w.WriteNumber("points", r.Points);
        w.WriteString("background", r.Background == BackgroundTreatment.Paper ? "paper" : "joint");
        if (s is not null)
        {
            if (s.PixelX is { } px) w.WriteNumber("x", px);
            if (s.PixelY is { } py) w.WriteNumber("y", py);
            if (s.XNm is { } xnm) NumberOrNull(w, "x_nm", xnm);
            if (s.YNm is { } ynm) NumberOrNull(w, "y_nm", ynm);
            if (s.Incomplete) w.WriteBoolean("incomplete", true);
            if (distanceNm is { } d) NumberOrNull(w, "distance_nm", d);
        }
        if (r.Notes.Count > 0)
        {
            w.WriteStartArray("notes");
            foreach (var n in r.Notes) w.WriteStringValue(n);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>
    /// One live result as a results-journal line: ids, latency, the fit (the <c>fit --json</c> object)
    /// and both estimates; with <paramref name="withCurve"/> also the spectrum and its fitted model as
    /// the dashboard draws them (<see cref="WriteCurve"/>), so a remote view needs nothing else.
    /// </summary>
    public static void WriteResult(Utf8JsonWriter w, LiveResult r, bool withCurve = false, bool withModel = true)
    {
        w.WriteStartObject();
        w.WriteNumber("index", r.Index);
        w.WriteNumber("spectrum_id", r.Received.SpectrumId);
        w.WriteNumber("device_epoch", r.Received.DeviceEpoch);
        w.WriteString("direction", r.Received.Backward ? "backward" : "forward");
        w.WriteBoolean("incomplete", r.Incomplete);
        w.WriteNumber("received_points", r.Received.ReceivedPoints);
        w.WriteNumber("total_points", r.Received.TotalPoints);
        NumberOrNull(w, "latency_ms", r.LatencyMs);
        if (r.Fit is { } fit)
        {
            w.WritePropertyName("fit");
            WriteFit(w, fit, r.Spectrum);
        }
        else
        {
            w.WriteNull("fit");
            w.WriteString("not_fitted", r.NotFittedReason);
        }

        WriteEstimate(w, "host_estimate", r.HostEstimate);
        WriteEstimate(w, "device_estimate", r.DeviceEstimate);
        if (r.RecomputeMatches is { } m) w.WriteBoolean("recompute_match", m);
        else w.WriteNull("recompute_match");
        if (withCurve)
        {
            w.WriteBoolean("usable", r.UsableFit);
            if (r.Spectrum is { } s) WriteCurve(w, s, r.Fit, withModel);
        }
        w.WriteEndObject();
    }

    /// <summary>
    /// <c>"curve": {"unit", "bias_mV": [...], "g": [...], "model": [...]}</c>: the conductance in SI
    /// base units (or normalised in paper mode) and the fitted model on the same bias points, as
    /// 32-bit floats (7 digits are more than a plot needs and keep a 201-point line near 5 KB).
    /// Without <paramref name="withModel"/> the model is left out (see <see cref="LiveSessionOptions.CurveModelInterval"/>).
    /// </summary>
    public static void WriteCurve(Utf8JsonWriter w, Spectrum spectrum, GapFitResult? fit, bool withModel = true)
    {
        double[]? model = withModel ? fit?.ModelAt(spectrum.BiasMV) : null;
        double[] g = spectrum.Conductance;
        string? unit;
        double toSi = 1;
        if (fit?.DividedLine is { } line)
        {
            // Paper mode fits the spectrum divided by its normal-state line: send the data the model describes.
            g = new double[g.Length];
            for (int i = 0; i < g.Length; i++) g[i] = spectrum.Conductance[i] / (line.Intercept + line.SlopePerMV * spectrum.BiasMV[i]);
            unit = "normalised";
        }
        else
        {
            (unit, toSi) = ConductanceUnits.Of(spectrum);
        }

        w.WriteStartObject("curve");
        if (unit is null) w.WriteNull("unit");
        else w.WriteString("unit", unit);
        w.WriteStartArray("bias_mV");
        foreach (double v in spectrum.BiasMV) w.WriteNumberValue((float)v);
        w.WriteEndArray();
        w.WriteStartArray("g");
        foreach (double v in g) w.WriteNumberValue((float)(v * toSi));
        w.WriteEndArray();
        if (model is not null)
        {
            w.WriteStartArray("model");
            foreach (double v in model) w.WriteNumberValue((float)(v * toSi));
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>An ESTIMATE in physical units (meV, K, mV), or null.</summary>
    public static void WriteEstimate(Utf8JsonWriter w, string name, EstimateInfo? e)
    {
        if (e is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        w.WriteNumber("delta_meV", e.DeltaUeV / 1000.0);
        w.WriteNumber("t_eff_K", e.TEffMk / 1000.0);
        w.WriteNumber("bias_offset_mV", e.BiasOffsetUv / 1000.0);
        w.WriteNumber("quality", e.Quality);
        w.WriteBoolean("valid", e.Valid);
        w.WriteEndObject();
    }

    /// <summary>The link counters under the names of the summary's <c>--json</c> (bytes, frames_ok, frames_bad …).</summary>
    /// <param name="w">an open JSON object</param>
    /// <param name="c">the counters</param>
    /// <param name="spectraFitted">
    /// Given: the session summary's layout (<c>monitor</c>, <c>demo</c>, <c>ingest</c> …
    /// <c>--json</c>), with <c>spectra_fitted</c> after <c>spectra_incomplete</c> and without
    /// <c>disconnects</c>, as those objects have always been written. Null: the MQTT link message's
    /// layout, with <c>disconnects</c>.
    /// </param>
    public static void WriteLinkCounters(Utf8JsonWriter w, LinkCounters c, long? spectraFitted = null)
    {
        w.WriteNumber("bytes", c.Bytes);
        w.WriteNumber("frames_ok", c.FramesOk);
        w.WriteNumber("frames_bad", c.FramesDropped);
        w.WriteNumber("frames_lost", c.FramesLost);
        w.WriteNumber("frames_unknown_type", c.UnknownType);
        w.WriteNumber("frames_duplicated", c.Duplicates);
        w.WriteNumber("frames_reordered", c.Reordered);
        w.WriteNumber("reboots", c.Reboots);
        if (spectraFitted is null) w.WriteNumber("disconnects", c.Disconnects);
        w.WriteNumber("spectra_received", c.SpectraComplete + c.SpectraIncomplete);
        w.WriteNumber("spectra_complete", c.SpectraComplete);
        w.WriteNumber("spectra_incomplete", c.SpectraIncomplete);
        if (spectraFitted is { } fitted) w.WriteNumber("spectra_fitted", fitted);
        w.WriteNumber("estimates", c.Estimates);
        w.WriteNumber("estimates_unmatched", c.EstimatesUnmatched);
    }

    /// <summary>The running statistics of a live pipeline (meV; σ and σ_int are the live view's, without CI).</summary>
    public static void WriteRunningStatistics(Utf8JsonWriter w, LiveSnapshot s)
    {
        w.WriteNumber("spectra_processed", s.SpectraProcessed);
        w.WriteNumber("spectra_incomplete", s.SpectraIncomplete);
        w.WriteNumber("n", s.UsableFits);
        NumberOrNull(w, "mean_delta_meV", s.MeanMeV);
        NumberOrNull(w, "sd_meV", s.StandardDeviationMeV);
        NumberOrNull(w, "rms_fit_error_meV", s.RmsFitErrorMeV);
        NumberOrNull(w, "intrinsic_sigma_meV", s.IntrinsicSigmaMeV);
        NumberOrNull(w, "last_delta_meV", s.LastFitDeltaMeV);
        NumberOrNull(w, "last_device_delta_meV", s.LastDeviceDeltaMeV);
        w.WriteNumber("estimates_compared", s.EstimatesCompared);
        NumberOrNull(w, "estimate_vs_fit_rms_meV", s.EstimateVsFitRmsMeV);
        w.WriteNumber("recompute_checked", s.RecomputeChecked);
        w.WriteNumber("recompute_mismatches", s.RecomputeMismatches);
        NumberOrNull(w, "latency_last_ms", s.LastLatencyMs);
        NumberOrNull(w, "latency_max_ms", s.MaxLatencyMs);
    }
}
