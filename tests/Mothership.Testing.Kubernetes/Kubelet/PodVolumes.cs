using System.Text;
using k8s.Models;

namespace Mothership.Testing.Kubernetes.Kubelet;

/// <summary>
/// Why the kubelet cannot go on with a pod or container: <see cref="Retryable"/> when an object
/// it needs may still be created (the kubelet retries), otherwise for good.
/// </summary>
internal sealed class KubeletException(string reason, string message, bool retryable) : Exception(message)
{
    public string Reason => reason;

    public bool Retryable => retryable;
}

/// <summary>
/// Turns a pod's volumes into host directories: emptyDir a fresh directory per pod; configMap,
/// secret, downwardAPI and projected files written from the objects (<c>items</c> honoured);
/// persistentVolumeClaim the claim's directory; hostPath the path itself.
/// </summary>
internal static class PodVolumes
{
    public static Dictionary<string, string> Materialize(V1Pod pod, KubeletContext context, string podDirectory)
    {
        var ns = pod.Namespace();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            var dir = Path.Combine(podDirectory, "volumes", volume.Name);
            if (volume.EmptyDir is not null)
            {
                Directory.CreateDirectory(dir);
                result[volume.Name] = dir;
            }
            else if (volume.ConfigMap is { } cm)
            {
                Directory.CreateDirectory(dir);
                var data = ConfigMapData(context, ns, cm.Name, cm.Optional == true);
                WriteItems(dir, data, cm.Items, $"configmap {ns}/{cm.Name}", cm.Optional == true);
                result[volume.Name] = dir;
            }
            else if (volume.Secret is { } secret)
            {
                Directory.CreateDirectory(dir);
                var data = SecretData(context, ns, secret.SecretName, secret.Optional == true);
                WriteItems(dir, data, secret.Items, $"secret {ns}/{secret.SecretName}", secret.Optional == true);
                result[volume.Name] = dir;
            }
            else if (volume.DownwardAPI is { } downward)
            {
                Directory.CreateDirectory(dir);
                WriteDownward(dir, downward.Items, pod);
                result[volume.Name] = dir;
            }
            else if (volume.Projected is { } projected)
            {
                Directory.CreateDirectory(dir);
                WriteProjected(dir, projected, pod, context);
                result[volume.Name] = dir;
            }
            else if (volume.PersistentVolumeClaim is { } claim)
            {
                var pvc = context.Store.Get(ResourceKind.PersistentVolumeClaims, ns, claim.ClaimName)
                    ?? throw new KubeletException("Unschedulable", $"persistentvolumeclaim \"{claim.ClaimName}\" not found", retryable: true);
                result[volume.Name] = context.ClaimDirectory(KubeJson.To<V1PersistentVolumeClaim>(pvc));
            }
            else if (volume.HostPath is { } hostPath)
            {
                if (hostPath.Type is "DirectoryOrCreate")
                {
                    Directory.CreateDirectory(hostPath.Path);
                }
                else if (hostPath.Type is "Directory" && !Directory.Exists(hostPath.Path))
                {
                    throw new KubeletException("FailedMount", $"hostPath type check failed: {hostPath.Path} is not a directory", retryable: true);
                }

                result[volume.Name] = hostPath.Path;
            }
            else
            {
                throw new KubeletException("FailedMount", $"the fake kubelet does not support the type of volume \"{volume.Name}\"", retryable: false);
            }
        }

