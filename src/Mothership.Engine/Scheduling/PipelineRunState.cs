using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Model.Graph;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Scheduling;

/// <summary>Where a pipeline task stands.</summary>
public enum TaskPhase
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Skipped,
}

/// <summary>
/// One TaskRun of a pipeline task (one per matrix combination), with every attempt it made.
/// </summary>
public sealed record ChildRun
{
    public required string TaskRunName { get; init; }
    public required string Uid { get; init; }
    /// <summary>The matrix combination's params; empty without a matrix.</summary>
    public ImmutableArray<Param> MatrixParams { get; init; } = [];
    public ImmutableArray<TaskRunOutcome> Attempts { get; init; } = [];
    /// <summary>True while an attempt is being executed.</summary>
    public bool Running { get; init; }
    /// <summary>Set when a cancel was sent: why (Tekton's TaskRun message).</summary>
    public string? CancelReason { get; init; }
    /// <summary>The TaskRun's timeout as computed when it started.</summary>
    public TimeSpan? Timeout { get; init; }

    public TaskRunOutcome? Last => Attempts.IsEmpty ? null : Attempts[^1];

    public bool Done => !Running && Last is not null && (Last.Phase == TaskRunPhase.Succeeded || NoMoreRetries);

    /// <summary>Set by the scheduler when the last failed attempt will not be retried.</summary>
    public bool NoMoreRetries { get; init; }
}

/// <summary>A skipped task and why, with Tekton's exact wording.</summary>
public sealed record SkipInfo(string Reason, ImmutableArray<WhenExpression> WhenExpressions);

/// <summary>The state of one pipeline task (DAG or finally).</summary>
public sealed record PipelineTaskState
{
    public required PipelineTask Task { get; init; }
    public bool IsFinally { get; init; }
    public TaskPhase Phase { get; init; } = TaskPhase.Pending;
    public SkipInfo? Skip { get; init; }
    public ImmutableArray<ChildRun> Runs { get; init; } = [];
    /// <summary>The resolved task's result declarations, to type aggregated matrix results.</summary>
    public ImmutableArray<ResultSpec> ResultSpecs { get; init; } = [];

    public string Name => Task.Name;

    /// <summary>True when the task failed only because it was cancelled (a cancel or a timeout of the run).</summary>
    public bool WasCancelled => Phase == TaskPhase.Failed && Runs.Any(r => r.CancelReason is not null && r.Last?.Phase is TaskRunPhase.Cancelled);

    public bool Done => Phase is TaskPhase.Succeeded or TaskPhase.Failed or TaskPhase.Skipped;

    /// <summary>Failed, but with <c>onError: continue</c>: Tekton's <c>FailureIgnored</c>.</summary>
    public bool FailureIgnored => Phase == TaskPhase.Failed && Task.OnError == "continue";
}

/// <summary>How a finished run ended.</summary>
public sealed record RunCompletion(string Status, string Reason, string Message, DateTimeOffset Time);

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

    public string Name => Run.Metadata.Name ?? "pipelinerun";

    /// <summary>
    /// The scheduler's bookkeeping over <see cref="Tasks"/>; null until the scheduler builds it
    /// (a state read back from storage). Change <see cref="Tasks"/> only through the scheduler.
    /// </summary>
    internal SchedulerIndex? Index { get; init; }

    public IEnumerable<PipelineTaskState> DagTasks => Spec.Tasks.Select(t => Tasks[t.Name]);

    public IEnumerable<PipelineTaskState> FinallyTasks => Spec.Finally.Select(t => Tasks[t.Name]);
}
