namespace NbnEdge.Mqtt;

/// <summary>
/// The topics of one station, all under <c>nbnedge/STATION/</c>: <c>result</c> (every fitted
/// result, QoS 1), <c>status</c> (retained: online, finished, lost), <c>stats</c> (retained running
/// statistics), <c>link</c> (retained link counters) and <c>resend</c> (a facility asking the
/// station to publish its outbox again from a sequence number).
/// </summary>
public static class StationTopics
{
    /// <summary>The root level.</summary>
    public const string Root = "nbnedge";

    /// <summary>Topic of fitted results.</summary>
    public static string Result(string station) => $"{Root}/{station}/result";

    /// <summary>Retained station status.</summary>
    public static string Status(string station) => $"{Root}/{station}/status";

    /// <summary>Retained running statistics.</summary>
    public static string Stats(string station) => $"{Root}/{station}/stats";

    /// <summary>Retained link counters.</summary>
    public static string Link(string station) => $"{Root}/{station}/link";

    /// <summary>Requests to publish again from a sequence number.</summary>
    public static string Resend(string station) => $"{Root}/{station}/resend";

    /// <summary>Splits <c>nbnedge/STATION/KIND</c>; false for any other topic.</summary>
    public static bool TryParse(string topic, out string station, out string kind)
    {
        station = kind = "";
        string[] parts = topic.Split('/');
        if (parts.Length != 3 || parts[0] != Root || parts[1].Length == 0) return false;
        station = parts[1];
        kind = parts[2];
        return true;
    }
}
