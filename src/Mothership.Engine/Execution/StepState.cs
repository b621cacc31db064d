using System.Collections.Immutable;

namespace Mothership.Engine.Execution;

/// <summary>A step's (or sidecar's) state, as Tekton's <c>status.steps</c> entries.</summary>
public sealed record StepState
{
    public required string Name { get; init; }

    /// <summary>The container name Tekton would give it: <c>step-NAME</c> or <c>sidecar-NAME</c>.</summary>
    public required string Container { get; init; }

    public string? Image { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Null while running or when the step never started.</summary>
    public int? ExitCode { get; init; }

    /// <summary><c>Completed</c> or <c>Error</c> as Kubernetes writes it; null while running.</summary>
    public string? Reason { get; init; }

    /// <summary>Tekton's <c>terminationReason</c>: <c>Completed</c>, <c>Continued</c>, <c>Error</c>, <c>Skipped</c>, <c>TimeoutExceeded</c>, <c>Cancelled</c>.</summary>
    public string? TerminationReason { get; init; }

    public ImmutableArray<RunResult> Results { get; init; } = [];
}
