namespace Mothership.Engine.Execution;

/// <summary>
/// An executor whose attempts can outlive the server that started them (steps in their own
/// process sessions): before an attempt is resumed or retried after a crash, what is left of it
/// is cleaned up. Executors whose attempts the next server simply adopts (a pod, found again by
/// its name) do not implement it.
/// </summary>
public interface IOrphanCleanup
{
    /// <summary>Stops what is left of attempt <paramref name="retryCount"/> of TaskRun <paramref name="taskRunUid"/>; how many things were stopped.</summary>
    int CleanUpOrphans(string taskRunUid, int retryCount);
}
