using System.Collections.Immutable;

namespace Mothership.Ci.Tide;

/// <summary>One repository and branch after a sync.</summary>
/// <param name="Repository"><c>org/repo</c>.</param>
/// <param name="Branch">The base branch.</param>
/// <param name="BaseSha">The branch's head when the sync read it; empty when no pull request was in the pool (it was not read).</param>
/// <param name="InPool">The numbers of the pull requests in the pool, in merge order.</param>
/// <param name="Merged">The numbers merged by this sync, in order.</param>
/// <param name="Retested">The numbers whose required jobs this sync started on the current base, alone.</param>
/// <param name="Batch">The numbers of the batch this sync started; empty when none.</param>
/// <param name="Statuses">The <c>tide</c> status of each open pull request into the branch, by number.</param>
public sealed record BranchPool(
    string Repository,
    string Branch,
    string BaseSha,
    ImmutableArray<int> InPool,
    ImmutableArray<int> Merged,
    ImmutableArray<int> Retested,
    ImmutableArray<int> Batch,
    ImmutableSortedDictionary<int, TideStatus> Statuses);
