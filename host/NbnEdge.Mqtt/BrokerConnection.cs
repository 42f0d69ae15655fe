using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace NbnEdge.Mqtt;

/// <summary>
/// The broker said no (bad user name or password, not authorised, banned …): retrying cannot help,
/// so the command stops with this one line.
/// </summary>
public sealed class MqttRefusedException(string message) : Exception(message);

/// <summary>Builds connections to the broker and turns their failures into one line for the user.</summary>
internal static class BrokerConnection
{
    /// <summary>How long one connection attempt may take.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public static MqttClientOptionsBuilder Options(MqttEndpoint endpoint, MqttSecurity security, string clientId)
    {
        var b = new MqttClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, endpoint.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(true)
            // A killed station must be seen lost soon: the broker sends the will after 1.5 missed keep-alives.
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(5))
            .WithTimeout(ConnectTimeout);
        if (security.UserName is { } user) b = b.WithCredentials(user, security.Password ?? "");
        if (endpoint.Tls || security.Tls)
        {
            X509Certificate2Collection? chain = security.CaFile is { } ca ? LoadCa(ca) : null;
            b = b.WithTlsOptions(t =>
            {
                t.UseTls(true).WithTargetHost(endpoint.Host);
                // A private CA: trust exactly it for the broker's chain (no system store involved).
                if (chain is not null) t.WithTrustChain(chain);
            });
        }

        return b;
    }

    private static X509Certificate2Collection LoadCa(string path)
    {
        var chain = new X509Certificate2Collection();
        try
        {
            chain.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new MqttSettingsException($"--mqtt-ca {path}: not a readable PEM certificate ({e.Message.TrimEnd('.')}).");
        }

        if (chain.Count == 0) throw new MqttSettingsException($"--mqtt-ca {path}: no certificate in the file (expected PEM: -----BEGIN CERTIFICATE-----).");
        return chain;
    }

    /// <summary>Connects; throws <see cref="MqttRefusedException"/> when the broker refuses, <see cref="BrokerUnreachableException"/> when it cannot be reached.</summary>
    public static async Task ConnectAsync(IMqttClient client, MqttClientOptions options, MqttEndpoint endpoint, CancellationToken cancellationToken)
    {
        bool withLogin = options.Credentials is not null;
        MqttClientConnectResult result;
        try
        {
            result = await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (MqttConnectingFailedException e) when (RefusalIn(e, withLogin) is { } why)
        {
            throw new MqttRefusedException($"the broker {endpoint.Host}:{endpoint.Port} refused the connection: {why}.");
        }
        catch (Exception e) when (Innermost(e, out Exception inner) && inner is System.Security.Authentication.AuthenticationException)
        {
            // An untrusted certificate is a setting to fix, not an outage to wait out.
            throw new MqttRefusedException($"the broker {endpoint.Host}:{endpoint.Port} is not trusted over TLS ({inner.Message.TrimEnd('.')}): " +
                "give the CA that signed its certificate with --mqtt-ca FILE, or check the host name in the address.");
        }
        catch (Exception e) when (e is MqttCommunicationException or SocketException or IOException or OperationCanceledException or TimeoutException
                                      or System.Security.Authentication.AuthenticationException)
        {
            throw new BrokerUnreachableException($"cannot reach the broker {endpoint.Host}:{endpoint.Port} ({Innermost(e)})", e);
        }

        if (result.ResultCode != MqttClientConnectResultCode.Success)
            throw new MqttRefusedException($"the broker {endpoint.Host}:{endpoint.Port} refused the connection: {Describe(result.ResultCode, withLogin)}.");
    }

    private static string? RefusalIn(MqttConnectingFailedException e, bool withLogin)
    {
        // MQTTnet 5 puts the CONNACK's reason into the message: find a refusal that retrying cannot fix.
        foreach (MqttClientConnectResultCode code in new[]
                 {
                     MqttClientConnectResultCode.BadUserNameOrPassword, MqttClientConnectResultCode.NotAuthorized, MqttClientConnectResultCode.Banned,
                     MqttClientConnectResultCode.ClientIdentifierNotValid, MqttClientConnectResultCode.BadAuthenticationMethod,
                     MqttClientConnectResultCode.UnsupportedProtocolVersion,
                 })
        {
            if (e.Message.Contains(code.ToString(), StringComparison.Ordinal)) return Describe(code, withLogin);
        }

        return null;
    }

    // Mosquitto answers a wrong password with "not authorised" too: say what the user can check.
    private static string Describe(MqttClientConnectResultCode code, bool withLogin) => code switch
    {
        MqttClientConnectResultCode.BadUserNameOrPassword => "bad user name or password (check --mqtt-user and --mqtt-password-file)",
        MqttClientConnectResultCode.NotAuthorized when withLogin => "not authorised (wrong user name or password, or this user may not connect: check --mqtt-user and --mqtt-password-file)",
        MqttClientConnectResultCode.NotAuthorized => "not authorised (the broker needs a login: --mqtt-user NAME --mqtt-password-file FILE)",
        MqttClientConnectResultCode.Banned => "this client is banned",
        MqttClientConnectResultCode.ClientIdentifierNotValid => "the client id was rejected",
        MqttClientConnectResultCode.UnsupportedProtocolVersion => "the broker does not speak MQTT 5",
        _ => code.ToString(),
    };

    private static bool Innermost(Exception e, out Exception inner)
    {
        inner = e;
        while (inner.InnerException is not null && inner is not System.Security.Authentication.AuthenticationException) inner = inner.InnerException;
        return true;
    }

    /// <summary>The innermost exception's message: the socket's "Connection refused", not MQTTnet's wrapper.</summary>
    public static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message.TrimEnd('.');
    }

    public static MqttApplicationMessage Message(string topic, byte[] payload, bool retain) =>
        new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
}

/// <summary>The broker cannot be reached now (nothing listening, network down, TLS failed); the publisher keeps retrying.</summary>
public sealed class BrokerUnreachableException(string message, Exception inner) : Exception(message, inner);
