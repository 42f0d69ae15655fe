using System.CommandLine;
using System.Globalization;
using NbnEdge.Analysis;
using Spectre.Console;

namespace NbnEdge.Cli.Commands;

/// <summary><c>nbnedge table FILMS.csv</c>: kinetic inductance and Δ/k_BT_c of each film (Table I).</summary>
internal static class TableCommand
{
    public static Command Create(TextWriter output)
    {
        var file = new Argument<string>("FILMS.csv") { Description = "Rows name,thickness_nm,tc_K,r_sheet_ohm,delta_meV; optional columns delta_err_meV, r_sheet_err_ohm, tc_err_K give the errors carried into L_□ and Δ/k_BT_c." };
        var json = new Option<bool>("--json") { Description = "A JSON array of objects." };
        var plot = new Option<string?>("--plot") { Description = "Draw T_c against thickness (the reference's Fig. 1) into this folder (PNG and SVG)." };
        var command = new Command("table", "Film figures: sheet kinetic inductance L_□ = hR_□/(2π²Δ) and Δ/k_BT_c (CODATA constants).") { file, json, plot };
        command.SetAction(p =>
        {
            string path = p.GetValue(file)!;
            if (!File.Exists(path)) throw new InputDataException(path, "file not found.");
            IReadOnlyList<FilmFigures> rows;
            using (var reader = new StreamReader(path)) rows = FilmTable.ReadFigures(reader, path);
            if (p.GetValue(json)) WriteJson(output, rows);
            else Print(output, rows);
            if (p.GetValue(plot) is { } plotDir)
            {
                Directory.CreateDirectory(plotDir);
                var f = NbnEdge.Figures.GapFigures.TcVersusThickness(plotDir, "tc-vs-thickness",
                    rows.Select(r => new NbnEdge.Figures.FilmPoint(r.Name, r.ThicknessNm, r.TcK, r.Name.Split(',')[0].Trim())).ToList());
                p.InvocationConfiguration.Error.WriteLine($"figures: {f.PngPath}, {f.SvgPath}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteJson(TextWriter output, IReadOnlyList<FilmFigures> rows)
    {
        JsonOutput.Line(output, w =>
        {
            w.WriteStartArray();
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("name", r.Name);
                w.Number("thickness_nm", r.ThicknessNm);
                w.Number("tc_K", r.TcK);
                w.Number("r_sheet_ohm", r.RSheetOhm);
                w.Number("delta_meV", r.DeltaMeV);
                w.Number("l_sheet_pH", r.LSheetPH);
                w.Number("l_sheet_err_pH", r.LSheetErrPH);
                w.Number("delta_over_kTc", r.DeltaOverKTc);
                w.Number("delta_over_kTc_err", r.DeltaOverKTcErr);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    private static void Print(TextWriter output, IReadOnlyList<FilmFigures> rows)
    {
        var ci = CultureInfo.InvariantCulture;
        var console = ConsoleFactory.For(output);
        var table = new Table().Border(TableBorder.Rounded).Title("Film figures (CODATA 2018 exact constants)");
        foreach (var h in new[] { "film", "d (nm)", "T_c (K)", "R_□ (Ω)", "Δ (meV)", "L_□ (pH)", "Δ/k_BT_c" })
            table.AddColumn(new TableColumn(h).RightAligned());
        foreach (var r in rows)
            table.AddRow(Markup.Escape(r.Name), r.ThicknessNm.ToString("G4", ci), r.TcK.ToString("G4", ci), r.RSheetOhm.ToString("G6", ci),
                r.DeltaMeV.ToString("G4", ci), WithError(r.LSheetPH, r.LSheetErrPH, "G4"), WithError(r.DeltaOverKTc, r.DeltaOverKTcErr, "F3"));
        console.Write(table);
    }

    /// <summary>"93.35 ± 0.94" when the error is known, the value alone otherwise.</summary>
    internal static string WithError(double value, double error, string format)
    {
        var ci = CultureInfo.InvariantCulture;
        if (!double.IsFinite(error)) return value.ToString(format, ci);
        // The error to two significant digits, the value to the same decimal place.
        int decimals = error > 0 ? Math.Clamp(1 - (int)Math.Floor(Math.Log10(error)), 0, 8) : 3;
        return $"{value.ToString("F" + decimals, ci)} ± {error.ToString("F" + decimals, ci)}";
    }
}
