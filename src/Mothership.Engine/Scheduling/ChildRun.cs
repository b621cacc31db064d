using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Scheduling;

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

    /// <summary>Set when this TaskRun was not run but taken over from an earlier run (<see cref="Reuse.TaskReuse"/>): the one it carries the attempts of.</summary>
    public Reuse.ReusedTaskRun? ReusedFrom { get; init; }
}
