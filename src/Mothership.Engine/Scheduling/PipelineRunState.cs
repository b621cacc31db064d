using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Model.Graph;
using Mothership.Model.Limits;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Scheduling;

/// <summary>
/// Everything the scheduler decides from: the resolved pipeline, its params, the state of each
/// task and the run's requests (cancel). Immutable: the driver replaces it after every event,
/// so a server can persist it between steps.
/// </summary>
public sealed record PipelineRunState
{
    public required PipelineRun Run { get; init; }
    public required PipelineSpec Spec { get; init; }
    public required PipelineGraph Graph { get; init; }
    public required ResourceSet Resources { get; init; }
    public required string Uid { get; init; }
    public required ImmutableDictionary<string, ParamValue> Params { get; init; }
    public required ImmutableDictionary<string, PipelineTaskState> Tasks { get; init; }
    public required DateTimeOffset StartTime { get; init; }
    public DateTimeOffset? FinallyStartTime { get; init; }
    /// <summary><c>Cancelled</c>, <c>CancelledRunFinally</c> or <c>StoppedRunFinally</c>, as in Tekton's <c>spec.status</c>.</summary>
    public string? CancelRequest { get; init; }
    public RunCompletion? Completion { get; init; }
    /// <summary>Pipeline results computed at completion.</summary>
    public ImmutableArray<RunResult> Results { get; init; } = [];
    /// <summary>Set when the run failed for a reason of its own (InvalidTaskResultReference, …).</summary>
    public RunCompletion? Failure { get; init; }

    /// <summary>
    /// For a rerun from the failure, the tasks of the earlier run it takes over when they are
    /// ready instead of running them (<see cref="Reuse.TaskReuse"/>); empty otherwise.
    /// </summary>
    public ImmutableDictionary<string, Reuse.ReusedTask> Reuse { get; init; } = ImmutableDictionary<string, Reuse.ReusedTask>.Empty;

    /// <summary>
    /// The limits the host holds runs to; the scheduler checks <see cref="InputLimits.MaxMatrixCombinations"/>
    /// when a matrixed task starts. Default: <see cref="InputLimits.Default"/>.
    /// </summary>
    public InputLimits Limits { get; init; } = InputLimits.Default;

    public string Name => Run.Metadata.Name ?? "pipelinerun";

    /// <summary>
    /// The scheduler's bookkeeping over <see cref="Tasks"/>; null until the scheduler builds it
    /// (a state read back from storage). Change <see cref="Tasks"/> only through the scheduler.
    /// </summary>
    internal SchedulerIndex? Index { get; init; }

    public IEnumerable<PipelineTaskState> DagTasks => Spec.Tasks.Select(t => Tasks[t.Name]);

    public IEnumerable<PipelineTaskState> FinallyTasks => Spec.Finally.Select(t => Tasks[t.Name]);
}
