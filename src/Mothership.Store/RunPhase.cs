namespace Mothership.Store;

/// <summary>Where a run is in its life, for the store's queries (Tekton's condition says how it went).</summary>
public enum RunPhase
{
    /// <summary>Created with <c>spec.status: PipelineRunPending</c>: waits for a start.</summary>
    Pending,
    /// <summary>Waiting for a server to claim it.</summary>
    Queued,
    Running,
    Finished,
}
