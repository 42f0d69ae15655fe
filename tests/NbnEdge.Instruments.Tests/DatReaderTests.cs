using System.Text;
using NbnEdge.Analysis;

namespace NbnEdge.Instruments.Tests;

[TestClass]
public sealed class DatReaderTests
{
    private static NanonisDatFile Read(string sample, SpectrumReadOptions? options = null) =>
        NanonisDatReader.ReadFile(Samples.PathOf(sample), options);

    private static NanonisDatFile ParseText(string text, SpectrumReadOptions? options = null) =>
        NanonisDatReader.Parse("synthetic.dat", Encoding.UTF8.GetBytes(text), options);

    // spectrafox/spectrafox example-data/superconductor Pb(100)/Spectrum001.dat (LGPL-3.0)
    [TestMethod]
    public void Pb100_finds_the_external_lock_in_and_keeps_the_non_uniform_descending_axis()
    {
        var file = Read(Samples.Pb100);
        var s = file.Spectra.Single();
        Assert.AreEqual("X% LockIn", s.Name);
        Assert.AreEqual("X% LockIn (V)", s.Metadata["NbnEdge>Columns"]);

        var rawBiasV = Samples.Column(Samples.Pb100, "Bias calc (V)");
        var rawSignal = Samples.Column(Samples.Pb100, "X% LockIn (V)");
        Assert.AreEqual(2396, rawBiasV.Length, "test setup: the sample holds 2396 rows");
        Assert.AreEqual(2396, s.Count);
        Assert.AreEqual(4.0, s.BiasMV[0], 1e-12);
        Assert.AreEqual(-4.0, s.BiasMV[^1], 1e-12);
        CollectionAssert.AreEqual(rawBiasV.Select(v => v * 1000).ToArray(), s.BiasMV);
        CollectionAssert.AreEqual(rawSignal, s.Conductance);
        for (int i = 1; i < s.Count; i++) Assert.IsTrue(s.BiasMV[i] < s.BiasMV[i - 1], $"descending at {i}");

        // Non-uniform: the outer segments step 1 mV / 199, the 900-point segments 1.8 mV / 899.
        double outerStep = s.BiasMV[0] - s.BiasMV[1], innerStep = s.BiasMV[300] - s.BiasMV[301];
        Assert.AreEqual(1.0 / 199, outerStep, 1e-5);
        Assert.AreEqual(1.8 / 899, innerStep, 1e-5);

        // The MLS table in the header accounts for every row: segments share their boundary point.
        var segments = Samples.DatHeader(Samples.Pb100, "Bias Spectroscopy>MultiLine Settings : Segment Start (V), Segment End (V), Settling (s), Integration (s), Steps (xn)").Split(';');
        Assert.AreEqual(segments.Sum(seg => int.Parse(seg.Split(',')[4])) - (segments.Length - 1), s.Count);

        Assert.AreEqual(Samples.Parse(Samples.DatHeader(Samples.Pb100, "X (m)")) * 1e9, s.XNm!.Value, 1e-9);
        Assert.AreEqual(-337.879, s.XNm!.Value, 1e-9);
        Assert.AreEqual(-5.2952, s.YNm!.Value, 1e-9);
        Assert.IsNull(s.ModulationAmplitudeMV, "no Lock-in> keys: the external lock-in's amplitude is not in the header");
        Assert.AreEqual("Vrms         =10mVrms", s.Metadata["Comment06"]);
        Assert.AreEqual(0, DataNotes(s).Count);
        Assert.IsFalse(s.Incomplete);
    }

