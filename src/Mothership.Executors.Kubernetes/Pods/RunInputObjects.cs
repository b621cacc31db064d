using System.Text;
using k8s.Models;
using Mothership.Engine.Execution;

namespace Mothership.Executors.Kubernetes.Pods;

/// <summary>
/// The Secrets and ConfigMaps a pod reads (env, <c>envFrom</c>, volumes, projected sources) that
/// the run brought in its files: the server gets a run's files through its API, not the cluster,
/// so the executor creates them beside the pod — as <c>mship run</c> does before it starts
/// (<see cref="ClusterObjects"/>) — labelled with the run, and they go when the run is released.
/// One the cluster already has is used as it is (<c>kubectl create</c>'s rule, the CLI's too), so
/// a run cannot overwrite a Secret someone else made.
/// </summary>
internal static class RunInputObjects
{
    /// <summary>The run's Secrets and ConfigMaps that <paramref name="pod"/> names, with the pod's labels.</summary>
    public static (IReadOnlyList<V1Secret> Secrets, IReadOnlyList<V1ConfigMap> ConfigMaps) For(V1Pod pod, TaskRunRequest request, string @namespace)
    {
        var (secretNames, configMapNames) = Named(pod);
        var labels = pod.Metadata.Labels is { } l ? new Dictionary<string, string>(l) : null;
        var secrets = request.Resources.Secrets.Where(s => s.Metadata.Name is { } n && secretNames.Contains(n))
            .Select(s => new V1Secret
            {
                ApiVersion = "v1",
                Kind = "Secret",
                Metadata = new V1ObjectMeta { Name = s.Metadata.Name, NamespaceProperty = @namespace, Labels = labels },
                Type = s.Type ?? "Opaque",
                Data = s.Data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetBytes(d.Value), StringComparer.Ordinal),
            }).ToList();
        var configMaps = request.Resources.ConfigMaps.Where(c => c.Metadata.Name is { } n && configMapNames.Contains(n))
            .Select(c => new V1ConfigMap
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = new V1ObjectMeta { Name = c.Metadata.Name, NamespaceProperty = @namespace, Labels = labels },
                Data = c.Data.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal),
            }).ToList();
        return (secrets, configMaps);
    }

    /// <summary>The names of the Secrets and ConfigMaps the pod's containers and volumes read.</summary>
    private static (HashSet<string> Secrets, HashSet<string> ConfigMaps) Named(V1Pod pod)
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        var configMaps = new HashSet<string>(StringComparer.Ordinal);
        foreach (var container in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []))
        {
            foreach (var env in container.Env ?? [])
            {
                Add(secrets, env.ValueFrom?.SecretKeyRef?.Name);
                Add(configMaps, env.ValueFrom?.ConfigMapKeyRef?.Name);
            }

            foreach (var from in container.EnvFrom ?? [])
            {
                Add(secrets, from.SecretRef?.Name);
                Add(configMaps, from.ConfigMapRef?.Name);
            }
        }

        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            Add(secrets, volume.Secret?.SecretName);
            Add(configMaps, volume.ConfigMap?.Name);
            foreach (var source in volume.Projected?.Sources ?? [])
            {
                Add(secrets, source.Secret?.Name);
                Add(configMaps, source.ConfigMap?.Name);
            }
        }

        return (secrets, configMaps);
    }

    private static void Add(HashSet<string> names, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            names.Add(name);
        }
    }
}
