using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Spatial;
using Spectre.Console;

namespace NbnEdge.Cli.Commands;

/// <summary>Where the spectra of the input files were taken (<see cref="SpectrumPositions"/>), and the --spacing-nm option that places a line.</summary>
internal static class SpatialInput
{
    /// <summary>
    /// The positions the spectra carry: grid pixels in nm; the distance along a line of .dat files;
    /// the tip positions of .dat files spread over an area (a grid saved one file per pixel); else, with <paramref name="spacingNm"/>, the input order times the spacing (a CSV line).
    /// <paramref name="spacingNm"/> overrides what the files say. Null when nothing places them.
    /// </summary>
    public static SpectrumPositions? PositionsFor(IReadOnlyList<Spectrum> spectra, double? spacingNm)
    {
        int n = spectra.Count;
        if (spacingNm is { } step)
            return new SpectrumPositions(Enumerable.Range(0, n).Select(i => i * step).ToArray(), new double[n], "line");
        if (n > 0 && spectra.All(s => s.PixelX is not null && s.XNm is not null && s.YNm is not null))
            return new SpectrumPositions(spectra.Select(s => s.XNm!.Value).ToArray(), spectra.Select(s => s.YNm!.Value).ToArray(), "grid");
        var (line, area) = FitCommand.PointPositions(spectra);
        if (line is not null) return new SpectrumPositions(line, new double[n], "line");
        if (area is { } a) return new SpectrumPositions(a.XNm, a.YNm, "points");
        return null;
    }

    /// <summary>--spacing-nm: the distance between consecutive spectra of a line whose files carry no positions.</summary>
    public static Option<double?> SpacingOption() => new("--spacing-nm")
    {
        Description = "Spectra along a line at this spacing (nm), in input order (a CSV's columns): enables the spatial statistics (ξ_Δ). Overrides positions from the files.",
        HelpName = "NM",
    };

    /// <summary>The option's value, refused (exit 2) unless finite and &gt; 0.</summary>
    public static double? Spacing(ParseResult p, Option<double?> option)
    {
        var v = p.GetValue(option);
        if (v is { } s && !(s > 0 && double.IsFinite(s) && s < 1e9))
            throw new UsageException($"--spacing-nm {s.ToString(CultureInfo.InvariantCulture)}: give a spacing in nm, > 0.");
        return v;
    }
}

