using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NbnEdge.Firmware.Conformance.Tests;

/// <summary>
/// Checks firmware C# against nanoFramework's stable API. The sources are compiled together
/// (NANOFRAMEWORK_1_0 defined, so the device branch of every #if is the one checked) against the
/// desktop framework; every framework symbol they bind to is looked up in the listings by type,
/// member name and, where the call bound cleanly, parameter types. Names desktop .NET does not know
/// (SpanByte, System.Device.*, nanoFramework.*) are resolved syntactically through the file's
/// usings against the listings, members by name and argument count.
/// </summary>
public sealed class FirmwareConformanceChecker
{
    private readonly ApiListing _listing;

    public FirmwareConformanceChecker(ApiListing listing)
    {
        _listing = listing;
    }

    /// <summary>Checks the given sources (path, text); returns "path:line: problem" for each violation.</summary>
    public List<string> Check(IReadOnlyList<(string Path, string Text)> sources)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest, preprocessorSymbols: new[] { "NANOFRAMEWORK_1_0" });
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, options, s.Path)).ToList();
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Append(typeof(System.IO.Hashing.Crc32).Assembly.Location)
            .Distinct()
            .Select(p => MetadataReference.CreateFromFile(p))
            .ToList();
        var compilation = CSharpCompilation.Create("FirmwareConformance", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        var violations = new List<string>();
        foreach (SyntaxTree tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            var file = new FileChecker(this, tree, model, violations);
            file.Run();
        }

        return violations;
    }

    private sealed class FileChecker
    {
        private readonly FirmwareConformanceChecker _owner;
        private readonly SyntaxTree _tree;
        private readonly SemanticModel _model;
        private readonly List<string> _violations;
        private readonly List<string> _namespaces = new();
        private readonly bool _isEstimator;

        public FileChecker(FirmwareConformanceChecker owner, SyntaxTree tree, SemanticModel model, List<string> violations)
        {
            _owner = owner;
            _tree = tree;
            _model = model;
            _violations = violations;
            _isEstimator = Path.GetFileName(tree.FilePath).Contains("Estimator", StringComparison.Ordinal);
        }

        private ApiListing Listing => _owner._listing;

        private void Report(SyntaxNode node, string message)
        {
            int line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            _violations.Add($"{_tree.FilePath}:{line}: {message}");
        }

        public void Run()
        {
            SyntaxNode root = _tree.GetRoot();
            foreach (var u in root.DescendantNodes().OfType<UsingDirectiveSyntax>())
            {
                string name = u.Name?.ToString() ?? "";
                if (name == "System.Linq" || name.StartsWith("System.Linq.", StringComparison.Ordinal))
                {
                    Report(u, "LINQ (System.Linq) is not available on nanoFramework");
                }

                if (u.Alias == null && u.StaticKeyword.IsKind(SyntaxKind.None))
                {
                    _namespaces.Add(name);
                }
            }

            foreach (var ns in root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>())
            {
                string name = ns.Name.ToString();
                while (true)
                {
                    _namespaces.Add(name);
                    int dot = name.LastIndexOf('.');
                    if (dot < 0)
                    {
                        break;
                    }

                    name = name[..dot];
                }
            }

            foreach (SyntaxNode node in root.DescendantNodes())
            {
                CheckLanguage(node);
                if (node is SimpleNameSyntax simple)
                {
                    CheckName(simple);
                }
                else if (node is BaseObjectCreationExpressionSyntax creation)
                {
                    CheckCreation(creation);
                }
            }
        }

        private void CheckLanguage(SyntaxNode node)
        {
            switch (node)
            {
                case GenericNameSyntax g:
                    Report(g, $"generic type or method '{g}' (nanoFramework 1.x has no generics)");
                    break;
                case TypeParameterListSyntax t:
                    Report(t, "generic declaration (nanoFramework 1.x has no generics)");
                    break;
                case QueryExpressionSyntax q:
                    Report(q, "LINQ query expression");
                    break;
                case AwaitExpressionSyntax a:
                    Report(a, "await (nanoFramework has no async)");
                    break;
                case MethodDeclarationSyntax m when m.Modifiers.Any(SyntaxKind.AsyncKeyword):
                    Report(m, "async method (nanoFramework has no async)");
                    break;
                case AnonymousFunctionExpressionSyntax f when f.Modifiers.Any(SyntaxKind.AsyncKeyword):
                    Report(f, "async lambda (nanoFramework has no async)");
                    break;
                case IdentifierNameSyntax id when id.Identifier.Text is "Span" or "ReadOnlySpan" or "Memory" or "ReadOnlyMemory":
                    Report(id, $"'{id.Identifier.Text}' does not exist on nanoFramework (use SpanByte or byte[] with offsets)");
                    break;
                case PredefinedTypeSyntax p when _isEstimator && (p.Keyword.IsKind(SyntaxKind.FloatKeyword) || p.Keyword.IsKind(SyntaxKind.DoubleKeyword)):
                    Report(p, $"'{p.Keyword.Text}' in estimator code (fixed point only)");
                    break;
                case LiteralExpressionSyntax l when _isEstimator && l.IsKind(SyntaxKind.NumericLiteralExpression) && (l.Token.Value is double || l.Token.Value is float):
                    Report(l, $"floating-point literal '{l.Token.Text}' in estimator code (fixed point only)");
                    break;
            }
        }

        private static bool InSource(ISymbol symbol) => symbol.Locations.Any(l => l.IsInSource);

        private static ISymbol? Bound(SymbolInfo info, out bool exact)
        {
            exact = info.Symbol != null;
            return info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
        }

        private void CheckName(SimpleNameSyntax name)
        {
            if (name.Parent is MemberAccessExpressionSyntax access && access.Name == name)
            {
                CheckMemberAccess(access, name);
                return;
            }

            if (name.Parent is QualifiedNameSyntax q && q.Right == name)
            {
                CheckQualifiedName(q);
                return;
            }

            if (IsDeclarationName(name) || name.Parent is NameColonSyntax || name.Parent is NameEqualsSyntax)
            {
                return;
            }

            if (name.Ancestors().Any(a => a is UsingDirectiveSyntax || a is BaseNamespaceDeclarationSyntax ns && ns.Name.Span.Contains(name.Span)))
            {
                return;
            }

            SymbolInfo info = _model.GetSymbolInfo(name);
            ISymbol? symbol = Bound(info, out _);
            if (symbol == null)
            {
                if (name.Parent is MemberAccessExpressionSyntax left && left.Expression == name)
                {
                    // The left end of a chain: a type or namespace the desktop does not know.
                    if (ResolveTypeOrNamespace(name.Identifier.Text) == null)
                    {
                        Report(name, $"'{name.Identifier.Text}' is not a type or namespace in the nanoFramework listings");
                    }

                    return;
                }

                bool isAttribute = name.Parent is AttributeSyntax;
                if (ResolveType(name.Identifier.Text) == null && !(isAttribute && ResolveType(name.Identifier.Text + "Attribute") != null))
                {
                    Report(name, $"'{name.Identifier.Text}' is not in the nanoFramework listings");
                }

                return;
            }

            if (InSource(symbol) || symbol is INamespaceSymbol || symbol is ILocalSymbol || symbol is IParameterSymbol
                || symbol is IRangeVariableSymbol || symbol is ILabelSymbol || symbol is ITypeParameterSymbol)
            {
                return;
            }

            if (symbol is INamedTypeSymbol type)
            {
                CheckType(name, type);
            }
            else if (symbol is IAliasSymbol)
            {
                return;
            }
            else if (symbol.ContainingType != null)
            {
                CheckMember(name, symbol, symbol.ContainingType, info.Symbol != null, ArgumentCount(name));
            }
        }

        private static bool IsDeclarationName(SimpleNameSyntax name) => false;

        private void CheckQualifiedName(QualifiedNameSyntax q)
        {
            if (q.Ancestors().Any(a => a is UsingDirectiveSyntax || a is BaseNamespaceDeclarationSyntax))
            {
                return;
            }

            ISymbol? symbol = _model.GetSymbolInfo(q).Symbol;
            if (symbol is INamedTypeSymbol type && !InSource(type))
            {
                CheckType(q, type);
            }
            else if (symbol == null && ResolveTypeOrNamespace(q.ToString()) == null)
            {
                Report(q, $"'{q}' is not in the nanoFramework listings");
            }
        }

        private void CheckType(SyntaxNode node, INamedTypeSymbol type)
        {
            if (type.IsGenericType)
            {
                return; // reported as generic by the language check
            }

            if (type.SpecialType != SpecialType.None && type.SpecialType != SpecialType.System_Object && type.SpecialType != SpecialType.System_String)
            {
                // int, byte, bool... are in CoreLibrary as structs; checked through their members.
            }

            string fullName = FullName(type);
            if (!Listing.Types.ContainsKey(fullName))
            {
                Report(node, $"type '{fullName}' is not in the nanoFramework listings");
            }
        }

        private void CheckCreation(BaseObjectCreationExpressionSyntax creation)
        {
            SymbolInfo info = _model.GetSymbolInfo(creation);
            ISymbol? symbol = Bound(info, out bool exact);
            int args = creation.ArgumentList?.Arguments.Count ?? 0;
            if (symbol is IMethodSymbol ctor)
            {
                if (InSource(ctor) || ctor.ContainingType.IsGenericType)
                {
                    return;
                }

                string typeName = FullName(ctor.ContainingType);
                if (ctor.ContainingType.TypeKind == TypeKind.Delegate || ctor.ContainingType.IsValueType && args == 0)
                {
                    return;
                }

                CheckListedMember(creation, typeName, "ctor", exact && !HasErrorArguments(creation) ? ctor : null, args);
                return;
            }

            if (creation is ObjectCreationExpressionSyntax named)
            {
                string? typeName = ResolveType(StripGeneric(named.Type.ToString()));
                if (typeName == null)
                {
                    return; // the type name itself is reported by CheckName
                }

                CheckListedMember(creation, typeName, "ctor", null, args);
            }
        }

        private void CheckMemberAccess(MemberAccessExpressionSyntax access, SimpleNameSyntax name)
        {
            SymbolInfo info = _model.GetSymbolInfo(name);
            ISymbol? symbol = Bound(info, out bool exact);
            int args = ArgumentCount(name);

            if (symbol != null)
            {
                if (InSource(symbol) || symbol is INamespaceSymbol)
                {
                    return;
                }

                if (symbol is INamedTypeSymbol type)
                {
                    CheckType(name, type);
                    return;
                }

                if (symbol.ContainingType == null)
                {
                    return;
                }

                ITypeSymbol? receiver = _model.GetTypeInfo(access.Expression).Type;
                var candidates = new List<string> { FullName(symbol.ContainingType) };
                if (receiver != null && receiver.TypeKind != TypeKind.Error)
                {
                    candidates.Insert(0, FullName(receiver));
                }

                bool bindable = exact && !HasErrorArguments(name);
                foreach (string candidate in candidates)
                {
                    if (FindMember(candidate, MemberKey(symbol), bindable ? symbol as IMethodSymbol : null, args, out _))
                    {
                        return;
                    }
                }

                CheckListedMember(name, candidates[0], MemberKey(symbol), bindable ? symbol as IMethodSymbol : null, args);
                return;
            }

            // Unbound: resolve the receiver through the listings.
            string? receiverType = null;
            ISymbol? left = _model.GetSymbolInfo(access.Expression).Symbol;
            ITypeSymbol? leftType = _model.GetTypeInfo(access.Expression).Type;
            if (left is INamespaceSymbol || (left == null && (leftType == null || leftType.TypeKind == TypeKind.Error) && IsNamespaceOrTypeChain(access.Expression)))
            {
                string dotted = access.ToString();
                string? asType = ResolveTypeOrNamespace(dotted);
                if (asType != null)
                {
                    return;
                }

                string? owner = ResolveType(access.Expression.ToString());
                if (owner == null)
                {
                    Report(name, $"'{dotted}' is not in the nanoFramework listings");
                    return;
                }

                receiverType = owner;
            }
            else if (left is INamedTypeSymbol leftNamed && !InSource(leftNamed))
            {
                receiverType = FullName(leftNamed);
            }
            else if (leftType != null && leftType.TypeKind != TypeKind.Error)
            {
                if (InSource(leftType))
                {
                    return; // a member the compiler could not bind on our own type: the compiler reports it
                }

                receiverType = FullName(leftType);
            }
            else if (leftType != null)
            {
                receiverType = ResolveType(leftType.Name);
            }

            if (receiverType == null)
            {
                Report(name, $"cannot resolve the type of '{access.Expression}' against the nanoFramework listings");
                return;
            }

            CheckListedMember(name, receiverType, name.Identifier.Text, null, args);
        }

        private static bool IsNamespaceOrTypeChain(ExpressionSyntax e) =>
            e is IdentifierNameSyntax || (e is MemberAccessExpressionSyntax m && IsNamespaceOrTypeChain(m.Expression));

        private static bool HasErrorArguments(SyntaxNode name) => false;

        private static string MemberKey(ISymbol symbol) =>
            symbol is IMethodSymbol { MethodKind: MethodKind.Constructor } ? "ctor" : symbol.Name;

        private static int ArgumentCount(SyntaxNode name)
        {
            SyntaxNode target = name.Parent is MemberAccessExpressionSyntax m && m.Name == name ? m : name;
            return target.Parent is InvocationExpressionSyntax inv && inv.Expression == target ? inv.ArgumentList.Arguments.Count : -1;
        }

        private void CheckMember(SyntaxNode node, ISymbol symbol, INamedTypeSymbol owner, bool exact, int args)
        {
            CheckListedMember(node, FullName(owner), MemberKey(symbol), exact ? symbol as IMethodSymbol : null, args);
        }

        private void CheckListedMember(SyntaxNode node, string typeName, string member, IMethodSymbol? bound, int args)
        {
            if (!Listing.Types.ContainsKey(typeName))
            {
                Report(node, $"type '{typeName}' is not in the nanoFramework listings");
                return;
            }

            if (FindMember(typeName, member, bound, args, out bool nameFound))
            {
                return;
            }

            if (!nameFound)
            {
                Report(node, $"'{typeName}.{member}' does not exist on nanoFramework");
            }
            else if (bound != null)
            {
                string signature = string.Join(", ", bound.Parameters.Select(p => ApiListing.NormalizeType(p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat))));
                Report(node, $"'{typeName}.{member}({signature})' has no such overload on nanoFramework");
            }
            else
            {
                Report(node, $"'{typeName}.{member}' takes no {args} arguments on nanoFramework");
            }
        }

        private bool FindMember(string typeName, string member, IMethodSymbol? bound, int args, out bool nameFound)
        {
            nameFound = false;
            foreach (ApiListing.TypeEntry type in Listing.WithBases(typeName))
            {
                if (!type.Members.TryGetValue(member, out List<ApiListing.Param[]>? overloads))
                {
                    continue;
                }

                nameFound = true;
                foreach (ApiListing.Param[] parameters in overloads)
                {
                    if (bound != null)
                    {
                        if (SameParameters(bound, parameters))
                        {
                            return true;
                        }
                    }
                    else if (args < 0 || Accepts(parameters, args))
                    {
                        return true;
                    }
                }

                if (member == "ctor")
                {
                    break; // constructors are not inherited
                }
            }

            return false;
        }

        private static bool Accepts(ApiListing.Param[] parameters, int args)
        {
            int required = parameters.Count(p => !p.Optional && !p.IsParams);
            bool hasParams = parameters.Any(p => p.IsParams);
            return args >= required && (args <= parameters.Length || hasParams);
        }

        private static bool SameParameters(IMethodSymbol method, ApiListing.Param[] parameters)
        {
            if (method.Parameters.Length != parameters.Length)
            {
                return false;
            }

            for (int i = 0; i < parameters.Length; i++)
            {
                string actual = ApiListing.NormalizeType(method.Parameters[i].Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
                if (actual != parameters[i].Type)
                {
                    return false;
                }
            }

            return true;
        }

        private static string StripGeneric(string name)
        {
            int lt = name.IndexOf('<');
            return lt < 0 ? name : name[..lt];
        }

        private static string FullName(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol)
            {
                return "System.Array";
            }

            string name = type.Name;
            INamedTypeSymbol? outer = type.ContainingType;
            while (outer != null)
            {
                name = outer.Name + "." + name;
                outer = outer.ContainingType;
            }

            string ns = type.ContainingNamespace?.ToDisplayString() ?? "";
            return ns.Length == 0 || type.ContainingNamespace!.IsGlobalNamespace ? name : ns + "." + name;
        }

        private string? ResolveType(string name)
        {
            if (Listing.Types.ContainsKey(name))
            {
                return name;
            }

            foreach (string ns in _namespaces)
            {
                string candidate = ns + "." + name;
                if (Listing.Types.ContainsKey(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }

        private string? ResolveTypeOrNamespace(string name)
        {
            string? type = ResolveType(name);
            if (type != null)
            {
                return type;
            }

            if (Listing.Namespaces.Contains(name))
            {
                return name;
            }

            foreach (string ns in _namespaces)
            {
                if (Listing.Namespaces.Contains(ns + "." + name))
                {
                    return ns + "." + name;
                }
            }

            return null;
        }
    }
}