    // FAIRmat-NFDI/pynxtools-spm STS_nanonis_generic_5e_1.dat (Apache-2.0)
    [TestMethod]
    public void Generic5e_picks_demodulator_1_and_averages_forward_and_backward()
    {
        var s = Read(Samples.Generic5e).Spectra.Single();
        var fwd = Samples.Column(Samples.Generic5e, "LI Demod 1 X (A)");
        var bwd = Samples.Column(Samples.Generic5e, "LI Demod 1 X [bwd] (A)");
        Assert.AreEqual("LI Demod 1 X [avg]", s.Name);
        Assert.AreEqual(4096, s.Count);
        Assert.AreEqual(fwd.Length, s.Count);
        CollectionAssert.AreEqual(fwd.Zip(bwd, (f, b) => (f + b) / 2).ToArray(), s.Conductance);
        Assert.AreEqual(-300.0, s.BiasMV[0], 1e-4);
        Assert.AreEqual(300.0, s.BiasMV[^1], 1e-4);
        Assert.AreEqual(2.0, s.ModulationAmplitudeMV!.Value, 1e-12, "Lock-in>Amplitude 2E-3 V, taken as peak");
        Assert.AreEqual(-0.89053, s.XNm!.Value, 1e-12);
        Assert.AreEqual(29.6968, s.YNm!.Value, 1e-9);
        Assert.AreEqual("973E+0", s.Metadata["Lock-in>Frequency (Hz)"]);
        Assert.AreEqual("23.11.2022 19:29:49", s.Metadata["Saved Date"]);
        Assert.AreEqual("Generic 5e", s.Metadata["NanonisMain>SW Version"]);
    }

    [TestMethod]
    public void Generic5e_sweep_options_give_forward_backward_or_each()
    {
        var fwd = Samples.Column(Samples.Generic5e, "LI Demod 1 X (A)");
        var bwd = Samples.Column(Samples.Generic5e, "LI Demod 1 X [bwd] (A)");

        var f = Read(Samples.Generic5e, new() { Sweeps = SweepSelection.Forward }).Spectra.Single();
        Assert.AreEqual("LI Demod 1 X", f.Name);
        CollectionAssert.AreEqual(fwd, f.Conductance);

        var b = Read(Samples.Generic5e, new() { Sweeps = SweepSelection.Backward }).Spectra.Single();
        Assert.AreEqual("LI Demod 1 X [bwd]", b.Name);
        CollectionAssert.AreEqual(bwd, b.Conductance);
        CollectionAssert.AreEqual(f.BiasMV, b.BiasMV, "Nanonis writes the backward sweep against the same bias rows");

        var each = Read(Samples.Generic5e, new() { Sweeps = SweepSelection.Each }).Spectra;
        CollectionAssert.AreEqual(new[] { "LI Demod 1 X", "LI Demod 1 X [bwd]" }, each.Select(s => s.Name).ToArray());
        CollectionAssert.AreEqual(bwd, each[1].Conductance);
    }

    [TestMethod]
    public void Generic5e_explicit_channels_by_name_prefix_filter_and_full_column()
    {
        var demod2 = Read(Samples.Generic5e, new() { Channel = "LI Demod 2 X", Sweeps = SweepSelection.Forward }).Spectra.Single();
        CollectionAssert.AreEqual(Samples.Column(Samples.Generic5e, "LI Demod 2 X (A)"), demod2.Conductance);

        var filtered = Read(Samples.Generic5e, new() { Channel = "LI Demod 1 X [filt]", Sweeps = SweepSelection.Backward }).Spectra.Single();
        Assert.AreEqual("LI Demod 1 X [filt] [bwd]", filtered.Name);
        CollectionAssert.AreEqual(Samples.Column(Samples.Generic5e, "LI Demod 1 X (A) [bwd] [filt]"), filtered.Conductance);

        var exact = Read(Samples.Generic5e, new() { Channel = "LI Demod 2 Y [bwd] (A)" }).Spectra.Single();
        CollectionAssert.AreEqual(Samples.Column(Samples.Generic5e, "LI Demod 2 Y [bwd] (A)"), exact.Conductance);

        var prefix = Read(Samples.Generic5e, new() { Channel = "cur", Sweeps = SweepSelection.Forward }).Spectra.Single();
        CollectionAssert.AreEqual(Samples.Column(Samples.Generic5e, "Current (A)"), prefix.Conductance);

        var ambiguous = Assert.ThrowsExactly<InputDataException>(() => Read(Samples.Generic5e, new() { Channel = "LI Demod" }));
        StringAssert.Contains(ambiguous.Problem, "ambiguous");
        Assert.AreEqual(141L, ambiguous.Line, "the column-name line");

        var missing = Assert.ThrowsExactly<InputDataException>(() => Read(Samples.Generic5e, new() { Channel = "Input 7" }));
        StringAssert.Contains(missing.Problem, "Input 7");
        StringAssert.Contains(missing.Problem, "LI Demod 1 X");
        StringAssert.Contains(missing.Message, Samples.Generic5e);
    }

