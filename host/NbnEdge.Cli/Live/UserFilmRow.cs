using System.Globalization;
using System.Text.Json;
using NbnEdge.Analysis;
using NbnEdge.Cli.Commands;

namespace NbnEdge.Cli.Live;

/// <summary>The live Table I row of a film, R_□ and T_c given (the user's --film-ref, or the paper's film in demo), Δ measured.</summary>
internal static class UserFilmRow
{
    public static void Write(Utf8JsonWriter w, FilmReference film, double meanDeltaMeV)
    {
        w.WriteStartObject("table_row");
        WriteFields(w, film, meanDeltaMeV);
        w.WriteEndObject();
    }

    /// <summary>The row's fields (the film, its given R_□ and T_c, Δ measured, L_□ and Δ/k_BT_c), for a <c>table_row</c> object.</summary>
    public static void WriteFields(Utf8JsonWriter w, FilmReference film, double meanDeltaMeV)
    {
        w.WriteString("film", film.Label);
        w.Number("thickness_nm", film.ThicknessNm);
        w.Number("tc_K", film.TcK);
        w.Number("r_sheet_ohm", film.RSheetOhm);
        w.Number("delta_meV", meanDeltaMeV);
        w.Number("l_sheet_pH", FilmFigures.SheetKineticInductancePH(film.RSheetOhm, meanDeltaMeV));
        w.Number("delta_over_kTc", FilmFigures.GapRatio(meanDeltaMeV, film.TcK));
    }

    public static void Print(TextWriter output, FilmReference film, double meanDeltaMeV)
    {
        var ci = CultureInfo.InvariantCulture;
        if (!double.IsFinite(meanDeltaMeV))
        {
            output.WriteLine($"Table I row for {film.Label}: no mean Δ yet (fewer than {HomogeneityStatistics.MinimumCount} usable fits).");
            return;
        }

        output.WriteLine(string.Create(ci, $"Table I row ({film.Label}): d {film.ThicknessNm:G4} nm, T_c {film.TcK:G4} K, R_□ {film.RSheetOhm:G6} Ω, Δ {meanDeltaMeV:F3} meV, L_□ {FilmFigures.SheetKineticInductancePH(film.RSheetOhm, meanDeltaMeV):G4} pH, Δ/k_BT_c {FilmFigures.GapRatio(meanDeltaMeV, film.TcK):F2}"));
    }
}
