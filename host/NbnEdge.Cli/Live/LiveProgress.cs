using System.Globalization;
using NbnEdge.Analysis.Fitting;
using NbnEdge.Live;
using NbnEdge.Session;
using Spectre.Console;

namespace NbnEdge.Cli.Live;

/// <summary>Waits for a live link to end, with a Spectre progress bar when on a terminal.</summary>
internal static class LiveProgress
{
    public static void Follow(TextWriter output, LiveSession link, int expectedSpectra, string label, bool interactive)
    {
        if (!interactive)
        {
            // Plain: no redraws in a pipe or a log.
            ((IAsyncResult)link.Reading).AsyncWaitHandle.WaitOne();
            return;
        }

        var console = ConsoleFactory.For(output);
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(label, maxValue: Math.Max(1, expectedSpectra));
                var spread = new RunningSpread();
                while (!link.Reading.IsCompleted)
                {
                    ((IAsyncResult)link.Reading).AsyncWaitHandle.WaitOne(100);
                    LiveSnapshot s = link.Pipeline.Snapshot;
                    task.Value = Math.Min(s.SpectraProcessed, expectedSpectra);
                    task.Description = Markup.Escape(Describe(label, s, SessionSummary.CompleteFits(link.Pipeline.Results), spread));
                }

                task.Value = task.MaxValue;
            });
    }

    /// <summary>Whether <paramref name="output"/> is the process's terminal (live views only there).</summary>
    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>
    /// One line: spectra, last Δ (fit and device), running mean, and the spread with σ_int's CI as the
    /// summary will compute it (<see cref="RunningSpread"/>; "not yet meaningful" below 10 usable fits).
    /// </summary>
    public static string Describe(string label, LiveSnapshot s, IReadOnlyList<GapFitResult> fits, RunningSpread spread)
    {
        var ci = CultureInfo.InvariantCulture;
        string MeV(double v) => double.IsFinite(v) ? v.ToString("F4", ci) : "–";
        return $"{label}: {s.SpectraProcessed} spectra, Δ {MeV(s.LastFitDeltaMeV)} (device {MeV(s.LastDeviceDeltaMeV)}) meV, mean {MeV(s.MeanMeV)} meV, {spread.Describe(fits)}";
    }
}
