using NbnEdge.Analysis;

namespace NbnEdge.Analysis.Tests;

[TestClass]
public sealed class PhysicalConstantsTests
{
    [TestMethod]
    public void BoltzmannInMeVPerKelvinMatchesCodata()
    {
        // DESIGN.md quotes k_B = 0.08617333262 meV/K (CODATA 2018, 8.617333262e-5 eV/K).
        Assert.AreEqual(0.08617333262, PhysicalConstants.BoltzmannMeVPerK, 5e-12);
    }
}
