using System.Diagnostics;
using NbnEdge.Firmware.Protocol;

namespace NbnEdge.Cli.Tests;

/// <summary>
/// Issue 16 item 3 measured on the whole program: <c>nbnedge ingest</c> in a child process on a
/// hostile capture, its peak resident memory read from the kernel (/proc/PID/status VmHWM).
/// </summary>
[TestClass]
public sealed class PeakMemoryTests
{
    /// <summary>Peak resident kilobytes of a child nbnedge run (VmHWM, polled until it exits), and its exit code.</summary>
    private static (long PeakKb, int ExitCode, string Stderr) RunChild(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "nbnedge.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        long peak = 0;
        string status = $"/proc/{p.Id}/status";
        while (!p.WaitForExit(20))
        {
            try
            {
                foreach (string line in File.ReadLines(status))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Math.Max(peak, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
            }
            catch (IOException) { /* exited between the check and the read */ }
        }

        stdout.Wait();
        return (peak, p.ExitCode, stderr.Result);
    }

    [TestMethod]
    public void Ingest_OfChunksClaiming65535Points_PeaksInProportionToTheCapture()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("VmHWM is read from /proc");
        var encoder = new FrameEncoder();
        var bias = new int[100];
        var signal = new int[100];
        for (int i = 0; i < 100; i++) { bias[i] = (i - 50) * 40000; signal[i] = 1_000_000 + i; }
        string path = Path.Combine(CliRunner.TempDir(), "hostile.nbnraw");
        using (var f = File.Create(path))
        {
            byte[] hello = System.Text.Encoding.UTF8.GetBytes("fw=0.1.0\nboard=x\nadc=x\nbias_uV_per_lsb=0.001430511474609375\nsignal_uV_per_lsb=1.430511474609375\npoints=201\nsweep=fwd\n");
            f.Write(encoder.Output, 0, encoder.EncodeText(MessageType.Hello, hello, 0, hello.Length));
            for (uint id = 0; id < 3000; id++)
                f.Write(encoder.Output, 0, encoder.EncodeSpectrumChunk(id, bias, signal, 0, 100, ushort.MaxValue, 0));
        }

        long captureKb = new FileInfo(path).Length / 1024;
        var (peakKb, exit, stderr) = RunChild("ingest", path, "--json");
        Console.WriteLine($"ingest of a {captureKb} KB capture of 3000 chunks claiming 65535 points: exit {exit}, peak {peakKb / 1024} MB");
        Assert.IsTrue(exit is 0 or 1, stderr);
        // The runtime alone is ~60-100 MB; the old assembler needed ~0.5 MB per chunk (1.7 GB here).
        Assert.IsTrue(peakKb < 400 * 1024, $"peak {peakKb / 1024} MB for a {captureKb} KB capture");
    }
}
