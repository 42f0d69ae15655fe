using System.Diagnostics;
using System.Threading.Channels;
using NbnEdge.Analysis;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Analysis.Model;
using NbnEdge.Analysis.Synthetic;
using NbnEdge.Firmware.Boards;
using NbnEdge.Firmware.Estimation;
using NbnEdge.Link;

namespace NbnEdge.Live;

/// <summary>Settings of a <see cref="LivePipeline"/>.</summary>
public sealed record LivePipelineOptions
{
    /// <summary>The full fit's options (the CLI's fit options).</summary>
    public GapFitOptions FitOptions { get; init; } = GapFitOptions.Default;

    /// <summary>Name for <see cref="Spectrum.Source"/> of converted spectra (port, URL, capture path).</summary>
    public string SourceName { get; init; } = "live";

    /// <summary>Scaling for spectra that arrive before any HELLO (a capture or link joined mid-stream); null leaves them unfitted.</summary>
    public HelloInfo? FallbackHello { get; init; }

    /// <summary>Keep every <see cref="LiveResult"/> for <see cref="LivePipeline.Results"/> (false for endless monitoring).</summary>
    public bool KeepResults { get; init; } = true;
}

/// <summary>
/// The live analysis behind <c>nbnedge demo</c>, <c>monitor</c>, <c>ingest</c> and <c>replay</c>:
/// each spectrum the link decodes is fitted with the full model as it arrives, the firmware's
/// estimator is re-run on its codes (the device's ESTIMATE must match it bit for bit), the
/// device's estimate is compared with the fit, and running statistics are kept.
/// </summary>
/// <remarks>
/// <para>Threading: <see cref="Attach"/> subscribes to the assembler, whose events come on the
/// link's reading thread; the handlers only stamp the time and queue the work, so reading never
/// waits for a fit. One worker does the fits in arrival order: a fit takes well under a
/// millisecond and a board sends a spectrum every few seconds, so a second worker would buy
/// nothing and cost ordering. <see cref="SpectrumFitted"/> and <see cref="ResultCompleted"/> are
/// raised on that worker; <see cref="Snapshot"/> may be read from any thread.</para>
/// <para>A spectrum's ESTIMATE follows its last chunk, so a result is completed when that ESTIMATE
/// comes, or, if it never does, when the next spectrum arrives or the stream ends.</para>
/// </remarks>
public sealed class LivePipeline
{
    private readonly LivePipelineOptions _options;
    private readonly Channel<WorkItem> _work = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly GapFitter _fitter;
    private readonly Dictionary<string, GapEstimator> _estimators = new(StringComparer.Ordinal);
    private readonly RunningGapStatistics _stats = new();
    private readonly List<LiveResult> _results = [];
    private readonly List<double> _latenciesMs = [];
    private readonly Lock _resultsSync = new();
    private readonly Task _worker;
    private SpectrumStreamAssembler? _assembler;
    private LiveSnapshot _snapshot = LiveSnapshot.Empty;
    private LiveResult? _awaitingEstimate;
    private readonly List<HeldSpectrum> _held = [];
    private HelloInfo? _scaling;
    private long _arrived;
    private long _processed, _incomplete, _compared, _recomputeChecked, _mismatches, _missing;
    private double _sumDiff, _sumDiffSquared, _maxLatency = double.NaN;

