using System.Globalization;
using System.Text;
using NbnEdge.Analysis;

namespace NbnEdge.Instruments.Tests;

/// <summary>The dI/dV channel is the one that behaves like dI/dV: checked against the Current channel's derivative.</summary>
[TestClass]
public sealed class PhysicsChannelTests
{
    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>The Pb(100) spectrum rewritten: columns renamed or dropped, one optionally negated (a lock-in phase of 180°).</summary>
    private static byte[] Rewrite(Func<string, string?> rename, string? negate = null)
    {
        var (columns, rows) = Samples.Table(Samples.Pb100);
        var lines = Samples.Lines(Samples.Pb100);
        int data = Array.IndexOf(lines, "[DATA]");
        var keep = columns.Select((c, i) => (c, i, n: c.Length == 0 ? null : rename(c))).Where(x => x.n is not null).ToList();
        var sb = new StringBuilder();
        for (int i = 0; i <= data; i++) sb.Append(lines[i]).Append('\n');
        sb.Append(string.Join('\t', keep.Select(k => k.n))).Append('\n');
        foreach (var (_, fields) in rows)
            sb.Append(string.Join('\t', keep.Select(k => k.c == negate
                ? (-double.Parse(fields[k.i], Ci)).ToString("R", Ci)
                : fields[k.i]))).Append('\n');
        return Encoding.Latin1.GetBytes(sb.ToString());
    }

    private static double[] LockInColumn()
    {
        var (columns, rows) = Samples.Table(Samples.Pb100);
        int x = Array.IndexOf(columns, "X% LockIn (V)");
        return rows.Select(r => double.Parse(r.Fields[x], Ci)).ToArray();
    }

    [TestMethod]
    public void Pb100_TakesTheLockInX_ByPhysicsAndName()
    {
        var s = NanonisDatReader.Read(Samples.PathOf(Samples.Pb100)).Single();
        Assert.AreEqual("X% LockIn", s.Name);
        var note = s.Notes.Single(n => n.StartsWith("channel "));
        StringAssert.Contains(note, "matches the physics");
        Assert.AreEqual("X% LockIn (V)", s.Metadata["NbnEdge>Columns"]);
    }

    [TestMethod]
    public void UnnamedInput_IsFound_AndAnInvertedPhaseIsFlipped()
    {
        // The lock-in X recorded on "Input 2" with its phase inverted, no comment naming it; Y and Z stay as decoys.
        var bytes = Rewrite(c => c == "X% LockIn (V)" ? "Input 2 (V)" : c, negate: "X% LockIn (V)");
        var s = NanonisDatReader.Parse("renamed.dat", bytes).Spectra.Single();
        Assert.AreEqual("Input 2", s.Name);
        StringAssert.Contains(s.Notes.Single(n => n.StartsWith("channel ")), "sign was flipped");
        var original = LockInColumn();
        CollectionAssert.AreEqual(original, s.Conductance.ToArray(), "the flipped column must be the original lock-in signal");
    }

    [TestMethod]
    public void OnlyCurrent_FitsItsNumericalDerivative_AndSaysSo()
    {
        var bytes = Rewrite(c => c.StartsWith("Bias") || c.StartsWith("Current") ? c : null);
        var s = NanonisDatReader.Parse("current-only.dat", bytes).Spectra.Single();
        StringAssert.StartsWith(s.Name, "dI/dV from Current");
        StringAssert.Contains(s.Notes.Single(n => n.StartsWith("channel ")), "numerical derivative of Current");
        // Independent check: the derivative in the middle equals the central difference of the raw columns.
        var (columns, rows) = Samples.Table(Samples.Pb100);
        int vi = Array.IndexOf(columns, "Bias calc (V)"), ii = Array.IndexOf(columns, "Current (A)");
        int m = rows.Count / 2;
        double expected = (double.Parse(rows[m + 1].Fields[ii], Ci) - double.Parse(rows[m - 1].Fields[ii], Ci))
                          / (double.Parse(rows[m + 1].Fields[vi], Ci) - double.Parse(rows[m - 1].Fields[vi], Ci));
        Assert.AreEqual(expected, s.Conductance[m], Math.Abs(expected) * 1e-12);
    }

    [TestMethod]
    public void ChannelOption_StillOverrides()
    {
        var s = NanonisDatReader.Read(Samples.PathOf(Samples.Pb100), new SpectrumReadOptions { Channel = "Y% LockIn" }).Single();
        Assert.AreEqual("Y% LockIn", s.Name);
        Assert.IsFalse(s.Notes.Any(n => n.StartsWith("channel ")));
    }
}
