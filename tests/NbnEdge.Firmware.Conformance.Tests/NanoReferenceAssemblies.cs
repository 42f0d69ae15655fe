using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NbnEdge.Firmware.Conformance.Tests;

/// <summary>
/// Reference assemblies for the nanoFramework packages this machine's package source does not
/// serve, generated from the API listings in firmware/nanoframework-api (signatures only, every
/// body <c>throw null</c>) and compiled against the real nanoFramework mscorlib. Only
/// nanoFramework.CoreLibrary restores here; the listings are the next best thing for the rest,
/// and a compile against them catches every misspelt member, wrong argument type or missing
/// package reference the way the nanoFramework build would.
/// </summary>
public sealed class NanoReferenceAssemblies
{
    /// <summary>Listing file stem → the assembly name the package ships (as the .nfproj references it).</summary>
    public static readonly IReadOnlyDictionary<string, string> AssemblyNames = new Dictionary<string, string>
    {
        ["nanoFramework.Runtime.Native"] = "nanoFramework.Runtime.Native",
        ["nanoFramework.Runtime.Events"] = "nanoFramework.Runtime.Events",
        ["nanoFramework.System.Device.Gpio"] = "System.Device.Gpio",
        ["nanoFramework.System.Device.Spi"] = "System.Device.Spi",
        ["nanoFramework.System.Device.Adc"] = "System.Device.Adc",
        ["nanoFramework.System.IO.Hashing"] = "System.IO.Hashing",
        ["nanoFramework.System.IO.Ports"] = "System.IO.Ports",
        ["nanoFramework.System.Math"] = "System.Math",
        ["nanoFramework.Hardware.Esp32"] = "nanoFramework.Hardware.Esp32",
        ["nanoFramework.TestFramework"] = "nanoFramework.TestFramework",
    };

    private readonly Dictionary<string, MetadataReference> _byPackage = new(StringComparer.Ordinal);

    /// <summary>The real mscorlib.dll of nanoFramework.CoreLibrary.</summary>
    public MetadataReference Mscorlib { get; }

    private NanoReferenceAssemblies(MetadataReference mscorlib)
    {
        Mscorlib = mscorlib;
    }

    /// <summary>The reference for one package, by its NuGet id (e.g. <c>nanoFramework.System.Device.Spi</c>).</summary>
    public MetadataReference For(string packageId) =>
        _byPackage.TryGetValue(packageId, out var r) ? r
            : throw new ArgumentException($"no listing for package {packageId}", nameof(packageId));

    /// <summary>
    /// Generates and compiles every listed package. Packages reference one another (Esp32 uses Gpio
    /// types, Events is used by Gpio…): each is compiled once the ones it needs are, in rounds.
    /// </summary>
    public static NanoReferenceAssemblies Build(string listingDirectory, string mscorlibPath)
    {
        var result = new NanoReferenceAssemblies(MetadataReference.CreateFromFile(mscorlibPath));
        var listings = AssemblyNames.Keys.ToDictionary(id => id,
            id => File.ReadAllLines(Path.Combine(listingDirectory, id + ".api.txt")));
        var namespacesOf = listings.ToDictionary(kv => kv.Key, kv => DeclaredNamespaces(kv.Value));
        var pending = new HashSet<string>(listings.Keys);
        var unlisted = new HashSet<string>(StringComparer.Ordinal);
        var lastErrors = new Dictionary<string, IReadOnlyList<Diagnostic>>();
        while (pending.Count > 0)
        {
            int before = pending.Count;
            foreach (string id in pending.OrderBy(i => i, StringComparer.Ordinal).ToList())
            {
                // Import only namespaces that exist by now: a using of one that does not is an error.
                var usings = namespacesOf[id].Concat(result._byPackage.Keys.SelectMany(done => namespacesOf[done])).Distinct();
                string source = GenerateSource(listings[id], usings, unlisted);
                var refs = new List<MetadataReference> { result.Mscorlib };
                refs.AddRange(result._byPackage.Values);
                var image = Compile(AssemblyNames[id], source, refs, out var errors);
                if (image == null)
                {
                    lastErrors[id] = errors;
                    continue;
                }

                result._byPackage[id] = MetadataReference.CreateFromImage(image);
                pending.Remove(id);
            }

            if (pending.Count < before)
            {
                continue;
            }

            // No progress: a listing names a type no listing declares (SerialPort.BaseStream is a
            // System.IO.Stream from nanoFramework.System.IO.Streams, which has no listing). Such
            // types become object in signatures, which keeps every member's name and arity.
            var missing = pending.SelectMany(id => lastErrors[id])
                .Where(d => d.Id == "CS0246")
                .Select(d => d.GetMessage().Split('\'')[1])
                .Where(n => !unlisted.Contains(n))
                .ToList();
            if (missing.Count == 0)
            {
                throw new InvalidOperationException("reference assemblies from the listings do not compile:\n" +
                    string.Join("\n", pending.Select(id => $"{id}:\n{string.Join("\n", lastErrors[id].Take(20))}")));
            }

            unlisted.UnionWith(missing);
        }

        result.UnlistedTypes = unlisted.OrderBy(n => n, StringComparer.Ordinal).ToList();
        return result;
    }

