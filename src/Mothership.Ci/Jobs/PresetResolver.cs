using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;

namespace Mothership.Ci.Jobs;

/// <summary>
/// Prow's <c>resolvePresets</c> and <c>mergePreset</c> (<c>pkg/config/jobs.go</c>): each preset
/// whose labels a job carries adds its env and volume mounts to every container of the job's pod
/// and its volumes and tolerations to the pod. A name set twice is an error, as in Prow; so is a
/// mount path twice, which Kubernetes would refuse. Jobs without a pod spec
/// (<c>agent: tekton-pipeline</c>) get no presets, as in Prow.
/// </summary>
internal static class PresetResolver
{
    /// <summary>Prow's <c>mergeJobConfigs</c> rule: one <c>label:value</c> pair in two presets is an error.</summary>
    public static void CheckLabels(IReadOnlyList<Preset> presets, DiagnosticBag bag)
    {
        var seen = new Dictionary<string, Preset>(StringComparer.Ordinal);
        foreach (var preset in presets)
        {
            foreach (var (label, value) in preset.Labels)
            {
                var pair = label + ":" + value;
                if (!seen.TryAdd(pair, preset))
                {
                    bag.Error(preset.At("labels"), $"duplicated preset 'label:value' pair {pair}: also in the preset at {seen[pair].Location}; merge the two presets");
                }
            }
        }
    }

    /// <summary>The config with its presets merged into every job's pod.</summary>
    public static ProwConfig Apply(ProwConfig config, DiagnosticBag bag)
    {
        if (config.Presets.IsEmpty)
        {
            return config;
        }

        return config with
        {
            Presubmits = config.Presubmits.ToImmutableSortedDictionary(p => p.Key, p => Apply(p.Value, config.Presets, bag), StringComparer.Ordinal),
            Postsubmits = config.Postsubmits.ToImmutableSortedDictionary(p => p.Key, p => Apply(p.Value, config.Presets, bag), StringComparer.Ordinal),
            Periodics = Apply(config.Periodics, config.Presets, bag),
        };
    }

    /// <summary>Each job with <paramref name="presets"/> merged into its pod.</summary>
    public static ImmutableArray<T> Apply<T>(ImmutableArray<T> jobs, IReadOnlyList<Preset> presets, DiagnosticBag bag)
        where T : ProwJob =>
        presets.Count == 0 ? jobs : [.. jobs.Select(j => Apply(j, presets, bag))];

    /// <summary>The job with the presets its labels select merged into its pod, in preset order.</summary>
    public static T Apply<T>(T job, IReadOnlyList<Preset> presets, DiagnosticBag bag)
        where T : ProwJob
    {
        if (job.PodSpec is not { TaskSpec: { } task } spec)
        {
            return job;
        }

        var podTemplate = spec.PodTemplate;
        foreach (var preset in presets.Where(p => p.AppliesTo(job.Labels)))
        {
            var steps = task.Steps.ToArray();
            for (var i = 0; i < steps.Length; i++)
            {
                steps[i] = steps[i] with
                {
                    Env = [.. steps[i].Env, .. preset.Env.Where(e => Unique(job, steps[i].Env, x => x.Name == e.Name, $"env var {e.Name}", preset, bag))],
                    VolumeMounts =
                    [
                        .. steps[i].VolumeMounts,
                        .. preset.VolumeMounts.Where(m =>
                            // Both checked, so each clash is reported.
                            Unique(job, steps[i].VolumeMounts, x => x.Name == m.Name, $"volume mount {m.Name}", preset, bag)
                            & Unique(job, steps[i].VolumeMounts, x => x.MountPath == m.MountPath, $"mount path {m.MountPath}", preset, bag)),
                    ],
                };
            }

            task = task with
            {
                Steps = [.. steps],
                Volumes = [.. task.Volumes, .. preset.Volumes.Where(v => Unique(job, task.Volumes, x => x.Name == v.Name, $"volume {v.Name}", preset, bag))],
            };
            if (!preset.Tolerations.IsEmpty)
            {
                podTemplate = AddTolerations(job, podTemplate ?? new PodTemplate { Location = spec.Location }, preset, bag);
            }
        }

        return job with { PodSpec = spec with { TaskSpec = task, PodTemplate = podTemplate } };
    }

    /// <summary>Whether none of <paramref name="existing"/> clashes; else an error at the one that does.</summary>
    private static bool Unique<TItem>(ProwJob job, IEnumerable<TItem> existing, Func<TItem, bool> clashes, string what, Preset preset, DiagnosticBag bag)
        where TItem : Located
    {
        if (existing.FirstOrDefault(clashes) is not { } clash)
        {
            return true;
        }

        bag.Error(clash.Location, $"job '{job.Name}': {what} is duplicated in its pod: the preset at {preset.Location} sets it too; remove one (Prow refuses the job)");
        return false;
    }

    /// <summary>
    /// A toleration as JSON text, to find the same one twice: built as JSON nodes from the YAML
    /// reader's maps, lists and scalars rather than through the reflection-based serializer, which
    /// the native (AOT) CLI's <c>mship validate</c> cannot use.
    /// </summary>
    private static string Canonical(object? value) => ToNode(value)?.ToJsonString() ?? "null";

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        IDictionary<string, object?> map => new JsonObject(map.Select(e => KeyValuePair.Create(e.Key, ToNode(e.Value)))),
        IEnumerable<object?> list => new JsonArray([.. list.Select(ToNode)]),
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        long number => JsonValue.Create(number),
        int number => JsonValue.Create(number),
        double number => JsonValue.Create(number),
        _ => JsonValue.Create(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
    };

    private static PodTemplate AddTolerations(ProwJob job, PodTemplate template, Preset preset, DiagnosticBag bag)
    {
        var current = template.PodFields.GetValueOrDefault("tolerations") as List<object?> ?? [];
        var written = current.Select(Canonical).ToHashSet(StringComparer.Ordinal);
        var added = new List<object?>(current);
        foreach (var toleration in preset.Tolerations)
        {
            if (written.Add(Canonical(toleration)))
            {
                added.Add(toleration);
            }
            else
            {
                bag.Error(job.At("spec"), $"job '{job.Name}': a toleration is duplicated in its pod: the preset at {preset.Location} sets it too; remove one (Prow refuses the job)");
            }
        }

        return template with { PodFields = template.PodFields.SetItem("tolerations", added) };
    }
}
