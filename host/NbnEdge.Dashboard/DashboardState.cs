using System.Buffers;
using System.Text.Json;

namespace NbnEdge.Dashboard;

/// <summary>
/// Memory bounds of a <see cref="DashboardState"/>. With the defaults the state holds at most
/// ≈ 30 MB however long a session runs: fits ≈ 200,000 × ~100 B, waterfall copies
/// 20,000 × ~230 B, full spectra 32 × 3 × points × 4 B.
/// </summary>
public sealed record DashboardLimits
{
    /// <summary>Default limits.</summary>
    public static DashboardLimits Default { get; } = new();

    /// <summary>Fitted Δ values kept (the Δ plot); older ones are dropped first.</summary>
    public int MaxFits { get; init; } = 200_000;

    /// <summary>Decimated spectra kept for the waterfall; older ones are dropped first.</summary>
    public int MaxWaterfallSpectra { get; init; } = 20_000;

    /// <summary>Points per decimated waterfall spectrum (averaged onto a uniform bias grid).</summary>
    public int WaterfallPoints { get; init; } = 48;

    /// <summary>Full-resolution spectra kept (the latest is shown; a few more for a later "browse" view).</summary>
    public int MaxFullSpectra { get; init; } = 32;
}

/// <summary>Statistics of Δ over the session, as the CLI computed them (see the `stats` JSON).</summary>
public sealed record DashboardStatistics
{
    /// <summary>Spectra in the statistics.</summary>
    public required int Count { get; init; }

    /// <summary>Mean Δ in meV.</summary>
    public required double MeanMeV { get; init; }

    /// <summary>Standard deviation of Δ in meV.</summary>
    public required double SdMeV { get; init; }

    /// <summary>Centre Δ₀ of the Gaussian of Eq. 4 in meV.</summary>
    public double GaussMeanMeV { get; init; } = double.NaN;

    /// <summary>σ of the Gaussian of Eq. 4 in meV.</summary>
    public double GaussSigmaMeV { get; init; } = double.NaN;

    /// <summary>Amplitude of the Gaussian in spectra per bin (NaN: the curve is drawn normalised to the histogram's area).</summary>
    public double GaussAmplitude { get; init; } = double.NaN;

    /// <summary>Intrinsic spread σ_int in meV.</summary>
    public double IntrinsicSigmaMeV { get; init; } = double.NaN;

    /// <summary>Confidence interval of σ_int in meV (NaN when not computed).</summary>
    public (double LowerMeV, double UpperMeV) IntrinsicCiMeV { get; init; } = (double.NaN, double.NaN);

    /// <summary>Histogram bin edges in meV (counts + 1 values).</summary>
    public double[] HistogramEdgesMeV { get; init; } = [];

    /// <summary>Spectra per histogram bin.</summary>
    public int[] HistogramCounts { get; init; } = [];
}

/// <summary>
/// What the dashboard shows, fed by the CLI from any thread. Every setter bumps a version; the
/// server sends each client only what changed since its cursor (new fits and waterfall spectra,
/// and the latest spectrum, statistics, link health, map or summary only when they changed).
/// Memory is bounded by <see cref="DashboardLimits"/>.
/// </summary>
public sealed class DashboardState
{
    private readonly object _gate = new();
    private readonly DashboardLimits _limits;

    // Fits: a ring of the last MaxFits, addressed by their sequence number.
    private readonly FitRecord[] _fits;
    private long _fitSeq; // number of spectra ever added; the next one's sequence number
    private readonly WaterfallRecord?[] _waterfall;
    private readonly FullSpectrum?[] _full;

    private long _version;
    private long _latestVersion, _statsVersion, _linkVersion, _mapVersion, _finishedVersion, _infoVersion;
    private DashboardStatistics? _stats;
    private KeyValuePair<string, double>[] _link = [];
    private GapMapData? _map;
    private string? _finishedJson;
    private string _title = "NbnEdge";
    private string _positionLabel = "spectrum #";
    private bool _isLine = true;
    // Device estimates that arrived after their spectrum was sent (ESTIMATE follows SPECTRUM on the wire).
    private readonly DevicePatch[] _patches;
    private long _patchSeq;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly record struct FitRecord(long Seq, string Name, double Position, double DeltaMeV, double DeltaErrMeV,
        double DeviceDeltaMeV, string Flag);

