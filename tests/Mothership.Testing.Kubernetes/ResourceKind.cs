using System.Text.Json.Nodes;
using k8s.Models;

namespace Mothership.Testing.Kubernetes;

/// <summary>A REST resource the fake serves: its plural (the path segment), kind, list kind, model and apiVersion.</summary>
internal sealed record ResourceKind(string Plural, string Kind, string ListKind, Type Model, string ApiVersion = "v1")
{
    public static readonly ResourceKind Pods = new("pods", "Pod", "PodList", typeof(V1Pod));
    public static readonly ResourceKind PersistentVolumeClaims = new("persistentvolumeclaims", "PersistentVolumeClaim", "PersistentVolumeClaimList", typeof(V1PersistentVolumeClaim));
    public static readonly ResourceKind Events = new("events", "Event", "EventList", typeof(Corev1Event));
    public static readonly ResourceKind ConfigMaps = new("configmaps", "ConfigMap", "ConfigMapList", typeof(V1ConfigMap));
    public static readonly ResourceKind Secrets = new("secrets", "Secret", "SecretList", typeof(V1Secret));
    public static readonly ResourceKind ServiceAccounts = new("serviceaccounts", "ServiceAccount", "ServiceAccountList", typeof(V1ServiceAccount));
    public static readonly ResourceKind Services = new("services", "Service", "ServiceList", typeof(V1Service));
    public static readonly ResourceKind Deployments = new("deployments", "Deployment", "DeploymentList", typeof(V1Deployment), "apps/v1");

    /// <summary>
    /// Every resource the fake serves, all namespaced: in the core group (<c>/api/v1</c>) but
    /// Deployments (<c>/apis/apps/v1</c>), which only get stored: no controller makes their pods.
    /// </summary>
    public static readonly IReadOnlyList<ResourceKind> All = [Pods, PersistentVolumeClaims, Events, ConfigMaps, Secrets, ServiceAccounts, Services, Deployments];

    /// <summary>The path prefix of the kind's API group and version: <c>api/v1</c> or <c>apis/GROUP/VERSION</c>.</summary>
    public string Prefix => ApiVersion.Contains('/', StringComparison.Ordinal) ? "apis/" + ApiVersion : "api/" + ApiVersion;

    /// <summary>The kind of <paramref name="plural"/> under the path prefix <paramref name="prefix"/> (<c>api/v1</c>, <c>apis/apps/v1</c>).</summary>
    public static ResourceKind? ByPlural(string prefix, string plural) => All.FirstOrDefault(k => k.Plural == plural && k.Prefix == prefix);

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
        "services" => KubeJson.To<V1Service>(node),
        "deployments" => KubeJson.To<V1Deployment>(node),
        _ => throw new InvalidOperationException("no model for " + Plural),
    };
}
