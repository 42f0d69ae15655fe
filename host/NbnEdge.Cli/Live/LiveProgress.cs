using System.Globalization;
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
                while (!link.Reading.IsCompleted)
                {
                    ((IAsyncResult)link.Reading).AsyncWaitHandle.WaitOne(100);
                    LiveSnapshot s = link.Pipeline.Snapshot;
                    task.Value = Math.Min(s.SpectraProcessed, expectedSpectra);
                    task.Description = Markup.Escape(Describe(label, s));
                }

                task.Value = task.MaxValue;
            });
    }

    /// <summary>Whether <paramref name="output"/> is the process's terminal (live views only there).</summary>
    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>One line: spectra, last Δ (fit and device), running mean and spreads.</summary>
    public static string Describe(string label, LiveSnapshot s)
    {
        var ci = CultureInfo.InvariantCulture;
        string MeV(double v) => double.IsFinite(v) ? v.ToString("F4", ci) : "–";
        string UeV(double v) => double.IsFinite(v) ? (v * 1000).ToString("F1", ci) : "–";
        string spread = s.UsableFits < Commands.MonitorCommand.MinimumSpreadFits
            ? $"σ not yet meaningful ({s.UsableFits} fits, needs {Commands.MonitorCommand.MinimumSpreadFits})"
            : $"σ {UeV(s.StandardDeviationMeV)} µeV, σ_int {UeV(s.IntrinsicSigmaMeV)} µeV";
        return $"{label}: {s.SpectraProcessed} spectra, Δ {MeV(s.LastFitDeltaMeV)} (device {MeV(s.LastDeviceDeltaMeV)}) meV, mean {MeV(s.MeanMeV)} meV, {spread}";
    }
}