        return result;
    }

    /// <summary>A ConfigMap's data and binaryData as bytes; null when it is optional and absent.</summary>
    public static Dictionary<string, byte[]>? ConfigMapData(KubeletContext context, string ns, string name, bool optional)
    {
        if (context.Store.Get(ResourceKind.ConfigMaps, ns, name) is not { } node)
        {
            return optional ? null : throw new KubeletException("CreateContainerConfigError", $"configmap \"{name}\" not found", retryable: true);
        }

        var cm = KubeJson.To<V1ConfigMap>(node);
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (k, v) in cm.Data ?? new Dictionary<string, string>())
        {
            data[k] = Encoding.UTF8.GetBytes(v);
        }

        foreach (var (k, v) in cm.BinaryData ?? new Dictionary<string, byte[]>())
        {
            data[k] = v;
        }

        return data;
    }

    /// <summary>A Secret's data as bytes (stringData was folded into data on write); null when optional and absent.</summary>
    public static Dictionary<string, byte[]>? SecretData(KubeletContext context, string ns, string name, bool optional)
    {
        if (context.Store.Get(ResourceKind.Secrets, ns, name) is not { } node)
        {
            return optional ? null : throw new KubeletException("CreateContainerConfigError", $"secret \"{name}\" not found", retryable: true);
        }

        var secret = KubeJson.To<V1Secret>(node);
        return new Dictionary<string, byte[]>(secret.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal);
    }

    /// <summary>The value of a downward-API field path, as env <c>fieldRef</c> and downwardAPI volumes read it.</summary>
    public static string FieldValue(V1Pod pod, string fieldPath)
    {
        static string Quoted(IDictionary<string, string>? map, string path)
        {
            var key = path[(path.IndexOf('[', StringComparison.Ordinal) + 1)..^1].Trim('\'', '"');
            return map is not null && map.TryGetValue(key, out var v) ? v : "";
        }

        static string All(IDictionary<string, string>? map) =>
            string.Join('\n', (map ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}=\"{p.Value}\""));

        return fieldPath switch
        {
            "metadata.name" => pod.Name(),
            "metadata.namespace" => pod.Namespace(),
            "metadata.uid" => pod.Uid(),
            "metadata.labels" => All(pod.Labels()),
            "metadata.annotations" => All(pod.Annotations()),
            "spec.nodeName" => pod.Spec.NodeName ?? "",
            "spec.serviceAccountName" => pod.Spec.ServiceAccountName ?? "",
            "status.hostIP" or "status.podIP" => "127.0.0.1",
            _ when fieldPath.StartsWith("metadata.labels[", StringComparison.Ordinal) => Quoted(pod.Labels(), fieldPath),
            _ when fieldPath.StartsWith("metadata.annotations[", StringComparison.Ordinal) => Quoted(pod.Annotations(), fieldPath),
            _ => throw new KubeletException("CreateContainerConfigError", $"unsupported fieldPath: {fieldPath}", retryable: false),
        };
    }

    private static void WriteItems(string dir, Dictionary<string, byte[]>? data, IList<V1KeyToPath>? items, string what, bool optional)
    {
        if (data is null)
        {
            return;
        }

        if (items is null || items.Count == 0)
        {
            foreach (var (key, bytes) in data)
            {
                Write(dir, key, bytes);
            }

            return;
        }

        foreach (var item in items)
        {
            if (data.TryGetValue(item.Key, out var bytes))
            {
                Write(dir, item.Path, bytes);
            }
            else if (!optional)
            {
                throw new KubeletException("FailedMount", $"configmap references non-existent config key: {item.Key} ({what})", retryable: true);
            }
        }
    }

    private static void WriteDownward(string dir, IList<V1DownwardAPIVolumeFile>? items, V1Pod pod)
    {
        foreach (var item in items ?? [])
        {
            var value = item.FieldRef is { } field ? FieldValue(pod, field.FieldPath) : "";
            Write(dir, item.Path, Encoding.UTF8.GetBytes(value));
        }
    }

    private static void WriteProjected(string dir, V1ProjectedVolumeSource projected, V1Pod pod, KubeletContext context)
    {
        var ns = pod.Namespace();
        foreach (var source in projected.Sources ?? [])
        {
            if (source.ConfigMap is { } cm)
            {
                WriteItems(dir, ConfigMapData(context, ns, cm.Name, cm.Optional == true), cm.Items, $"configmap {ns}/{cm.Name}", cm.Optional == true);
            }
            else if (source.Secret is { } secret)
            {
                WriteItems(dir, SecretData(context, ns, secret.Name, secret.Optional == true), secret.Items, $"secret {ns}/{secret.Name}", secret.Optional == true);
            }
            else if (source.DownwardAPI is { } downward)
            {
                WriteDownward(dir, downward.Items, pod);
            }
            else if (source.ServiceAccountToken is { } token)
            {
                // Not a signed token: the fake accepts its own bearer token only, so that is what a pod gets.
                Write(dir, token.Path, Encoding.UTF8.GetBytes(context.Options.Token));
            }
        }
    }

    private static void Write(string dir, string relative, byte[] bytes)
    {
        var path = Path.GetFullPath(Path.Combine(dir, relative));
        if (!path.StartsWith(dir + "/", StringComparison.Ordinal))
        {
            throw new KubeletException("FailedMount", $"item path \"{relative}\" leaves the volume", retryable: false);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}
