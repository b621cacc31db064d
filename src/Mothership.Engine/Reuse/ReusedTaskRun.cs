using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Reuse;

/// <summary>
/// A TaskRun of an earlier PipelineRun whose status a rerun from the failure carries over instead
/// of running it again: where it ran (its logs stay with that run), its matrix combination and
/// every attempt it made, results, steps and times included.
/// </summary>
public sealed record ReusedTaskRun
{
    /// <summary>The PipelineRun that ran it (the first one, when it was already reused there).</summary>
    public required string PipelineRun { get; init; }

    /// <summary>The TaskRun's name in <see cref="PipelineRun"/>.</summary>
    public required string TaskRun { get; init; }

    /// <summary>The matrix combination's params; empty without a matrix.</summary>
    public ImmutableArray<Param> MatrixParams { get; init; } = [];

    /// <summary>Its attempts, the last one succeeded.</summary>
    public required ImmutableArray<TaskRunOutcome> Attempts { get; init; }
}
