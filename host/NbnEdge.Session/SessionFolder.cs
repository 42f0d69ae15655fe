using NbnEdge.Link.Journal;

namespace NbnEdge.Cli.Live;

/// <summary>Cleans up after a monitor session that received nothing, so no empty session folders pile up.</summary>
internal static class SessionFolder
{
    /// <summary>
    /// Removes the journal's (empty) files, and the folder when this session created it and nothing
    /// else is in it. Never removes a file that holds a byte.
    /// </summary>
    public static void RemoveIfEmpty(SessionJournal journal, string folder, bool folderIsNew)
    {
        journal.Dispose();
        foreach (string file in new[] { journal.RawPath, journal.ResultsPath })
        {
            if (File.Exists(file) && new FileInfo(file).Length == 0) File.Delete(file);
        }

        // --publish names the session beside its journal; with no result there is no session to name.
        string sessionId = journal.ResultsPath[..^SessionJournal.ResultsExtension.Length] + ".session-id";
        if (File.Exists(sessionId) && !File.Exists(journal.ResultsPath)) File.Delete(sessionId);

        if (folderIsNew && Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
    }
}
