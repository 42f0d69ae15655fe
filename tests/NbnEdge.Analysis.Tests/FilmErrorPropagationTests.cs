using NbnEdge.Analysis;

namespace NbnEdge.Analysis.Tests;

/// <summary>L_□ and Δ/k_BT_c errors (issue 13 item 2) against a Monte Carlo of the same formulas.</summary>
[TestClass]
public sealed class FilmErrorPropagationTests
{
    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Standard deviation of f over Gaussian draws of the inputs: shares no code with the propagation.</summary>
    private static double MonteCarloSd(Func<double, double, double> f, double a, double aErr, double b, double bErr, int seed)
    {
        var rng = new Random(seed);
        const int draws = 400_000;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < draws; i++)
        {
            double v = f(a + aErr * Gaussian(rng), b + bErr * Gaussian(rng));
            sum += v; sumSq += v * v;
        }
        double mean = sum / draws;
        return Math.Sqrt((sumSq - draws * mean * mean) / (draws - 1));
    }

    [TestMethod]
    [DataRow(900.0, 9.0, 2.02, 0.008)]     // the 5 nm film, 1 % R_□, Δ's error of the mean
    [DataRow(310.0, 15.0, 1.60, 0.05)]     // 5 % and 3 %
    [DataRow(500.0, 0.0, 2.11, 0.02)]      // R_□ exact
    public void SheetInductanceError_MatchesMonteCarlo(double r, double rErr, double delta, double deltaErr)
    {
        var f = FilmFigures.From(new FilmRow("f", 5, 10, r, delta) { RSheetErrOhm = rErr, DeltaErrMeV = deltaErr });
        double mc = MonteCarloSd(FilmFigures.SheetKineticInductancePH, r, rErr, delta, deltaErr, 1);
        // First order against the exact spread: within 1 % for relative errors ≤ 5 % (plus the MC's own 0.2 %).
        Assert.AreEqual(mc, f.LSheetErrPH, 0.012 * mc, $"propagated {f.LSheetErrPH}, Monte Carlo {mc}");
    }

    [TestMethod]
    [DataRow(2.02, 0.008, 10.4, 0.1)]
    [DataRow(1.60, 0.05, 7.0, 0.35)]
    public void GapRatioError_MatchesMonteCarlo(double delta, double deltaErr, double tc, double tcErr)
    {
        var f = FilmFigures.From(new FilmRow("f", 5, tc, 900, delta) { DeltaErrMeV = deltaErr, TcErrK = tcErr });
        double mc = MonteCarloSd(FilmFigures.GapRatio, delta, deltaErr, tc, tcErr, 2);
        Assert.AreEqual(mc, f.DeltaOverKTcErr, 0.012 * mc, $"propagated {f.DeltaOverKTcErr}, Monte Carlo {mc}");
    }

    [TestMethod]
    public void NoErrorsGiven_ErrorsAreNaN_AndOnlyGivenInputsCount()
    {
        var none = FilmFigures.From(new FilmRow("f", 5, 10.4, 900, 2.02));
        Assert.IsTrue(double.IsNaN(none.LSheetErrPH));
        Assert.IsTrue(double.IsNaN(none.DeltaOverKTcErr));
        var tcOnly = FilmFigures.From(new FilmRow("f", 5, 10.4, 900, 2.02) { TcErrK = 0.104 });
        Assert.IsTrue(double.IsNaN(tcOnly.LSheetErrPH), "T_c does not enter L_□");
        Assert.AreEqual(0.01 * tcOnly.DeltaOverKTc, tcOnly.DeltaOverKTcErr, 1e-12);
    }

    [TestMethod]
    public void FilmTable_ReadsOptionalErrorColumns_EmptyMeansNotGiven()
    {
        string csv = "name,thickness_nm,tc_K,r_sheet_ohm,delta_meV,delta_err_meV,r_sheet_err_ohm,tc_err_K\n" +
                     "a,5,10.4,900,2.02,0.008,9,0.1\n" +
                     "b,4,7,1000,1.6,,,\n";
        var rows = FilmTable.Parse(new StringReader(csv), "films.csv");
        Assert.AreEqual(0.008, rows[0].DeltaErrMeV);
        Assert.AreEqual(9.0, rows[0].RSheetErrOhm);
        Assert.AreEqual(0.1, rows[0].TcErrK);
        Assert.IsTrue(double.IsNaN(rows[1].DeltaErrMeV) && double.IsNaN(rows[1].RSheetErrOhm) && double.IsNaN(rows[1].TcErrK));
    }

    [TestMethod]
    public void FilmTable_NegativeError_NamesColumnAndLine()
    {
        string csv = "name,thickness_nm,tc_K,r_sheet_ohm,delta_meV,tc_err_K\na,5,10.4,900,2.02,-0.1\n";
        var e = Assert.ThrowsExactly<InputDataException>(() => FilmTable.Parse(new StringReader(csv), "films.csv"));
        StringAssert.Contains(e.Message, "tc_err_K");
        Assert.AreEqual(2, e.Line);
    }
}
