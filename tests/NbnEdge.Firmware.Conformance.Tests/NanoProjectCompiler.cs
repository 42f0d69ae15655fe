using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NbnEdge.Firmware.Conformance.Tests;

/// <summary>
/// What a nanoFramework project (.nfproj) builds: its own Compile items, those of the shared
/// projects it imports, the packages its references come from, its output kind and its
/// preprocessor symbols. Read from the project file itself so that a source added to the
/// .nfproj is compiled here without anyone editing a test.
/// </summary>
public sealed record NanoProject(
    string ProjectPath,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> PackageIds,
    OutputKind OutputKind,
    IReadOnlyList<string> DefineConstants)
{
    private static readonly XNamespace Msb = "http://schemas.microsoft.com/developer/msbuild/2003";

    /// <summary>Reads <paramref name="nfprojPath"/>; <paramref name="extraDefines"/> stand for conditional property groups (board variants).</summary>
    public static NanoProject Load(string nfprojPath, params string[] extraDefines)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(nfprojPath))!;
        var doc = XDocument.Load(nfprojPath);
        var sources = new List<string>();
        sources.AddRange(CompileItems(doc, dir, dir));
        foreach (var import in doc.Descendants(Msb + "Import").Where(i => (string?)i.Attribute("Label") == "Shared"))
        {
            string projitems = Path.GetFullPath(Path.Combine(dir, Unix((string)import.Attribute("Project")!)));
            sources.AddRange(CompileItems(XDocument.Load(projitems), Path.GetDirectoryName(projitems)!, dir));
        }

        var packages = new List<string>();
        foreach (var hint in doc.Descendants(Msb + "HintPath"))
        {
            // ..\packages\nanoFramework.System.Device.Spi.1.3.89\lib\System.Device.Spi.dll → the package id.
            var m = Regex.Match(hint.Value, @"packages[\\/]([A-Za-z0-9.]+?)\.(\d+\.\d+\.\d+)[\\/]lib[\\/]");
            if (!m.Success)
            {
                throw new InvalidDataException($"{nfprojPath}: reference hint path not understood: {hint.Value}");
            }

            if (!packages.Contains(m.Groups[1].Value))
            {
                packages.Add(m.Groups[1].Value);
            }
        }

        // The unconditional DefineConstants, as the nanoFramework build sets them.
        var defines = doc.Descendants(Msb + "DefineConstants")
            .Where(e => e.Parent?.Attribute("Condition") == null)
            .SelectMany(e => e.Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(s => !s.StartsWith("$(", StringComparison.Ordinal))
            .Concat(extraDefines)
            .Distinct()
            .ToList();
        string outputType = doc.Descendants(Msb + "OutputType").Select(e => e.Value).FirstOrDefault() ?? "Library";
        var kind = outputType == "Exe" ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary;
        return new NanoProject(nfprojPath, sources, packages, kind, defines);
    }

    private static IEnumerable<string> CompileItems(XDocument doc, string thisFileDir, string projectDir) =>
        doc.Descendants(Msb + "Compile")
            .Select(c => Unix((string)c.Attribute("Include")!).Replace("$(MSBuildThisFileDirectory)", thisFileDir + "/"))
            .Select(p => Path.GetFullPath(Path.IsPathRooted(p) ? p : Path.Combine(projectDir, p)));

    private static string Unix(string path) => path.Replace('\\', '/');
}

/// <summary>Compiles a <see cref="NanoProject"/> the way the nanoFramework build does: NoStdLib, the real mscorlib, its packages.</summary>
public static class NanoProjectCompiler
{
    /// <summary>
    /// Compiles (and emits, so that emit-time errors count too) the project's sources, optionally
    /// with some replaced (path → text) for planted defects. Returns the compiler's errors.
    /// </summary>
    public static IReadOnlyList<Diagnostic> Compile(NanoProject project, NanoReferenceAssemblies references,
        IReadOnlyDictionary<string, string>? replacedSources = null)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: project.DefineConstants);
        var trees = project.Sources.Select(path =>
        {
            string text = replacedSources != null && replacedSources.TryGetValue(path, out var planted) ? planted : File.ReadAllText(path);
            return CSharpSyntaxTree.ParseText(text, parse, path);
        }).ToList();
        var refs = new List<MetadataReference> { references.Mscorlib };
        refs.AddRange(project.PackageIds.Where(id => id != "nanoFramework.CoreLibrary").Select(references.For));
        var compilation = CSharpCompilation.Create(Path.GetFileNameWithoutExtension(project.ProjectPath), trees, refs,
            new CSharpCompilationOptions(project.OutputKind, nullableContextOptions: NullableContextOptions.Disable));
        using var pe = new MemoryStream();
        var result = compilation.Emit(pe);
        return result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }
}
