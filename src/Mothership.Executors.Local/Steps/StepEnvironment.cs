using Mothership.Engine.Execution;
using Mothership.Executors.Local.Processes;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Local.Steps;

/// <summary>
/// A step's environment: the host's <c>PATH</c>, <c>LANG</c>, <c>TERM</c> and <c>TZ</c>,
/// <c>HOME</c> set to the attempt's home, then <c>envFrom</c> and <c>env</c> (which wins), with
/// ConfigMap and Secret values from the request's resources. Secret values go to the masker.
/// Last, <c>MOTHERSHIP_ATTEMPT=&lt;TaskRunUid&gt;/&lt;RetryCount&gt;</c>, which the step cannot
/// override: every process of the attempt inherits it, so that
/// <see cref="LocalTaskExecutor.CleanUpOrphans"/> finds them after a crash. It is the one variable a
/// step sees that a pod would not have (a pod has its own extras, <c>KUBERNETES_*</c>).
/// </summary>
internal static class StepEnvironment
{
    private static readonly string[] Inherited = ["PATH", "LANG", "TERM", "TZ"];

    public static Dictionary<string, string> Build(TaskRunRequest request, Step step, string container, string home, SecretMasker masker)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Inherited)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                env[name] = value;
            }
        }

        env.TryAdd("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env["HOME"] = home;

        foreach (var from in step.EnvFrom)
        {
            var isSecret = from.SecretName is not null;
            var name = from.SecretName ?? from.ConfigMapName;
            if (name is null)
            {
                continue;
            }

            var data = isSecret ? request.Resources.FindSecret(name) : request.Resources.FindConfigMap(name);
            if (data is null)
            {
                if (from.Optional)
                {
                    continue;
                }

                throw new AttemptFailure($"\"{container}\": {(isSecret ? "secret" : "configmap")} \"{name}\" not found");
            }

            foreach (var (key, value) in data.Data)
            {
                env[(from.Prefix ?? "") + key] = value;
                if (isSecret)
                {
                    masker.Add(value);
                }
            }
        }

        foreach (var e in step.Env)
        {
            if (e.SecretKeyRef is { } s)
            {
                if (Lookup(request.Resources.FindSecret(s.Name), s, "Secret", container) is { } v)
                {
                    env[e.Name] = v;
                    masker.Add(v);
                }
            }
            else if (e.ConfigMapKeyRef is { } c)
            {
                if (Lookup(request.Resources.FindConfigMap(c.Name), c, "ConfigMap", container) is { } v)
                {
                    env[e.Name] = v;
                }
            }
            else if (e.FieldPath is { } field)
            {
                // The downward API as a pod would answer it.
                env[e.Name] = field switch
                {
                    "metadata.name" => request.TaskRunName + "-pod",
                    "metadata.namespace" => "default",
                    "spec.nodeName" => Environment.MachineName,
                    "spec.serviceAccountName" => "default",
                    _ when field.StartsWith("metadata.labels['", StringComparison.Ordinal) =>
                        request.Labels.GetValueOrDefault(field["metadata.labels['".Length..].TrimEnd(']', '\''), ""),
                    _ => "",
                };
            }
            else
            {
                env[e.Name] = e.Value ?? "";
            }
        }

        env[AttemptProcesses.Variable] = AttemptProcesses.Marker(request.TaskRunUid, request.RetryCount);
        return env;
    }

    private static string? Lookup(DataObject? data, KeyRef key, string kind, string container)
    {
        if (data is null)
        {
            return key.Optional ? null : throw new AttemptFailure($"\"{container}\": {kind.ToLowerInvariant()} \"{key.Name}\" not found");
        }

        if (data.Data.TryGetValue(key.Key, out var value))
        {
            return value;
        }

        return key.Optional ? null : throw new AttemptFailure($"\"{container}\": couldn't find key {key.Key} in {kind} default/{key.Name}");
    }
}