    private readonly record struct DevicePatch(long PatchSeq, long FitSeq, double DeviceDeltaMeV);

    private sealed record WaterfallRecord(long Seq, float BiasMinMV, float BiasMaxMV, float[] Conductance);

    private sealed record FullSpectrum(long Seq, string Name, float[] BiasMV, float[] Conductance, float[]? Model,
        double DeltaMeV, double DeltaErrMeV, double DeviceDeltaMeV, string Flag, string? ConductanceUnit);

    private sealed record GapMapData(int Width, int Height, double PixelSizeNm, double[] DeltaMeV);

    /// <summary>A state with the given memory bounds.</summary>
    public DashboardState(DashboardLimits? limits = null)
    {
        _limits = limits ?? DashboardLimits.Default;
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxFits, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxWaterfallSpectra, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.WaterfallPoints, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(_limits.MaxFullSpectra, 1);
        _fits = new FitRecord[_limits.MaxFits];
        _waterfall = new WaterfallRecord?[_limits.MaxWaterfallSpectra];
        _full = new FullSpectrum?[_limits.MaxFullSpectra];
        _patches = new DevicePatch[Math.Min(_limits.MaxFits, 4096)];
    }

    /// <summary>The memory bounds in force.</summary>
    public DashboardLimits Limits => _limits;

    /// <summary>Changes so far; grows with every setter call.</summary>
    public long Version { get { lock (_gate) return _version; } }

    /// <summary>Spectra added so far (including those no longer kept).</summary>
    public long SpectraAdded { get { lock (_gate) return _fitSeq; } }

    /// <summary>Sets the page title (session name, source) and the label of the Δ plot's x axis.</summary>
    /// <param name="title">Shown as the page heading, e.g. "demo: simulated NbN 5 nm".</param>
    /// <param name="positionLabel">Axis label with unit, e.g. "distance (nm)", "spectrum #" or "time (s)".</param>
    /// <param name="isLine">False for a grid: its spectra are not a line, so the page shows no "Δ along the line" plot (the gap map instead).</param>
    public void SetSessionInfo(string title, string positionLabel = "spectrum #", bool isLine = true)
    {
        lock (_gate)
        {
            _title = title;
            _positionLabel = positionLabel;
            _isLine = isLine;
            _infoVersion = Bump();
        }
    }

    /// <summary>
    /// Adds one spectrum and its fit. Arrays are copied (as float) and never kept by reference.
    /// </summary>
    /// <param name="name">Spectrum name (as in the CLI's JSON).</param>
    /// <param name="position">Distance along the line in nm, or the spectrum index, or a time: see <see cref="SetSessionInfo"/>. NaN: the spectrum's sequence number.</param>
    /// <param name="biasMV">Bias in mV.</param>
    /// <param name="conductance">dI/dV at those biases.</param>
    /// <param name="model">Fitted model at the same biases, or null when there is no fit.</param>
    /// <param name="deltaFitMeV">Host-fitted Δ in meV (NaN: no usable fit).</param>
    /// <param name="deltaErrMeV">Standard error of that Δ in meV.</param>
    /// <param name="deviceDeltaMeV">The board's own estimate in meV, or null.</param>
    /// <param name="flag">The fit's flag ("ok", "no_gap", …).</param>
    /// <param name="conductanceUnit">
    /// Unit of <paramref name="conductance"/> and <paramref name="model"/>: an SI base unit ("A", "V", "S"; the
    /// page adds engineering prefixes), "normalised", or null when unknown (arbitrary units).
    /// </param>
    /// <returns>The spectrum's sequence number in this session.</returns>
    public long AddSpectrum(string name, double position, ReadOnlySpan<double> biasMV, ReadOnlySpan<double> conductance,
        ReadOnlySpan<double> model, double deltaFitMeV, double deltaErrMeV, double? deviceDeltaMeV, string flag, string? conductanceUnit = null)
    {
        if (biasMV.Length != conductance.Length)
            throw new ArgumentException($"bias has {biasMV.Length} points but conductance {conductance.Length}.", nameof(conductance));
        if (!model.IsEmpty && model.Length != biasMV.Length)
            throw new ArgumentException($"the model has {model.Length} points but the spectrum {biasMV.Length}.", nameof(model));
        // The copies are made outside the lock: the server's readers are never held up by them.
        var b = ToFloat(biasMV);
        var g = ToFloat(conductance);
        var m = model.IsEmpty ? null : ToFloat(model);
        var wf = Decimate(biasMV, conductance, _limits.WaterfallPoints);
        double device = deviceDeltaMeV ?? double.NaN;
        lock (_gate)
        {
            long seq = _fitSeq++;
            double pos = double.IsNaN(position) ? seq : position;
            _fits[seq % _fits.Length] = new FitRecord(seq, name, pos, deltaFitMeV, deltaErrMeV, device, flag);
            _waterfall[seq % _waterfall.Length] = wf is null ? null : new WaterfallRecord(seq, wf.Value.Min, wf.Value.Max, wf.Value.G);
            _full[seq % _full.Length] = new FullSpectrum(seq, name, b, g, m, deltaFitMeV, deltaErrMeV, device, flag, conductanceUnit);
            _latestVersion = Bump();
            return seq;
        }
    }

