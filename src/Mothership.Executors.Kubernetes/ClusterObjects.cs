using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Mothership.Executors.Kubernetes;

/// <summary>
/// Creates the Kubernetes objects that run files carry beside their Tekton resources —
/// ConfigMaps, Secrets, PersistentVolumeClaims, ServiceAccounts — as <c>kubectl create -f</c>
/// would, so that a file that runs locally runs the same way as pods. Objects that exist already
/// are left as they are.
/// </summary>
public static class ClusterObjects
{
    private static readonly HashSet<string> Kinds = new(StringComparer.Ordinal) { "ConfigMap", "Secret", "PersistentVolumeClaim", "ServiceAccount" };

    /// <summary>Creates every such object in the YAML texts <paramref name="yamls"/>; the names of those created.</summary>
    public static async Task<IReadOnlyList<string>> CreateAsync(IKubernetes client, string @namespace, IEnumerable<string> yamls, CancellationToken cancellationToken)
    {
        var created = new List<string>();
        foreach (var yaml in yamls)
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            foreach (var document in stream.Documents)
            {
                if (document.RootNode is not YamlMappingNode root || Json(root) is not JsonObject json || json["kind"]?.GetValue<string>() is not { } kind || !Kinds.Contains(kind) || json["apiVersion"]?.GetValue<string>() != "v1")
                {
                    continue;
                }

                var text = json.ToJsonString();
                try
                {
                    switch (kind)
                    {
                        case "ConfigMap":
                            await client.CoreV1.CreateNamespacedConfigMapAsync(KubernetesJson.Deserialize<V1ConfigMap>(text), @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                            break;
                        case "Secret":
                            await client.CoreV1.CreateNamespacedSecretAsync(KubernetesJson.Deserialize<V1Secret>(text), @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                            break;
                        case "PersistentVolumeClaim":
                            await client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(KubernetesJson.Deserialize<V1PersistentVolumeClaim>(text), @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                            break;
                        default:
                            await client.CoreV1.CreateNamespacedServiceAccountAsync(KubernetesJson.Deserialize<V1ServiceAccount>(text), @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                            break;
                    }

                    created.Add($"{kind}/{json["metadata"]?["name"]}");
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    // Already there: kubectl create would refuse it too; the run uses what exists.
                }
            }
        }

        return created;
    }

    /// <summary>
    /// YAML as JSON. Plain <c>true</c>/<c>false</c> become booleans (<c>immutable</c>,
    /// <c>automountServiceAccountToken</c>); numbers stay strings, which is what these kinds hold
    /// (data values, storage quantities).
    /// </summary>
    private static JsonNode? Json(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", Json(c.Value)))),
        YamlSequenceNode s => new JsonArray([.. s.Children.Select(Json)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "true" or "false" } b => JsonValue.Create(b.Value == "true"),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
        YamlScalarNode s => JsonValue.Create(s.Value ?? ""),
        _ => null,
    };
}
