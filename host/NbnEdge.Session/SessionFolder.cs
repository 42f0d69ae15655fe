using NbnEdge.Link.Journal;

namespace NbnEdge.Session;

/// <summary>
/// A live session's journal folder (<c>monitor --journal</c>, or a new timestamped one): the
/// journal in it, and the clean-up after a session that received nothing, so no empty session
/// folders pile up.
/// </summary>
public sealed class SessionFolder
{
    private readonly bool _isNew;

    private SessionFolder(string path, bool isNew, SessionJournal journal)
    {
        Path = path;
        _isNew = isNew;
        Journal = journal;
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>The session's journal (raw bytes and results) in the folder.</summary>
    public SessionJournal Journal { get; }

    /// <summary>Opens the journal <c>session</c> in <paramref name="folder"/>, creating the folder when it does not exist.</summary>
    public static SessionFolder Open(string folder)
    {
        bool isNew = !Directory.Exists(folder);
        return new SessionFolder(folder, isNew, new SessionJournal(folder, "session"));
    }

    /// <summary>
    /// Removes the journal's (empty) files, and the folder when this session created it and nothing
    /// else is in it. Never removes a file that holds a byte. Disposes the journal.
    /// </summary>
    public void RemoveIfEmpty()
    {
        Journal.Dispose();
        foreach (string file in new[] { Journal.RawPath, Journal.ResultsPath })
        {
            if (File.Exists(file) && new FileInfo(file).Length == 0) File.Delete(file);
        }

        // --publish names the session beside its journal; with no result there is no session to name.
        string sessionId = Journal.ResultsPath[..^SessionJournal.ResultsExtension.Length] + ".session-id";
        if (File.Exists(sessionId) && !File.Exists(Journal.ResultsPath)) File.Delete(sessionId);

        if (_isNew && Directory.Exists(Path) && !Directory.EnumerateFileSystemEntries(Path).Any()) Directory.Delete(Path);
    }
}
