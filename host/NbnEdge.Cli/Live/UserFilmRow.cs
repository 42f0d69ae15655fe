using System.Globalization;
using System.Text.Json;
using NbnEdge.Analysis;
using NbnEdge.Cli.Commands;

namespace NbnEdge.Cli.Live;

/// <summary>The live Table I row of a film, R_□ and T_c given (the user's --film-ref, or the paper's film in demo), Δ measured.</summary>
internal static class UserFilmRow
{
    public static void Write(Utf8JsonWriter w, FilmReference film, double meanDeltaMeV, double meanDeltaErrMeV = double.NaN)
    {
        w.WriteStartObject("table_row");
        WriteFields(w, film, meanDeltaMeV, meanDeltaErrMeV);
        w.WriteEndObject();
    }

    /// <summary>
    /// The row's fields (the film, its given R_□ and T_c, Δ measured, L_□ and Δ/k_BT_c), for a
    /// <c>table_row</c> object; with the mean Δ's error, also <c>delta_err_meV</c>,
    /// <c>l_sheet_err_pH</c> and <c>delta_over_kTc_err</c> (R_□ and T_c are taken as exact).
    /// </summary>
    public static void WriteFields(Utf8JsonWriter w, FilmReference film, double meanDeltaMeV, double meanDeltaErrMeV = double.NaN)
    {
        var f = Figures(film, meanDeltaMeV, meanDeltaErrMeV);
        w.WriteString("film", film.Label);
        w.Number("thickness_nm", film.ThicknessNm);
        w.Number("tc_K", film.TcK);
        w.Number("r_sheet_ohm", film.RSheetOhm);
        w.Number("delta_meV", meanDeltaMeV);
        if (double.IsFinite(meanDeltaErrMeV)) w.Number("delta_err_meV", meanDeltaErrMeV);
        w.Number("l_sheet_pH", f.LSheetPH);
        if (double.IsFinite(meanDeltaErrMeV)) w.Number("l_sheet_err_pH", f.LSheetErrPH);
        w.Number("delta_over_kTc", f.DeltaOverKTc);
        if (double.IsFinite(meanDeltaErrMeV)) w.Number("delta_over_kTc_err", f.DeltaOverKTcErr);
    }

    /// <summary>The film's figures with Δ measured and its error carried through.</summary>
    public static FilmFigures Figures(FilmReference film, double meanDeltaMeV, double meanDeltaErrMeV) =>
        FilmFigures.From(new FilmRow(film.Label, film.ThicknessNm, film.TcK, film.RSheetOhm, meanDeltaMeV) { DeltaErrMeV = meanDeltaErrMeV });

    public static void Print(TextWriter output, FilmReference film, double meanDeltaMeV, double meanDeltaErrMeV = double.NaN)
    {
        var ci = CultureInfo.InvariantCulture;
        if (!double.IsFinite(meanDeltaMeV))
        {
            output.WriteLine($"Table I row for {film.Label}: no mean Δ yet (fewer than {HomogeneityStatistics.MinimumCount} usable fits).");
            return;
        }

        var f = Figures(film, meanDeltaMeV, meanDeltaErrMeV);
        output.WriteLine(string.Create(ci, $"Table I row ({film.Label}): d {film.ThicknessNm:G4} nm, T_c {film.TcK:G4} K, R_□ {film.RSheetOhm:G6} Ω, Δ {TableCommand.WithError(meanDeltaMeV, meanDeltaErrMeV, "F3")} meV, L_□ {TableCommand.WithError(f.LSheetPH, f.LSheetErrPH, "G4")} pH, Δ/k_BT_c {TableCommand.WithError(f.DeltaOverKTc, f.DeltaOverKTcErr, "F2")}"));
    }
}
