using System.Collections.Immutable;

namespace Mothership.Model.Tekton;

/// <summary>
/// A run's <c>podTemplate</c> (TaskRun <c>spec.podTemplate</c>, PipelineRun
/// <c>spec.taskRunTemplate.podTemplate</c> and <c>spec.taskRunSpecs[].podTemplate</c>).
/// Volumes and env mean the same to every executor; the scheduling and pod-level fields
/// (<see cref="PodFields"/>: nodeSelector, tolerations, affinity, securityContext, …) only to
/// the Kubernetes executor, which reads them as written.
/// </summary>
public sealed record PodTemplate : Located
{
    /// <summary>The pod-level fields Tekton's PodTemplate has besides <c>env</c> and <c>volumes</c>.</summary>
    public static readonly ImmutableArray<string> PodFieldNames =
    [
        "nodeSelector", "tolerations", "affinity", "securityContext", "runtimeClassName",
        "automountServiceAccountToken", "dnsPolicy", "dnsConfig", "enableServiceLinks",
        "priorityClassName", "schedulerName", "imagePullSecrets", "hostAliases", "hostNetwork",
        "topologySpreadConstraints",
    ];

    public ImmutableArray<Volume> Volumes { get; init; } = [];

    /// <summary>Env for every step and sidecar; it wins over theirs, as in Tekton.</summary>
    public ImmutableArray<EnvVar> Env { get; init; } = [];

    /// <summary>The other fields as written (plain maps, lists and strings), by field name.</summary>
    public ImmutableSortedDictionary<string, object?> PodFields { get; init; } = ImmutableSortedDictionary<string, object?>.Empty;

    public bool IsEmpty => Volumes.IsEmpty && Env.IsEmpty && PodFields.IsEmpty;

    /// <summary>
    /// Tekton's merge of a pipeline task's template over the run's: each pod field of
    /// <paramref name="specific"/> replaces the default's, env and volumes merge by name with
    /// <paramref name="specific"/>'s winning.
    /// </summary>
    public static PodTemplate? Merge(PodTemplate? defaults, PodTemplate? specific)
    {
        if (defaults is null || specific is null)
        {
            return specific ?? defaults;
        }

        return specific with
        {
            Volumes = [.. specific.Volumes, .. defaults.Volumes.Where(v => specific.Volumes.All(s => s.Name != v.Name))],
            Env = defaults.Env.Overlay(specific.Env),
            PodFields = defaults.PodFields.SetItems(specific.PodFields),
        };
    }
}
