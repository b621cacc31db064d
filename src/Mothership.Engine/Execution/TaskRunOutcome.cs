using System.Collections.Immutable;

namespace Mothership.Engine.Execution;

/// <summary>The end of one attempt: its phase, message, steps and results.</summary>
public sealed record TaskRunOutcome
{
    public required TaskRunPhase Phase { get; init; }

    /// <summary>Tekton's message, e.g. <c>"step-build" exited with code 1</c>.</summary>
    public string Message { get; init; } = "";

    public required DateTimeOffset StartTime { get; init; }

    public required DateTimeOffset CompletionTime { get; init; }

    public ImmutableArray<StepState> Steps { get; init; } = [];

    public ImmutableArray<StepState> Sidecars { get; init; } = [];

    /// <summary>Results the steps wrote, typed by the task's result declarations.</summary>
    public ImmutableArray<RunResult> Results { get; init; } = [];
}
