using System.Text.Json;
using NbnEdge.Analysis;

namespace NbnEdge.Dashboard.Tests;

/// <summary>Issue 15 items 8 and 9: the board's estimate reaches the page after its spectrum; conductances travel in SI units.</summary>
[TestClass]
public sealed class DeviceEstimateAndUnitsTests
{
    private static double[] Bias(int n) => Enumerable.Range(0, n).Select(i => -6.0 + 12.0 * i / (n - 1)).ToArray();

    [TestMethod]
    public void AnEstimateArrivingAfterItsSpectrumIsSentToClientsThatHaveTheSpectrum()
    {
        var state = new DashboardState();
        var b = Bias(40);
        long s0 = state.AddSpectrum("s0", 0, b, b.Select(v => 1.0 + v * v).ToArray(), null, 2.0, 0.001, null, "ok");
        long s1 = state.AddSpectrum("s1", 1, b, b.Select(v => 1.0 + v * v).ToArray(), null, 2.1, 0.001, null, "ok");
        state.BuildUpdate(DashboardCursor.Start, out var cursor); // the page has both spectra, no estimates
        state.SetDeviceEstimate(s0, 1.98);
        state.SetDeviceEstimate(s1, 2.07);

        using var update = JsonDocument.Parse(state.BuildUpdate(cursor, out var after));
        var patches = update.RootElement.GetProperty("device_updates").EnumerateArray()
            .Select(p => (p[0].GetInt64(), p[1].GetDouble())).ToArray();
        CollectionAssert.AreEqual(new[] { (s0, 1.98), (s1, 2.07) }, patches);
        Assert.AreEqual(2.07, update.RootElement.GetProperty("latest").GetProperty("device_delta_meV").GetDouble(), "the latest spectrum's Δ device");

        // A new page gets the estimates inside the fits themselves.
        using var snapshot = JsonDocument.Parse(state.BuildSnapshot());
        var device = snapshot.RootElement.GetProperty("fits").GetProperty("device_delta_meV").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        CollectionAssert.AreEqual(new[] { 1.98, 2.07 }, device);
        Assert.IsFalse(snapshot.RootElement.TryGetProperty("device_updates", out _));

        // Nothing more to send once the client has them.
        using var none = JsonDocument.Parse(state.BuildUpdate(after, out _));
        Assert.IsFalse(none.RootElement.TryGetProperty("device_updates", out _));
    }

    [TestMethod]
    public void ANanonisChannelInAmperesTravelsInAmperesAndALiveOneInVolts()
    {
        var b = Bias(40);
        var counts = b.Select(v => 2.2 * (1 + 0.1 * v * v)).ToArray();
        var nanonis = new Spectrum
        {
            Source = "x.dat", Name = "LIX 1 omega [avg]", BiasMV = b, Conductance = counts, // in pA, as the header says
            Metadata = new Dictionary<string, string> { ["NbnEdge>Columns"] = "LIX 1 omega [AVG] (pA)" },
        };
        var live = new Spectrum
        {
            Source = "board", Name = "spectrum 3", BiasMV = b, Conductance = counts.Select(v => v * 1e6).ToArray(), // µV of lock-in output
            Metadata = new Dictionary<string, string> { ["signal_uV_per_lsb"] = "0.5" },
        };
        Assert.AreEqual(("A", 1e-12), ConductanceUnits.Of(nanonis));
        Assert.AreEqual(("V", 1e-6), ConductanceUnits.Of(live));
        foreach (var (spectrum, unit) in new[] { (nanonis, "A"), (live, "V") })
        {
            var state = new DashboardState();
            state.AddFit(spectrum, null);
            using var doc = JsonDocument.Parse(state.BuildSnapshot());
            var latest = doc.RootElement.GetProperty("latest");
            Assert.AreEqual(unit, latest.GetProperty("conductance_unit").GetString());
            double expectedSi = unit == "A" ? counts[0] * 1e-12 : counts[0]; // pA → A; µV → V
            Assert.AreEqual(expectedSi, latest.GetProperty("conductance")[0].GetDouble(), 1e-6 * expectedSi, "stored as float");
        }
    }

    [TestMethod]
    [DataRow(2.2e-9, 1e9, "n")]
    [DataRow(2.2e6, 1e-6, "M")]
    [DataRow(0.5, 1e3, "m")]
    [DataRow(999.0, 1.0, "")]
    public void EngineeringPrefixesKeepValuesBetweenOneAndAThousand(double maxAbs, double factor, string prefix)
    {
        var (f, p) = ConductanceUnits.Engineering(maxAbs);
        Assert.AreEqual(prefix, p);
        Assert.AreEqual(factor, f, factor * 1e-12);
        Assert.IsTrue(maxAbs * f >= 1 && maxAbs * f < 1000);
    }

    [TestMethod]
    public void AValueAndItsErrorShareOneUnitAndTheErrorsPrecision()
    {
        Assert.AreEqual("2.1002 ± 0.0006 meV", ConductanceUnits.WithError(2.10021, 0.0006, "meV"));
        Assert.AreEqual("2.10 ± 0.12 meV", ConductanceUnits.WithError(2.1, 0.123, "meV"));
    }
}
