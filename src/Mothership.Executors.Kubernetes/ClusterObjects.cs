using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mothership.Executors.Kubernetes;

/// <summary>
/// Creates the Kubernetes objects that run files carry beside their Tekton resources, as
/// <c>kubectl create -f</c> would, so that a file that runs locally runs the same way as pods:
/// always the ConfigMaps, Secrets, PersistentVolumeClaims and ServiceAccounts a run may use, and
/// on request (<c>mship run --create-objects</c>) every other namespaced object — a Deployment and a
/// Service a test Task talks to. Objects that exist already are left as they are.
/// </summary>
/// <remarks>
/// Kinds beyond the four are found through the API server's discovery (<c>/api/v1</c>,
/// <c>/apis/GROUP/VERSION</c>), so a custom resource works once its CRD is installed. Every
/// document is checked before the first is created: an unknown kind creates nothing.
/// Cluster-scoped objects (a Namespace, a ClusterRole) are never created by a run, only reported.
/// </remarks>
public static class ClusterObjects
{
    private static readonly HashSet<string> RunInputs = new(StringComparer.Ordinal) { "ConfigMap", "Secret", "PersistentVolumeClaim", "ServiceAccount" };

    /// <summary>
    /// Creates the objects of <paramref name="inputs"/> (each a file's path, or null for generated
    /// YAML, and its text) in <paramref name="namespace"/> or the namespace an object names.
    /// </summary>
    /// <param name="client">The API client.</param>
    /// <param name="namespace">The run's namespace, for objects that name none.</param>
    /// <param name="inputs">The run's files: each one's path (null for generated YAML) and text.</param>
    /// <param name="others">Whether to create objects beyond the run's inputs (<c>--create-objects</c>).</param>
    /// <param name="cancellationToken">Stops the requests.</param>
    /// <exception cref="ClusterObjectException">An object the cluster cannot take: nothing was created when the check failed, the objects before it when the creation did.</exception>
    public static async Task<ClusterObjectsOutcome> CreateAsync(IKubernetes client, string @namespace, IEnumerable<(string? Path, string Yaml)> inputs, bool others, CancellationToken cancellationToken)
    {
        var documents = Documents(inputs, others);
        var resources = new Dictionary<string, V1APIResourceList?>(StringComparer.Ordinal);
        var plans = new List<(ClusterDocument Document, V1APIResource? Resource)>();
        var skipped = new List<string>();
        foreach (var document in documents)
        {
            if (RunInputs.Contains(document.Kind) && document.ApiVersion == "v1")
            {
                plans.Add((document, null));
                continue;
            }

            if (!resources.TryGetValue(document.ApiVersion, out var list))
            {
                resources[document.ApiVersion] = list = await DiscoverAsync(client, document, cancellationToken).ConfigureAwait(false);
            }

            var resource = list?.Resources.FirstOrDefault(r => r.Kind == document.Kind && !r.Name.Contains('/', StringComparison.Ordinal))
                ?? throw new ClusterObjectException($"{document.Where}: no matches for kind \"{document.Kind}\" in version \"{document.ApiVersion}\" on the cluster (is its CustomResourceDefinition installed?)", badInput: true);
            if (!resource.Namespaced)
            {
                skipped.Add($"{document.Kind}/{document.Name} is cluster-scoped: a run creates namespaced objects only (create it with kubectl)");
                continue;
            }

            plans.Add((document, resource));
        }

        var created = new List<string>();
        var existing = new List<string>();
        foreach (var (document, resource) in plans)
        {
            var ns = document.Namespace ?? @namespace;
            var label = ns == @namespace ? $"{document.Kind}/{document.Name}" : $"{document.Kind}/{document.Name} (namespace {ns})";
            try
            {
                await (resource is null ? CreateRunInputAsync(client, document, ns, cancellationToken) : CreateAnyAsync(client, document, resource, ns, cancellationToken)).ConfigureAwait(false);
                created.Add(label);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // Already there: the run uses what exists, as it would after an earlier kubectl create.
                existing.Add(label);
            }
            catch (HttpOperationException e)
            {
                throw new ClusterObjectException($"{document.Where}: {document.Kind} \"{document.Name}\" was not created: {ApiMessage(e)}",
                    badInput: e.Response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity);
            }
        }

        return new ClusterObjectsOutcome(created, existing, skipped);
    }

