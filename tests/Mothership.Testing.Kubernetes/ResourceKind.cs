using System.Text.Json.Nodes;
using k8s.Models;

namespace Mothership.Testing.Kubernetes;

/// <summary>A REST resource the fake serves: its plural (the path segment), kind, list kind and model.</summary>
internal sealed record ResourceKind(string Plural, string Kind, string ListKind, Type Model)
{
    public static readonly ResourceKind Pods = new("pods", "Pod", "PodList", typeof(V1Pod));
    public static readonly ResourceKind PersistentVolumeClaims = new("persistentvolumeclaims", "PersistentVolumeClaim", "PersistentVolumeClaimList", typeof(V1PersistentVolumeClaim));
    public static readonly ResourceKind Events = new("events", "Event", "EventList", typeof(Corev1Event));
    public static readonly ResourceKind ConfigMaps = new("configmaps", "ConfigMap", "ConfigMapList", typeof(V1ConfigMap));
    public static readonly ResourceKind Secrets = new("secrets", "Secret", "SecretList", typeof(V1Secret));
    public static readonly ResourceKind ServiceAccounts = new("serviceaccounts", "ServiceAccount", "ServiceAccountList", typeof(V1ServiceAccount));

    /// <summary>Every resource the fake serves, all in the core group (<c>/api/v1</c>) and namespaced.</summary>
    public static readonly IReadOnlyList<ResourceKind> All = [Pods, PersistentVolumeClaims, Events, ConfigMaps, Secrets, ServiceAccounts];

    public static ResourceKind? ByPlural(string plural) => All.FirstOrDefault(k => k.Plural == plural);

    public static ResourceKind? ByModel(Type model) => All.FirstOrDefault(k => k.Model == model);

    /// <summary>
    /// The object as its model reads it and writes it back: fields the model does not know are
    /// dropped, as the real server prunes them, and a body that does not fit throws.
    /// </summary>
    public JsonObject Normalize(JsonObject body) => KubeJson.ToNode(Parse(body));

    public object Parse(JsonNode node) => Plural switch
    {
        "pods" => KubeJson.To<V1Pod>(node),
        "persistentvolumeclaims" => KubeJson.To<V1PersistentVolumeClaim>(node),
        "events" => KubeJson.To<Corev1Event>(node),
        "configmaps" => KubeJson.To<V1ConfigMap>(node),
        "secrets" => KubeJson.To<V1Secret>(node),
        "serviceaccounts" => KubeJson.To<V1ServiceAccount>(node),
        _ => throw new InvalidOperationException("no model for " + Plural),
    };
}