    /// <summary>Same as the span overload, for callers holding arrays (model may be null).</summary>
    public long AddSpectrum(string name, double position, double[] biasMV, double[] conductance, double[]? model,
        double deltaFitMeV, double deltaErrMeV, double? deviceDeltaMeV, string flag, string? conductanceUnit = null) =>
        AddSpectrum(name, position, biasMV.AsSpan(), conductance.AsSpan(), model is null ? default : model.AsSpan(),
            deltaFitMeV, deltaErrMeV, deviceDeltaMeV, flag, conductanceUnit);

    /// <summary>
    /// The board's estimate for a spectrum already added (it arrives after the spectrum). Ignored
    /// when the spectrum is no longer kept.
    /// </summary>
    /// <param name="seq">The sequence number <see cref="AddSpectrum(string, double, double[], double[], double[], double, double, double?, string, string?)"/> returned.</param>
    /// <param name="deviceDeltaMeV">The board's Δ in meV.</param>
    public void SetDeviceEstimate(long seq, double deviceDeltaMeV)
    {
        lock (_gate)
        {
            if (seq < 0 || seq >= _fitSeq || seq < _fitSeq - _fits.Length) return;
            ref var fit = ref _fits[seq % _fits.Length];
            fit = fit with { DeviceDeltaMeV = deviceDeltaMeV };
            long p = _patchSeq++;
            _patches[p % _patches.Length] = new DevicePatch(p, seq, deviceDeltaMeV);
            if (_full[seq % _full.Length] is { } full && full.Seq == seq)
            {
                _full[seq % _full.Length] = full with { DeviceDeltaMeV = deviceDeltaMeV };
                if (seq == _fitSeq - 1) _latestVersion = Bump();
            }
            Bump();
        }
    }

    /// <summary>Replaces the statistics (histogram, Gaussian of Eq. 4, σ_int).</summary>
    public void SetStatistics(DashboardStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        if (statistics.HistogramCounts.Length > 0 && statistics.HistogramEdgesMeV.Length != statistics.HistogramCounts.Length + 1)
            throw new ArgumentException("histogram edges must number counts + 1.", nameof(statistics));
        var copy = statistics with
        {
            HistogramEdgesMeV = (double[])statistics.HistogramEdgesMeV.Clone(),
            HistogramCounts = (int[])statistics.HistogramCounts.Clone(),
        };
        lock (_gate) { _stats = copy; _statsVersion = Bump(); }
    }

    /// <summary>Replaces the link-health counters (frames, CRC errors, lost spectra, latency, …), shown as a table in the given order.</summary>
    public void SetLinkHealth(IEnumerable<KeyValuePair<string, double>> counters)
    {
        var copy = counters.ToArray();
        lock (_gate) { _link = copy; _linkVersion = Bump(); }
    }

