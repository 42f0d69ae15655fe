namespace NbnEdge.Analysis;

/// <summary>
/// Input the user handed in is wrong. Carries where (file, line or byte offset) so the command
/// line can print one clear sentence instead of a stack trace.
/// </summary>
public sealed class InputDataException : Exception
{
    /// <summary>The file (or stream name) that holds the bad input.</summary>
    public string InputName { get; }

    /// <summary>1-based line number, where the input is text.</summary>
    public long? Line { get; }

    /// <summary>0-based byte offset, where the input is binary.</summary>
    public long? ByteOffset { get; }

    /// <summary>What was wrong, without the location.</summary>
    public string Problem { get; }

    /// <summary>Creates the exception; <paramref name="problem"/> says what was wrong.</summary>
    public InputDataException(string source, string problem, long? line = null, long? byteOffset = null, Exception? inner = null)
        : base(Format(source, problem, line, byteOffset), inner)
    {
        InputName = source;
        Problem = problem;
        Line = line;
        ByteOffset = byteOffset;
    }

    private static string Format(string source, string problem, long? line, long? byteOffset) =>
        line is { } l ? $"{source}:{l}: {problem}"
        : byteOffset is { } b ? $"{source} (byte {b}): {problem}"
        : $"{source}: {problem}";
}
