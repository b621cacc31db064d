using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;

namespace Mothership.Ci.Owners;

/// <summary>What reading <c>OWNERS</c> and <c>OWNERS_ALIASES</c> share.</summary>
internal static class OwnersYaml
{
    /// <summary>The file's one mapping; null when it is empty (no error) or not a mapping (an error).</summary>
    public static TreeMapping? Root(string file, string text, DiagnosticBag diagnostics)
    {
        if (ResourceLoader.ParseYaml(file, text, diagnostics) is not { } documents)
        {
            return null;
        }

        var roots = documents.Where(d => d is not TreeScalar s || !string.IsNullOrWhiteSpace(s.Value)).ToList();
        switch (roots)
        {
            case []:
                return null;
            case [TreeMapping node]:
                return node;
            default:
                diagnostics.Error(new SourceLocation(file, roots[0].Line, roots[0].Column), $"{file} must be one YAML mapping");
                return null;
        }
    }

    /// <summary>A warning for each key Prow would not read either (its decoder ignores them).</summary>
    public static void WarnUnknown(MapReader r, IReadOnlyCollection<string> known)
    {
        foreach (var key in r.Keys.Where(k => !known.Contains(k)))
        {
            r.Diagnostics.Warning(r.At(key), $"unknown field '{(r.Path.Length == 0 ? key : r.Path + "." + key)}' is ignored (known: {string.Join(", ", known)})");
        }
    }
}
