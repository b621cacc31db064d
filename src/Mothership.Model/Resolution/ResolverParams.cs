using System.Collections.Immutable;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;

namespace Mothership.Model.Resolution;

/// <summary>
/// The remote resolvers Tekton ships and the params each takes (Tekton's names, from
/// <c>pkg/resolution/resolver/*/params.go</c>): the one place both <c>mship validate</c> (shape,
/// without network) and the resolvers themselves read them from.
/// </summary>
public static class ResolverParams
{
    public const string Git = "git";
    public const string Http = "http";
    public const string Hub = "hub";
    public const string Bundles = "bundles";
    public const string Cluster = "cluster";

    /// <summary>Tekton's <c>cache</c> param (always, never, auto): accepted; Mothership's caching is described in the README.</summary>
    public const string CacheParam = "cache";

    private sealed record Shape(ImmutableArray<string> Required, ImmutableArray<string> Optional);

    private static readonly ImmutableSortedDictionary<string, Shape> Shapes = new Dictionary<string, Shape>
    {
        // url mode needs url; API mode (scmType/serverURL/org/repo/token) needs org and repo instead: checked below.
        [Git] = new(["pathInRepo"], ["revision", "url", "org", "repo", "token", "tokenKey", "gitToken", "gitTokenKey", "scmType", "serverURL", "configKey", CacheParam]),
        [Http] = new(["url"], ["http-username", "http-password-secret", "http-password-secret-key"]),
        [Hub] = new(["name", "version"], ["type", "kind", "catalog"]),
        // kind defaults to task, the default-kind of Tekton's shipped bundleresolver-config.
        [Bundles] = new(["bundle", "name"], ["kind", "secret", "serviceAccount", CacheParam]),
        [Cluster] = new(["kind", "name"], ["namespace", CacheParam]),
    }.ToImmutableSortedDictionary(StringComparer.Ordinal);

    /// <summary>The resolvers Mothership knows, sorted.</summary>
    public static IEnumerable<string> Known => Shapes.Keys;

    /// <summary>
    /// Checks a ref's resolver and params: a known resolver, the required params present, no
    /// unknown or repeated param, string values only. Adds each problem to <paramref name="bag"/>.
    /// </summary>
    public static void Check(ResourceRef r, string label, DiagnosticBag bag)
    {
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(bag);
        var resolver = r.Resolver ?? "";
        if (!Shapes.TryGetValue(resolver, out var shape))
        {
            bag.Error(r.At("resolver"), $"{label}: unknown resolver '{resolver}': use one of {string.Join(", ", Known)}");
            return;
        }

        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in r.Params)
        {
            if (!given.Add(p.Name))
            {
                bag.Error(p.Location, $"{label}: {resolver} resolver param '{p.Name}' is given twice");
            }
            else if (!shape.Required.Contains(p.Name) && !shape.Optional.Contains(p.Name))
            {
                bag.Error(p.Location, $"{label}: unknown {resolver} resolver param '{p.Name}': it takes {string.Join(", ", [.. shape.Required, .. shape.Optional])}");
            }
            else if (p.Value.Type != ParamType.String)
            {
                bag.Error(p.Location, $"{label}: {resolver} resolver param '{p.Name}' must be a string");
            }
        }

        var required = resolver == Git && !given.Contains("url") && (given.Contains("repo") || given.Contains("org") || given.Contains("scmType"))
            ? [.. shape.Required, "org", "repo"]
            : resolver == Git ? [.. shape.Required, "url"] : shape.Required;
        var missing = required.Where(n => !given.Contains(n)).ToList();
        if (missing.Count > 0)
        {
            bag.Error(r.At("params"), $"{label}: the {resolver} resolver needs param{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => $"'{m}'"))}");
        }

        if (resolver == Git && given.Contains("url") && given.Contains("repo"))
        {
            bag.Error(r.At("params"), $"{label}: the git resolver takes either 'url' (anonymous clone) or 'org' and 'repo' (API mode), not both");
        }
    }
}
