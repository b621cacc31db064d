using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>
/// What a site runs, as recorded by its deploys: the revision last deployed successfully (with
/// the deploy, run, actor and source that did it), each service's chart, version and values
/// digest, and how the latest deploy ended.
/// </summary>
public sealed record SiteState
{
    public required string Site { get; init; }

    /// <summary>The revision deployed (full commit id); null when no deploy has succeeded yet.</summary>
    public string? Revision { get; init; }

    public DateTimeOffset? DeployedAt { get; init; }

    /// <summary>The deploy that deployed <see cref="Revision"/>.</summary>
    public string? DeployId { get; init; }

    public string? RunUid { get; init; }

    public string? RunName { get; init; }

    public string? Actor { get; init; }

    public string? Source { get; init; }

    /// <summary>The latest finished deploy (dry runs included), its result and end.</summary>
    public string? LastDeployId { get; init; }

    public string? LastResult { get; init; }

    public DateTimeOffset? LastFinishedAt { get; init; }

    /// <summary>Each service as last deployed, by name.</summary>
    public ImmutableArray<SiteServiceState> Services { get; init; } = [];
}