    // angelo-peronio/nanonis-xarray tests/data/i_v.dat (MIT)
    [TestMethod]
    public void IV_finds_LIX_1_omega()
    {
        var s = Read(Samples.IV).Spectra.Single();
        Assert.AreEqual("LIX 1 omega [avg]", s.Name);
        Assert.AreEqual(201, s.Count);
        Assert.AreEqual(-8.0, s.BiasMV[0], 1e-12);
        Assert.AreEqual(8.0, s.BiasMV[^1], 1e-12);
        var fwd = Samples.Column(Samples.IV, "LIX 1 omega (A)");
        var bwd = Samples.Column(Samples.IV, "LIX 1 omega [bwd] (A)");
        Assert.AreEqual((fwd[100] + bwd[100]) / 2, s.Conductance[100]);
        Assert.AreEqual(0.15, s.ModulationAmplitudeMV!.Value, 1e-15, "Lock-in>Amplitude 150E-6 V");
        Assert.AreEqual(33.767, s.XNm!.Value, 1e-9);

        var rms = Read(Samples.IV, new() { LockInAmplitudeIsRms = true }).Spectra.Single();
        Assert.AreEqual(0.15 * Math.Sqrt(2), rms.ModulationAmplitudeMV!.Value, 1e-15);
    }

    // angelo-peronio/nanonis-xarray tests/data/filtered.dat (MIT)
    [TestMethod]
    public void Filtered_has_no_X_channel_so_physics_picks_it()
    {
        // No X channel: the physics check finds that LIY 1 omega follows dI/dV from Current (the lock-in phase put the signal in Y).
        var auto = Read(Samples.Filtered).Spectra.Single();
        Assert.AreEqual("LIY 1 omega", auto.Name);
        StringAssert.Contains(auto.Notes.Single(n => n.StartsWith("channel ")), "most like dI/dV");

        var s = Read(Samples.Filtered, new() { Channel = "LIY 1 omega" }).Spectra.Single();
        Assert.AreEqual("LIY 1 omega", s.Name, "one sweep: nothing to average");
        Assert.AreEqual(200, s.Count);
        Assert.AreEqual(-999.82, s.BiasMV[0], 1e-9);
        Assert.AreEqual(1000.0, s.BiasMV[^1], 1e-9);
        CollectionAssert.AreEqual(Samples.Column(Samples.Filtered, "LIY 1 omega (A)"), s.Conductance);
        Assert.AreEqual(7.0, s.ModulationAmplitudeMV!.Value, 1e-12);

        var filt = Read(Samples.Filtered, new() { Channel = "LIY 1 omega [filt]" }).Spectra.Single();
        CollectionAssert.AreEqual(Samples.Column(Samples.Filtered, "LIY 1 omega (A) [filt]"), filt.Conductance);
    }

