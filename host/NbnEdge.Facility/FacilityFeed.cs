using System.Diagnostics;
using System.Text.Json;
using NbnEdge.Analysis;
using NbnEdge.Dashboard;
using NbnEdge.Mqtt;

namespace NbnEdge.Facility;

/// <summary>
/// Feeds a <see cref="FacilityState"/> from a <see cref="FacilitySubscriber"/>: each applied result
/// becomes a spectrum in its station's view (curve, fit, Δ, device estimate), status, statistics and
/// link counters update the card; each station's histogram and σ_int (with its CI) are recomputed
/// from the results received, at most every <see cref="StatisticsInterval"/>, off the message loop.
/// </summary>
public sealed class FacilityFeed : IAsyncDisposable
{
    /// <summary>Shortest time between two statistics refreshes of one station.</summary>
    public static readonly TimeSpan StatisticsInterval = TimeSpan.FromSeconds(1);

    private readonly FacilityState _state;
    private readonly FacilitySubscriber _subscriber;
    private readonly Dictionary<string, StationFits> _fits = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _statistics;

    /// <summary>Feeds <paramref name="state"/> from <paramref name="subscriber"/> (call before starting it).</summary>
    public FacilityFeed(FacilityState state, FacilitySubscriber subscriber)
    {
        _state = state;
        _subscriber = subscriber;
        subscriber.MessageApplied += Apply;
        _statistics = Task.Run(RefreshStatisticsAsync);
    }

    /// <summary>Raised after a result is in its station's view, with the time it left the socket (for latency measurements).</summary>
    public event Action<string, JsonElement, long>? ResultShown;

    private void Apply(FacilityMessage m)
    {
        var root = m.Json;
        switch (m.Kind)
        {
            case "result":
                ApplyResult(m.Station, m.Seq, root);
                long dropped = _subscriber.Stations.TryGetValue(m.Station, out var seq) ? seq.DuplicatesDropped : 0;
                _state.Update(m.Station, c => c with { Spectra = c.Spectra + 1, Session = m.Session, DuplicatesDropped = dropped });
                ResultShown?.Invoke(m.Station, root, m.ReceivedTimestamp);
                break;
            case "status":
                string? status = Text(root, "status");
                _state.View(m.Station);
                _state.Update(m.Station, c => c with { Status = status, Session = m.Session });
                if (status == "finished")
                    _state.View(m.Station).SetFinished($"{{\"station\":{JsonSerializer.Serialize(m.Station)},\"results\":{m.Seq}}}");
                break;
            case "stats":
                _state.View(m.Station);
                _state.Update(m.Station, c => c with
                {
                    Film = Text(root, "film") ?? c.Film,
                    Source = Text(root, "source") ?? c.Source,
                    UsableFits = Long(root, "n"),
                    MeanDeltaMeV = Number(root, "mean_delta_meV"),
                    IntrinsicSigmaMeV = Number(root, "intrinsic_sigma_meV"),
                });
                break;
            case "link":
                var view = _state.View(m.Station);
                var counters = new List<KeyValuePair<string, double>>();
                foreach (var p in root.EnumerateObject())
                    if (p.Value.ValueKind == JsonValueKind.Number && p.Name is not ("seq")) counters.Add(new(p.Name.Replace('_', ' '), p.Value.GetDouble()));
                view.SetLinkHealth(counters);
                _state.Update(m.Station, c => c with { Frames = (Long(root, "frames_ok"), Long(root, "frames_bad"), Long(root, "frames_lost")) });
                break;
        }
    }

    private void ApplyResult(string station, long seq, JsonElement root)
    {
        var view = _state.View(station);
        bool usable = root.TryGetProperty("usable", out var u) && u.ValueKind == JsonValueKind.True;
        double delta = double.NaN, error = double.NaN;
        string flag = "not_fitted", name = $"#{seq}";
        if (root.TryGetProperty("fit", out var fit) && fit.ValueKind == JsonValueKind.Object)
        {
            flag = Text(fit, "flag") ?? flag;
            name = Text(fit, "spectrum") ?? name;
            if (usable)
            {
                delta = Number(fit, "delta_meV");
                error = Number(fit, "delta_err_meV");
            }
        }

        double? device = root.TryGetProperty("device_estimate", out var d) && d.ValueKind == JsonValueKind.Object
                         && d.TryGetProperty("valid", out var valid) && valid.ValueKind == JsonValueKind.True ? Number(d, "delta_meV") : null;
        if (root.TryGetProperty("curve", out var curve) && curve.ValueKind == JsonValueKind.Object)
        {
            double[] bias = Array(curve, "bias_mV"), g = Array(curve, "g");
            double[]? model = curve.TryGetProperty("model", out var mm) && mm.ValueKind == JsonValueKind.Array ? Array(curve, "model") : null;
            if (bias.Length == g.Length && bias.Length > 0 && (model is null || model.Length == bias.Length))
                view.AddSpectrum(name, seq, bias, g, model, delta, error, device, flag, Text(curve, "unit"));
        }

        if (usable && double.IsFinite(delta) && double.IsFinite(error))
        {
            lock (_fits)
            {
                if (!_fits.TryGetValue(station, out var f)) _fits[station] = f = new StationFits();
                f.Names.Add(name);
                f.Delta.Add(delta);
                f.Error.Add(error);
                f.Changed = true;
            }
        }
    }

    private async Task RefreshStatisticsAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try { await Task.Delay(StatisticsInterval, _stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
            List<(string Station, string[] Names, double[] Delta, double[] Error)> work = [];
            lock (_fits)
            {
                foreach (var (station, f) in _fits)
                {
                    if (!f.Changed || f.Delta.Count < HomogeneityStatistics.MinimumCount) continue;
                    f.Changed = false;
                    work.Add((station, [.. f.Names], [.. f.Delta], [.. f.Error]));
                }
            }

            // The live views' bootstrap budget: at most two million draws a refresh, shared by the
            // stations that changed. Per station it was fifty times that with fifty stations, seconds of
            // CPU every second taken from the stations and the broker on the same machine.
            var options = LivePipelineFeed.LiveStatisticsOptions(work.Sum(x => (long)x.Delta.Length));
            foreach (var (station, names, delta, error) in work)
            {
                try
                {
                    _state.View(station).SetStatistics(HomogeneityStatistics.Compute(names, delta, error, options));
                }
                catch (InputDataException)
                {
                    // Too few distinct values for a histogram yet: the next refresh tries again.
                }
            }
        }
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double Number(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;

    private static long Long(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long x) ? x : 0;

    private static double[] Array(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var a) || a.ValueKind != JsonValueKind.Array) return [];
        var result = new double[a.GetArrayLength()];
        int i = 0;
        foreach (var v in a.EnumerateArray()) result[i++] = v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
        return result;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _subscriber.MessageApplied -= Apply;
        _stop.Cancel();
        await _statistics.ConfigureAwait(false);
        _stop.Dispose();
    }

    private sealed class StationFits
    {
        public List<string> Names { get; } = [];
        public List<double> Delta { get; } = [];
        public List<double> Error { get; } = [];
        public bool Changed { get; set; }
    }
}
