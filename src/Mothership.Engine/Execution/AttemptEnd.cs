namespace Mothership.Engine.Execution;

/// <summary>How an attempt ends, with Tekton's message.</summary>
public sealed record AttemptEnd(TaskRunPhase Phase, string Message)
{
    public static AttemptEnd Succeeded { get; } = new(TaskRunPhase.Succeeded, AttemptMessages.AllStepsCompleted);
}
