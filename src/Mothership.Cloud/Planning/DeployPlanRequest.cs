namespace Mothership.Cloud.Planning;

/// <summary>What <c>mship plan / render / deploy</c> ask <see cref="RepositoryPlanner"/>: a site of a repository, optionally between two revisions.</summary>
public sealed record DeployPlanRequest
{
    /// <summary>The site repository's folder (may sit inside a larger git repository).</summary>
    public required string Repository { get; init; }

    public required string Site { get; init; }

    /// <summary>Base revision; without it every service is deployed.</summary>
    public string? From { get; init; }

    /// <summary>Revision to plan; without it the files on disk.</summary>
    public string? To { get; init; }

    /// <summary>Folder of unpacked repository charts (<c>&lt;dir&gt;/&lt;chart&gt;/Chart.yaml</c>).</summary>
    public string? Charts { get; init; }
}
