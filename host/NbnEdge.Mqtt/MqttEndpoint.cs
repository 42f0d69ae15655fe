using System.Globalization;

namespace NbnEdge.Mqtt;

/// <summary>A broker address or credentials that cannot be used; the message is one line for the user.</summary>
public sealed class MqttSettingsException(string message) : Exception(message);

/// <summary>
/// Where the broker is and how to log in: <c>mqtt://HOST[:PORT]/STATION</c> (TCP, port 1883) or
/// <c>mqtts://HOST[:PORT]/STATION</c> (TLS, port 8883). The station name is the topic level under
/// <c>nbnedge/</c>; a facility's address has none (<c>mqtt://HOST/</c>).
/// </summary>
public sealed record MqttEndpoint
{
    /// <summary>Broker host name or address.</summary>
    public required string Host { get; init; }

    /// <summary>Broker TCP port.</summary>
    public required int Port { get; init; }

    /// <summary>Whether to use TLS (mqtts://, or <see cref="MqttSecurity.Tls"/>).</summary>
    public bool Tls { get; init; }

    /// <summary>The station's name (one topic level), or null for a facility.</summary>
    public string? Station { get; init; }

    /// <summary>Parses an address; <paramref name="optionName"/> names the option in the error.</summary>
    /// <param name="text">the address</param>
    /// <param name="optionName">e.g. <c>--publish</c></param>
    /// <param name="stationRequired">a station's address (<c>--publish</c>) must name the station; a facility's must not</param>
    /// <exception cref="MqttSettingsException">the address is not usable (one line saying why)</exception>
    public static MqttEndpoint Parse(string text, string optionName, bool stationRequired)
    {
        string example = stationRequired ? "mqtt://HOST[:PORT]/STATION" : "mqtt://HOST[:PORT]/";
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("mqtt" or "mqtts") || uri.Host.Length == 0)
            throw new MqttSettingsException($"{optionName} '{text}': expected {example} (or mqtts:// for TLS).");
        if (uri.UserInfo.Length > 0)
            throw new MqttSettingsException($"{optionName}: give the user name and password with --mqtt-user and --mqtt-password-file, not in the address.");
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw new MqttSettingsException($"{optionName} '{text}': expected {example}, without ? or #.");
        string path = Uri.UnescapeDataString(uri.AbsolutePath).Trim('/');
        if (stationRequired)
        {
            if (path.Length == 0) throw new MqttSettingsException($"{optionName} '{text}': the station's name is missing ({example}).");
            CheckStation(path, optionName);
        }
        else if (path.Length > 0)
        {
            throw new MqttSettingsException($"{optionName} '{text}': a facility subscribes to every station; give only the broker ({example}).");
        }

        bool tls = uri.Scheme == "mqtts";
        int port = uri.IsDefaultPort || uri.Port < 0 ? (tls ? 8883 : 1883) : uri.Port;
        if (port is < 1 or > 65535) throw new MqttSettingsException($"{optionName} '{text}': port {port.ToString(CultureInfo.InvariantCulture)} is not 1 to 65535.");
        return new MqttEndpoint { Host = uri.IdnHost, Port = port, Tls = tls, Station = stationRequired ? path : null };
    }

    /// <summary>A station name is one MQTT topic level: no '/', no wildcards, printable, at most 64 characters.</summary>
    public static void CheckStation(string name, string optionName)
    {
        if (name.Length > 64 || name.Any(c => c is '/' or '+' or '#' || char.IsControl(c) || char.IsWhiteSpace(c)))
            throw new MqttSettingsException($"{optionName}: station '{name}' must be one word of at most 64 characters without '/', '+', '#' or spaces.");
    }

    /// <inheritdoc />
    public override string ToString() => $"{(Tls ? "mqtts" : "mqtt")}://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}/{Station}";
}

/// <summary>Login and TLS settings for the broker.</summary>
public sealed record MqttSecurity
{
    /// <summary>User name, or null for an anonymous connection.</summary>
    public string? UserName { get; init; }

    /// <summary>Password (read from a file by the CLI, never from the command line), or null.</summary>
    public string? Password { get; init; }

    /// <summary>Use TLS even on an mqtt:// address.</summary>
    public bool Tls { get; init; }

    /// <summary>PEM file of the CA that signed the broker's certificate (a private CA); null trusts the system's store.</summary>
    public string? CaFile { get; init; }

    /// <summary>Anonymous, plain TCP.</summary>
    public static MqttSecurity None { get; } = new();
}
