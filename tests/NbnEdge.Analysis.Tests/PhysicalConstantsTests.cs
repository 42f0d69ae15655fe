using NbnEdge.Analysis;

namespace NbnEdge.Analysis.Tests;

[TestClass]
public sealed class PhysicalConstantsTests
{
    [TestMethod]
    public void BoltzmannInMeVPerKelvinMatchesCodata()
    {
        // CODATA 2018 lists k_B = 8.617333262…e−5 eV/K; docs/DESIGN.md quotes 0.08617333262 meV/K.
        double fromJoules = PhysicalConstants.BoltzmannJPerK / PhysicalConstants.JoulePerMeV;
        Assert.IsTrue(Math.Abs(fromJoules - 8.617333262e-5 * 1e3) < 5e-12, $"k_B = {fromJoules:R} meV/K");
        Assert.AreEqual(PhysicalConstants.BoltzmannMeVPerK, fromJoules, 1e-18);
    }
}
