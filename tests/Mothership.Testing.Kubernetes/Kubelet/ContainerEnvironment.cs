using System.Globalization;
using System.Text;
using k8s.Models;

namespace Mothership.Testing.Kubernetes.Kubelet;

/// <summary>
/// A container's environment and command line as the kubelet builds them: <c>envFrom</c>, then
/// <c>env</c> (values, configMapKeyRef, secretKeyRef, fieldRef), with <c>$(VAR)</c> expanded in
/// values, command and args.
/// </summary>
internal static class ContainerEnvironment
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static Dictionary<string, string> Build(V1Pod pod, V1Container container, KubeletContext context)
    {
        var ns = pod.Namespace();

        // What an image and the kubelet usually give; the host's environment is not passed on.
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = DefaultPath,
            ["HOME"] = "/root",
            ["HOSTNAME"] = pod.Name(),
            ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1",
            ["KUBERNETES_SERVICE_PORT"] = context.Port.ToString(CultureInfo.InvariantCulture),
        };

        foreach (var source in container.EnvFrom ?? [])
        {
            var data = source.ConfigMapRef is { } cm
                ? PodVolumes.ConfigMapData(context, ns, cm.Name, cm.Optional == true)
                : source.SecretRef is { } secret
                    ? PodVolumes.SecretData(context, ns, secret.Name, secret.Optional == true)
                    : null;
            foreach (var (k, v) in data ?? [])
            {
                env[source.Prefix + k] = Encoding.UTF8.GetString(v);
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom is not { } from)
            {
                env[variable.Name] = Expand(variable.Value ?? "", env);
            }
            else if (from.FieldRef is { } field)
            {
                env[variable.Name] = PodVolumes.FieldValue(pod, field.FieldPath);
            }
            else if (from.ConfigMapKeyRef is { } cmKey)
            {
                var data = PodVolumes.ConfigMapData(context, ns, cmKey.Name, cmKey.Optional == true);
                if (Lookup(data, cmKey.Key, cmKey.Optional == true, $"couldn't find key {cmKey.Key} in ConfigMap {ns}/{cmKey.Name}") is { } value)
                {
                    env[variable.Name] = value;
                }
            }
            else if (from.SecretKeyRef is { } secretKey)
            {
                var data = PodVolumes.SecretData(context, ns, secretKey.Name, secretKey.Optional == true);
                if (Lookup(data, secretKey.Key, secretKey.Optional == true, $"couldn't find key {secretKey.Key} in Secret {ns}/{secretKey.Name}") is { } value)
                {
                    env[variable.Name] = value;
                }
            }
            else
            {
                throw new KubeletException("CreateContainerConfigError", $"the fake kubelet does not support the valueFrom of env {variable.Name}", retryable: false);
            }
        }

        return env;
    }

    /// <summary>Kubernetes' expansion: <c>$(NAME)</c> becomes the variable when it is defined, <c>$$</c> becomes <c>$</c>, anything else stays.</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> env)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '$' || i + 1 >= text.Length)
            {
                sb.Append(text[i]);
            }
            else if (text[i + 1] == '$')
            {
                sb.Append('$');
                i++;
            }
            else if (text[i + 1] == '(' && text.IndexOf(')', i + 2) is var close and > 0)
            {
                var name = text[(i + 2)..close];
                sb.Append(env.TryGetValue(name, out var value) ? value : text[i..(close + 1)]);
                i = close;
            }
            else
            {
                sb.Append('$');
            }
        }

        return sb.ToString();
    }

    private static string? Lookup(Dictionary<string, byte[]>? data, string key, bool optional, string missing)
    {
        if (data is null)
        {
            return null;
        }

        if (data.TryGetValue(key, out var bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }

        return optional ? null : throw new KubeletException("CreateContainerConfigError", missing, retryable: true);
    }
}
