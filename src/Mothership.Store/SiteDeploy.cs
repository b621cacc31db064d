using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>
/// One deploy of a site, as the site's history keeps it: from which revision to which, the run
/// that does it, who asked and through what, when, and how it ended. <see cref="Result"/> is null
/// while it runs (then the site's deploy lock is held by it). Results are the caller's strings
/// (the server stores the run's Tekton reason class: <c>Succeeded</c>, <c>Failed</c>, <c>Cancelled</c>, <c>Lost</c>).
/// </summary>
public sealed record SiteDeploy
{
    /// <summary>The deploy's id (a uuid).</summary>
    public required string Id { get; init; }

    public required string Site { get; init; }

    /// <summary>The revision deployed before (full commit id); null when none was (everything runs).</summary>
    public string? FromRevision { get; init; }

    /// <summary>The revision deployed (full commit id).</summary>
    public required string ToRevision { get; init; }

    public required string RunUid { get; init; }

    public required string RunName { get; init; }

    /// <summary>Who asked: the API's actor, the CI bot, a user.</summary>
    public required string Actor { get; init; }

    /// <summary>Through what: <c>api</c>, <c>cli</c>, <c>github</c>, …</summary>
    public required string Source { get; init; }

    /// <summary>A dry run diffs values and installs nothing: it never changes the site's state.</summary>
    public bool DryRun { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>How it ended; null while it runs.</summary>
    public string? Result { get; init; }

    /// <summary>How many times a replica has taken up what follows its end (<see cref="IRunStore.ClaimSiteDeployFollowUpsAsync"/>), the current time included.</summary>
    public int FollowUpAttempts { get; init; }

    /// <summary>The services the deploy runs (the plan's changed ones), as they will stand once it succeeds.</summary>
    public ImmutableArray<SiteServiceState> Services { get; init; } = [];
}
