using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;

namespace NbnEdge.Dashboard;

/// <summary>One station's card on the facility page: what it measures, how far it is, how its link is.</summary>
public sealed record StationCard
{
    /// <summary>The station's name (its MQTT topic level).</summary>
    public required string Name { get; init; }

    /// <summary><c>online</c>, <c>finished</c>, <c>lost</c>, or null before the first status.</summary>
    public string? Status { get; init; }

    /// <summary>The station's session id.</summary>
    public string? Session { get; init; }

    /// <summary>The film being measured, as the station names it.</summary>
    public string? Film { get; init; }

    /// <summary>Where the station's spectra come from (port, URL, simulator).</summary>
    public string? Source { get; init; }

    /// <summary>Results received here, in order and once each.</summary>
    public long Spectra { get; init; }

    /// <summary>Fits in the station's running statistics.</summary>
    public long UsableFits { get; init; }

    /// <summary>The station's running mean Δ, in meV.</summary>
    public double MeanDeltaMeV { get; init; } = double.NaN;

    /// <summary>The station's running intrinsic spread σ_int, in meV.</summary>
    public double IntrinsicSigmaMeV { get; init; } = double.NaN;

    /// <summary>Frames decoded, bad and lost on the station's link to its board.</summary>
    public (long Ok, long Bad, long Lost) Frames { get; init; }

    /// <summary>Duplicates this facility dropped for the station (repeats after a restart).</summary>
    public long DuplicatesDropped { get; init; }
}

/// <summary>
/// The facility view's state: a card per station and, behind each card, the station's full live
/// view (a <see cref="DashboardState"/> of its own). Thread-safe; fed by the MQTT subscriber.
/// </summary>
public sealed class FacilityState
{
    private readonly ConcurrentDictionary<string, StationCard> _cards = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DashboardState> _views = new(StringComparer.Ordinal);
    private readonly DashboardLimits? _limits;
    private long _version;

    /// <summary>A facility whose station views keep at most <paramref name="limits"/>.</summary>
    public FacilityState(DashboardLimits? limits = null) => _limits = limits;

    /// <summary>Changes so far (the page polls and redraws when it moves).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The station's full view, created on first use.</summary>
    public DashboardState View(string station) => _views.GetOrAdd(station, s =>
    {
        var view = new DashboardState(_limits);
        view.SetSessionInfo($"station {s}", "result #");
        return view;
    });

    /// <summary>The station's full view if it exists.</summary>
    public DashboardState? FindView(string station) => _views.GetValueOrDefault(station);

    /// <summary>Changes a station's card.</summary>
    public void Update(string station, Func<StationCard, StationCard> change)
    {
        _cards.AddOrUpdate(station, s => change(new StationCard { Name = s }), (_, c) => change(c));
        Interlocked.Increment(ref _version);
    }

    /// <summary>Every card, by name.</summary>
    public IReadOnlyList<StationCard> Cards => [.. _cards.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];

    /// <summary>The cards as the page reads them: <c>{"version":…,"stations":[{name, status, …}]}</c>; NaN is null.</summary>
    public byte[] BuildJson()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("version", Version);
            w.WriteStartArray("stations");
            foreach (var c in Cards)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                w.WriteString("href", $"/station/{Uri.EscapeDataString(c.Name)}/");
                w.WriteString("status", c.Status);
                w.WriteString("session", c.Session);
                w.WriteString("film", c.Film);
                w.WriteString("source", c.Source);
                w.WriteNumber("spectra", c.Spectra);
                w.WriteNumber("n", c.UsableFits);
                Number(w, "mean_delta_meV", c.MeanDeltaMeV);
                Number(w, "intrinsic_sigma_meV", c.IntrinsicSigmaMeV);
                w.WriteNumber("frames_ok", c.Frames.Ok);
                w.WriteNumber("frames_bad", c.Frames.Bad);
                w.WriteNumber("frames_lost", c.Frames.Lost);
                w.WriteNumber("duplicates_dropped", c.DuplicatesDropped);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }
}
