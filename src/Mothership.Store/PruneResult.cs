namespace Mothership.Store;

/// <summary>What a prune deleted (or would delete).</summary>
public sealed record PruneResult(IReadOnlyList<RunSummary> Runs, int LogChunks)
{
    /// <summary>Handled webhook deliveries deleted (or that would be) for their age.</summary>
    public int Deliveries { get; init; }

    /// <summary>Final CI job results deleted (or that would be) for their age (<see cref="RetentionPolicy.DeliveryMaxAge"/>).</summary>
    public int JobResults { get; init; }
}
