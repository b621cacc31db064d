using System.Collections.Immutable;

namespace Mothership.Cloud.Planning;

/// <summary>
/// What <see cref="RepositoryPlanner.PlanSites"/> is asked: several sites of a repository (named,
/// or every site of an environment, or both), optionally between two revisions.
/// </summary>
public sealed record SitePlansRequest
{
    /// <summary>The site repository's folder (may sit inside a larger git repository).</summary>
    public required string Repository { get; init; }

    /// <summary>Sites to plan, in this order.</summary>
    public ImmutableArray<string> Sites { get; init; } = [];

    /// <summary>
    /// Also every site whose <c>site.yaml</c> (as of <see cref="To"/>) names this environment, in
    /// name order after <see cref="Sites"/>; a site whose <c>site.yaml</c> cannot be read is
    /// planned too, so its errors show instead of the site silently missing from a promotion.
    /// </summary>
    public string? Environment { get; init; }

    /// <summary>Base revision; without it every service is deployed.</summary>
    public string? From { get; init; }

    /// <summary>Revision to plan; without it the files on disk.</summary>
    public string? To { get; init; }
}
