using System.Diagnostics;

namespace NbnEdge.Cli.Tests;

/// <summary>
/// Issue 16 "Deliver": seeded fuzz of the live input kinds through the commands that read them
/// (wire captures through <c>ingest</c>, session journals through <c>replay</c>) and of the
/// command line (hostile numbers for every numeric option of the live and bench commands, and
/// random argument vectors). Every case must end in 0, 1 or 2 (never 70, never a stack trace) and
/// within a time limit (a case over it is a hang). Each test prints its case count.
/// </summary>
[TestClass]
public sealed class CliFuzzTests
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(60);

    private static readonly Lazy<(string Dir, string Capture)> Session = new(() =>
    {
        string dir = CliRunner.TempDir();
        var demo = CliRunner.Run("demo", "--spectra", "4", "--json", "--journal", dir);
        Assert.AreEqual(0, demo.ExitCode, demo.Stderr);
        return (dir, Directory.GetFiles(dir, "*.nbnraw").Single());
    });

    private static CliRunner.Outcome RunBounded(string[] args)
    {
        var task = Task.Run(() => CliRunner.Run(args));
        if (!task.Wait(HangLimit)) Assert.Fail($"hang (> {HangLimit.TotalSeconds} s): nbnedge {string.Join(' ', args)}");
        return task.Result;
    }

    private static void AssertClean(string[] args, CliRunner.Outcome o)
    {
        string cmd = "nbnedge " + string.Join(' ', args.Select(a => a.Length == 0 ? "''" : a));
        Assert.IsTrue(o.ExitCode is 0 or 1 or 2, $"exit {o.ExitCode}: {cmd}\n{o.Stderr}");
        Assert.IsFalse(o.Stderr.Contains("   at ", StringComparison.Ordinal), $"stack trace: {cmd}\n{o.Stderr}");
        if (o.ExitCode == 1) Assert.HasCount(1, o.ErrorLines, $"one line for bad input: {cmd}\n{o.Stderr}");
    }

    /// <summary>One random mutation of a capture: bit flips, cuts, insertions, duplicated or swapped byte runs, zeros.</summary>
    internal static byte[] Mutate(byte[] original, Random rnd)
    {
        var b = new List<byte>(original);
        int edits = rnd.Next(1, 12);
        for (int e = 0; e < edits && b.Count > 2; e++)
        {
            int at = rnd.Next(b.Count);
            int len = Math.Min(b.Count - at, rnd.Next(1, 600));
            switch (rnd.Next(7))
            {
                case 0: b[at] ^= (byte)(1 << rnd.Next(8)); break;
                case 1: b.RemoveRange(at, len); break;
                case 2: b.InsertRange(at, Enumerable.Range(0, rnd.Next(1, 64)).Select(_ => (byte)rnd.Next(256))); break;
                case 3: b.InsertRange(at, b.GetRange(at, len)); break; // duplicated run (frames sent twice)
                case 4: b[at] = 0; break;
                case 5: b.RemoveRange(at, b.Count - at); break; // truncated capture
                default:
                    int other = rnd.Next(b.Count - len + 1);
                    var run = b.GetRange(at, len);
                    b.RemoveRange(at, len);
                    b.InsertRange(Math.Min(other, b.Count), run); // reordered run
                    break;
            }
        }

        return [.. b];
    }

    [TestMethod]
    public void WireCaptures_ThroughIngest_NeverAnInternalError()
    {
        byte[] capture = File.ReadAllBytes(Session.Value.Capture);
        string dir = CliRunner.TempDir();
        var rnd = new Random(1601);
        var exits = new int[3];
        const int Cases = 600;
        for (int i = 0; i < Cases; i++)
        {
            string path = Path.Combine(dir, $"case{i}.nbnraw");
            File.WriteAllBytes(path, Mutate(capture, rnd));
            string[] args = ["ingest", path, "--json"];
            var o = RunBounded(args);
            AssertClean(args, o);
            exits[o.ExitCode]++;
            File.Delete(path);
        }

        Console.WriteLine($"ingest fuzz: {Cases} captures, exits 0/1/2: {exits[0]}/{exits[1]}/{exits[2]}");
    }

    [TestMethod]
    public void Journals_ThroughReplay_NeverAnInternalError()
    {
        string source = Session.Value.Dir;
        string raw = File.ReadAllText(Session.Value.Capture, System.Text.Encoding.Latin1);
        string resultsPath = Directory.GetFiles(source, "*.results.jsonl").Single();
        string[] lines = File.ReadAllLines(resultsPath);
        byte[] rawBytes = File.ReadAllBytes(Session.Value.Capture);
        string[] junk = ["null", "[]", "\"x\"", "{}", "{\"index\":\"0\"}", "{\"index\":1e400}", "{\"index\":-1}", "{\"index\":1.5}", "{\"index\":0,\"fit\":[]}",
            "{\"index\":0,\"fit\":{\"delta_meV\":\"NaN\"}}", "{", "\u0000\u0001", "{\"index\":99999999999999999999}", "{\"index\":0,\"spectrum_id\":null}"];
        var rnd = new Random(1602);
        var exits = new int[3];
        const int Cases = 400;
        for (int i = 0; i < Cases; i++)
        {
            string dir = CliRunner.TempDir();
            var mine = lines.ToList();
            int edits = rnd.Next(1, 5);
            for (int e = 0; e < edits; e++)
            {
                int at = rnd.Next(mine.Count + 1);
                switch (rnd.Next(4))
                {
                    case 0: mine.Insert(at, junk[rnd.Next(junk.Length)]); break;
                    case 1 when at < mine.Count: mine[at] = mine[at][..rnd.Next(mine[at].Length)]; break; // torn line
                    case 2 when at < mine.Count:
                        // A value of the wrong type somewhere in a real line.
                        int colon = mine[at].IndexOf(':', rnd.Next(mine[at].Length));
                        if (colon > 0) mine[at] = mine[at][..(colon + 1)] + junk[rnd.Next(junk.Length)] + "," + mine[at][(colon + 1)..];
                        break;
                    default: if (at < mine.Count) mine.RemoveAt(at); break;
                }
            }

            File.WriteAllLines(Path.Combine(dir, Path.GetFileName(resultsPath)), mine);
            File.WriteAllBytes(Path.Combine(dir, Path.GetFileName(Session.Value.Capture)), rnd.Next(3) == 0 ? Mutate(rawBytes, rnd) : rawBytes);
            string[] args = ["replay", dir, "--json"];
            var o = RunBounded(args);
            AssertClean(args, o);
            exits[o.ExitCode]++;
        }

        GC.KeepAlive(raw);
        Console.WriteLine($"replay fuzz: {Cases} journals, exits 0/1/2: {exits[0]}/{exits[1]}/{exits[2]}");
    }

    private static readonly string[] HostileNumbers =
        ["-1", "0", "1", "NaN", "Infinity", "-Infinity", "1e308", "-1e308", "99999999999", "abc", "", "1.5", "0x10", "-0", "1e-320"];

    /// <summary>Each command with arguments that make it end quickly, and its numeric options.</summary>
    private static IEnumerable<(string[] Base, string Option)> NumericOptions(string dir, string capture)
    {
        string[] demo = ["demo", "--spectra", "3", "--json", "--journal", Path.Combine(dir, "demo")];
        foreach (string o in new[] { "--spectra", "--seed" }) yield return (demo, o);
        yield return ([.. demo, "--dashboard", "--linger", "0"], "--dashboard-port");
        yield return ([.. demo, "--dashboard", "--dashboard-port", "0"], "--linger");
        string[] monitor = ["monitor", capture, "--no-journal", "--json"];
        foreach (string o in new[] { "--spectra", "--duration", "--baud" }) yield return (monitor, o);
        yield return ([.. monitor, "--dashboard"], "--dashboard-port");
        string[] simulate = ["simulate", "--spectra", "2", "--out", Path.Combine(dir, "sim.nbnraw")];
        foreach (string o in new[] { "--spectra", "--seed", "--time-scale", "--duration" }) yield return (simulate, o);
        string[] bench = ["bench", "--spectra", "2", "--fits", "2"];
        foreach (string o in new[] { "--spectra", "--fits", "--vm", "--seed" }) yield return (bench, o);
    }

    /// <summary>Values that would make a valid but endless run (a huge count of spectra, an endless linger) are left out: they are no fault.</summary>
    private static bool Endless(string option, string value) =>
        ((option is "--spectra" or "--fits") && value is "99999999999" or "1e308" or "Infinity")
        || (option is "--linger" && value is "99999999999" or "1e308" or "Infinity");

    [TestMethod]
    public void HostileNumbers_ForEveryNumericOption_AreUsageErrorsOrWork()
    {
        string dir = CliRunner.TempDir();
        string capture = Session.Value.Capture;
        int cases = 0;
        var exits = new int[3];
        foreach (var (baseArgs, option) in NumericOptions(dir, capture))
        {
            foreach (string value in HostileNumbers)
            {
                if (Endless(option, value)) continue;
                string[] args = [.. baseArgs, option, value];
                var o = RunBounded(args);
                AssertClean(args, o);
                exits[o.ExitCode]++;
                cases++;
            }
        }

        Console.WriteLine($"option fuzz: {cases} command lines, exits 0/1/2: {exits[0]}/{exits[1]}/{exits[2]}");
    }

    [TestMethod]
    public void RandomArgumentVectors_OverEveryCommand_NeverAnInternalError()
    {
        string dir = CliRunner.TempDir();
        string capture = Session.Value.Capture;
        string[] commands = ["demo", "stats", "serve", "fit", "model-table", "bench", "replay", "simulate", "estimate", "ingest", "table", "monitor", "map"];
        string[] options = ["--spectra", "--seed", "--json", "--journal", "--port", "--dashboard-port", "--listen", "--vm", "--gamma", "--fits", "--duration",
            "--baud", "--time-scale", "--out", "--plot", "--no-journal", "--board", "--frobnicate", "-h"];
        string[] operands = [capture, Session.Value.Dir, Path.Combine(dir, "missing.csv"), "/dev/null", "tcp://", "tcp://host:99999", "", "-", "--"];
        var rnd = new Random(1603);
        var exits = new int[3];
        int cases = 0;
        var clock = Stopwatch.StartNew();
        while (cases < 3000)
        {
            var args = new List<string> { commands[rnd.Next(commands.Length)] };
            int n = rnd.Next(0, 5);
            for (int i = 0; i < n; i++)
            {
                switch (rnd.Next(3))
                {
                    case 0: args.Add(operands[rnd.Next(operands.Length)]); break;
                    case 1: args.Add(options[rnd.Next(options.Length)]); break;
                    default: args.Add(options[rnd.Next(options.Length)]); args.Add(HostileNumbers[rnd.Next(HostileNumbers.Length)]); break;
                }
            }

            string[] argv = [.. args];
            // Runs that would serve or listen until stopped are no faults: leave them out.
            if (argv[0] is "serve" or "monitor" or "simulate" or "demo" && !argv.Contains("--spectra") && !argv.Contains("-h")) continue;
            if (argv[0] is "serve" || argv.Any(a => a.StartsWith("tcp://host", StringComparison.Ordinal))) continue;
            if (argv[0] is "demo" or "simulate" or "bench" or "monitor")
            {
                int at = Array.IndexOf(argv, "--spectra");
                if (at < 0 || at + 1 >= argv.Length || argv[at + 1] is not ("-1" or "0" or "1" or "NaN" or "abc" or "" or "1.5")) continue;
            }

            var o = RunBounded(argv);
            AssertClean(argv, o);
            exits[o.ExitCode]++;
            cases++;
        }

        Console.WriteLine($"argument fuzz: {cases} command lines in {clock.Elapsed.TotalSeconds:F1} s, exits 0/1/2: {exits[0]}/{exits[1]}/{exits[2]}");
    }
}
