using Microsoft.CodeAnalysis;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace NbnEdge.Firmware.Conformance.Tests;

/// <summary>
/// The firmware meets a real compiler: every source of the nanoFramework app and of the
/// nanoFramework test project, compiled with NoStdLib against nanoFramework's own mscorlib
/// (package nanoFramework.CoreLibrary) and reference assemblies generated from the API listings,
/// NANOFRAMEWORK_1_0 defined as the .nfproj defines it. Then four planted defects, each of which
/// the desktop build cannot see, must each make the compile fail with the compiler's own error.
/// </summary>
[TestClass]
public class NanoFrameworkCompileTests
{
    private static Lazy<string> RepoRoot => ConformanceTests.RepoRoot;

    private static readonly Lazy<NanoReferenceAssemblies> References = new(() => NanoReferenceAssemblies.Build(
        Path.Combine(RepoRoot.Value, "firmware", "nanoframework-api"),
        Path.Combine(AppContext.BaseDirectory, "nanoframework", "mscorlib.dll")));

    private static string AppProject => Path.Combine(RepoRoot.Value, "firmware", "NbnEdge.Firmware", "NbnEdge.Firmware.nfproj");

    private static string NanoTestProject => Path.Combine(RepoRoot.Value, "tests", "NbnEdge.Firmware.Tests.Nano", "NbnEdge.Firmware.Tests.Nano.nfproj");

    private static string Describe(IEnumerable<Diagnostic> errors) =>
        "\n" + string.Join("\n", errors.Select(e => e.ToString()));

