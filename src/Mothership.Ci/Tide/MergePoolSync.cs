using System.Collections.Immutable;

namespace Mothership.Ci.Tide;

/// <summary>What one sync of the merge pool saw and did, per repository and branch.</summary>
/// <param name="Pools">One entry per repository and branch with open pull requests.</param>
public sealed record MergePoolSync(ImmutableArray<BranchPool> Pools)
{
    /// <summary>Nothing to sync (no queries).</summary>
    public static MergePoolSync Empty { get; } = new(ImmutableArray<BranchPool>.Empty);

    /// <summary>The pull requests merged, over all pools.</summary>
    public int Merged => Pools.Sum(p => p.Merged.Length);
}
