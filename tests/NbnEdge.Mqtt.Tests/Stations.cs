using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using NbnEdge.Link.Journal;
using NbnEdge.Live;
using NbnEdge.Session;
using NbnEdge.Simulator;

namespace NbnEdge.Mqtt.Tests;

/// <summary>A station in this process: the simulated board → live session (journaled) → publisher.</summary>
internal sealed class InProcessStation : IAsyncDisposable
{
    private InProcessStation(string name, LiveSession session, StationPublisher publisher, string folder)
    {
        Name = name;
        Session = session;
        Publisher = publisher;
        Folder = folder;
    }

    public string Name { get; }
    public LiveSession Session { get; }
    public StationPublisher Publisher { get; }
    public string Folder { get; }
    public string ResultsPath => Session.Journal!.ResultsPath;

    /// <summary>Last-byte time (Stopwatch) of each spectrum id, for latency measurements.</summary>
    public ConcurrentDictionary<uint, long> LastByteTimestamps { get; } = new();

    /// <summary>Starts a station; <paramref name="timeScale"/> is simulated seconds per wall second (null: as fast as the CPU allows).</summary>
    public static async Task<InProcessStation> StartAsync(Mosquitto broker, string name, int spectra, int seed, double? timeScale)
    {
        string folder = Path.Combine(broker.Folder, name);
        var board = new SimulatedBoard(new SimulationSettings { Positions = spectra, Seed = seed },
            timeScale is { } s ? new SimulationPacing { BaudRate = 921600, TimeScale = s } : SimulationPacing.Unpaced);
        var journal = new SessionJournal(folder, "session");
        var session = new LiveSession(board, journal, new LivePipelineOptions { SourceName = name }, new LiveSessionOptions { JournalCurves = true });
        var publisher = StationPublisher.ForSession(session, broker.Endpoint(name),
            new StationPublisherOptions { RetryMin = TimeSpan.FromMilliseconds(100), RetryMax = TimeSpan.FromMilliseconds(500) }, film: "NbN 5 nm (simulated)");
        var station = new InProcessStation(name, session, publisher, folder);
        session.Link.SpectrumReceived += r => station.LastByteTimestamps[r.SpectrumId] = Stopwatch.GetTimestamp();
        await session.Link.SendConfigAsync("sweep=fwd");
        await publisher.StartAsync();
        session.Start(CancellationToken.None);
        return station;
    }

    /// <summary>Waits for the board's line to end, then drains the outbox; returns whether all was acknowledged.</summary>
    public async Task<bool> FinishAsync(TimeSpan drain)
    {
        await Session.FinishAsync();
        return await Publisher.FinishAsync(drain);
    }

    /// <summary>Well-formed lines in the results journal (what must reach the facility).</summary>
    public int JournaledResults() => JournalReader.ReadResults(ResultsPath).Lines.Count;

    public async ValueTask DisposeAsync()
    {
        await Publisher.DisposeAsync();
        await Session.DisposeAsync();
    }
}

/// <summary>A facility that records what it applied, per station, in order.</summary>
internal sealed class FacilityRecorder : IAsyncDisposable
{
    private readonly object _gate = new();

    private FacilityRecorder(FacilitySubscriber subscriber)
    {
        Subscriber = subscriber;
        subscriber.MessageApplied += m =>
        {
            lock (_gate)
            {
                switch (m.Kind)
                {
                    case "result":
                        if (!Results.TryGetValue(m.Station, out var list)) Results[m.Station] = list = [];
                        list.Add(m.Seq);
                        SpectrumIds.GetOrAdd(m.Station, _ => []).Add(m.Json.GetProperty("spectrum_id").GetUInt32());
                        AppliedTimestamps.GetOrAdd(m.Station, _ => [])[m.Json.GetProperty("spectrum_id").GetUInt32()] = m.ReceivedTimestamp;
                        break;
                    case "torn":
                        if (!Results.TryGetValue(m.Station, out var held)) Results[m.Station] = held = [];
                        held.Add(m.Seq);
                        break;
                    case "status":
                        Status[m.Station] = m.Json.GetProperty("status").GetString()!;
                        StatusHistory.GetOrAdd(m.Station, _ => []).Add(Status[m.Station]);
                        break;
                    case "stats":
                        Stats[m.Station] = m.Json.Clone();
                        break;
                }
            }
        };
    }

    public FacilitySubscriber Subscriber { get; }
    public Dictionary<string, List<long>> Results { get; } = new();
    public ConcurrentDictionary<string, List<uint>> SpectrumIds { get; } = new();
    public ConcurrentDictionary<string, Dictionary<uint, long>> AppliedTimestamps { get; } = new();
    public Dictionary<string, string> Status { get; } = new();
    public ConcurrentDictionary<string, List<string>> StatusHistory { get; } = new();
    public Dictionary<string, JsonElement> Stats { get; } = new();

    /// <summary>A recorder logging in with a user name and password (not started).</summary>
    public sealed class Authenticated(Mosquitto broker, string user, string password)
    {
        public FacilityRecorder Recorder { get; } = new(new FacilitySubscriber(broker.Endpoint(), new MqttSecurity { UserName = user, Password = password }));
    }

    public static async Task<FacilityRecorder> StartAsync(Mosquitto broker)
    {
        var recorder = new FacilityRecorder(new FacilitySubscriber(broker.Endpoint()));
        await recorder.Subscriber.StartAsync();
        return recorder;
    }

    public List<long> ResultsOf(string station)
    {
        lock (_gate) return Results.TryGetValue(station, out var l) ? [.. l] : [];
    }

    public string? StatusOf(string station)
    {
        lock (_gate) return Status.GetValueOrDefault(station);
    }

    public JsonElement? StatsOf(string station)
    {
        lock (_gate) return Stats.TryGetValue(station, out var s) ? s : null;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (condition()) return true;
            await Task.Delay(50);
        }

        return condition();
    }

    public ValueTask DisposeAsync() => Subscriber.DisposeAsync();
}
