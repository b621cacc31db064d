using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Ci.Jobs;

/// <summary>
/// What every Prow job has (Prow's <c>JobBase</c>): its name, labels, agent and what it runs —
/// a pod (<c>spec</c>, read as a TaskRun) or a PipelineRun (<c>pipeline_run_spec</c>). Positions
/// of its fields are in <see cref="Located.FieldLocations"/>.
/// </summary>
public abstract record ProwJob : Located
{
    /// <summary>The job's name (<c>[A-Za-z0-9-._]+</c>); unique per repository and kind.</summary>
    public required string Name { get; init; }

    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public ImmutableSortedDictionary<string, string> Annotations { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>At most this many runs of the job at once; 0 (the default) means no limit.</summary>
    public int MaxConcurrency { get; init; }

    /// <summary>Who runs it; default <see cref="JobAgents.Kubernetes"/>.</summary>
    public string Agent { get; init; } = JobAgents.Kubernetes;

    /// <summary>The cluster alias; default <c>default</c>, as Prow's.</summary>
    public string Cluster { get; init; } = "default";

    /// <summary>Where its pods run; null means the configured pod namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>Prow's <c>decorate</c> (clone, upload logs, …); null when not written.</summary>
    public bool? Decorate { get; init; }

    /// <summary>The pod of a <see cref="JobAgents.Kubernetes"/> job as a TaskRun: one step per container, in order; its volumes the task's; the pod-level fields its pod template.</summary>
    public TaskRunSpec? PodSpec { get; init; }

    /// <summary>The PipelineRun spec of a <see cref="JobAgents.TektonPipeline"/> job, read as any PipelineRun's.</summary>
    public PipelineRunSpec? PipelineRunSpec { get; init; }

    /// <summary>Prow's other job fields, accepted and kept as written (plain maps, lists and strings) but not interpreted.</summary>
    public ImmutableDictionary<string, object?> Extra { get; init; } = ImmutableDictionary<string, object?>.Empty;
}
