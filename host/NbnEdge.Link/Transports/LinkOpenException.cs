namespace NbnEdge.Link.Transports;

/// <summary>
/// A connection that never opened: the message says what is wrong in the user's terms (no such
/// device and which ports exist, permission and the group to join, nothing listening at host:port).
/// </summary>
public sealed class LinkOpenException(string message, Exception? inner = null) : IOException(message, inner);
