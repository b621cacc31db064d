using Mothership.Ci.Releases;

namespace Mothership.Ci.Promotion;

/// <summary>What a deployment pull request proposes: one site moved from one revision of the site repository to another.</summary>
public sealed record DeploymentRequest
{
    /// <summary>The site deployed.</summary>
    public required string Site { get; init; }

    /// <summary>The site's environment (<c>stage</c>, <c>prod</c>).</summary>
    public required string Environment { get; init; }

    /// <summary>The site's region.</summary>
    public string Region { get; init; } = "";

    /// <summary>The deployment's number for this site (its <c>#N</c>).</summary>
    public required int Number { get; init; }

    /// <summary>The revision the site runs now; null before its first deploy.</summary>
    public string? From { get; init; }

    /// <summary>The revision to deploy.</summary>
    public required string To { get; init; }

    /// <summary>Whether <see cref="To"/> is older than <see cref="From"/> (a rollback).</summary>
    public bool Rollback { get; init; }

    /// <summary>The repository's page (<c>https://github.com/org/cloud</c>), for the compare link.</summary>
    public required string RepoLink { get; init; }

    /// <summary>The label that starts the deploy.</summary>
    public required string Label { get; init; }

    /// <summary>The release notes of the pull requests merged in <c>From...To</c>, in the order listed.</summary>
    public IReadOnlyList<ReleaseNote> Changes { get; init; } = [];

    /// <summary>The site's plan between the two revisions, as <c>mship plan</c> prints it.</summary>
    public string Plan { get; init; } = "";
}
