namespace Mothership.Engine.Execution;

/// <summary>Why a step's process ended before it finished by itself, if it did.</summary>
public enum StepStop
{
    /// <summary>It ended by itself: its exit code decides.</summary>
    None,

    /// <summary>Its own <c>timeout</c> ran out.</summary>
    StepTimeout,

    /// <summary>The attempt's timeout ran out.</summary>
    AttemptTimeout,

    /// <summary>The TaskRun was cancelled.</summary>
    Cancelled,
}