    /// <summary>Replaces the gap map.</summary>
    /// <param name="width">Pixels along x.</param>
    /// <param name="height">Pixels along y.</param>
    /// <param name="pixelSizeNm">Grid spacing in nm; NaN when the grid's size is unknown (the page then labels its axes in pixels).</param>
    /// <param name="deltaMeVRowMajor">Δ in meV, index y·width + x, y = 0 at the bottom; NaN = no fit (yet).</param>
    public void SetGapMap(int width, int height, double pixelSizeNm, ReadOnlySpan<double> deltaMeVRowMajor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (deltaMeVRowMajor.Length != width * height)
            throw new ArgumentException($"a {width}×{height} map needs {width * height} values, not {deltaMeVRowMajor.Length}.", nameof(deltaMeVRowMajor));
        var copy = deltaMeVRowMajor.ToArray();
        lock (_gate) { _map = new GapMapData(width, height, pixelSizeNm, copy); _mapVersion = Bump(); }
    }

    /// <summary>Sets one pixel of the current map (as each grid spectrum is fitted).</summary>
    public void SetGapMapPixel(int x, int y, double deltaMeV)
    {
        lock (_gate)
        {
            if (_map is null) throw new InvalidOperationException("SetGapMap must come first.");
            if ((uint)x >= (uint)_map.Width || (uint)y >= (uint)_map.Height)
                throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) is outside the {_map.Width}×{_map.Height} map.");
            _map.DeltaMeV[y * _map.Width + x] = deltaMeV;
            _mapVersion = Bump();
        }
    }

    /// <summary>Marks the session finished with the CLI's final JSON (shown field by field on the page).</summary>
    /// <param name="summaryJson">A JSON object; it is checked to be one.</param>
    public void SetFinished(string summaryJson)
    {
        using (var doc = JsonDocument.Parse(summaryJson))
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ArgumentException("the summary must be a JSON object.", nameof(summaryJson));
        lock (_gate) { _finishedJson = summaryJson; _finishedVersion = Bump(); }
    }

    /// <summary>Completes when the state changes after <paramref name="knownVersion"/> (at once if it already has).</summary>
    public Task WaitForChangeAsync(long knownVersion, CancellationToken cancellationToken)
    {
        Task t;
        lock (_gate)
        {
            if (_version != knownVersion) return Task.CompletedTask;
            t = _changed.Task;
        }
        return t.WaitAsync(cancellationToken);
    }

    private long Bump()
    {
        // Caller holds the lock. Waking waiters here is cheap: continuations run asynchronously.
        _version++;
        var old = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
        return _version;
    }

    /// <summary>
    /// The update a client at <paramref name="from"/> needs, as UTF-8 JSON, and the cursor after it.
    /// <see cref="DashboardCursor.Start"/> gives the full snapshot.
    /// </summary>
    public byte[] BuildUpdate(DashboardCursor from, out DashboardCursor to) => BuildUpdate(from, out to, out _);

    /// <summary>As <see cref="BuildUpdate(DashboardCursor, out DashboardCursor)"/>, with the <see cref="Version"/> the update reflects.</summary>
    internal byte[] BuildUpdate(DashboardCursor from, out DashboardCursor to, out long version)
    {
        // Only the copying is done under the lock; a new page's snapshot of a 10,000-spectrum
        // session is megabytes of JSON, and writing it there held AddSpectrum up for up to half a second.
        UpdateView view;
        lock (_gate) view = Capture(from);
        to = view.To;
        version = view.Version;
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer)) Write(w, view);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The full state as JSON (what a newly opened page receives first).</summary>
    public byte[] BuildSnapshot() => BuildUpdate(DashboardCursor.Start, out _);

    /// <summary>What one update needs, copied out of the state: the records are immutable, the rings and the map are not.</summary>
    private sealed class UpdateView
    {
        public DashboardCursor To;
        public long Version, SpectraAdded;
        public bool Reset;
        public string? Title, PositionLabel;
        public bool IsLine;
        public DevicePatch[]? Patches;
        public int MaxFits, MaxWaterfall;
        public long FitFrom;
        public FitRecord[]? Fits;
        public WaterfallRecord[]? Waterfall;
        public FullSpectrum? Latest;
        public DashboardStatistics? Stats;
        public KeyValuePair<string, double>[]? Link;
        public GapMapData? Map;
        public string? Finished;
    }

    private UpdateView Capture(DashboardCursor from)
    {
        // A cursor from the future (a page left open across a restart of the CLI) starts over.
        if (from.FitSeq > _fitSeq || from.PatchSeq > _patchSeq) from = DashboardCursor.Start;
        var v = new UpdateView
        {
            To = new DashboardCursor(_fitSeq, _latestVersion, _statsVersion, _linkVersion, _mapVersion, _finishedVersion, _infoVersion, _patchSeq),
            Version = _version,
            SpectraAdded = _fitSeq,
            Reset = from == DashboardCursor.Start, // the client drops what it had
        };
        if (from.InfoVersion != _infoVersion || from == DashboardCursor.Start)
        {
            v.Title = _title;
            v.PositionLabel = _positionLabel;
            v.IsLine = _isLine;
            v.MaxFits = _limits.MaxFits;
            v.MaxWaterfall = _limits.MaxWaterfallSpectra;
        }

        long oldestFit = Math.Max(0, _fitSeq - _fits.Length);
        long fitFrom = Math.Max(from.FitSeq, oldestFit);
        if (fitFrom < _fitSeq)
        {
            v.FitFrom = fitFrom;
            v.Fits = new FitRecord[_fitSeq - fitFrom];
            for (long s = fitFrom; s < _fitSeq; s++) v.Fits[s - fitFrom] = _fits[s % _fits.Length];
            long wfFrom = Math.Max(fitFrom, _fitSeq - _waterfall.Length);
            var waterfall = new List<WaterfallRecord>((int)(_fitSeq - wfFrom));
            for (long s = wfFrom; s < _fitSeq; s++)
                if (_waterfall[s % _waterfall.Length] is { } r && r.Seq == s) waterfall.Add(r);
            v.Waterfall = waterfall.ToArray();
        }

        // Estimates for spectra the client already has (newer spectra carry theirs in the fits above).
        long patchFrom = Math.Max(from.PatchSeq, _patchSeq - _patches.Length);
        if (patchFrom < _patchSeq && from != DashboardCursor.Start)
        {
            var patches = new List<DevicePatch>();
            for (long q = patchFrom; q < _patchSeq; q++)
                if (_patches[q % _patches.Length] is var d && d.PatchSeq == q && d.FitSeq < from.FitSeq) patches.Add(d);
            v.Patches = patches.ToArray();
        }

        if (from.LatestVersion != _latestVersion && _fitSeq > 0) v.Latest = _full[(_fitSeq - 1) % _full.Length];
        if (from.StatsVersion != _statsVersion) v.Stats = _stats;
        if (from.LinkVersion != _linkVersion && _linkVersion > 0) v.Link = _link;
        if (from.MapVersion != _mapVersion && _map is { } map)
            v.Map = map with { DeltaMeV = (double[])map.DeltaMeV.Clone() }; // pixels are set in place as they are fitted
        if (from.FinishedVersion != _finishedVersion) v.Finished = _finishedJson;
        return v;
    }

    private static void Write(Utf8JsonWriter w, UpdateView v)
    {
        w.WriteStartObject();
        w.WriteString("cursor", v.To.ToString());
        w.WriteNumber("version", v.Version);
        w.WriteNumber("spectra_added", v.SpectraAdded);
        w.WriteBoolean("reset", v.Reset);
        if (v.Title is not null)
        {
            w.WriteStartObject("info");
            w.WriteString("title", v.Title);
            w.WriteString("position_label", v.PositionLabel);
            w.WriteNumber("max_fits", v.MaxFits);
            w.WriteNumber("max_waterfall", v.MaxWaterfall);
            w.WriteBoolean("is_line", v.IsLine);
            w.WriteEndObject();
        }

        if (v.Fits is { } fits)
        {
            w.WriteStartObject("fits");
            w.WriteNumber("from", v.FitFrom);
            WriteFitColumn(w, "name", fits, static (w, f) => w.WriteStringValue(f.Name));
            WriteFitColumn(w, "position", fits, static (w, f) => Num(w, f.Position));
            WriteFitColumn(w, "delta_meV", fits, static (w, f) => Num(w, f.DeltaMeV));
            WriteFitColumn(w, "delta_err_meV", fits, static (w, f) => Num(w, f.DeltaErrMeV));
            WriteFitColumn(w, "device_delta_meV", fits, static (w, f) => Num(w, f.DeviceDeltaMeV));
            WriteFitColumn(w, "flag", fits, static (w, f) => w.WriteStringValue(f.Flag));
            w.WriteEndObject();

            w.WriteStartArray("waterfall");
            foreach (var r in v.Waterfall ?? [])
            {
                w.WriteStartArray();
                w.WriteNumberValue(r.Seq);
                w.WriteNumberValue(r.BiasMinMV);
                w.WriteNumberValue(r.BiasMaxMV);
                FloatValues(w, r.Conductance); // already rounded when added: short numbers, no work here
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }

        if (v.Patches is { Length: > 0 } patches)
        {
            w.WriteStartArray("device_updates");
            foreach (var d in patches)
            {
                w.WriteStartArray();
                w.WriteNumberValue(d.FitSeq);
                Num(w, d.DeviceDeltaMeV);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }

        if (v.Latest is { } latest)
        {
            w.WriteStartObject("latest");
            w.WriteNumber("seq", latest.Seq);
            w.WriteString("name", latest.Name);
            Num(w, "delta_meV", latest.DeltaMeV);
            Num(w, "delta_err_meV", latest.DeltaErrMeV);
            Num(w, "device_delta_meV", latest.DeviceDeltaMeV);
            w.WriteString("flag", latest.Flag);
            if (latest.ConductanceUnit is null) w.WriteNull("conductance_unit"); else w.WriteString("conductance_unit", latest.ConductanceUnit);
            FloatArray(w, "bias_mV", latest.BiasMV);
            FloatArray(w, "conductance", latest.Conductance);
            if (latest.Model is null) w.WriteNull("model"); else FloatArray(w, "model", latest.Model);
            w.WriteEndObject();
        }

        if (v.Stats is { } st)
        {
            w.WriteStartObject("stats");
            w.WriteNumber("n", st.Count);
            Num(w, "mean_meV", st.MeanMeV);
            Num(w, "sd_meV", st.SdMeV);
            Num(w, "gauss_mean_meV", st.GaussMeanMeV);
            Num(w, "gauss_sigma_meV", st.GaussSigmaMeV);
            Num(w, "gauss_amplitude", st.GaussAmplitude);
            Num(w, "intrinsic_sigma_meV", st.IntrinsicSigmaMeV);
            w.WriteStartArray("intrinsic_sigma_ci_meV");
            Num(w, st.IntrinsicCiMeV.LowerMeV);
            Num(w, st.IntrinsicCiMeV.UpperMeV);
            w.WriteEndArray();
            w.WriteStartArray("edges_meV");
            foreach (var e in st.HistogramEdgesMeV) Num(w, e);
            w.WriteEndArray();
            w.WriteStartArray("counts");
            foreach (var c in st.HistogramCounts) w.WriteNumberValue(c);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (v.Link is { } link)
        {
            w.WriteStartArray("link");
            foreach (var (k, value) in link)
            {
                w.WriteStartArray();
                w.WriteStringValue(k);
                Num(w, value);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }

        if (v.Map is { } map)
        {
            w.WriteStartObject("map");
            w.WriteNumber("width", map.Width);
            w.WriteNumber("height", map.Height);
            Num(w, "pixel_nm", map.PixelSizeNm);
            w.WriteStartArray("delta_meV");
            foreach (var d in map.DeltaMeV) Num(w, d);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (v.Finished is { } fin)
        {
            w.WritePropertyName("finished");
            w.WriteRawValue(fin, skipInputValidation: true); // validated in SetFinished
        }
        w.WriteEndObject();
    }

    private static void WriteFitColumn(Utf8JsonWriter w, string name, FitRecord[] fits, Action<Utf8JsonWriter, FitRecord> write)
    {
        w.WriteStartArray(name);
        foreach (var f in fits) write(w, f);
        w.WriteEndArray();
    }

    private static void Num(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v); else w.WriteNullValue();
    }

    private static void Num(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v); else w.WriteNull(name);
    }

    private static void FloatArray(Utf8JsonWriter w, string name, float[] values)
    {
        w.WriteStartArray(name);
        FloatValues(w, values);
        w.WriteEndArray();
    }

    private static void FloatValues(Utf8JsonWriter w, float[] values)
    {
        foreach (var v in values)
            if (float.IsFinite(v)) w.WriteNumberValue(v); else w.WriteNullValue();
    }

    /// <summary>Five significant digits: the waterfall is a picture, and this halves its bytes on the wire.</summary>
    internal static float Round5(double v)
    {
        if (v == 0 || !double.IsFinite(v)) return (float)v;
        int digits = 4 - (int)Math.Floor(Math.Log10(Math.Abs(v)));
        // A float's shortest round-trip text of a value rounded to 5 digits is those 5 digits.
        return digits is >= 0 and <= 15 ? (float)Math.Round(v, digits) : (float)v;
    }

    private static float[] ToFloat(ReadOnlySpan<double> values)
    {
        var a = new float[values.Length];
        for (int i = 0; i < a.Length; i++) a[i] = (float)values[i];
        return a;
    }

    /// <summary>
    /// Averages the spectrum onto <paramref name="points"/> equal bias bins between its smallest
    /// and largest bias: a shape, not a measurement, small enough to keep for every spectrum.
    /// </summary>
    internal static (float Min, float Max, float[] G)? Decimate(ReadOnlySpan<double> biasMV, ReadOnlySpan<double> g, int points)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int i = 0; i < biasMV.Length; i++)
            if (double.IsFinite(biasMV[i]) && double.IsFinite(g[i])) { min = Math.Min(min, biasMV[i]); max = Math.Max(max, biasMV[i]); }
        if (!(max > min)) return null;
        Span<double> sum = points <= 256 ? stackalloc double[points] : new double[points];
        Span<int> count = points <= 256 ? stackalloc int[points] : new int[points];
        sum.Clear(); count.Clear();
        double scale = points / (max - min);
        for (int i = 0; i < biasMV.Length; i++)
        {
            if (!double.IsFinite(biasMV[i]) || !double.IsFinite(g[i])) continue;
            int k = Math.Min(points - 1, (int)((biasMV[i] - min) * scale));
            sum[k] += g[i]; count[k]++;
        }
        var result = new float[points];
        for (int k = 0; k < points; k++) result[k] = count[k] > 0 ? Round5(sum[k] / count[k]) : float.NaN;
        return (Round5(min), Round5(max), result);
    }
}

