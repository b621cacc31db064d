using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>
/// The latest drift check of a site: whether what runs in its cluster matches the site repository
/// at the revision the site has deployed, when that was checked and, per service, what differs.
/// One per site, replaced by each newer check, so every replica answers the same.
/// </summary>
public sealed record SiteDriftReport
{
    public required string Site { get; init; }

    /// <summary><c>InSync</c>, <c>OutOfSync</c> or <c>Unknown</c> (the cloud layer's <c>DriftState</c> by name).</summary>
    public required string State { get; init; }

    /// <summary>The revision compared with (full commit id): the one the site had deployed.</summary>
    public required string Revision { get; init; }

    public required DateTimeOffset CheckedAt { get; init; }

    /// <summary>Why the whole site could not be checked (its state then <c>Unknown</c>); null when it was.</summary>
    public string? Error { get; init; }

    /// <summary>Each service checked, by name.</summary>
    public ImmutableArray<SiteDriftService> Services { get; init; } = [];
}
