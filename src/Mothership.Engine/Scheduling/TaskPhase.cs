
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
