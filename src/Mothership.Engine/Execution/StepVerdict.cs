namespace Mothership.Engine.Execution;

/// <summary>
/// What an ended step means: its Tekton <c>terminationReason</c>, and the attempt's end when the step
/// ends it (null when the attempt goes on to its next step).
/// </summary>
public sealed record StepVerdict(string TerminationReason, AttemptEnd? EndsAttempt);
