using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace NbnEdge.Firmware.Conformance.Tests;

[TestClass]
public class ConformanceTests
{
    /// <summary>The clone's root (where NbnEdge.sln is), above the test binaries; the compile tests use it too.</summary>
    internal static readonly Lazy<string> RepoRoot = new(() =>
    {
        string? dir = AppContext.BaseDirectory;
        while (dir != null && !File.Exists(Path.Combine(dir, "NbnEdge.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("NbnEdge.sln not found above the test binaries");
    });

    private static readonly Lazy<ApiListing> Listing = new(() =>
        ApiListing.Load(Path.Combine(RepoRoot.Value, "firmware", "nanoframework-api")));

    private static List<string> CheckSnippet(string fileName, string code) =>
        new FirmwareConformanceChecker(Listing.Value).Check(new[] { (fileName, code) });

    private static IEnumerable<string> SourcesUnder(string relative) =>
        Directory.GetFiles(Path.Combine(RepoRoot.Value, relative), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                     && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .OrderBy(p => p, StringComparer.Ordinal);

    [TestMethod]
    public void ListingsAreTheRepositoryCopyAndComplete()
    {
        Assert.IsTrue(Listing.Value.Types.ContainsKey("System.SpanByte"));
        Assert.IsTrue(Listing.Value.Types.ContainsKey("System.IO.Hashing.Crc32"));
        Assert.IsTrue(Listing.Value.Types.ContainsKey("System.Device.Gpio.GpioPin"), "zero-width spaces in the listing are stripped");
        Assert.IsTrue(Listing.Value.Types["System.Device.Spi.SpiDevice"].Members.ContainsKey("TransferFullDuplex"));
        Assert.IsFalse(Listing.Value.Types["System.Math"].Members["Clamp"].Any(p => p.Length == 3 && p[0].Type == "int"));
    }

    [TestMethod]
    public void EveryFirmwareSourceUsesOnlyTheStableNanoFrameworkApi()
    {
        var files = SourcesUnder("firmware").ToList();
        Assert.IsTrue(files.Count >= 25, $"expected the firmware sources, found {files.Count}");
        Assert.IsTrue(files.Any(f => f.EndsWith("Program.cs", StringComparison.Ordinal)), "the app's Program.cs is checked too");
        var sources = files.Select(f => (Path.GetRelativePath(RepoRoot.Value, f), File.ReadAllText(f))).ToList();
        var violations = new FirmwareConformanceChecker(Listing.Value).Check(sources);
        Assert.AreEqual(0, violations.Count, "\n" + string.Join("\n", violations));
    }

    [TestMethod]
    public void SharedFirmwareTestsRunOnNanoFrameworkToo()
    {
        var sources = SourcesUnder(Path.Combine("tests", "NbnEdge.Firmware.Tests.Shared"))
            .Concat(SourcesUnder(Path.Combine("firmware", "NbnEdge.Firmware.Core")))
            .Select(f => (Path.GetRelativePath(RepoRoot.Value, f), File.ReadAllText(f))).ToList();
        var violations = new FirmwareConformanceChecker(Listing.Value).Check(sources);
        Assert.AreEqual(0, violations.Count, "\n" + string.Join("\n", violations));
    }

    [TestMethod]
    public void GenericListIsReportedWithFileAndLine()
    {
        var violations = CheckSnippet("Snippet.cs", """
            using System.Collections.Generic;
            namespace N
            {
                public class C
                {
                    private List<int> _values = new List<int>();
                }
            }
            """);
        Assert.IsTrue(violations.Any(v => v.StartsWith("Snippet.cs:6: generic type or method 'List<int>'", StringComparison.Ordinal)), string.Join("\n", violations));
    }

    [TestMethod]
    public void DesktopOnlyMembersAreReported()
    {
        var violations = CheckSnippet("Snippet.cs", """
            using System;
            namespace N
            {
                public class C
                {
                    public int Clip(int x) { return Math.Clamp(x, 0, 10); }
                    public string Read() { return Console.ReadLine(); }
                    public string Pad(string s) { return s.Replace("a", "b"); }
                }
            }
            """);
        Assert.IsTrue(violations.Any(v => v.Contains("Snippet.cs:6:") && v.Contains("System.Math.Clamp(int, int, int)") && v.Contains("no such overload")), string.Join("\n", violations));
        Assert.IsTrue(violations.Any(v => v.Contains("Snippet.cs:7:") && v.Contains("'System.Console.ReadLine' does not exist")), string.Join("\n", violations));
        Assert.IsTrue(violations.Any(v => v.Contains("Snippet.cs:8:") && v.Contains("'System.String.Replace' does not exist")), string.Join("\n", violations));
        Assert.AreEqual(3, violations.Count, string.Join("\n", violations));
    }

    [TestMethod]
    public void UnknownNanoFrameworkMembersAreReported()
    {
        var violations = CheckSnippet("Snippet.cs", """
            using System.Device.Spi;
            using nanoFramework.Hardware.Esp32;
            namespace N
            {
                public class C
                {
                    public void Go(SpiDevice spi, byte[] b)
                    {
                        Configuration.SetPinFunction(23, DeviceFunction.SPI1_MOSI);
                        Configuration.SetPinFunction(23, DeviceFunction.SPI9_MOSI);
                        spi.TransferFullDuplex(b, b);
                        spi.TransferAsync(b);
                    }
                }
            }
            """);
        Assert.AreEqual(2, violations.Count, string.Join("\n", violations));
        Assert.IsTrue(violations[0].Contains("Snippet.cs:10:") && violations[0].Contains("SPI9_MOSI"), violations[0]);
        Assert.IsTrue(violations[1].Contains("Snippet.cs:12:") && violations[1].Contains("TransferAsync"), violations[1]);
    }

    [TestMethod]
    public void CleanNanoFrameworkCodePasses()
    {
        var violations = CheckSnippet("Snippet.cs", """
            using System;
            using System.Collections;
            using System.Device.Gpio;
            using System.Threading;
            using nanoFramework.Hardware.Esp32;
            namespace N
            {
                public class C
                {
                    private readonly ArrayList _items = new ArrayList();
                    private readonly AutoResetEvent _ready = new AutoResetEvent(false);
                    public int Go(byte[] buffer, GpioController gpio)
                    {
                        SpanByte span = new SpanByte(buffer, 1, 4);
                        Configuration.SetPinFunction(16, DeviceFunction.COM2_RX);
                        GpioPin pin = gpio.OpenPin(4, PinMode.Input);
                        _items.Add(span.Length);
                        Thread.Sleep(1);
                        _ready.WaitOne(10, false);
                        Console.WriteLine("ok " + Math.Max(1, 2).ToString());
                        return _items.Count + buffer.Length + (int)pin.Read();
                    }
                }
            }
            """);
        Assert.AreEqual(0, violations.Count, string.Join("\n", violations));
    }

    [TestMethod]
    public void LinqAsyncAndSpanAreReported()
    {
        var violations = CheckSnippet("Snippet.cs", """
            using System;
            using System.Linq;
            using System.Threading.Tasks;
            namespace N
            {
                public class C
                {
                    public async Task<int> Go(int[] xs)
                    {
                        await Task.Delay(1);
                        Span<int> s = xs;
                        return (from x in xs select x).Sum();
                    }
                }
            }
            """);
        string all = string.Join("\n", violations);
        Assert.IsTrue(violations.Any(v => v.Contains("Snippet.cs:2:") && v.Contains("LINQ")), all);
        Assert.IsTrue(violations.Any(v => v.Contains("Snippet.cs:8:") && v.Contains("async method")), all);
        Assert.IsTrue(violations.Any(v => v.Contains("Snippet.cs:10:") && v.Contains("await")), all);
        Assert.IsTrue(violations.Any(v => v.Contains("Snippet.cs:11:") && v.Contains("Span<int>")), all);
        Assert.IsTrue(violations.Any(v => v.Contains("Snippet.cs:12:") && v.Contains("query expression")), all);
    }

    [TestMethod]
    public void FloatingPointIsReportedOnlyInEstimatorFiles()
    {
        const string code = """
            namespace N
            {
                public class C
                {
                    public int Half(int x) { double h = x * 0.5; return (int)h; }
                }
            }
            """;
        var inEstimator = CheckSnippet("GapEstimator.cs", code);
        Assert.IsTrue(inEstimator.Any(v => v.Contains("GapEstimator.cs:5:") && v.Contains("'double'")), string.Join("\n", inEstimator));
        Assert.IsTrue(inEstimator.Any(v => v.Contains("'0.5'")), string.Join("\n", inEstimator));
        Assert.AreEqual(0, CheckSnippet("Scaling.cs", code).Count);
    }
}
