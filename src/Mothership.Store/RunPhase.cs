namespace Mothership.Store;

/// <summary>Where a run is in its life, for the store's queries and leases; how it went is its <see cref="RunSummary.Status"/> and <see cref="RunSummary.Reason"/>.</summary>
public enum RunPhase
{
    /// <summary>Created to wait for a start (<see cref="IRunStore.ReleasePendingAsync"/>); no replica claims it.</summary>
    Pending,
    /// <summary>Waiting for a server to claim it.</summary>
    Queued,
    Running,
    Finished,
}
