namespace NbnEdge.Firmware.Conformance.Tests;

/// <summary>The nanoFramework stable API listings: types, their bases, and members with parameter lists.</summary>
public sealed class ApiListing
{
    public sealed class TypeEntry
    {
        public string FullName = "";
        public string Kind = "";
        public List<string> Bases { get; } = new();
        public Dictionary<string, List<Param[]>> Members { get; } = new(StringComparer.Ordinal);
    }

    public readonly record struct Param(string Type, bool Optional, bool IsParams);

    public Dictionary<string, TypeEntry> Types { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Namespaces { get; } = new(StringComparer.Ordinal);

    public static ApiListing Load(string directory)
    {
        var listing = new ApiListing();
        foreach (string file in Directory.GetFiles(directory, "*.api.txt"))
        {
            foreach (string raw in File.ReadAllLines(file))
            {
                string line = raw.Replace("\u200b", "").Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                listing.AddLine(line);
            }
        }

        foreach (TypeEntry type in listing.Types.Values)
        {
            string ns = type.FullName;
            while (ns.Contains('.'))
            {
                ns = ns[..ns.LastIndexOf('.')];
                listing.Namespaces.Add(ns);
            }
        }

        return listing;
    }

    private void AddLine(string line)
    {
        int space = line.IndexOf(' ');
        int paren = line.IndexOf('(');
        string name;
        string rest;
        string? parameters = null;
        if (paren >= 0 && paren < space)
        {
            int close = line.IndexOf(')', paren);
            name = line[..paren];
            parameters = line[(paren + 1)..close];
            rest = line[(close + 1)..].Trim();
        }
        else
        {
            name = space < 0 ? line : line[..space];
            rest = space < 0 ? "" : line[(space + 1)..].Trim();
        }

        string kind = rest.Split(' ')[0];
        if (parameters == null && (kind is "class" or "struct" or "enum" or "interface" or "delegate"))
        {
            TypeEntry type = GetOrAddType(name);
            type.Kind = kind;
            int colon = rest.IndexOf(':');
            if (colon >= 0)
            {
                foreach (string b in rest[(colon + 1)..].Split(','))
                {
                    type.Bases.Add(b.Trim());
                }
            }

            return;
        }

        if (name.Contains('[') || !name.Contains('.'))
        {
            return; // indexers and operators are not checked
        }

        string typeName = name[..name.LastIndexOf('.')];
        string member = name[(name.LastIndexOf('.') + 1)..];
        TypeEntry owner = GetOrAddType(typeName);
        if (!owner.Members.TryGetValue(member, out List<Param[]>? overloads))
        {
            overloads = new List<Param[]>();
            owner.Members[member] = overloads;
        }

        overloads.Add(parameters == null ? Array.Empty<Param>() : ParseParameters(parameters));
    }

    private TypeEntry GetOrAddType(string fullName)
    {
        if (!Types.TryGetValue(fullName, out TypeEntry? type))
        {
            type = new TypeEntry { FullName = fullName };
            Types[fullName] = type;
        }

        return type;
    }

    private static Param[] ParseParameters(string text)
    {
        if (text.Trim().Length == 0)
        {
            return Array.Empty<Param>();
        }

        return text.Split(',').Select(p =>
        {
            string t = p.Trim();
            bool optional = t.Contains('=');
            bool isParams = t.StartsWith("params ", StringComparison.Ordinal);
            return new Param(NormalizeType(t), optional, isParams);
        }).ToArray();
    }

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["String"] = "string", ["Object"] = "object", ["Int32"] = "int", ["UInt32"] = "uint",
        ["Int64"] = "long", ["UInt64"] = "ulong", ["Int16"] = "short", ["UInt16"] = "ushort",
        ["Byte"] = "byte", ["SByte"] = "sbyte", ["Boolean"] = "bool", ["Char"] = "char",
        ["Double"] = "double", ["Single"] = "float", ["Void"] = "void", ["Decimal"] = "decimal",
    };

    /// <summary>A parameter type as comparable text: no modifiers, defaults, nullability or namespace; C# aliases.</summary>
    public static string NormalizeType(string text)
    {
        string t = text.Trim();
        foreach (string modifier in new[] { "params ", "this ", "out ", "ref ", "in " })
        {
            if (t.StartsWith(modifier, StringComparison.Ordinal))
            {
                t = t[modifier.Length..];
            }
        }

        int eq = t.IndexOf('=');
        if (eq >= 0)
        {
            t = t[..eq].Trim();
        }

        t = t.Replace("?", "");
        string suffix = "";
        while (t.EndsWith("[]", StringComparison.Ordinal))
        {
            suffix += "[]";
            t = t[..^2];
        }

        if (t.Contains('.') && !t.Contains('<'))
        {
            t = t[(t.LastIndexOf('.') + 1)..];
        }

        return (Aliases.TryGetValue(t, out string? alias) ? alias : t) + suffix;
    }

    /// <summary>The type and its listed bases, nearest first, ending with System.Object.</summary>
    public IEnumerable<TypeEntry> WithBases(string fullName)
    {
        var seen = new HashSet<string>();
        var queue = new Queue<string>();
        queue.Enqueue(fullName);
        while (queue.Count > 0)
        {
            string name = queue.Dequeue();
            if (!seen.Add(name) || !Types.TryGetValue(name, out TypeEntry? type))
            {
                continue;
            }

            yield return type;
            foreach (string b in type.Bases)
            {
                string ns = name.Contains('.') ? name[..name.LastIndexOf('.')] : "";
                queue.Enqueue(ResolveBase(b, ns));
            }
        }

        if (Types.TryGetValue("System.Object", out TypeEntry? obj) && !seen.Contains("System.Object"))
        {
            yield return obj;
        }
    }

    private string ResolveBase(string name, string ns)
    {
        if (Types.ContainsKey(name))
        {
            return name;
        }

        foreach (string candidate in new[] { ns + "." + name, "System." + name, "System.Collections." + name })
        {
            if (Types.ContainsKey(candidate))
            {
                return candidate;
            }
        }

        return name;
    }
}
