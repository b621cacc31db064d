using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Scheduling;

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

    /// <summary>True when the task was taken over from an earlier run instead of running (<see cref="Reuse.TaskReuse"/>).</summary>
    public bool Reused => !Runs.IsEmpty && Runs.All(r => r.ReusedFrom is not null);

    public bool Done => Phase is TaskPhase.Succeeded or TaskPhase.Failed or TaskPhase.Skipped;

    /// <summary>Failed, but with <c>onError: continue</c>: Tekton's <c>FailureIgnored</c>.</summary>
    public bool FailureIgnored => Phase == TaskPhase.Failed && Task.OnError == "continue";
}