/// <summary>How the spatial statistics are printed and written as JSON by stats, map and demo.</summary>
internal static class SpatialOutput
{
    /// <summary>
    /// The spatial fields of a statistics object: <c>correlation_length_nm</c>, its CI,
    /// <c>spatially_correlated</c> with its p-value, and the <c>spatial</c> details (null, with
    /// <c>spatial_note</c>, when the spectra have no positions).
    /// </summary>
    public static void WriteFields(Utf8JsonWriter w, SpatialCorrelationResult? s, string? note)
    {
        if (s is null)
        {
            w.WriteNull("correlation_length_nm");
            w.WriteNull("correlation_length_ci_nm");
            w.WriteNull("spatially_correlated");
            w.WriteNull("spatial_correlation_p_value");
            w.WriteNull("spatial");
            if (note is not null) w.WriteString("spatial_note", note);
            return;
        }
        w.Number("correlation_length_nm", s.CorrelationLengthNm);
        w.Interval("correlation_length_ci_nm", s.CorrelationLengthLowerNm, s.CorrelationLengthUpperNm);
        w.WriteBoolean("spatially_correlated", s.SpatiallyCorrelated);
        w.Number("spatial_correlation_p_value", s.PValue);
        w.WriteStartObject("spatial");
        w.WriteString("kind", s.IsMap ? "grid" : "line");
        w.WriteNumber("points", s.Count);
        w.Number("spacing_nm", s.SpacingNm);
        w.Number("max_lag_nm", s.MaxLagNm);
        w.WriteBoolean("at_search_limit", s.AtSearchLimit);
        w.WriteString("model", "exponential: gamma(h) = nugget + partial_sill * (1 - exp(-h/xi))");
        w.Number("nugget_meV2", s.Model.NuggetMeV2);
        w.Number("partial_sill_meV2", s.Model.PartialSillMeV2);
        w.Number("neighbour_distance_nm", s.NeighbourDistanceNm);
        w.WriteNumber("permutations", s.Permutations);
        w.WriteString("ci_method", s.IntervalMethod switch
        {
            SpatialIntervalMethod.ProfileLikelihood => "profile_likelihood",
            SpatialIntervalMethod.ParametricBootstrap => "parametric_bootstrap",
            _ => "block_bootstrap",
        });
        w.Number("block_nm", s.BlockSizeNm);
        w.WriteNumber("blocks", s.Blocks);
        w.WriteNumber("bootstrap_resamples", s.BootstrapResamples);
        w.Number("mean_err_meV", s.MeanErrorMeV);
        w.WriteStartObject("variogram");
        Array(w, "lag_nm", s.Variogram.Select(b => b.LagNm));
        Array(w, "semivariance_meV2", s.Variogram.Select(b => b.CorrectedMeV2));
        Array(w, "raw_semivariance_meV2", s.Variogram.Select(b => b.RawMeV2));
        Array(w, "fit_error_nugget_meV2", s.Variogram.Select(b => b.FitErrorNuggetMeV2));
        Array(w, "pairs", s.Variogram.Select(b => (double)b.Pairs));
        w.WriteEndObject();
        if (s.Anisotropy is { } a)
        {
            w.WriteStartObject("anisotropy");
            w.Number("correlation_length_x_nm", a.CorrelationLengthXNm);
            w.Number("correlation_length_y_nm", a.CorrelationLengthYNm);
            w.Number("ratio_x_over_y", a.RatioXOverY);
            w.Interval("ratio_ci", a.RatioLower, a.RatioUpper);
            w.WriteBoolean("anisotropic", a.Anisotropic);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void Array(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
            if (double.IsFinite(v)) w.WriteNumberValue(v); else w.WriteNullValue();
        w.WriteEndArray();
    }

    /// <summary>The spatial statistics as a table, or one line saying why there are none.</summary>
    public static void Print(TextWriter output, SpatialCorrelationResult? s, string? note)
    {
        var ci = CultureInfo.InvariantCulture;
        if (s is null)
        {
            if (note is not null) output.WriteLine($"spatial statistics: {note}");
            return;
        }
        string Nm(double v) => double.IsFinite(v) ? v.ToString(v < 10 ? "F2" : "F1", ci) : "–";
        var console = ConsoleFactory.For(output);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"Spatial correlation of Δ ({(s.IsMap ? "map, radially averaged" : "along the line")}, {s.Count} spectra, spacing {Nm(s.SpacingNm)} nm)");
        table.AddColumn("quantity");
        table.AddColumn(new TableColumn("value").RightAligned());
        string method = s.IntervalMethod switch
        {
            SpatialIntervalMethod.ProfileLikelihood => "profile likelihood",
            SpatialIntervalMethod.ParametricBootstrap => "parametric bootstrap",
            _ => $"block bootstrap, blocks of {Nm(s.BlockSizeNm)} nm",
        };
        string interval = $"{(s.ConfidenceLevel * 100).ToString("F0", ci)} % CI {Nm(s.CorrelationLengthLowerNm)}–{Nm(s.CorrelationLengthUpperNm)}, {method}";
        // Without correlation at the spacing there is no length to quote: the fit's value is noise.
        table.AddRow("[bold]correlation length ξ_Δ[/]", Markup.Escape(
            s.AtSearchLimit ? $"not determined: the variogram gives no length (the fit stopped at its search limit, {Nm(s.CorrelationLengthNm)} nm; {interval})"
            : s.SpatiallyCorrelated ? $"{Nm(s.CorrelationLengthNm)} nm ({interval})"
            : $"not determined (fit {Nm(s.CorrelationLengthNm)} nm, {interval})"));
        table.AddRow("spatially correlated?", Markup.Escape(
            $"{(s.SpatiallyCorrelated ? "yes" : "no: not distinguishable from white noise")} (permutation p = {s.PValue.ToString("G3", ci)}, neighbours ≤ {Nm(s.NeighbourDistanceNm)} nm)"));
        table.AddRow("variance: correlated / below the spacing", Markup.Escape(
            $"{(Math.Sqrt(s.Model.PartialSillMeV2) * 1000).ToString("F1", ci)} / {(Math.Sqrt(s.Model.NuggetMeV2) * 1000).ToString("F1", ci)} µeV (σ of each part; fit errors removed)"));
        table.AddRow("error of the mean Δ (with the correlation)", $"{(s.MeanErrorMeV * 1000).ToString("F2", ci)} µeV");
        if (s.Anisotropy is { } a)
            table.AddRow("anisotropy ξ_x / ξ_y", Markup.Escape(
                $"{Nm(a.CorrelationLengthXNm)} / {Nm(a.CorrelationLengthYNm)} nm = {a.RatioXOverY.ToString("F2", ci)} (CI {a.RatioLower.ToString("F2", ci)}–{a.RatioUpper.ToString("F2", ci)}): {(a.Anisotropic ? "anisotropic" : "isotropic within the CI")}"));
        console.Write(table);
    }
}