    private static List<ClusterDocument> Documents(IEnumerable<(string? Path, string Yaml)> inputs, bool others)
    {
        var documents = new List<ClusterDocument>();
        foreach (var (path, yaml) in inputs)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            foreach (var document in stream.Documents)
            {
                if (document.RootNode is not YamlMappingNode root
                    || Scalar(root, "kind") is not { Length: > 0 } kind
                    || Scalar(root, "apiVersion") is not { Length: > 0 } apiVersion
                    || apiVersion.StartsWith("tekton.dev/", StringComparison.Ordinal)
                    || !(others || (RunInputs.Contains(kind) && apiVersion == "v1")))
                {
                    continue;
                }

                // The run's inputs keep every plain scalar but booleans as text (data values,
                // storage sizes), as they always were created; others are typed as kubectl types them.
                var json = (RunInputs.Contains(kind) && apiVersion == "v1" ? Json(root) : KubernetesYaml.Typed(root))!.AsObject();
                var name = json["metadata"]?["name"]?.GetValue<string>() ?? "";
                // Where the loader points its warning about the object: its kind.
                var at = root.Children.Keys.First(k => k is YamlScalarNode { Value: "kind" }).Start;
                var where = $"{path ?? "(generated)"}:{at.Line}:{at.Column}";
                if (name.Length == 0)
                {
                    throw new ClusterObjectException($"{where}: {kind} without metadata.name: kubectl create needs a name", badInput: true);
                }

                documents.Add(new ClusterDocument(where, apiVersion, kind, name, json["metadata"]?["namespace"]?.GetValue<string>(), json));
            }
        }

        return documents;
    }

    private static async Task<V1APIResourceList?> DiscoverAsync(IKubernetes client, ClusterDocument document, CancellationToken cancellationToken)
    {
        try
        {
            return document.ApiVersion.Split('/') switch
            {
                ["v1"] => await client.CoreV1.GetAPIResourcesAsync(cancellationToken).ConfigureAwait(false),
                [var group, var version] => await client.CustomObjects.GetAPIResourcesAsync(group, version, cancellationToken).ConfigureAwait(false),
                _ => throw new ClusterObjectException($"{document.Where}: apiVersion \"{document.ApiVersion}\" is neither v1 nor GROUP/VERSION", badInput: true),
            };
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // The cluster does not serve the group or version: no kind of it can be found.
            return null;
        }
    }

    private static Task CreateRunInputAsync(IKubernetes client, ClusterDocument document, string ns, CancellationToken cancellationToken)
    {
        var text = document.Json.ToJsonString();
        return document.Kind switch
        {
            "ConfigMap" => client.CoreV1.CreateNamespacedConfigMapAsync(KubernetesJson.Deserialize<V1ConfigMap>(text), ns, cancellationToken: cancellationToken),
            "Secret" => client.CoreV1.CreateNamespacedSecretAsync(KubernetesJson.Deserialize<V1Secret>(text), ns, cancellationToken: cancellationToken),
            "PersistentVolumeClaim" => client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(KubernetesJson.Deserialize<V1PersistentVolumeClaim>(text), ns, cancellationToken: cancellationToken),
            _ => client.CoreV1.CreateNamespacedServiceAccountAsync(KubernetesJson.Deserialize<V1ServiceAccount>(text), ns, cancellationToken: cancellationToken),
        };
    }

    /// <summary>Any namespaced kind, by the resource discovery named, the object sent as it was read.</summary>
    private static Task CreateAnyAsync(IKubernetes client, ClusterDocument document, V1APIResource resource, string ns, CancellationToken cancellationToken)
    {
        var (group, version) = document.ApiVersion.Split('/') is [var g, var v] ? (g, v) : ("", document.ApiVersion);
        return client.CustomObjects.CreateNamespacedCustomObjectAsync(document.Json, group, version, ns, resource.Name, cancellationToken: cancellationToken);
    }

    private static string ApiMessage(HttpOperationException e)
    {
        try
        {
            return KubernetesJson.Deserialize<V1Status>(e.Response.Content)?.Message ?? e.Message;
        }
        catch (System.Text.Json.JsonException)
        {
            return $"{(int)e.Response.StatusCode} {e.Response.ReasonPhrase}";
        }
    }

    private static string? Scalar(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode s ? s.Value : null;

    /// <summary>
    /// YAML as JSON for the run's inputs. Plain <c>true</c>/<c>false</c> become booleans
    /// (<c>immutable</c>, <c>automountServiceAccountToken</c>); numbers stay strings, which is what
    /// these kinds hold (data values, storage quantities).
    /// </summary>
    private static JsonNode? Json(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", Json(c.Value)))),
        YamlSequenceNode s => new JsonArray([.. s.Children.Select(Json)]),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } b => JsonValue.Create(b.Value == "true"),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
        YamlScalarNode s => JsonValue.Create(s.Value ?? ""),
        _ => null,
    };

    private sealed record ClusterDocument(string Where, string ApiVersion, string Kind, string Name, string? Namespace, JsonObject Json);
}

/// <summary>What <see cref="ClusterObjects.CreateAsync"/> did: objects created, found already there, and not created with the reason.</summary>
public sealed record ClusterObjectsOutcome(IReadOnlyList<string> Created, IReadOnlyList<string> Existing, IReadOnlyList<string> Skipped);

/// <summary>An object the cluster could not take, named by its file and line.</summary>
/// <param name="message">The file, line, object and the API server's reason.</param>
/// <param name="badInput">Whether the object itself is at fault (unknown kind, invalid fields) rather than the cluster (forbidden, unreachable).</param>
public sealed class ClusterObjectException(string message, bool badInput) : Exception(message)
{
    /// <summary>Whether the object itself is at fault rather than the cluster.</summary>
    public bool BadInput => badInput;
}
