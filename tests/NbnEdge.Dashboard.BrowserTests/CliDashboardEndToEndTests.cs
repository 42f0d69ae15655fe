using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NbnEdge.Dashboard.BrowserTests;

/// <summary>
/// `nbnedge demo --dashboard` as a user runs it: a child process, its printed URL opened in
/// Chromium, the page's numbers compared with the final JSON the CLI prints.
/// </summary>
[TestClass]
public sealed partial class CliDashboardEndToEndTests
{
    public TestContext TestContext { get; set; } = null!;

    [GeneratedRegex(@"http://(127\.0\.0\.1|localhost|\[::1\]):\d+/?")]
    private static partial Regex UrlPattern();

    /// <summary>The CLI built next to this test (same configuration), found from the repository root.</summary>
    private static string? FindCli()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NbnEdge.sln"))) dir = dir.Parent;
        if (dir is null) return null;
        // The configuration this test was built in first: the project reference built that one.
        string own = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        foreach (var config in new[] { own, own == "Debug" ? "Release" : "Debug" })
        {
            var p = Path.Combine(dir.FullName, "host", "NbnEdge.Cli", "bin", config, "net10.0", "nbnedge.dll");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>The built CLI, or a failed test saying it is missing.</summary>
    internal static string Cli() => FindCli() ?? throw new AssertFailedException(
        "nbnedge.dll is not built (the project reference to host/NbnEdge.Cli should have built it).");

    private static async Task<(int Exit, string Out)> RunToEnd(string dll, string args)
    {
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" {args}") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return (p.ExitCode, await o + await e);
    }

    [TestMethod]
    [Timeout(180_000, CooperativeCancellation = true)]
    public async Task DemoDashboardPageEqualsTheCliJson()
    {
        string? cli = FindCli();
        if (cli is null) Assert.Fail("nbnedge.dll is not built (the project reference to host/NbnEdge.Cli should have built it).");
        var help = await RunToEnd(cli, "demo --help");
        if (!help.Out.Contains("--dashboard", StringComparison.Ordinal))
            Assert.Fail("`nbnedge demo` has no --dashboard option.");

        const int lingerSeconds = 60;
        var psi = new ProcessStartInfo("dotnet", $"\"{cli}\" demo --dashboard --json --spectra 30 --linger {lingerSeconds}")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8,
        };
        using var process = Process.Start(psi)!;
        var stdout = new List<string>();
        var urlFound = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (stdout) stdout.Add(line);
            if (UrlPattern().Match(line) is { Success: true } m) urlFound.TrySetResult(m.Value);
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null && UrlPattern().Match(e.Data) is { Success: true } m) urlFound.TrySetResult(m.Value); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            string url = await urlFound.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var (pw, browser) = await Browser.LaunchAsync();
            using var _ = pw;
            await using var __ = browser;
            var page = await browser.NewPageAsync();
            await page.GotoAsync(url);
            await page.Locator("#finished-badge").WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Visible, Timeout = 120_000 });

            // The final JSON: the last stdout line that is a JSON object (with --json the CLI prints JSON lines).
            JsonElement? final = null;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (final is null && DateTime.UtcNow < deadline)
            {
                lock (stdout)
                    for (int i = stdout.Count - 1; i >= 0 && final is null; i--)
                    {
                        string l = stdout[i].Trim();
                        if (!l.StartsWith('{')) continue;
                        try { final = JsonDocument.Parse(l).RootElement.Clone(); } catch (JsonException) { }
                    }
                if (final is null) await Task.Delay(200);
            }
            Assert.IsNotNull(final, "the CLI printed no JSON object");

            // Every number of the final JSON the page shows under finished.* equals it exactly.
            int compared = 0;
            foreach (var p in Flatten(final.Value, ""))
            {
                string? onPage = await Browser.FieldAsync(page, "finished." + p.Key);
                Assert.IsNotNull(onPage, $"the page does not show finished.{p.Key}");
                Assert.AreEqual(p.Value, double.Parse(onPage, NumberStyles.Float, CultureInfo.InvariantCulture), $"finished.{p.Key}");
                compared++;
            }
            Assert.IsGreaterThan(0, compared, "the final JSON has no numbers to compare");

            // The board's estimates (ESTIMATE frames follow their spectra) reach the page: Δ device and the triangles.
            using var http = new HttpClient();
            using var state = JsonDocument.Parse(await http.GetStringAsync(new Uri(new Uri(url), "/api/state")));
            var device = state.RootElement.GetProperty("fits").GetProperty("device_delta_meV").EnumerateArray()
                .Select(e => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble()).ToArray();
            long estimates = final.Value.GetProperty("estimates").GetInt64();
            Assert.IsGreaterThan(0L, estimates, "the simulated board sends ESTIMATE frames");
            Assert.AreEqual(estimates, device.Count(double.IsFinite), "every device estimate is on the page");
            var devicesOnPage = await page.EvaluateAsync<double?[]>("() => window.__nbnedge.state.fits.device");
            CollectionAssert.AreEqual(device, devicesOnPage!.Select(v => v ?? double.NaN).ToArray());
            Assert.AreEqual(state.RootElement.GetProperty("latest").GetProperty("device_delta_meV").GetDouble(),
                double.Parse((await Browser.FieldAsync(page, "latest.device_delta_meV"))!, CultureInfo.InvariantCulture));
            Assert.IsGreaterThan(60, await Browser.ColouredPixelsAsync(page, "delta", 0xE6, 0x9F, 0x00), "no device triangles");
            Assert.AreEqual("finished", await Browser.FieldAsync(page, "connection"));
            // Issue 13: a fitted spectrum is shown normalised by its fit's background (not in lock-in volts
            // or ADC counts), and the demo's Δ plot runs along the line in nm.
            Assert.AreEqual("dI/dV (normalised)", await page.EvaluateAsync<string>("() => window.__nbnedge.axes.spectrum.ylabel"));
            Assert.AreEqual("distance along the line (nm)", await page.EvaluateAsync<string>("() => window.__nbnedge.axes.delta.xlabel"));
            var x = await page.EvaluateAsync<double[]>("() => window.__nbnedge.axes.delta.x");
            Assert.IsTrue(x[1] > 300, $"the Δ plot's x axis ends at {x[1]}: the demo's 424 nm line, not spectrum numbers");
            Assert.IsGreaterThan(500, await Browser.InkedPixelsAsync(page, "waterfall"));
            Assert.IsGreaterThan(500, await Browser.InkedPixelsAsync(page, "histogram"));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static IEnumerable<KeyValuePair<string, double>> Flatten(JsonElement e, string prefix)
    {
        foreach (var p in e.EnumerateObject())
        {
            string key = prefix.Length == 0 ? p.Name : prefix + "." + p.Name;
            if (p.Value.ValueKind == JsonValueKind.Number) yield return new(key, p.Value.GetDouble());
            else if (p.Value.ValueKind == JsonValueKind.Object)
                foreach (var q in Flatten(p.Value, key)) yield return q;
        }
    }
}