    /// <summary>Type names the listings use but none declares (stood in for by object).</summary>
    public IReadOnlyList<string> UnlistedTypes { get; private set; } = Array.Empty<string>();

    private static IEnumerable<string> DeclaredNamespaces(IEnumerable<string> lines)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (string raw in lines)
        {
            string line = raw.Replace("\u200b", "").Trim();
            if (line.Length > 0 && !line.StartsWith('#') && TryParseType(line, out var t))
            {
                types.Add(t.FullName);
            }
        }

        foreach (string t in types)
        {
            string ns = t[..t.LastIndexOf('.')];
            if (!types.Contains(ns))
            {
                yield return ns;
            }
        }
    }

    private static byte[]? Compile(string assemblyName, string source, List<MetadataReference> refs, out IReadOnlyList<Diagnostic> errors)
    {
        var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest), assemblyName + ".g.cs");
        var compilation = CSharpCompilation.Create(assemblyName, new[] { tree }, refs,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Annotations));
        using var ms = new MemoryStream();
        var emit = compilation.Emit(ms);
        errors = emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        return emit.Success ? ms.ToArray() : null;
    }

    private sealed class TypeDecl
    {
        public string FullName = "";
        public string Kind = "class";
        public string Bases = "";
        public string? DelegateSignature;
        public readonly List<string> Members = new();
        public readonly List<TypeDecl> Nested = new();
        public bool HasParameterlessCtor;
        public bool HasAnyCtor;
    }

    /// <summary>C# source declaring everything one listing names, bodies <c>throw null</c>.</summary>
    public static string GenerateSource(IEnumerable<string> listingLines, IEnumerable<string> usings, IReadOnlySet<string> unlistedTypes)
    {
        var lines = listingLines
            .Select(l => l.Replace("\u200b", "").Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        var types = new Dictionary<string, TypeDecl>(StringComparer.Ordinal);
        var memberLines = new List<(string Owner, string Line)>();
        foreach (string line in lines)
        {
            if (TryParseType(line, out var type))
            {
                types[type.FullName] = type;
            }
        }

        foreach (string line in lines)
        {
            if (TryParseType(line, out _))
            {
                continue;
            }

            // The owner is the longest listed type that prefixes the member's name.
            string head = line.Split('(', ' ')[0];
            string? owner = null;
            for (int dot = head.LastIndexOf('.'); dot > 0; dot = head.LastIndexOf('.', dot - 1))
            {
                if (types.ContainsKey(head[..dot]))
                {
                    owner = head[..dot];
                    break;
                }
            }

            if (owner == null)
            {
                // A member of a type declared in mscorlib (the listing repeats partial types): nothing to generate.
                continue;
            }

            memberLines.Add((owner, line));
        }

        foreach (var (owner, line) in memberLines)
        {
            TypeDecl t = types[owner];
            string member = line[(owner.Length + 1)..];
            string? decl = MemberDeclaration(t, member);
            if (decl != null)
            {
                t.Members.Add(decl);
            }
        }

        // Nest types whose name is prefixed by another listed type.
        var roots = new List<TypeDecl>();
        foreach (TypeDecl t in types.Values.OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            int dot = t.FullName.LastIndexOf('.');
            if (dot > 0 && types.TryGetValue(t.FullName[..dot], out var parent))
            {
                parent.Nested.Add(t);
            }
            else
            {
                roots.Add(t);
            }
        }

        var namespaces = roots.Select(t => t.FullName[..t.FullName.LastIndexOf('.')]).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.AppendLine("#pragma warning disable CS0067, CS0108, CS0114, CS0169, CS0414, CS0649, CS0660, CS0661, CS8618");
        foreach (string u in new[] { "System", "System.Collections", "System.IO", "System.Threading", "System.Diagnostics" })
        {
            sb.AppendLine($"using {u};");
        }

        foreach (string u in usings.Distinct().OrderBy(n => n, StringComparer.Ordinal))
        {
            sb.AppendLine($"using {u};");
        }

        foreach (string ns in namespaces)
        {
            sb.AppendLine($"namespace {ns}");
            sb.AppendLine("{");
            foreach (TypeDecl t in roots.Where(r => r.FullName[..r.FullName.LastIndexOf('.')] == ns))
            {
                WriteType(sb, t, "    ");
            }

            sb.AppendLine("}");
        }

        string text = sb.ToString();
        foreach (string missing in unlistedTypes)
        {
            text = System.Text.RegularExpressions.Regex.Replace(text, $@"(?<![\w.]){missing}(?!\w)", "object");
        }

        return text;
    }

    private static bool TryParseType(string line, out TypeDecl type)
    {
        type = new TypeDecl();
        string[] parts = line.Split(' ', 3);
        if (parts.Length < 2 || parts[0].Contains('('))
        {
            return false;
        }

        switch (parts[1])
        {
            case "class" or "struct" or "enum" or "interface":
                type.FullName = parts[0];
                type.Kind = parts[1];
                if (parts.Length == 3 && parts[2].StartsWith(':'))
                {
                    type.Bases = parts[2][1..].Trim();
                }

                return true;
            case "delegate":
                type.FullName = parts[0];
                type.Kind = "delegate";
                type.DelegateSignature = parts.Length == 3 ? parts[2] : "() -> void";
                return true;
            default:
                return false;
        }
    }

    private static string? MemberDeclaration(TypeDecl owner, string member)
    {
        bool isInterface = owner.Kind == "interface";
        string body = isInterface ? ";" : " => throw null!;";
        if (owner.Kind == "enum")
        {
            return member.Split(' ')[0] + ",";
        }

        int arrow = member.LastIndexOf(" -> ", StringComparison.Ordinal);
        string returnType = arrow >= 0 ? member[(arrow + 4)..].Trim() : "void";
        string left = arrow >= 0 ? member[..arrow] : member;
        bool isStatic = left.Contains(" static ", StringComparison.Ordinal);
        string staticMod = isStatic ? "static " : "";
        string access = isInterface ? "" : "public ";

        int paren = left.IndexOf('(');
        if (paren >= 0)
        {
            int close = left.LastIndexOf(')');
            string name = left[..paren];
            string parameters = Parameters(left[(paren + 1)..close]);
            string kind = left[(close + 1)..].Trim();
            if (kind == "constructor")
            {
                owner.HasAnyCtor = true;
                if (parameters.Length == 0)
                {
                    owner.HasParameterlessCtor = true;
                }

                string shortName = ShortName(owner.FullName);
                return owner.Kind == "struct" && parameters.Length == 0 ? null
                    : $"public {shortName}({parameters}) {{ }}";
            }

            if (name.Contains("operator", StringComparison.Ordinal))
            {
                // "implicit operator PinValue(bool)", "operator ==(PinValue, PinValue)" with "-> bool".
                if (name.StartsWith("implicit", StringComparison.Ordinal) || name.StartsWith("explicit", StringComparison.Ordinal))
                {
                    return $"public static {name}({parameters}) => throw null!;";
                }

                return $"public static {returnType} {name}({parameters}) => throw null!;";
            }

            return $"{access}{staticMod}{returnType} {name}({parameters}){body}";
        }

        string[] words = left.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string memberName = words[0];
        string memberKind = words.Contains("property") ? "property" : words.Contains("event") ? "event" : "field";
        switch (memberKind)
        {
            case "property":
            {
                int brace = left.IndexOf('{');
                string accessors = brace >= 0 ? left[brace..] : "{get}";
                bool get = accessors.Contains("get", StringComparison.Ordinal);
                bool set = accessors.Contains("set", StringComparison.Ordinal);
                string acc = isInterface
                    ? (get ? "get; " : "") + (set ? "set; " : "")
                    : (get ? "get => throw null!; " : "") + (set ? "set { } " : "");
                return $"{access}{staticMod}{returnType} {memberName} {{ {acc}}}";
            }
            case "event":
                return $"{access}{staticMod}event {returnType} {memberName};";
            default:
                return isInterface ? null : $"public {staticMod}{returnType} {memberName};";
        }
    }

    private static string Parameters(string list)
    {
        if (list.Trim().Length == 0)
        {
            return "";
        }

        var parts = SplitTopLevel(list);
        var sb = new StringBuilder();
        for (int i = 0; i < parts.Count; i++)
        {
            string p = parts[i].Trim();
            string? defaultValue = null;
            int eq = p.IndexOf('=');
            if (eq >= 0)
            {
                defaultValue = p[(eq + 1)..].Trim();
                p = p[..eq].Trim();
            }

            if (i > 0)
            {
                sb.Append(", ");
            }

            // "this Array" (an extension method's receiver): the modifier goes before the type.
            sb.Append(p).Append(" p").Append(i);
            if (defaultValue != null)
            {
                sb.Append(" = ").Append(defaultValue);
            }
        }

        return sb.ToString();
    }

    private static List<string> SplitTopLevel(string list)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < list.Length; i++)
        {
            char c = list[i];
            if (c is '<' or '[' or '(')
            {
                depth++;
            }
            else if (c is '>' or ']' or ')')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                parts.Add(list[start..i]);
                start = i + 1;
            }
        }

        parts.Add(list[start..]);
        return parts;
    }

    private static string ShortName(string fullName) => fullName[(fullName.LastIndexOf('.') + 1)..];

    private static void WriteType(StringBuilder sb, TypeDecl t, string indent)
    {
        string name = ShortName(t.FullName);
        if (t.Kind == "delegate")
        {
            string sig = t.DelegateSignature!;
            int arrow = sig.LastIndexOf(" -> ", StringComparison.Ordinal);
            string ret = arrow >= 0 ? sig[(arrow + 4)..].Trim() : "void";
            string ps = (arrow >= 0 ? sig[..arrow] : sig).Trim().TrimStart('(').TrimEnd(')');
            sb.AppendLine($"{indent}public delegate {ret} {name}({Parameters(ps)});");
            return;
        }

        string bases = t.Bases.Length > 0 ? " : " + t.Bases : "";
        // A class holding extension methods can only be a static class.
        bool isStatic = t.Kind == "class" && t.Members.Any(m => m.Contains("(this ", StringComparison.Ordinal));
        sb.AppendLine($"{indent}public {(isStatic ? "static class" : t.Kind == "class" ? "partial class" : t.Kind)} {name}{bases}");
        sb.AppendLine($"{indent}{{");
        if (t.Kind == "class" && t.HasAnyCtor && !t.HasParameterlessCtor && !isStatic)
        {
            // Constructors listed, none parameterless: none may be callable from outside, but
            // derived listed classes still chain to this one. (A class with no constructor listed
            // has the implicit public one, as in its source.)
            sb.AppendLine($"{indent}    protected {name}() {{ }}");
        }

        foreach (string m in t.Members)
        {
            sb.AppendLine($"{indent}    {m}");
        }

        foreach (TypeDecl nested in t.Nested)
        {
            WriteType(sb, nested, indent + "    ");
        }

        sb.AppendLine($"{indent}}}");
    }
}
