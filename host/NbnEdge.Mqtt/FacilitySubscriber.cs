using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MQTTnet;

namespace NbnEdge.Mqtt;

/// <summary>One message a facility applied, in order per station.</summary>
/// <param name="Station">the station's name</param>
/// <param name="Kind"><c>result</c>, <c>torn</c> (a journal line the station could not read: it only holds its seq), <c>status</c>, <c>stats</c> or <c>link</c></param>
/// <param name="Session">the station's session id</param>
/// <param name="Seq">result: its sequence number; otherwise the last result the station had sent</param>
/// <param name="Json">the payload (disposed by the subscriber after the handler returns: clone what you keep)</param>
/// <param name="ReceivedTimestamp"><see cref="Stopwatch"/> timestamp when the message was taken from the socket</param>
public readonly record struct FacilityMessage(string Station, string Kind, string Session, long Seq, JsonElement Json, long ReceivedTimestamp);

/// <summary>
/// The facility's side: subscribes to <c>nbnedge/+/…</c>, applies each station's results exactly
/// once and in order (<see cref="StationSequence"/>), and asks a station to send again
/// (<c>nbnedge/STATION/resend</c>) when results are missing: after the facility or the broker was
/// away, or when it joined late. Reconnects on its own.
/// </summary>
public sealed class FacilitySubscriber : IAsyncDisposable
{
    private readonly MqttEndpoint _endpoint;
    private readonly MqttSecurity _security;
    private readonly MqttClientFactory _factory = new();
    private readonly ConcurrentDictionary<string, StationSequence> _stations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long From, long When)> _lastRequest = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private IMqttClient? _client;
    private Task? _loop;
    private long _connections;

    /// <summary>A facility on the broker at <paramref name="endpoint"/> (no station in the address).</summary>
    public FacilitySubscriber(MqttEndpoint endpoint, MqttSecurity? security = null)
    {
        _endpoint = endpoint;
        _security = security ?? MqttSecurity.None;
    }

    /// <summary>Every applied message, on the subscriber's message loop (one at a time, in order per station).</summary>
    public event Action<FacilityMessage>? MessageApplied;

    /// <summary>Connection state lines for the user.</summary>
    public event Action<string>? StateMessage;

    /// <summary>Each station's sequence (applied, duplicates and gaps dropped).</summary>
    public IReadOnlyDictionary<string, StationSequence> Stations => _stations;

    /// <summary>Successful connections.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Messages on nbnedge topics that a handler could not use (malformed by some other publisher); dropped.</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformed);

    private long _malformed;

    /// <summary>Resend requests sent.</summary>
    public long ResendRequests { get; private set; }

    /// <summary>Connects once (a refusal throws <see cref="MqttRefusedException"/>; unreachable is reported and retried), then keeps the subscription alive.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerUnreachableException e)
        {
            StateMessage?.Invoke($"{e.Message}; retrying");
        }

        _loop = Task.Run(KeepConnectedAsync, CancellationToken.None);
    }

    private async Task KeepConnectedAsync()
    {
        var retry = TimeSpan.FromMilliseconds(200);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (_client is not { IsConnected: true })
                {
                    await ConnectAsync(_stop.Token).ConfigureAwait(false);
                    retry = TimeSpan.FromMilliseconds(200);
                    StateMessage?.Invoke($"connected to {_endpoint.Host}:{_endpoint.Port}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is BrokerUnreachableException or MqttRefusedException or MqttSettingsException)
            {
                try { await Task.Delay(retry, _stop.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (_client is { } old)
        {
            _client = null;
            old.Dispose();
        }

        var client = _factory.CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessageAsync;
        var options = BrokerConnection.Options(_endpoint, _security, $"nbnedge-facility-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}").Build();
        try
        {
            await BrokerConnection.ConnectAsync(client, options, _endpoint, cancellationToken).ConfigureAwait(false);
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (string kind in new[] { "result", "status", "stats", "link" })
                subscribe.WithTopicFilter($"{StationTopics.Root}/+/{kind}", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
            await client.SubscribeAsync(subscribe.Build(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        _client = client;
        Interlocked.Increment(ref _connections);
        lock (_lastRequest) _lastRequest.Clear();
        // Whatever was published while this facility was away: the retained stats and status of each
        // station now arrive and carry its last seq, so any gap is asked for from there.
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        long received = Stopwatch.GetTimestamp();
        if (!StationTopics.TryParse(e.ApplicationMessage.Topic, out string station, out string kind)) return;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(e.ApplicationMessage.Payload);
        }
        catch (JsonException)
        {
            return; // not an NbnEdge message: ignored, the topic is shared space
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("session", out var s) || s.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("seq", out var q) || !q.TryGetInt64(out long seq)) return;
            string session = s.GetString()!;
            var sequence = _stations.GetOrAdd(station, _ => new StationSequence());
            if (kind == "result")
            {
                switch (sequence.Offer(session, seq))
                {
                    case SequenceVerdict.Apply:
                        // A torn journal line only holds its place in the sequence: "torn", not a result.
                        bool torn = root.TryGetProperty("torn", out var t) && t.ValueKind == JsonValueKind.True;
                        Deliver(new FacilityMessage(station, torn ? "torn" : kind, session, seq, root, received));
                        break;
                    case SequenceVerdict.Gap:
                        Request(station, session, sequence.Expected);
                        break;
                }

                return;
            }

            if (kind is "status" or "stats" or "link")
            {
                if (sequence.IsBehind(session, seq) && !(kind == "status" && IsLost(root)))
                    Request(station, session, sequence.Expected);
                Deliver(new FacilityMessage(station, kind, session, seq, root, received));
            }
        }
    }

    private void Deliver(FacilityMessage message)
    {
        try
        {
            MessageApplied?.Invoke(message);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException or OverflowException)
        {
            // The topic space is shared: a message of the right shape but wrong content must not stop the facility.
            Interlocked.Increment(ref _malformed);
        }
    }

    private static bool IsLost(JsonElement root) => root.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.String && st.GetString() == "lost";

    // Not awaited inside the message handler: MQTTnet delivers the PUBACK on the loop that runs the
    // handler, so awaiting a QoS 1 publish there would wait for itself.
    private void Request(string station, string session, long from) => _ = RequestAsync(station, session, from);

    private async Task RequestAsync(string station, string session, long from)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_lastRequest)
        {
            // One request per gap a second: every later message of the same gap would ask again.
            if (_lastRequest.TryGetValue(station, out var last) && last.From == from && Stopwatch.GetElapsedTime(last.When, now) < TimeSpan.FromSeconds(1)) return;
            _lastRequest[station] = (from, now);
        }

        if (_client is not { IsConnected: true } client) return;
        ResendRequests++;
        string payload = $"{{\"session\":{JsonSerializer.Serialize(session)},\"from_seq\":{from.ToString(CultureInfo.InvariantCulture)}}}";
        try
        {
            await client.PublishAsync(BrokerConnection.Message(StationTopics.Resend(station), Encoding.UTF8.GetBytes(payload), retain: false), _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            // The connection is going; the next connection's retained messages bring the gap back.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_loop is not null) await _loop.ConfigureAwait(false);
        if (_client is { } client)
        {
            try { await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None).ConfigureAwait(false); }
            catch (Exception) { /* already gone */ }
            client.Dispose();
        }

        _stop.Dispose();
    }
}