    /// <summary>Creates the pipeline and starts its worker.</summary>
    public LivePipeline(LivePipelineOptions? options = null)
    {
        _options = options ?? new LivePipelineOptions();
        _fitter = new GapFitter(_options.FitOptions);
        Ready = Task.Run(WarmUp);
        // A thread of its own: a fit never waits for a thread-pool thread that a transport's
        // blocking read or a busy UI may be holding, which would show up as latency.
        _worker = Task.Factory.StartNew(() =>
        {
            Ready.GetAwaiter().GetResult();
            RunWorker();
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Completes when the fitter and the estimator have run once on a synthetic spectrum. Start the
    /// link after it: the first real spectrum then waits for no JIT compilation, and its latency is
    /// the pipeline's, as on a session where the board takes seconds to send its first spectrum.
    /// </summary>
    public Task Ready { get; }

    /// <summary>Raised on the worker as soon as a spectrum is fitted (its device ESTIMATE may still be on its way).</summary>
    public event Action<LiveResult>? SpectrumFitted;

    /// <summary>Raised on the worker once per spectrum with everything known: fit, host re-run and the device's ESTIMATE (or its absence).</summary>
    public event Action<LiveResult>? ResultCompleted;

    /// <summary>The latest state; safe from any thread.</summary>
    public LiveSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Finishes when every queued spectrum was processed after <see cref="Complete"/>; faults if a handler threw.</summary>
    public Task Completion => _worker;

    /// <summary>Completed results in arrival order (a copy; empty unless <see cref="LivePipelineOptions.KeepResults"/>).</summary>
    public IReadOnlyList<LiveResult> Results
    {
        get { lock (_resultsSync) return [.. _results]; }
    }

    /// <summary>Every latency measured so far, in ms, in arrival order (a copy).</summary>
    public IReadOnlyList<double> LatenciesMs
    {
        get { lock (_resultsSync) return [.. _latenciesMs]; }
    }

    /// <summary>
    /// Feeds the pipeline from <paramref name="assembler"/> (e.g. <see cref="LinkSession.Assembler"/>).
    /// Call before the link starts reading; one assembler per pipeline.
    /// </summary>
    public void Attach(SpectrumStreamAssembler assembler)
    {
        if (Interlocked.CompareExchange(ref _assembler, assembler, null) is not null)
        {
            throw new InvalidOperationException("the pipeline is already attached to a link");
        }

        assembler.SpectrumReceived += OnSpectrum;
        assembler.EstimateReceived += OnEstimate;
        assembler.HelloReceived += Post;
    }

    /// <summary>No more input will come (the link ended): the worker finishes what is queued.</summary>
    public void Complete() => _work.Writer.TryComplete();

    /// <summary>Queues a spectrum (what <see cref="Attach"/> wires to the assembler); <paramref name="arrivalTimestamp"/> is a <see cref="Stopwatch"/> timestamp.</summary>
    public void Post(ReceivedSpectrum spectrum, LinkCounters counters, long arrivalTimestamp)
    {
        Interlocked.Increment(ref _arrived);
        _work.Writer.TryWrite(new WorkItem(spectrum, null, counters, arrivalTimestamp));
    }

    /// <summary>
    /// Spectra that arrive before any HELLO with a scaling (a monitor joining a running board) are
    /// held, at most this many, until the HELLO comes (the monitor PINGs for one), then fitted in order.
    /// </summary>
    public const int MaxHeldSpectra = 64;

    /// <summary>Spectra held now, waiting for a HELLO.</summary>
    public int HeldSpectra => Volatile.Read(ref _heldCount);

    private int _heldCount;

    /// <summary>Queues a HELLO (what <see cref="Attach"/> wires to the assembler): releases the held spectra.</summary>
    public void Post(HelloInfo hello) => _work.Writer.TryWrite(new WorkItem(null, null, null, 0, hello));

    /// <summary>Queues a device ESTIMATE (what <see cref="Attach"/> wires to the assembler).</summary>
    public void Post(EstimateInfo estimate) => _work.Writer.TryWrite(new WorkItem(null, estimate, null, 0));

    private void WarmUp()
    {
        var truth = new BcsParameters(2.0, 1.7, Scale: 1e6);
        Spectrum synthetic = SyntheticSpectra.Generate(truth, 201, 5.0, 0.01, new Random(1), "warm-up");
        _fitter.Fit(synthetic);
        string scale = BoardDefinitions.Esp32DevKitC().BiasUvPerLsb;
        decimal uvPerLsb = decimal.Parse(scale, System.Globalization.CultureInfo.InvariantCulture);
        var bias = new int[synthetic.Count];
        var signal = new int[synthetic.Count];
        for (int i = 0; i < bias.Length; i++)
        {
            bias[i] = (int)Math.Round(synthetic.BiasMV[i] * 1000 / (double)uvPerLsb);
            signal[i] = (int)Math.Round(synthetic.Conductance[i] * 4);
        }

        Estimator(scale).Estimate(bias, signal, bias.Length, false, new NbnEdge.Firmware.Protocol.EstimateReport());
    }

    private void OnSpectrum(ReceivedSpectrum spectrum)
    {
        long now = Stopwatch.GetTimestamp();
        Post(spectrum, _assembler!.Counters, now);
    }

    private void OnEstimate(EstimateInfo estimate, ReceivedSpectrum? spectrum) => Post(estimate);

    private void RunWorker()
    {
        ChannelReader<WorkItem> reader = _work.Reader;
        while (true)
        {
            if (!reader.TryRead(out WorkItem item))
            {
                ValueTask<bool> more = reader.WaitToReadAsync();
                if (!(more.IsCompletedSuccessfully ? more.Result : more.AsTask().GetAwaiter().GetResult()))
                {
                    break;
                }

                continue;
            }

            if (item.Hello is { HasScaling: true } hello)
            {
                _scaling = hello;
                ReleaseHeld(hello, null);
            }
            else if (item.Spectrum is { } early && ScalingFor(early) is null && _held.Count < MaxHeldSpectra)
            {
                FinishAwaiting(null);
                _held.Add(new HeldSpectrum(early, item.Counters!, item.ArrivalTimestamp));
                Volatile.Write(ref _heldCount, _held.Count);
            }
            else if (item.Estimate is { } heldEstimate && _held.FindIndex(h => h.Spectrum.SpectrumId == heldEstimate.SpectrumId && h.Spectrum.DeviceEpoch == heldEstimate.DeviceEpoch) is var at and >= 0)
            {
                _held[at] = _held[at] with { Estimate = heldEstimate };
            }
            else if (item.Spectrum is { } spectrum)
            {
                // The previous spectrum's ESTIMATE would have come before this one: it is not coming.
                FinishAwaiting(null);
                Process(spectrum, item.Counters!, item.ArrivalTimestamp);
            }
            else if (item.Estimate is { } estimate && _awaitingEstimate is { } awaiting
                     && awaiting.Received.SpectrumId == estimate.SpectrumId && awaiting.Received.DeviceEpoch == estimate.DeviceEpoch)
            {
                FinishAwaiting(estimate);
            }

            // An ESTIMATE whose spectrum was lost is counted by the link (EstimatesUnmatched); nothing to pair it with here.
        }

        ReleaseHeld(null, $"{NoHelloReason}: none arrived (held until the end; at most {MaxHeldSpectra} are held)");
        FinishAwaiting(null);
    }

    /// <summary>Why a spectrum was not fitted when no HELLO with a scaling was seen (and no fallback given); reasons begin with it.</summary>
    public const string NoHelloReason = "no HELLO with a scaling seen yet";

    private HelloInfo? ScalingFor(ReceivedSpectrum received) =>
        received.Hello is { HasScaling: true } h ? h : _scaling ?? _options.FallbackHello;

    /// <summary>Fits the held spectra in arrival order with <paramref name="hello"/>'s scaling, or completes them unfitted with <paramref name="reason"/>.</summary>
    private void ReleaseHeld(HelloInfo? hello, string? reason)
    {
        if (_held.Count == 0) return;
        FinishAwaiting(null);
        foreach (HeldSpectrum held in _held)
        {
            Process(held.Spectrum, held.Counters, held.ArrivalTimestamp, hello, reason);
            FinishAwaiting(held.Estimate);
        }

        _held.Clear();
        Volatile.Write(ref _heldCount, 0);
    }

    private void Process(ReceivedSpectrum received, LinkCounters counters, long arrivalTimestamp) =>
        Process(received, counters, arrivalTimestamp, ScalingFor(received), null);

    private void Process(ReceivedSpectrum received, LinkCounters counters, long arrivalTimestamp, HelloInfo? hello, string? whyNoScaling)
    {
        Spectrum? spectrum = null;
        GapFitResult? fit = null;
        string? reason = null;
        if (hello is null)
        {
            reason = whyNoScaling ?? $"{NoHelloReason} (more than {MaxHeldSpectra} spectra before it)";
        }
        else
        {
            spectrum = received.ToSpectrum(_options.SourceName, hello);
            if (spectrum.Count < Spectrum.MinimumPoints)
            {
                reason = $"only {spectrum.Count} points arrived";
            }
            else
            {
                // One spectrum the fitter cannot handle must not end the session: it is reported
                // as not fitted, and the next one is fitted as usual.
                try { fit = _fitter.Fit(spectrum); }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    reason = $"the fit failed ({ex.GetType().Name}: {ex.Message})";
                }
            }
        }

        EstimateInfo? host = null;
        if (!received.Incomplete && hello?.Get("bias_uV_per_lsb") is { } scaleText)
        {
            host = EstimateCheck.Recompute(received, Estimator(scaleText));
        }

        double latencyMs = Stopwatch.GetElapsedTime(arrivalTimestamp).TotalMilliseconds;
        var result = new LiveResult
        {
            Index = _processed,
            Received = received,
            Spectrum = spectrum,
            Fit = fit,
            NotFittedReason = reason,
            HostEstimate = host,
            LatencyMs = latencyMs,
            Counters = counters,
        };

        _processed++;
        if (received.Incomplete) _incomplete++;
        if (result.UsableFit) _stats.Add(fit!.DeltaMeV, fit.DeltaErrMeV);
        _maxLatency = double.IsNaN(_maxLatency) ? latencyMs : Math.Max(_maxLatency, latencyMs);
        lock (_resultsSync) _latenciesMs.Add(latencyMs);
        Publish(result, counters);
        SpectrumFitted?.Invoke(result);
        _awaitingEstimate = result;
    }

    private void FinishAwaiting(EstimateInfo? estimate)
    {
        if (_awaitingEstimate is not { } result)
        {
            return;
        }

        _awaitingEstimate = null;
        if (estimate is not null)
        {
            bool? matches = null;
            if (result.HostEstimate is { } host)
            {
                matches = host with { Seq = estimate.Seq } == estimate;
                _recomputeChecked++;
                if (matches == false) _mismatches++;
            }

            result = result with { DeviceEstimate = estimate, RecomputeMatches = matches };
            if (result.EstimateMinusFitMeV is { } diff)
            {
                _compared++;
                _sumDiff += diff;
                _sumDiffSquared += diff * diff;
            }
        }
        else if (!result.Incomplete)
        {
            _missing++;
        }

        if (_options.KeepResults)
        {
            lock (_resultsSync) _results.Add(result);
        }

        Publish(result, result.Counters);
        ResultCompleted?.Invoke(result);
    }

    private void Publish(LiveResult last, LinkCounters counters)
    {
        Volatile.Write(ref _snapshot, new LiveSnapshot
        {
            SpectraArrived = Interlocked.Read(ref _arrived),
            SpectraProcessed = _processed,
            SpectraIncomplete = _incomplete,
            UsableFits = _stats.Count,
            MeanMeV = _stats.MeanMeV,
            StandardDeviationMeV = _stats.StandardDeviationMeV,
            RmsFitErrorMeV = _stats.RmsFitErrorMeV,
            IntrinsicSigmaMeV = _stats.IntrinsicSigmaMeV,
            LastSpectrumId = last.Received.SpectrumId,
            LastFitDeltaMeV = last.Fit?.DeltaMeV ?? double.NaN,
            LastDeviceDeltaMeV = last.DeviceEstimate?.DeltaMeV ?? double.NaN,
            EstimatesCompared = _compared,
            EstimateVsFitRmsMeV = _compared > 0 ? Math.Sqrt(_sumDiffSquared / _compared) : double.NaN,
            EstimateVsFitMeanMeV = _compared > 0 ? _sumDiff / _compared : double.NaN,
            RecomputeChecked = _recomputeChecked,
            RecomputeMismatches = _mismatches,
            EstimatesMissing = _missing,
            LastLatencyMs = last.LatencyMs,
            MaxLatencyMs = _maxLatency,
            Counters = counters,
        });
    }

    private GapEstimator Estimator(string biasUvPerLsb)
    {
        // One estimator per bias scaling (normally one per session): it allocates its buffers once.
        if (!_estimators.TryGetValue(biasUvPerLsb, out GapEstimator? estimator))
        {
            estimator = new GapEstimator(GapEstimator.ParseMicrovoltsAsNanovoltsQ32(biasUvPerLsb), GapEstimator.DefaultCapacity);
            _estimators[biasUvPerLsb] = estimator;
        }

        return estimator;
    }

    private readonly record struct WorkItem(ReceivedSpectrum? Spectrum, EstimateInfo? Estimate, LinkCounters? Counters, long ArrivalTimestamp, HelloInfo? Hello = null);

    private sealed record HeldSpectrum(ReceivedSpectrum Spectrum, LinkCounters Counters, long ArrivalTimestamp, EstimateInfo? Estimate = null);
}
