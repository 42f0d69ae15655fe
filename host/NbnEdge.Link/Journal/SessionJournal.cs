using System.Text;

namespace NbnEdge.Link.Journal;

/// <summary>
/// The two append-only files of a live session: <c>NAME.nbnraw</c>, every byte received, appended
/// before it is decoded (so it is a capture file: <see cref="CaptureAnalysis"/> and
/// <see cref="JournalReader"/> rebuild every spectrum from it), and <c>NAME.results.jsonl</c>,
/// one JSON object per line, appended by the live pipeline per fitted spectrum.
/// </summary>
/// <remarks>
/// The raw file holds the received bytes and, at connection boundaries (a reconnect, a session
/// appending to an existing journal), one extra 0x00: it ends a frame cut by the disconnection so
/// the first frame of the new connection decodes on replay exactly as it did live. A lone 0x00 is
/// an empty frame to every decoder. Thread-safe.
/// </remarks>
public sealed class SessionJournal : IDisposable
{
    /// <summary>Extension of the raw byte journal.</summary>
    public const string RawExtension = ".nbnraw";
    /// <summary>Extension of the results journal.</summary>
    public const string ResultsExtension = ".results.jsonl";

    private readonly AppendOnlyFile _raw;
    private readonly AppendOnlyFile _results;
    private readonly Lock _resultsSync = new();

    /// <summary>Opens (or continues) the journal <paramref name="name"/> in <paramref name="directory"/>.</summary>
    /// <exception cref="IOException">the folder or a file cannot be created or opened for writing (one line naming it and why)</exception>
    public SessionJournal(string directory, string name, JournalSyncPolicy? policy = null)
    {
        RawPath = System.IO.Path.Combine(directory, name + RawExtension);
        ResultsPath = System.IO.Path.Combine(directory, name + ResultsExtension);
        try
        {
            Directory.CreateDirectory(directory);
            _raw = new AppendOnlyFile(RawPath, policy);
            _results = new AppendOnlyFile(ResultsPath, policy);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _raw?.Dispose();
            throw new IOException($"cannot write the session journal in {directory}: {e.Message}", e);
        }

        if (_raw.Length > 0)
        {
            MarkConnectionBoundary();
        }

        if (_results.Length > 0 && !EndsWithNewline(ResultsPath, _results.Length))
        {
            // A torn last line from a killed writer: end it so the next result starts a line of its own.
            _results.Append("\n"u8);
        }
    }

    /// <summary>A journal named by the current UTC time (<c>session-yyyyMMdd-HHmmss</c>).</summary>
    public static SessionJournal CreateTimestamped(string directory, JournalSyncPolicy? policy = null) =>
        new(directory, "session-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture), policy);

    /// <summary>Path of the raw byte journal.</summary>
    public string RawPath { get; }

    /// <summary>Path of the results journal.</summary>
    public string ResultsPath { get; }

    /// <summary>The raw byte journal file.</summary>
    public AppendOnlyFile Raw => _raw;

    /// <summary>The results journal file.</summary>
    public AppendOnlyFile Results => _results;

    /// <summary>Appends received bytes; call before decoding them.</summary>
    public void AppendReceived(ReadOnlySpan<byte> data) => _raw.Append(data);

    /// <summary>Records a connection boundary (one 0x00, see remarks).</summary>
    public void MarkConnectionBoundary() => _raw.Append([0]);

    /// <summary>
    /// Appends one result: a single-line JSON object (the caller serialises; a newline is added).
    /// The line is handed to the OS in one write, so a kill leaves at most a torn last line, which
    /// <see cref="JournalReader.ReadResults"/> skips.
    /// </summary>
    public void AppendResult(string jsonLine)
    {
        ArgumentNullException.ThrowIfNull(jsonLine);
        if (jsonLine.Contains('\n') || jsonLine.Contains('\r'))
        {
            throw new ArgumentException("a result must be one line of JSON", nameof(jsonLine));
        }

        byte[] bytes = Encoding.UTF8.GetBytes(jsonLine + "\n");
        lock (_resultsSync)
        {
            _results.Append(bytes);
        }
    }

    /// <summary>Forces both files to the disk now.</summary>
    public void Sync()
    {
        _raw.Sync();
        _results.Sync();
    }

    /// <summary>Syncs and closes both files.</summary>
    public void Dispose()
    {
        _raw.Dispose();
        _results.Dispose();
    }

    private static bool EndsWithNewline(string path, long length)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        f.Seek(length - 1, SeekOrigin.Begin);
        return f.ReadByte() == '\n';
    }
}
