using System.Globalization;
using ScottPlot;

namespace NbnEdge.Figures;

/// <summary>One bin of a semivariogram as drawn.</summary>
/// <param name="LagNm">Mean distance of the bin's pairs, in nm.</param>
/// <param name="CorrectedMeV2">Semivariance with the fit-error nugget removed, in meV².</param>
/// <param name="RawMeV2">Semivariance as measured, in meV².</param>
/// <param name="FitErrorNuggetMeV2">What the fit errors alone add, in meV².</param>
public sealed record VariogramPoint(double LagNm, double CorrectedMeV2, double RawMeV2, double FitErrorNuggetMeV2);

/// <summary>The variogram's fitted exponential model and its ξ_Δ, as drawn.</summary>
/// <param name="NuggetMeV2">c₀ in meV².</param>
/// <param name="PartialSillMeV2">c₁ in meV².</param>
/// <param name="CorrelationLengthNm">ξ_Δ in nm.</param>
/// <param name="LowerNm">Lower end of ξ_Δ's interval, in nm.</param>
/// <param name="UpperNm">Upper end, in nm.</param>
/// <param name="PValue">p-value of the test of no spatial correlation.</param>
public sealed record VariogramModelCurve(double NuggetMeV2, double PartialSillMeV2, double CorrelationLengthNm, double LowerNm, double UpperNm, double PValue);

/// <summary>The figure of the spatial statistics (issue 13): on what length scale Δ varies.</summary>
public static class SpatialFigures
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// The semivariogram of Δ in µeV²: measured (grey), with the fit errors' nugget removed (blue,
    /// the points fitted), the nugget itself (dashed level), the exponential model (vermilion) and
    /// ξ_Δ with its interval marked on the lag axis.
    /// </summary>
    /// <param name="directory">Folder to write into.</param>
    /// <param name="baseName">File name without extension.</param>
    /// <param name="points">The bins.</param>
    /// <param name="model">The fitted model.</param>
    /// <param name="maxFittedLagNm">Largest lag the model was fitted to, in nm (bins beyond are drawn fainter).</param>
    /// <param name="title">Optional title.</param>
    /// <param name="options">Size and type sizes.</param>
    public static FigureFiles Variogram(string directory, string baseName, IReadOnlyList<VariogramPoint> points, VariogramModelCurve model,
        double maxFittedLagNm, string? title = null, FigureOptions? options = null)
    {
        var o = options ?? FigureOptions.Default;
        var plot = new Plot();
        FigureStyle.Apply(plot, o, "lag h (nm)", "semivariance γ(h) (µeV^{2})", title);
        const double toUeV2 = 1e6;
        var raw = plot.Add.ScatterPoints(points.Select(p => p.LagNm).ToArray(), points.Select(p => p.RawMeV2 * toUeV2).ToArray(), FigureStyle.Grey.WithAlpha(0.6));
        raw.MarkerSize = o.MarkerSizePx * 0.6f;
        raw.MarkerShape = MarkerShape.OpenCircle;
        raw.LegendText = "measured ½⟨(Δ_{i} − Δ_{j})^{2}⟩";
        var fitted = points.Where(p => p.LagNm <= maxFittedLagNm).ToArray();
        var corrected = plot.Add.ScatterPoints(fitted.Select(p => p.LagNm).ToArray(), fitted.Select(p => p.CorrectedMeV2 * toUeV2).ToArray(), FigureStyle.Blue);
        corrected.MarkerSize = o.MarkerSizePx;
        corrected.LegendText = "fit errors removed (fitted)";
        var beyond = points.Where(p => p.LagNm > maxFittedLagNm).ToArray();
        if (beyond.Length > 0)
        {
            var far = plot.Add.ScatterPoints(beyond.Select(p => p.LagNm).ToArray(), beyond.Select(p => p.CorrectedMeV2 * toUeV2).ToArray(), FigureStyle.Sky.WithAlpha(0.5));
            far.MarkerSize = o.MarkerSizePx * 0.7f;
        }
        double nugget = points.Count > 0 ? points.Average(p => p.FitErrorNuggetMeV2) * toUeV2 : 0;
        // Solid: Skia's SVG backend drops dash patterns.
        var level = plot.Add.HorizontalLine(nugget, 1.5f, FigureStyle.Grey, LinePattern.Solid);
        level.LegendText = string.Format(Inv, "fit-error nugget ⟨σ_{{i}}^{{2}} + σ_{{j}}^{{2}}⟩/2 = {0:G3} µeV^{{2}}", nugget);

        double hMax = points.Count > 0 ? points.Max(p => p.LagNm) : 1;
        const int n = 300;
        var mx = new double[n]; var my = new double[n];
        for (int i = 0; i < n; i++)
        {
            mx[i] = hMax * i / (n - 1);
            my[i] = i == 0 ? 0 : (model.NuggetMeV2 + model.PartialSillMeV2 * (1 - Math.Exp(-mx[i] / model.CorrelationLengthNm))) * toUeV2;
        }
        var curve = plot.Add.ScatterLine(mx, my, FigureStyle.Vermilion);
        curve.LineWidth = o.LineWidthPx;
        curve.LegendText = string.Format(Inv, "exponential model: ξ_{{Δ}} = {0} nm (CI {1}–{2})", Nm(model.CorrelationLengthNm), Nm(model.LowerNm), Nm(model.UpperNm));
        if (double.IsFinite(model.CorrelationLengthNm) && model.CorrelationLengthNm <= hMax)
        {
            var xi = plot.Add.VerticalLine(model.CorrelationLengthNm, 1.5f, FigureStyle.Vermilion.WithAlpha(0.7), LinePattern.Solid);
            _ = xi;
        }
        var note = plot.Add.ScatterPoints(Array.Empty<double>(), Array.Empty<double>());
        note.MarkerSize = 0;
        note.LegendText = string.Format(Inv, "no spatial correlation: p = {0:G2}", model.PValue);
        plot.ShowLegend(Alignment.LowerRight);
        double top = points.Count == 0 ? 1 : points.Select(p => Math.Max(p.RawMeV2, p.CorrectedMeV2) * toUeV2).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimitsY(0, 1.15 * Math.Max(top, nugget));
        plot.Axes.SetLimitsX(0, hMax * 1.02);
        plot.Layout.Fixed(new PixelPadding(150, 40, 95, title is null ? 25 : 70));
        return FigureStyle.Save(plot, directory, baseName, o);
    }

    private static string Nm(double v) => double.IsFinite(v) ? v.ToString(v < 10 ? "F2" : "F1", Inv) : "–";
}
