using System.CommandLine;
using NbnEdge.Mqtt;
using NbnEdge.Session;

namespace NbnEdge.Cli.Commands;

/// <summary>
/// The broker options: <c>--publish mqtt://HOST[:PORT]/STATION</c> (demo, monitor) or
/// <c>--mqtt mqtt://HOST[:PORT]/</c> (serve), with <c>--mqtt-user</c>, <c>--mqtt-password-file</c>,
/// <c>--mqtt-tls</c> and <c>--mqtt-ca</c>. The password is read from a file (or
/// NBNEDGE_MQTT_PASSWORD), never from the command line, where every user of the machine sees it.
/// </summary>
internal sealed class MqttOptions
{
    private readonly bool _station;

    private MqttOptions(Option<string?> address, bool station)
    {
        Address = address;
        _station = station;
    }

    public Option<string?> Address { get; }

    public Option<string?> User { get; } = new("--mqtt-user") { Description = "User name for the MQTT broker.", HelpName = "NAME" };

    public Option<string?> PasswordFile { get; } = new("--mqtt-password-file")
    {
        Description = "File whose first line is the broker password (or set NBNEDGE_MQTT_PASSWORD). Never on the command line.",
        HelpName = "FILE",
    };

    public Option<bool> Tls { get; } = new("--mqtt-tls") { Description = "TLS to the broker (as mqtts://; default port 8883 there)." };

    public Option<string?> CaFile { get; } = new("--mqtt-ca") { Description = "PEM file of the CA that signed the broker's certificate (a private CA).", HelpName = "FILE" };

    /// <summary>The options of a station (<c>--publish</c>).</summary>
    public static MqttOptions ForStation() => new(new Option<string?>("--publish")
    {
        Description = "Publish every result, the link counters and the running statistics to an MQTT broker: mqtt://HOST[:PORT]/STATION (mqtts:// for TLS). The journal is the outbox: nothing is lost while the broker is away.",
        HelpName = "URL",
    }, station: true);

    /// <summary>The options of a facility (<c>serve --mqtt</c>).</summary>
    public static MqttOptions ForFacility() => new(new Option<string?>("--mqtt")
    {
        Description = "Serve the facility view of every station publishing to this MQTT broker: mqtt://HOST[:PORT]/ (mqtts:// for TLS).",
        HelpName = "URL",
    }, station: false);

    public void AddTo(Command command)
    {
        command.Add(Address);
        command.Add(User);
        command.Add(PasswordFile);
        command.Add(Tls);
        command.Add(CaFile);
    }

    /// <summary>The broker and its security, or null without the address option; bad values are usage errors.</summary>
    public (MqttEndpoint Endpoint, MqttSecurity Security)? Read(ParseResult p)
    {
        string? text = p.GetValue(Address);
        string name = Address.Name;
        bool extras = p.GetValue(User) is not null || p.GetValue(PasswordFile) is not null || p.GetValue(Tls) || p.GetValue(CaFile) is not null;
        if (text is null)
        {
            if (extras) throw new UsageException($"--mqtt-user, --mqtt-password-file, --mqtt-tls and --mqtt-ca need {name} URL.");
            return null;
        }

        MqttEndpoint endpoint;
        try { endpoint = MqttEndpoint.Parse(text, name, _station); }
        catch (MqttSettingsException e) { throw new UsageException(e.Message); }

        string? password = null;
        if (p.GetValue(PasswordFile) is { } file)
        {
            if (!File.Exists(file)) throw new UsageException($"--mqtt-password-file {file}: no such file.");
            password = File.ReadLines(file).FirstOrDefault()?.TrimEnd('\r') ?? "";
        }
        else if (Environment.GetEnvironmentVariable("NBNEDGE_MQTT_PASSWORD") is { } fromEnvironment)
        {
            password = fromEnvironment;
        }

        string? user = p.GetValue(User);
        if (password is not null && user is null) throw new UsageException("a broker password needs --mqtt-user NAME.");
        string? ca = p.GetValue(CaFile);
        if (ca is not null && !File.Exists(ca)) throw new UsageException($"--mqtt-ca {ca}: no such file.");
        return (endpoint, new MqttSecurity { UserName = user, Password = password, Tls = p.GetValue(Tls) || ca is not null, CaFile = ca });
    }
}

/// <summary>A live session published to the broker: started before the first byte, drained after the last.</summary>
internal static class StationPublishing
{
    /// <summary>How long the end of a session waits for the broker to take what is left in the journal.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Starts publishing <paramref name="session"/>'s results journal. A refusal (bad credentials)
    /// stops the command with one line before anything is measured; an unreachable broker is one
    /// line on <paramref name="info"/> and the session runs, its results waiting in the journal.
    /// </summary>
    public static async Task<StationPublisher> StartAsync(LiveSession session, MqttEndpoint endpoint, MqttSecurity security, TextWriter info, string? film)
    {
        if (session.Journal is null) throw new UsageException("--publish needs the session journal (it is the outbox): drop --no-journal.");
        var publisher = StationPublisher.ForSession(session, endpoint, new StationPublisherOptions { Security = security }, film);
        publisher.StateMessage += line => { lock (info) info.WriteLine($"mqtt: {line}"); };
        try
        {
            await publisher.StartAsync().ConfigureAwait(false);
        }
        catch (MqttRefusedException e)
        {
            await publisher.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"--publish {endpoint}: {e.Message}");
        }
        catch (MqttSettingsException e)
        {
            await publisher.DisposeAsync().ConfigureAwait(false);
            throw new UsageException(e.Message);
        }

        info.WriteLine($"mqtt: publishing to {endpoint} as station '{publisher.Station}', session {publisher.SessionId}");
        return publisher;
    }

    /// <summary>Sends what is left, marks the station finished, and says how it went (one line).</summary>
    /// <param name="publisher">the session's publisher</param>
    /// <param name="info">where the line goes</param>
    /// <param name="resumable">whether running the command again on the same --journal continues this session (monitor: yes; demo names a new journal each run)</param>
    public static async Task FinishAsync(StationPublisher publisher, TextWriter info, bool resumable)
    {
        bool all = await publisher.FinishAsync(DrainTimeout).ConfigureAwait(false);
        info.WriteLine(all
            ? $"mqtt: all {publisher.AckedSeq} results acknowledged by the broker; station '{publisher.Station}' finished."
            : $"mqtt: {publisher.AckedSeq} results acknowledged by the broker; the rest stays in the journal" +
              (resumable ? ": run the same command with the same --journal and --publish to send it." : $" ({publisher.ResultsPath})."));
        await publisher.DisposeAsync().ConfigureAwait(false);
    }
}
