using System.Collections.Immutable;

namespace Mothership.Ci.Tide;

/// <summary>
/// One of Tide's <c>queries</c>: the pull requests of some repositories that may merge. A pull
/// request is in the pool when any query of its repository matches it and its required contexts passed.
/// </summary>
public sealed record TideQuery
{
    /// <summary>Repositories as <c>org/repo</c>.</summary>
    public ImmutableArray<string> Repos { get; init; } = [];

    /// <summary>Organisations: every repository of theirs that has jobs configured.</summary>
    public ImmutableArray<string> Orgs { get; init; } = [];

    /// <summary>Repositories of <see cref="Orgs"/> left out, as <c>org/repo</c>.</summary>
    public ImmutableArray<string> ExcludedRepos { get; init; } = [];

    /// <summary>Only pull requests by this login; null for any author.</summary>
    public string? Author { get; init; }

    /// <summary>Labels it must carry; an entry <c>a,b</c> is satisfied by either.</summary>
    public ImmutableArray<string> Labels { get; init; } = [];

    /// <summary>Labels it must not carry.</summary>
    public ImmutableArray<string> MissingLabels { get; init; } = [];

    /// <summary>Only these base branches; none: every branch not excluded.</summary>
    public ImmutableArray<string> IncludedBranches { get; init; } = [];

    /// <summary>Never these base branches.</summary>
    public ImmutableArray<string> ExcludedBranches { get; init; } = [];

    /// <summary>Only pull requests in this milestone (accepted; the pool does not read milestones, so a query with one matches nothing).</summary>
    public string? Milestone { get; init; }

    /// <summary>
    /// The reviews must approve: each reviewer's latest approval or change request counts, at
    /// least one approves and none requests changes (GitHub's review decision without branch
    /// protection's required count).
    /// </summary>
    public bool ReviewApprovedRequired { get; init; }

    /// <summary>Whether the query covers <paramref name="orgRepo"/> (<c>org/repo</c>).</summary>
    public bool CoversRepo(string orgRepo)
    {
        ArgumentNullException.ThrowIfNull(orgRepo);
        if (Repos.Contains(orgRepo, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        var org = orgRepo.Split('/')[0];
        return Orgs.Contains(org, StringComparer.OrdinalIgnoreCase) && !ExcludedRepos.Contains(orgRepo, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Whether pull requests into <paramref name="branch"/> may match.</summary>
    public bool AllowsBranch(string branch) =>
        !ExcludedBranches.Contains(branch, StringComparer.Ordinal) && (IncludedBranches.IsEmpty || IncludedBranches.Contains(branch, StringComparer.Ordinal));
}