    // underchemist/nanonispy tests/Bias-Spectroscopy002.dat (MIT)
    [TestMethod]
    public void BiasSpectroscopy002_external_input_named_explicitly_and_NaN_rows_dropped_with_a_note()
    {
        var e = Assert.ThrowsExactly<InputDataException>(() => Read(Samples.BiasSpectroscopy002));
        StringAssert.Contains(e.Problem, "Input 3");

        var s = Read(Samples.BiasSpectroscopy002, new() { Channel = "Input 3" }).Spectra.Single();
        Assert.AreEqual(1024, s.Count);
        Assert.AreEqual(-200.0, s.BiasMV[0], 1e-12);
        Assert.AreEqual(200.0, s.BiasMV[^1], 1e-12);
        Assert.AreEqual(0, DataNotes(s).Count, "the unfiltered columns hold no NaN");
        Assert.AreEqual(-19.4904, s.XNm!.Value, 1e-9);
        Assert.AreEqual(-73.1801, s.YNm!.Value, 1e-9);

        // The [filt] columns hold NaN in the first row only; find that row from the raw text.
        var (_, rows) = Samples.Table(Samples.BiasSpectroscopy002);
        var nanLines = rows.Where(r => r.Fields.Contains("NaN")).Select(r => r.Line).ToList();
        Assert.AreEqual(1, nanLines.Count, "test setup");
        var filt = Read(Samples.BiasSpectroscopy002, new() { Channel = "Input 3 [filt]", Sweeps = SweepSelection.Forward }).Spectra.Single();
        Assert.AreEqual(1023, filt.Count);
        Assert.AreEqual(1, DataNotes(filt).Count);
        StringAssert.Contains(DataNotes(filt)[0], $"dropped 1 non-finite point (line {nanLines[0]})");
        var raw = Samples.Column(Samples.BiasSpectroscopy002, "Input 3 (A) [filt]");
        CollectionAssert.AreEqual(raw.Skip(1).ToArray(), filt.Conductance);
    }

    [TestMethod]
    public void An_input_named_in_a_comment_is_found_automatically()
    {
        var text = Encoding.Latin1.GetString(Samples.Bytes(Samples.BiasSpectroscopy002))
            .Replace("Filter type\tGaussian\t\n", "Filter type\tGaussian\t\nComment01\tdI/dV: SR830 X output on Input 3, 1 mV rms\t\n");
        var s = NanonisDatReader.Parse("comment.dat", Encoding.Latin1.GetBytes(text)).Spectra.Single();
        Assert.AreEqual("Input 3 [avg]", s.Name);
        Assert.AreEqual("Input 3 (A); Input 3 [bwd] (A)", s.Metadata["NbnEdge>Columns"]);
    }

    // underchemist/nanonispy tests/duplicate_headers.dat (MIT)
    [TestMethod]
    public void Duplicate_header_keys_are_all_kept()
    {
        var file = Read(Samples.DuplicateHeaders, new() { Channel = "Input 3" });
        int rawCount = Samples.Lines(Samples.DuplicateHeaders).Count(l => l.StartsWith("Experiment\t", StringComparison.Ordinal));
        Assert.AreEqual(9, rawCount, "test setup");
        Assert.AreEqual(rawCount, file.Header.Count(h => h.Key == "Experiment"));
        var md = file.Spectra.Single().Metadata;
        Assert.AreEqual("bias spectroscopy", md["Experiment"]);
        for (int n = 2; n <= rawCount; n++) Assert.AreEqual("bias spectroscopy", md[$"Experiment #{n}"]);
        Assert.IsFalse(md.ContainsKey($"Experiment #{rawCount + 1}"));

        var reference = Read(Samples.BiasSpectroscopy002, new() { Channel = "Input 3" }).Spectra.Single();
        CollectionAssert.AreEqual(reference.Conductance, file.Spectra.Single().Conductance);
        Assert.AreEqual(10, file.Header.First(h => h.Key == "Date").Line);
    }

    private const string SyntheticHeader =
        "Experiment\tbias spectroscopy\t\nX (m)\t1E-9\t\nY (m)\t-2E-9\t\nLock-in>Amplitude\t50E-6\t\nLock-in>Modulated signal\tBias (V)\t\n\n[DATA]\n";

