namespace Mothership.Server.Cloud;

/// <summary>A request to deploy a site at a revision, as the API, the CLI or a bot (promotion) makes it.</summary>
internal sealed record SiteDeployRequest
{
    public required string Site { get; init; }

    /// <summary>Anything git rev-parse takes; null: the tip of the repository's default branch.</summary>
    public string? Revision { get; init; }

    /// <summary>Diff values against what was deployed; call no helm, change no site state.</summary>
    public bool DryRun { get; init; }

    /// <summary>Who asks (the API's actor, a GitHub login).</summary>
    public required string Actor { get; init; }

    /// <summary>Through what: <c>api</c>, <c>cli</c>, <c>github</c>, …</summary>
    public required string Source { get; init; }

    /// <summary>More labels for the deploy's run (a deployment pull request's number and head), beside the site's and the revision's.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
