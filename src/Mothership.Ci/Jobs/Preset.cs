using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Ci.Jobs;

/// <summary>
/// One of Prow's <c>presets</c>: env, volumes, volume mounts and tolerations that every job whose
/// labels hold all of <see cref="Labels"/> gets in its pod (<c>pkg/config/jobs.go</c>, <c>Preset</c>).
/// A preset without labels applies to every job with a pod spec.
/// </summary>
public sealed record Preset : Located
{
    /// <summary>The labels (name and value) a job must carry, all of them, to get this preset.</summary>
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>Added to every container of the job's pod.</summary>
    public ImmutableArray<EnvVar> Env { get; init; } = [];

    /// <summary>Added to the job's pod.</summary>
    public ImmutableArray<Volume> Volumes { get; init; } = [];

    /// <summary>Added to every container of the job's pod.</summary>
    public ImmutableArray<VolumeMount> VolumeMounts { get; init; } = [];

    /// <summary>Kubernetes tolerations added to the job's pod, as written (plain maps and strings).</summary>
    public ImmutableArray<object?> Tolerations { get; init; } = [];

    /// <summary>Prow's match: the job has every label of the preset, with its value.</summary>
    public bool AppliesTo(IReadOnlyDictionary<string, string> jobLabels)
    {
        ArgumentNullException.ThrowIfNull(jobLabels);
        return Labels.All(l => jobLabels.TryGetValue(l.Key, out var value) && value == l.Value);
    }
}
