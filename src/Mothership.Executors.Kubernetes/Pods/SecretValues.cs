using Mothership.Engine.Execution;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Kubernetes.Pods;

/// <summary>
/// The values of the Secrets an attempt's pod reads — env <c>secretKeyRef</c>, <c>envFrom</c>,
/// secret volumes, workspaces and projected sources, creds-init — as far as the run's files
/// define them (what the local executor masks while it resolves the same references). A Secret
/// that exists only in the cluster is not read back to be masked.
/// </summary>
internal static class SecretValues
{
    public static SecretMasker Masker(TaskRunRequest request, IEnumerable<string> credentialValues)
    {
        var masker = new SecretMasker();
        foreach (var value in credentialValues.Concat(Used(request)).Concat(request.SecretValues))
        {
            masker.Add(value);
        }

        return masker;
    }

    private static IEnumerable<string> Used(TaskRunRequest request)
    {
        var resources = request.Resources;
        IEnumerable<string> All(string? name) => name is not null && resources.FindSecret(name) is { } s ? s.Data.Values : [];
        IEnumerable<string> FromSource(VolumeSource? source) => source is null ? [] : All(source.SecretName).Concat(source.Sources.SelectMany(FromSource));

        foreach (var step in request.Spec.Steps.Concat(request.Spec.Sidecars))
        {
            foreach (var env in step.Env)
            {
                if (env.SecretKeyRef is { } key && resources.FindSecret(key.Name)?.Data.GetValueOrDefault(key.Key) is { } value)
                {
                    yield return value;
                }
            }

            foreach (var value in step.EnvFrom.SelectMany(e => All(e.SecretName)))
            {
                yield return value;
            }
        }

        foreach (var value in request.Spec.Volumes.SelectMany(v => FromSource(v.Source)).Concat(request.Workspaces.SelectMany(w => FromSource(w.Source))))
        {
            yield return value;
        }
    }
}
