using System.CommandLine;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Instruments;

namespace NbnEdge.Cli.Commands;

/// <summary>The input and fit options shared by <c>fit</c>, <c>stats</c> and the commands that fit files.</summary>
internal sealed class FitInput
{
    public Argument<string[]> Files { get; } = new("FILES")
    {
        Description = "CSV (bias column, then one column per spectrum), Nanonis .dat or .3ds files, folders, or patterns like 'line/*.dat'.",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<double?> Vm { get; } = new("--vm") { Description = "Lock-in modulation amplitude V_m in mV (peak, = V_pp/2), fixed. Default: the file's lock-in setting, else 0." };
    public Option<bool> FitVm { get; } = new("--fit-vm") { Description = "Fit V_m too." };
    public Option<bool> FitOffset { get; } = new("--fit-offset") { Description = "Fit the bias offset V₀ (the bias at the gap's centre)." };
    public Option<bool> FitGamma { get; } = new("--fit-gamma") { Description = "Fit the Dynes broadening Γ (slower: exact Matsubara-sum model)." };
    public Option<double> Gamma { get; } = new("--gamma") { Description = "Fixed Dynes Γ in meV (start value with --fit-gamma).", DefaultValueFactory = _ => 0.0 };
    public Option<bool> FitLeakage { get; } = new("--fit-leakage") { Description = "Fit a constant in-gap conductance fraction η (G → η + (1 − η)G): a flat floor in the gap. See README, Flags, for when to use it rather than Γ." };
    public Option<double> Leakage { get; } = new("--leakage") { Description = "Fixed in-gap leakage fraction η, 0 to 0.9 (start value with --fit-leakage).", DefaultValueFactory = _ => 0.0 };
    public Option<double?> TipGap { get; } = new("--tip-gap") { Description = "Superconducting tip (SIS model): the tip's gap Δ_t in meV, fixed (start value with --fit-tip-gap). Δ stays the sample's gap." };
    public Option<bool> FitTipGap { get; } = new("--fit-tip-gap") { Description = "SIS: fit the tip's gap too (slower)." };
    public Option<double> TipGamma { get; } = new("--tip-gamma") { Description = "SIS: the tip's Dynes broadening Γ_t in meV (start value with --fit-tip-gamma).", DefaultValueFactory = _ => 0.02 };
    public Option<bool> FitTipGamma { get; } = new("--fit-tip-gamma") { Description = "SIS: fit the tip's Γ_t too (slower)." };
    public Option<string> Background { get; } = new("--background")
    {
        Description = "joint: fit the background slope with the gap; paper: divide by a line fitted outside the gap first.",
        DefaultValueFactory = _ => "joint",
    };
    public Option<string?> Channel { get; } = new("--channel") { Description = "Nanonis files: the dI/dV channel (name or prefix) when the automatic choice is not wanted." };
    public Option<string> Sweeps { get; } = new("--sweeps") { Description = "Nanonis files: avg, fwd, bwd or each.", DefaultValueFactory = _ => "avg" };
    public Option<bool> LockInRms { get; } = new("--lockin-rms") { Description = "Nanonis files: the header's Lock-in>Amplitude is RMS (×√2 for the peak V_m); default: taken as the peak amplitude." };
    public Option<double?> BiasWindow { get; } = new("--bias-window")
    {
        Description = "Keep only the points within ±MV of zero bias, for fits, statistics and figures (a wide sweep's gap region; a superconducting tip's table needs it on wide sweeps).",
        HelpName = "MV",
    };
    public Option<bool> Json { get; } = new("--json") { Description = "Machine-readable output." };
    public Option<string?> Plot { get; } = new("--plot") { Description = "Write figures (PNG and SVG) into this folder." };
    public Option<bool> Strict { get; } = new("--strict") { Description = "Stop at the first file that cannot be read (default: report it in one line and go on with the others)." };
    public PlotOptions PlotExtras { get; } = new();

    public FitInput()
    {
        Background.AcceptOnlyFromAmong("joint", "paper");
        Sweeps.AcceptOnlyFromAmong("avg", "fwd", "bwd", "each");
    }

    /// <summary>The options that choose the model and its fixed values: every command that fits takes all of them.</summary>
    public Option[] ModelOptions => [Vm, FitVm, FitOffset, FitGamma, Gamma, FitLeakage, Leakage, TipGap, FitTipGap, TipGamma, FitTipGamma, Background];

    public void AddTo(Command command)
    {
        command.Add(Files);
        foreach (var o in ModelOptions) command.Add(o);
        foreach (var o in new Option[] { Channel, Sweeps, LockInRms, BiasWindow, Json, Plot, Strict }) command.Add(o);
        foreach (var o in PlotExtras.All) command.Add(o);
    }

    public GapFitOptions FitOptions(ParseResult p)
    {
        double? vm = p.GetValue(Vm);
        double gamma = p.GetValue(Gamma);
        var options = new GapFitOptions
        {
            ModulationMV = vm,
            FitModulation = p.GetValue(FitVm),
            FitOffset = p.GetValue(FitOffset),
            FitGamma = p.GetValue(FitGamma),
            GammaMeV = gamma,
            FitLeakage = p.GetValue(FitLeakage),
            LeakageFraction = p.GetValue(Leakage),
            TipGapMeV = p.GetValue(TipGap),
            FitTipGap = p.GetValue(FitTipGap),
            TipGammaMeV = p.GetValue(TipGamma),
            FitTipGamma = p.GetValue(FitTipGamma),
            Background = p.GetValue(Background) == "paper" ? BackgroundTreatment.Paper : BackgroundTreatment.Joint,
        };
        // NaN, ∞, negative or absurd values are refused here (exit 2), before any file is read.
        if (options.Problem() is { } problem) throw new UsageException(problem);
        return options;
    }

    public SpectrumReadOptions ReadOptions(ParseResult p) => new()
    {
        Channel = p.GetValue(Channel),
        LockInAmplitudeIsRms = p.GetValue(LockInRms),
        Sweeps = p.GetValue(Sweeps) switch
        {
            "fwd" => SweepSelection.Forward,
            "bwd" => SweepSelection.Backward,
            "each" => SweepSelection.Each,
            _ => SweepSelection.Average,
        },
    };

    /// <summary>
    /// Decompresses the model table (4 MB) and fits one spectrum, so the fitter's hot methods are
    /// compiled; run it in the background while files are read. (The rest of nbnedge is
    /// ReadyToRun-compiled; more warm-up fits would only take a core from the reader.)
    /// </summary>
    internal static void WarmUpFitter()
    {
        var table = NbnEdge.Analysis.Model.BcsConductanceTable.Default;
        var truth = new NbnEdge.Analysis.Model.BcsParameters(1.5, 1.5, 1.0, 0.01);
        var bias = new double[201];
        var g = new double[201];
        for (int i = 0; i < bias.Length; i++)
        {
            bias[i] = -5.0 + 0.05 * i;
            g[i] = table.Conductance(bias[i] / truth.DeltaMeV, NbnEdge.Analysis.PhysicalConstants.BoltzmannMeVPerK * truth.TemperatureK / truth.DeltaMeV);
        }
        new GapFitter(table: table).Fit(bias, g);
    }

    /// <summary>Reads every spectrum (<see cref="ReadSpectra"/>) and fits them all on every core, marking both phases.</summary>
    public (List<Spectrum> Spectra, GapFitResult[] Results) ReadAndFit(ParseResult p, PhaseTimes? times = null)
    {
        var options = FitOptions(p);
        var spectra = ReadSpectra(p);
        times?.Mark("read");
        var results = FitRunner.FitAll(spectra, options);
        times?.Mark("fit");
        // What the fitter says about a spectrum (not fitted, and why) is said, like the reader's notes.
        var error = p.InvocationConfiguration.Error;
        for (int i = 0; i < results.Length; i++)
            foreach (var note in results[i].Notes)
                if (!spectra[i].Notes.Contains(note)) error.WriteLine($"note: {Path.GetFileName(spectra[i].Source)} {spectra[i].Name}: {note}");
        return (spectra, results);
    }

    /// <summary>Expands the arguments and reads every spectrum, in order; reader notes go to the command's error writer.</summary>
    private double? WindowOf(ParseResult p)
    {
        double? window = p.GetValue(BiasWindow);
        if (window is { } w && !(w > 0 && double.IsFinite(w)))
            throw new UsageException($"--bias-window must be a positive number of mV (got {w.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
        return window;
    }

    /// <summary>The spectra cut to --bias-window when it is given (<see cref="SpectrumWindow.Within"/>), else as they are.</summary>
    public IReadOnlyList<Spectrum> Windowed(ParseResult p, IReadOnlyList<Spectrum> spectra) =>
        WindowOf(p) is { } halfWidth ? spectra.Select(s => SpectrumWindow.Within(s, halfWidth)).ToList() : spectra;

    public List<Spectrum> ReadSpectra(ParseResult p)
    {
        var notes = p.InvocationConfiguration.Error;
        var options = ReadOptions(p);
        WindowOf(p); // an invalid window is refused before any file is read
        var arguments = p.GetValue(Files) ?? [];
        // System.CommandLine passes an unknown "--option" through as a file name; say what it is.
        foreach (var a in arguments)
            if (a.StartsWith('-') && !File.Exists(a) && !Directory.Exists(a))
                throw new UsageException($"unknown option '{a}'.");
        var files = SpectrumFiles.Expand(arguments);
        // While the files are read: decompress the model table and run a few fits, so the JIT has
        // promoted the fitter's hot path to optimised code before thousands of real fits start.
        _ = Task.Run(WarmUpFitter);
        var spectra = new List<Spectrum>();
        bool strict = p.GetValue(Strict);
        var failures = new List<InputDataException>();
        foreach (var file in files)
        {
            try
            {
                spectra.AddRange(Windowed(p, SpectrumFiles.Read(file, options)));
            }
            catch (InputDataException e) when (!strict && files.Count > 1)
            {
                // A folder of real files holds the odd one without a dI/dV channel or cut short:
                // it is skipped with one line, and the others are fitted.
                failures.Add(e);
            }
        }
        if (spectra.Count == 0 && failures.Count > 0)
        {
            // Nothing readable: one line, the first file's reason, as for a single bad file.
            var first = failures[0];
            throw new InputDataException(first.InputName, $"{first.Problem} (none of the {files.Count} files could be read: nothing to fit)", first.Line, first.ByteOffset);
        }
        foreach (var e in failures) notes.WriteLine($"skipped: {e.Message}");
        if (failures.Count > 0) notes.WriteLine($"note: {failures.Count} of {files.Count} files skipped (--strict stops at the first).");
        foreach (var s in spectra)
            foreach (var note in s.Notes) notes.WriteLine($"note: {note}");
        return spectra;
    }
}

/// <summary>Fits many spectra on all cores, one fitter per worker, results in input order.</summary>
internal static class FitRunner
{
    /// <param name="spectra">What to fit.</param>
    /// <param name="options">Fit options.</param>
    /// <param name="fitted">Called (from worker threads) after each fit, e.g. to advance a progress bar.</param>
    public static GapFitResult[] FitAll(IReadOnlyList<Spectrum> spectra, GapFitOptions options, Action? fitted = null)
    {
        var results = new GapFitResult[spectra.Count];
        options = options.ForBatch(spectra.Count);
        Parallel.For(0, spectra.Count, () => new GapFitter(options), (i, _, fitter) =>
        {
            // A fitter fault on one spectrum becomes that spectrum's flagged result, not the end of the run.
            try { results[i] = fitter.Fit(spectra[i]); }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                results[i] = GapFitResult.Failed(spectra[i], $"{ex.GetType().Name}: {ex.Message}");
                fitter = new GapFitter(options);
            }
            fitted?.Invoke();
            return fitter;
        }, _ => { });
        return results;
    }
}
