namespace Mothership.Store;

/// <summary>What a prune deleted (or would delete).</summary>
public sealed record PruneResult(IReadOnlyList<RunSummary> Runs, int LogChunks);