    [TestMethod]
    public void MscorlibIsTheRealNanoFrameworkOne()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "nanoframework", "mscorlib.dll");
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(path));
        var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var asm = md.GetAssemblyDefinition();
        Assert.AreEqual("mscorlib", md.GetString(asm.Name));
        // nanoFramework's mscorlib has no System.String.Contains(char) and no generic List<T>; the
        // desktop one has both: a desktop corlib slipped in here would make every plant below pass.
        var typeNames = md.TypeDefinitions.Select(h => md.GetTypeDefinition(h)).Select(t => md.GetString(t.Namespace) + "." + md.GetString(t.Name)).ToHashSet();
        Assert.IsTrue(typeNames.Contains("System.SpanByte"), "nanoFramework's SpanByte is in this mscorlib");
        Assert.IsFalse(typeNames.Contains("System.Collections.Generic.List`1"), "no generic List in nanoFramework's mscorlib");
    }

    [TestMethod]
    public void TheAppCompilesForEveryBoard()
    {
        foreach (string[] board in new[] { Array.Empty<string>(), new[] { "NBNEDGE_BOARD_ESP32S3" } })
        {
            var project = NanoProject.Load(AppProject, board);
            Assert.IsTrue(project.DefineConstants.Contains("NANOFRAMEWORK_1_0"));
            Assert.IsTrue(project.Sources.Any(s => s.EndsWith("SpiAdcTransport.cs", StringComparison.Ordinal)), "hardware glue is compiled");
            Assert.IsTrue(project.Sources.Any(s => s.EndsWith("GapEstimator.cs", StringComparison.Ordinal)), "shared core is compiled");
            var errors = NanoProjectCompiler.Compile(project, References.Value);
            Console.WriteLine($"{project.Sources.Count} sources, packages {string.Join(", ", project.PackageIds)}; " +
                $"types no listing declares (object in signatures): {string.Join(", ", References.Value.UnlistedTypes)}");
            Assert.AreEqual(0, errors.Count, $"board defines [{string.Join(",", board)}]:" + Describe(errors));
        }
    }

    [TestMethod]
    public void TheNanoFrameworkTestProjectCompiles()
    {
        var project = NanoProject.Load(NanoTestProject);
        Assert.IsTrue(project.Sources.Any(s => s.EndsWith("ProtocolTests.cs", StringComparison.Ordinal)), "shared tests are compiled");
        Assert.IsTrue(project.PackageIds.Contains("nanoFramework.TestFramework"));
        var errors = NanoProjectCompiler.Compile(project, References.Value);
        Assert.AreEqual(0, errors.Count, Describe(errors));
    }

    [TestMethod]
    public void EveryFirmwareSourceIsInANanoFrameworkProject()
    {
        var compiled = NanoProject.Load(AppProject).Sources.Concat(NanoProject.Load(NanoTestProject).Sources).ToHashSet();
        var onDisk = new[] { "firmware", Path.Combine("tests", "NbnEdge.Firmware.Tests.Shared") }
            .SelectMany(d => Directory.GetFiles(Path.Combine(RepoRoot.Value, d), "*.cs", SearchOption.AllDirectories))
            .Where(p => !p.Contains("/bin/", StringComparison.Ordinal) && !p.Contains("/obj/", StringComparison.Ordinal))
            .Select(Path.GetFullPath)
            .ToList();
        Assert.IsTrue(onDisk.Count >= 35, $"found {onDisk.Count} firmware sources");
        var missing = onDisk.Where(p => !compiled.Contains(p)).ToList();
        Assert.AreEqual(0, missing.Count, "sources no .nfproj compiles:\n" + string.Join("\n", missing));
    }

    /// <summary>Compiles the app with one source changed; returns the errors.</summary>
    private static IReadOnlyList<Diagnostic> CompileAppWith(string relativePath, Func<string, string> plant)
    {
        string path = Path.GetFullPath(Path.Combine(RepoRoot.Value, relativePath));
        string original = File.ReadAllText(path);
        string planted = plant(original);
        Assert.AreNotEqual(original, planted, "the plant changed nothing");
        var errors = NanoProjectCompiler.Compile(NanoProject.Load(AppProject), References.Value,
            new Dictionary<string, string> { [path] = planted });
        Console.WriteLine($"plant in {relativePath}:" + Describe(errors));
        return errors;
    }

    [TestMethod]
    public void PlantedTypeErrorInsideTheDeviceBranchFails()
    {
        // A string returned as int, inside #if NANOFRAMEWORK_1_0 of a shared file: the net10.0
        // build never compiles this branch.
        var errors = CompileAppWith("firmware/NbnEdge.Firmware.Core/Protocol/FrameCrc.cs", s => s.Replace(
            "            return _crc.GetCurrentHashAsUInt32();",
            "#if NANOFRAMEWORK_1_0\n            if (count < 0) { return \"negative\"; }\n#endif\n            return _crc.GetCurrentHashAsUInt32();"));
        Assert.IsTrue(errors.Any(e => e.Id == "CS0029"), Describe(errors));
    }

    [TestMethod]
    public void PlantedMisspeltSpiSettingsMemberFails()
    {
        var errors = CompileAppWith("firmware/NbnEdge.Firmware/Hardware/SpiAdcTransport.cs",
            s => s.Replace("settings.ClockFrequency = SpiClockHz;", "settings.ClockFrequencyHz = SpiClockHz;"));
        Assert.IsTrue(errors.Any(e => e.Id == "CS1061" && e.GetMessage().Contains("ClockFrequencyHz", StringComparison.Ordinal)), Describe(errors));
    }

    [TestMethod]
    public void PlantedDesktopOnlyStringOverloadFails()
    {
        // string.Contains(char) exists on desktop .NET, not in nanoFramework's mscorlib.
        var errors = CompileAppWith("firmware/NbnEdge.Firmware.Core/Protocol/FrameCrc.cs", s => s.Replace(
            "            _crc.Reset();",
            "            if (\"abc\".Contains('a')) { count = 0; }\n            _crc.Reset();"));
        // nanoFramework's String.Contains takes a string only: the char does not convert.
        Assert.IsTrue(errors.Any(e => e.Id == "CS1503" && e.Location.SourceTree?.FilePath.EndsWith("FrameCrc.cs", StringComparison.Ordinal) == true), Describe(errors));
    }

    [TestMethod]
    public void PlantedMathClampWithoutTheSystemMathPackageFails()
    {
        var project = NanoProject.Load(AppProject);
        Assert.IsFalse(project.PackageIds.Contains("nanoFramework.System.Math"), "the app does not reference System.Math");
        var errors = CompileAppWith("firmware/NbnEdge.Firmware.Core/Protocol/FrameCrc.cs", s => s.Replace(
            "            _crc.Reset();",
            "            count = (int)System.Math.Clamp(count, 0, buffer.Length);\n            _crc.Reset();"));
        Assert.IsTrue(errors.Any(e => e.Id is "CS0234" or "CS0117" or "CS0103" && e.GetMessage().Contains("Math", StringComparison.Ordinal)), Describe(errors));
    }

    [TestMethod]
    public void TheSamePlantsCompileOnDesktopDotNet()
    {
        // Why this test project exists: the net10.0 build of the same sources accepts the
        // desktop-only calls and never sees the device branch.
        string text = "public static class Planted { public static int F(int count, byte[] buffer) {\n" +
            "#if NANOFRAMEWORK_1_0\n return \"negative\";\n#endif\n" +
            " if (\"abc\".Contains('a')) { count = 0; }\n return System.Math.Clamp(count, 0, buffer.Length); } }";
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(text);
        var refs = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("Desktop", new[] { tree }, refs,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.AreEqual(0, errors.Count, Describe(errors));
    }
}
