namespace Mothership.Engine.Execution;

/// <summary>How an attempt ended.</summary>
public enum TaskRunPhase
{
    Succeeded,
    Failed,
    TimedOut,
    Cancelled,
}
