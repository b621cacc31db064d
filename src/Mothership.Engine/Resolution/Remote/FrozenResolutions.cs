using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Resolution.Remote;

/// <summary>
/// Resolved documents frozen into a stored run's manifest, so a restart or a rerun runs what was
/// validated without fetching again (a branch may have moved since). Each is a ConfigMap
/// document, <c>mothership-resolved-DIGEST</c>, whose annotations carry the request's key and
/// the source and whose <c>content</c> is the text as fetched.
/// </summary>
public static class FrozenResolutions
{
    /// <summary>The annotation holding <see cref="ResolutionRequest.Key"/>.</summary>
    public const string KeyAnnotation = "mothership.io/resolved-from";

    /// <summary>The annotation holding <see cref="ResolvedDocument.Source"/>.</summary>
    public const string SourceAnnotation = "mothership.io/resolved-source";

    /// <summary>One manifest document (JSON, which YAML reads) per fetched document.</summary>
    public static IEnumerable<string> Documents(IReadOnlyDictionary<string, ResolvedDocument> fetched) =>
        fetched.Select(f => new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"mothership-resolved-{RemoteInliner.Digest(f.Key)[..16]}",
                ["annotations"] = new JsonObject { [KeyAnnotation] = f.Key, [SourceAnnotation] = f.Value.Source },
            },
            ["data"] = new JsonObject { ["content"] = f.Value.Text },
        }.ToJsonString());

    /// <summary>The frozen documents among <paramref name="resources"/> by key, and the resources without them.</summary>
    public static (ImmutableSortedDictionary<string, ResolvedDocument> Frozen, ResourceSet Others) Split(ResourceSet resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var frozen = ImmutableSortedDictionary.CreateBuilder<string, ResolvedDocument>(StringComparer.Ordinal);
        var rest = ImmutableArray.CreateBuilder<Resource>();
        foreach (var r in resources.All)
        {
            if (r is DataObject { IsSecret: false } d && d.Metadata.Annotations.TryGetValue(KeyAnnotation, out var key) &&
                d.Metadata.Annotations.TryGetValue(SourceAnnotation, out var source) && d.Data.TryGetValue("content", out var text))
            {
                frozen[key] = new ResolvedDocument(source, text);
            }
            else
            {
                rest.Add(r);
            }
        }

        return (frozen.ToImmutable(), new ResourceSet { All = rest.ToImmutable() });
    }
}