/// <summary>`demo --dashboard --linger N` ends on SIGINT and SIGTERM (a child process, real signals).</summary>
[TestClass]
public sealed class LingerSignalTests
{
    public TestContext TestContext { get; set; } = null!;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [TestMethod]
    [DataRow(2, "SIGINT")]
    [DataRow(15, "SIGTERM")]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task LingeringDashboardEndsOnSignal(int signal, string name)
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("POSIX signals are sent with kill(2) on Linux here.");
        string cli = CliDashboardEndToEndTests.Cli();
        string journal = Path.Combine(Path.GetTempPath(), "nbnedge-linger-" + Guid.NewGuid().ToString("N"));
        var psi = new ProcessStartInfo("dotnet", $"\"{cli}\" demo --dashboard --json --spectra 5 --linger 600 --journal \"{journal}\"")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8,
        };
        using var process = Process.Start(psi)!;
        try
        {
            var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) => { if (e.Data?.Contains("\"journal_raw\"", StringComparison.Ordinal) == true) finished.TrySetResult(); };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await finished.Task.WaitAsync(TimeSpan.FromSeconds(90), TestContext.CancellationToken);
            // The run is over and the page lingers (600 s): now the signal.
            var ignored = SignalIgnored(process.Id, signal);
            if (ignored) Assert.Inconclusive($"{name} is ignored by this test's parent (a background job): the child inherits SIG_IGN.");
            Assert.AreEqual(0, Kill(process.Id, signal), $"kill({name}) failed");
            bool exited = process.WaitForExit(TimeSpan.FromSeconds(15));
            Assert.IsTrue(exited, $"`demo --dashboard --linger 600` still runs 15 s after {name}");
            Assert.AreEqual(0, process.ExitCode, $"exit code after {name}");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            try { Directory.Delete(journal, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Whether the process ignores the signal from birth (SigIgn in /proc/PID/status).</summary>
    private static bool SignalIgnored(int pid, int signal)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
                return ((ulong.Parse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) >> (signal - 1)) & 1) == 1;
        return false;
    }
}
