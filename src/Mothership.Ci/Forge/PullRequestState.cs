namespace Mothership.Ci.Forge;

/// <summary>Whether a pull request is open; a merged one is closed (see <see cref="PullRequest.Merged"/>).</summary>
public enum PullRequestState
{
    /// <summary>Open for review.</summary>
    Open,

    /// <summary>Closed, merged or not.</summary>
    Closed,
}