    private static string SyntheticRows(string biasUnitScale, Func<int, string> row, int n)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.Append(row(i)).Append('\n');
        return sb.ToString();
    }

    [TestMethod]
    public void Repetitions_and_AVG_columns_each_names_and_average_choice()
    {
        var text = SyntheticHeader
            + "Bias calc (mV)\tLI Demod 1 X [AVG] (A)\tLI Demod 1 X [00001] (A)\tLI Demod 1 X [00002] (A)\tLI Demod 1 X [AVG] [bwd] (A)\tLI Demod 1 X [00001] [bwd] (A)\tLI Demod 1 X [00002] [bwd] (A)\n"
            + SyntheticRows("", i => $"{i - 5}\t{100 + i}\t{1 + i}\t{2 + i}\t{200 + i}\t{3 + i}\t{4 + i}", 10);
        var each = ParseText(text, new() { Sweeps = SweepSelection.Each }).Spectra;
        CollectionAssert.AreEqual(
            new[] { "LI Demod 1 X [00001]", "LI Demod 1 X [00002]", "LI Demod 1 X [00001] [bwd]", "LI Demod 1 X [00002] [bwd]" },
            each.Select(s => s.Name).ToArray());
        Assert.AreEqual(4.0 + 7, each[3].Conductance[7]);
        Assert.AreEqual(-5.0, each[0].BiasMV[0], "bias column in mV stays in mV");

        var avg = ParseText(text).Spectra.Single();
        Assert.AreEqual(((100.0 + 3) + (200 + 3)) / 2, avg.Conductance[3], "the instrument's own [AVG] columns are used");
        Assert.AreEqual("LI Demod 1 X [avg]", avg.Name);

        var bwd = ParseText(text, new() { Sweeps = SweepSelection.Backward }).Spectra.Single();
        Assert.AreEqual(200.0 + 3, bwd.Conductance[3]);
        Assert.AreEqual(1.0, avg.XNm!.Value, 1e-12);
        Assert.AreEqual(0.05, avg.ModulationAmplitudeMV!.Value, 1e-15);
    }

    [TestMethod]
    public void Bias_units_uV_and_V_are_converted_to_mV()
    {
        string Table(string unit) => SyntheticHeader + $"Bias calc ({unit})\tLIX 1 omega (A)\n" + SyntheticRows("", i => $"{i * 250}\t{i}", 9);
        Assert.AreEqual(0.25, ParseText(Table("µV")).Spectra[0].BiasMV[1], 1e-15);
        Assert.AreEqual(0.25, ParseText(Table("uV")).Spectra[0].BiasMV[1], 1e-15);
        Assert.AreEqual(250_000.0, ParseText(Table("V")).Spectra[0].BiasMV[1], 1e-9);
        var e = Assert.ThrowsExactly<InputDataException>(() => ParseText(Table("A")));
        StringAssert.Contains(e.Problem, "unit 'A'");
        Assert.AreEqual(8L, e.Line);
    }

    [TestMethod]
    public void A_non_monotonic_bias_axis_is_rejected_with_its_line_and_a_descending_one_kept()
    {
        var descending = ParseText(SyntheticHeader + "Bias calc (V)\tLIX 1 omega (A)\n" + SyntheticRows("", i => $"{(9 - i) * 1e-3}\t{i}", 10)).Spectra[0];
        Assert.AreEqual(9.0, descending.BiasMV[0], 1e-12);
        Assert.AreEqual(0.0, descending.BiasMV[^1], 1e-12);

        // Row 6 (line 9 + 6 = 15) repeats the bias of row 5.
        var text = SyntheticHeader + "Bias calc (V)\tLIX 1 omega (A)\n" + SyntheticRows("", i => $"{(i == 6 ? 5 : i) * 1e-3}\t{i}", 10);
        var e = Assert.ThrowsExactly<InputDataException>(() => ParseText(text));
        StringAssert.Contains(e.Problem, "not strictly monotonic");
        Assert.AreEqual(15L, e.Line);
    }

    [TestMethod]
    public void NaN_bias_rows_are_dropped_and_the_line_range_reported()
    {
        var text = SyntheticHeader + "Bias calc (V)\tLIX 1 omega (A)\n"
            + SyntheticRows("", i => i is >= 3 and <= 5 ? $"NaN\t{i}" : i == 7 ? $"{i}E-3\tInf" : $"{i}E-3\t{i}", 12);
        var s = ParseText(text).Spectra[0];
        Assert.AreEqual(8, s.Count);
        CollectionAssert.AreEqual(new double[] { 0, 1, 2, 6, 8, 9, 10, 11 }, s.Conductance);
        Assert.AreEqual("dropped 4 non-finite points (lines 12–16)", DataNotes(s).Single());
    }

    [TestMethod]
    public void A_file_cut_inside_its_last_row_drops_that_row_and_says_so()
    {
        var bytes = Samples.Bytes(Samples.IV);
        var cut = bytes.AsSpan(0, bytes.Length - 9).ToArray(); // inside the last number of the last row
        var s = NanonisDatReader.Parse("cut.dat", cut).Spectra.Single();
        Assert.AreEqual(200, s.Count);
        Assert.IsTrue(s.Incomplete);
        int lastLine = Samples.Lines(Samples.IV).Length;
        StringAssert.Contains(DataNotes(s).Single(), $"line {lastLine}");
    }

    [TestMethod]
    public void Broken_structure_gives_clear_errors()
    {
        Assert.AreEqual("the file is empty.", Assert.ThrowsExactly<InputDataException>(() => ParseText("")).Problem);
        StringAssert.Contains(Assert.ThrowsExactly<InputDataException>(() => ParseText("a\tb\t\n")).Problem, "[DATA]");
        StringAssert.Contains(Assert.ThrowsExactly<InputDataException>(() => ParseText(SyntheticHeader + "Current (A)\tLIX 1 omega (A)\n1\t2\n")).Problem, "no bias column");
        var shortRow = Assert.ThrowsExactly<InputDataException>(() => ParseText(SyntheticHeader + "Bias calc (V)\tLIX 1 omega (A)\n" + SyntheticRows("", i => i == 4 ? "1" : $"{i}\t{i}", 10)));
        Assert.AreEqual(13L, shortRow.Line);
        var garbage = Assert.ThrowsExactly<InputDataException>(() => ParseText(SyntheticHeader + "Bias calc (V)\tLIX 1 omega (A)\n" + SyntheticRows("", i => i == 2 ? "2\tabc" : $"{i}\t{i}", 10)));
        StringAssert.Contains(garbage.Problem, "'abc' in column 'LIX 1 omega (A)' is not a number");
        var tooFew = Assert.ThrowsExactly<InputDataException>(() => ParseText(SyntheticHeader + "Bias calc (V)\tLIX 1 omega (A)\n" + SyntheticRows("", i => $"{i}\t{i}", 5)));
        StringAssert.Contains(tooFew.Problem, "at least 8");
        var badX = Assert.ThrowsExactly<InputDataException>(() => ParseText(SyntheticHeader.Replace("1E-9", "far away") + "Bias calc (V)\tLIX 1 omega (A)\n" + SyntheticRows("", i => $"{i}\t{i}", 9)));
        Assert.AreEqual(2L, badX.Line);
        StringAssert.Contains(badX.Problem, "X (m)");
    }

    /// <summary>The reader's notes about the data (dropped points, cut rows), without the channel-choice line.</summary>
    private static List<string> DataNotes(Spectrum s) => s.Notes.Where(n => !n.StartsWith("channel ", StringComparison.Ordinal)).ToList();
}