/// <summary>
/// How far a client has been brought up to date: the next fit's sequence number and the versions
/// of each part it has. Travels as the SSE event id, so a reconnecting browser resumes.
/// </summary>
public readonly record struct DashboardCursor(long FitSeq, long LatestVersion, long StatsVersion, long LinkVersion,
    long MapVersion, long FinishedVersion, long InfoVersion, long PatchSeq = 0)
{
    /// <summary>A client that has nothing.</summary>
    public static DashboardCursor Start { get; } = new(0, -1, -1, -1, -1, -1, -1, 0);

    /// <summary>Dot-separated numbers (the SSE id).</summary>
    public override string ToString() =>
        string.Join('.', FitSeq, LatestVersion, StatsVersion, LinkVersion, MapVersion, FinishedVersion, InfoVersion, PatchSeq);

    /// <summary>Parses <see cref="ToString"/>'s form; anything else gives <see cref="Start"/> (a full resend is always safe).</summary>
    public static DashboardCursor Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return Start;
        var parts = text.Split('.');
        if (parts.Length != 8) return Start;
        var v = new long[8];
        for (int i = 0; i < 8; i++)
            if (!long.TryParse(parts[i], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out v[i]))
                return Start;
        if (v[0] < 0 || v[7] < 0) return Start;
        return new DashboardCursor(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }
}
