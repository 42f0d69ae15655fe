using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MQTTnet;
using NbnEdge.Link.Journal;
using NbnEdge.Session;

namespace NbnEdge.Mqtt;

/// <summary>Settings of a <see cref="StationPublisher"/>.</summary>
public sealed record StationPublisherOptions
{
    /// <summary>Login and TLS.</summary>
    public MqttSecurity Security { get; init; } = MqttSecurity.None;

    /// <summary>Shortest wait between two connection attempts (doubled after each failure).</summary>
    public TimeSpan RetryMin { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between two connection attempts.</summary>
    public TimeSpan RetryMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the retained statistics and link counters may be refreshed.</summary>
    public TimeSpan StateInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one publish may wait for its PUBACK before the connection is taken as lost.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Publishes one station's session to the broker, with the session's results journal as the outbox:
/// every result line goes to <c>nbnedge/STATION/result</c> at QoS 1, in journal order, with
/// <c>session</c>, <c>seq</c> (its line number) and <c>station</c> added; the next line is sent once
/// the broker acknowledged the previous one. When the broker is away the lines stay in the journal
/// (no queue in memory); on reconnection the publisher goes on from the first unacknowledged line,
/// so a subscriber may see a line twice (same session and seq) but never misses one. A facility that
/// missed lines anyway (it was away itself) asks on <c>nbnedge/STATION/resend</c>.
/// </summary>
/// <remarks>
/// Status (<c>online</c>, <c>finished</c>, and <c>lost</c> as the MQTT last will: a killed station
/// is announced by the broker), statistics and link counters are retained, so a late subscriber sees
/// them at once. The session id lives beside the journal (<c>NAME.session-id</c>): a station
/// restarted on the same journal continues the same session and sequence.
/// </remarks>
public sealed class StationPublisher : IAsyncDisposable
{
    private readonly MqttEndpoint _endpoint;
    private readonly StationPublisherOptions _options;
    private readonly string _station;
    private readonly ResultsOutbox _outbox;
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private readonly MqttClientFactory _factory = new();
    private Func<(string Stats, string Link)>? _state;
    private string? _sentStats, _sentLink;
    private IMqttClient? _client;
    private Task? _loop;
    private long _acked;
    private long _rewindTo = long.MaxValue;
    private volatile bool _finishing;
    private long _published, _duplicatesSent, _connections;
    private string? _lastProblem;

    /// <summary>Prepares the publisher for the results journal <paramref name="resultsPath"/>; nothing is sent before <see cref="StartAsync"/>.</summary>
    public StationPublisher(MqttEndpoint endpoint, string resultsPath, StationPublisherOptions? options = null)
    {
        _endpoint = endpoint;
        _station = endpoint.Station ?? throw new ArgumentException("a station's address names the station", nameof(endpoint));
        _options = options ?? new StationPublisherOptions();
        SessionId = LoadOrCreateSessionId(resultsPath);
        ResultsPath = resultsPath;
        _outbox = new ResultsOutbox(resultsPath);
    }

    /// <summary>
    /// A publisher for a live session: its results journal is the outbox, every journaled result
    /// wakes the publisher, and the retained statistics and link counters come from the session's
    /// pipeline and link (with <paramref name="film"/> and the source's name beside them). Call
    /// <see cref="StartAsync"/> before the session starts reading.
    /// </summary>
    /// <exception cref="ArgumentException">the session has no journal (the journal is the outbox)</exception>
    public static StationPublisher ForSession(LiveSession session, MqttEndpoint endpoint, StationPublisherOptions? options = null, string? film = null)
    {
        var journal = session.Journal ?? throw new ArgumentException("a published session needs its journal: it is the outbox", nameof(session));
        var publisher = new StationPublisher(endpoint, journal.ResultsPath, options);
        string identity = ResultJson.ToLine(w =>
        {
            w.WriteStartObject();
            if (film is null) w.WriteNull("film");
            else w.WriteString("film", film);
            w.WriteString("source", session.Link.StreamName);
            w.WriteEndObject();
        })[1..^1];
        publisher.SetStateSource(() => (
            identity + "," + ResultJson.ToLine(w => { w.WriteStartObject(); ResultJson.WriteRunningStatistics(w, session.Pipeline.Snapshot); w.WriteEndObject(); })[1..^1],
            ResultJson.ToLine(w => { w.WriteStartObject(); ResultJson.WriteLinkCounters(w, session.Link.Counters); w.WriteEndObject(); })[1..^1]));
        session.ResultJournaled += _ => publisher.Notify();
        return publisher;
    }

    /// <summary>The session's id: the same for every run that continues this journal.</summary>
    public string SessionId { get; }

    /// <summary>The results journal being published (the outbox).</summary>
    public string ResultsPath { get; }

    /// <summary>The station's name.</summary>
    public string Station => _station;

    /// <summary>Highest sequence number the broker acknowledged.</summary>
    public long AckedSeq => Interlocked.Read(ref _acked);

    /// <summary>Result messages sent (a line sent again after a reconnection counts again).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Result messages sent again (after a reconnection or a facility's request).</summary>
    public long Resent => Interlocked.Read(ref _duplicatesSent);

    /// <summary>Successful connections (1 + reconnections).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Whether the broker connection is up now.</summary>
    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>Connection state lines (reached, lost, retrying) for the user; raised on the publisher's task.</summary>
    public event Action<string>? StateMessage;

    /// <summary>
    /// Where the retained statistics and link counters come from (two JSON objects' fields, without
    /// braces); polled at most every <see cref="StationPublisherOptions.StateInterval"/>.
    /// </summary>
    public void SetStateSource(Func<(string Stats, string Link)> state) => _state = state;

    /// <summary>A result line was appended to the journal (or the state changed): look again now.</summary>
    public void Notify() => _wake.Release();

    /// <summary>
    /// Connects once (a refusal is thrown as <see cref="MqttRefusedException"/> so the command can
    /// stop before measuring; an unreachable broker is only reported and retried), then runs until
    /// <see cref="FinishAsync"/>.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerUnreachableException e)
        {
            Report($"{e.Message}; results are kept in the journal and sent when it answers");
        }

        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>
    /// The session ended: sends what is left in the journal (waiting at most <paramref name="drainTimeout"/>
    /// for the broker), then the retained status <c>finished</c>, and disconnects cleanly (no last will).
    /// Returns whether everything journaled was acknowledged.
    /// </summary>
    public async Task<bool> FinishAsync(TimeSpan drainTimeout)
    {
        _finishing = true;
        Notify();
        if (_loop is not null)
        {
            await Task.WhenAny(_loop, Task.Delay(drainTimeout)).ConfigureAwait(false);
        }

        _stop.Cancel();
        if (_loop is not null)
        {
            try { await _loop.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }

        bool drained = !_outbox.TryReadNext(out _, out _);
        if (_client is { IsConnected: true } client)
        {
            try
            {
                await PublishStateAsync(client, force: true, CancellationToken.None).ConfigureAwait(false);
                if (drained) await PublishStatusAsync(client, "finished", CancellationToken.None).ConfigureAwait(false);
                // A clean DISCONNECT: the broker drops the will, the status stays as just set.
                await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(),
                    CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or IOException)
            {
                drained = false;
            }
        }

        return drained && AckedSeq >= _outbox.NextSeq - 1;
    }

    private async Task RunAsync()
    {
        var retry = _options.RetryMin;
        var stateTimer = Stopwatch.StartNew();
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            if (_client is not { IsConnected: true })
            {
                try
                {
                    await ConnectAsync(stop).ConfigureAwait(false);
                    retry = _options.RetryMin;
                }
                catch (Exception e) when (e is BrokerUnreachableException or MqttRefusedException or MqttSettingsException)
                {
                    Report(e is BrokerUnreachableException ? $"{e.Message}; retrying (every {_options.RetryMax.TotalSeconds:F0} s at most)" : e.Message);
                    try { await Task.Delay(retry, stop).ConfigureAwait(false); }
                    catch (OperationCanceledException) { break; }
                    retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _options.RetryMax.Ticks));
                    continue;
                }
            }

            IMqttClient client = _client!;
            try
            {
                // Read before the lines: FinishAsync is called after the last line was written, so if it
                // was already called now, this pass reads everything (checked after it, lines written
                // meanwhile would be left behind).
                bool finishing = _finishing;
                long rewind = Interlocked.Exchange(ref _rewindTo, long.MaxValue);
                if (rewind < _outbox.NextSeq) _outbox.Rewind(rewind);
                // Up to Window publishes in flight: one PUBACK round trip per result would cap a station
                // at a few thousand results a second on loopback, and far fewer on a loaded machine.
                // The broker acknowledges in order; a line counts as sent once it and all before it are.
                var inFlight = new Queue<(long Seq, Task<MqttClientPublishResult>? Ack)>();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(_options.PublishTimeout);
                try
                {
                    while (!stop.IsCancellationRequested && Interlocked.Read(ref _rewindTo) == long.MaxValue && _outbox.TryReadNext(out long seq, out var line))
                    {
                        // A torn line (a writer killed mid-line) keeps its number: a placeholder keeps the sequence unbroken.
                        byte[] payload = Wrap(line.Span, seq) ?? Encoding.UTF8.GetBytes(EnvelopeFor(seq, "\"torn\":true"));
                        inFlight.Enqueue((seq, client.PublishAsync(BrokerConnection.Message(StationTopics.Result(_station), payload, retain: false), timeout.Token)));
                        Interlocked.Increment(ref _published);
                        if (seq <= AckedSeq) Interlocked.Increment(ref _duplicatesSent);
                        while (inFlight.Count >= Window) await CompleteOldestAsync(inFlight, timeout).ConfigureAwait(false);
                        if (stateTimer.Elapsed >= _options.StateInterval)
                        {
                            await PublishStateAsync(client, force: false, stop).ConfigureAwait(false);
                            stateTimer.Restart();
                        }
                    }

                    while (inFlight.Count > 0) await CompleteOldestAsync(inFlight, timeout).ConfigureAwait(false);
                }
                finally
                {
                    // Anything still in flight after a failure is sent again from the journal: observe, never rethrow.
                    foreach (var (_, ack) in inFlight) _ = ack?.ContinueWith(t => t.Exception, TaskScheduler.Default);
                }

                // The retained state at most every StateInterval, also after results: refreshed after every
                // result it tripled the messages at a board's pace (one result a wake) and made each result
                // wait for two more acknowledgements before the next could go.
                if (stateTimer.Elapsed >= _options.StateInterval)
                {
                    await PublishStateAsync(client, force: false, stop).ConfigureAwait(false);
                    stateTimer.Restart();
                }

                if (finishing && Interlocked.Read(ref _rewindTo) == long.MaxValue) break;
                await _wake.WaitAsync(_options.StateInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                // The broker went away mid-publish (or the client failed in a way nobody listed):
                // go back to the first line it did not acknowledge, on a new connection.
                Report($"lost the broker {_endpoint.Host}:{_endpoint.Port} ({BrokerConnection.Innermost(e)}); {AckedSeq} results acknowledged, the rest waits in the journal");
                await DropClientAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Result publishes in flight at once (QoS 1; the broker's default receive maximum is 20).</summary>
    private const int Window = 16;

    private async Task CompleteOldestAsync(Queue<(long Seq, Task<MqttClientPublishResult>? Ack)> inFlight, CancellationTokenSource timeout)
    {
        var (seq, ack) = inFlight.Peek();
        if (ack is not null)
        {
            var result = await ack.ConfigureAwait(false);
            if (!result.IsSuccess) throw new IOException($"the broker did not accept result {seq}: {result.ReasonCode}");
        }

        inFlight.Dequeue();
        if (seq > AckedSeq) Interlocked.Exchange(ref _acked, seq);
        // Each acknowledgement restarts the clock: the timeout is for a broker that stopped answering.
        timeout.CancelAfter(_options.PublishTimeout);
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await DropClientAsync().ConfigureAwait(false);
        var client = _factory.CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessage;
        client.DisconnectedAsync += _ => { Notify(); return Task.CompletedTask; };
        // The will: if this process dies, the broker itself tells every subscriber the station is lost.
        var options = BrokerConnection.Options(_endpoint, _options.Security, $"nbnedge-{_station}-{Environment.ProcessId}")
            .WithWillTopic(StationTopics.Status(_station))
            .WithWillPayload(StatusPayload("lost"))
            .WithWillQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain(true)
            .Build();
        try
        {
            await BrokerConnection.ConnectAsync(client, options, _endpoint, cancellationToken).ConfigureAwait(false);
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(StationTopics.Resend(_station), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
            await PublishStatusAsync(client, "online", cancellationToken).ConfigureAwait(false);
            _sentStats = _sentLink = null; // the broker may have lost its retained copies: send them again
        }
        catch
        {
            client.Dispose();
            throw;
        }

        _client = client;
        long connections = Interlocked.Increment(ref _connections);
        // Everything not acknowledged goes again, from the journal.
        _outbox.Rewind(AckedSeq + 1);
        if (connections > 1 || _lastProblem is not null) Report($"connected to {_endpoint.Host}:{_endpoint.Port}; sending from result {AckedSeq + 1}");
        _lastProblem = null;
    }

    private async Task DropClientAsync()
    {
        if (_client is { } old)
        {
            _client = null;
            try { await old.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false); }
            catch (Exception) { /* already gone */ }
            old.Dispose();
        }
    }

    private Task OnMessage(MqttApplicationMessageReceivedEventArgs e)
    {
        // {"session": "...", "from_seq": N}: a facility missed lines; send again from there.
        try
        {
            using var doc = JsonDocument.Parse(e.ApplicationMessage.Payload);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("session", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() == SessionId
                && root.TryGetProperty("from_seq", out var f) && f.TryGetInt64(out long from) && from >= 1)
            {
                long current;
                do current = Interlocked.Read(ref _rewindTo);
                while (from < current && Interlocked.CompareExchange(ref _rewindTo, from, current) != current);
                Notify();
            }
        }
        catch (JsonException)
        {
            // Not ours to answer: a malformed request changes nothing.
        }

        return Task.CompletedTask;
    }

    private async Task PublishStateAsync(IMqttClient client, bool force, CancellationToken cancellationToken)
    {
        if (_state is null) return;
        (string stats, string link) = _state();
        // Both in flight at once: one acknowledgement round trip, not two, before results go on.
        Task? sendingStats = force || stats != _sentStats
            ? client.PublishAsync(BrokerConnection.Message(StationTopics.Stats(_station), Encoding.UTF8.GetBytes(Envelope(stats)), retain: true), cancellationToken)
            : null;
        Task? sendingLink = force || link != _sentLink
            ? client.PublishAsync(BrokerConnection.Message(StationTopics.Link(_station), Encoding.UTF8.GetBytes(Envelope(link)), retain: true), cancellationToken)
            : null;
        if (sendingStats is not null)
        {
            await sendingStats.ConfigureAwait(false);
            _sentStats = stats;
        }

        if (sendingLink is not null)
        {
            await sendingLink.ConfigureAwait(false);
            _sentLink = link;
        }
    }

    private Task PublishStatusAsync(IMqttClient client, string status, CancellationToken cancellationToken) =>
        client.PublishAsync(BrokerConnection.Message(StationTopics.Status(_station), StatusPayload(status), retain: true), cancellationToken);

    private byte[] StatusPayload(string status) =>
        Encoding.UTF8.GetBytes(Envelope($"\"status\":\"{status}\",\"time_utc\":\"{DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)}\""));

    /// <summary><c>{"session":…,"seq":…,"station":…, FIELDS}</c>; seq of a state message is the last acknowledged result's.</summary>
    private string Envelope(string fields) => EnvelopeFor(AckedSeq, fields);

    private string EnvelopeFor(long seq, string fields) =>
        $"{{\"session\":{JsonSerializer.Serialize(SessionId)},\"seq\":{seq.ToString(CultureInfo.InvariantCulture)},\"station\":{JsonSerializer.Serialize(_station)}" +
        (fields.Length > 0 ? "," + fields : "") + "}";

    /// <summary>The journal line with session, seq and station put in front; null for a line that is no JSON object (a torn write).</summary>
    private byte[]? Wrap(ReadOnlySpan<byte> line, long seq)
    {
        if (!IsObjectWithFields(line)) return null;
        byte[] head = Encoding.UTF8.GetBytes($"{{\"session\":{JsonSerializer.Serialize(SessionId)},\"seq\":{seq.ToString(CultureInfo.InvariantCulture)},\"station\":{JsonSerializer.Serialize(_station)},");
        var payload = new byte[head.Length + line.Length - 1];
        head.CopyTo(payload, 0);
        line[1..].CopyTo(payload.AsSpan(head.Length));
        return payload;
    }

    private static bool IsObjectWithFields(ReadOnlySpan<byte> line)
    {
        if (line.Length < 3 || line[0] != (byte)'{') return false;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            reader.Skip();
            return reader.BytesConsumed == line.Length && !line[1..].TrimStart(" \t"u8).StartsWith("}"u8);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void Report(string message)
    {
        // Once per distinct problem: a broker that stays away for an hour is not 700 lines.
        if (message == _lastProblem) return;
        _lastProblem = message;
        StateMessage?.Invoke(message);
    }

    /// <summary>
    /// The id of the session journaled at <paramref name="resultsPath"/>: kept while the journal
    /// holds results (a restart on it continues the session), new when it holds none (a journal
    /// started afresh must not reuse seq numbers a facility has already seen under the old id).
    /// </summary>
    public static string LoadOrCreateSessionId(string resultsPath)
    {
        string stem = resultsPath.EndsWith(SessionJournal.ResultsExtension, StringComparison.Ordinal)
            ? resultsPath[..^SessionJournal.ResultsExtension.Length] : resultsPath;
        string path = stem + ".session-id";
        bool hasResults = File.Exists(resultsPath) && new FileInfo(resultsPath).Length > 0;
        if (hasResults && File.Exists(path))
        {
            string id = File.ReadAllText(path).Trim();
            if (id.Length > 0) return id;
        }

        string created = $"{DateTime.UtcNow.ToString("yyyyMMddTHHmmssZ", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}";
        File.WriteAllText(path, created + "\n");
        return created;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_loop is not null)
        {
            try { await _loop.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }

        await DropClientAsync().ConfigureAwait(false);
        _outbox.Dispose();
        _stop.Dispose();
    }
}
