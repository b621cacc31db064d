namespace Mothership.Ci.Forge;

/// <summary>
/// What a promotion bot writes to a repository on a forge: a branch per deployment pull request,
/// a file committed on it, the pull request itself, tags and releases. Kept apart from
/// <see cref="IForge"/> (what review and CI read and comment) so that a forge used only for CI
/// needs none of it.
/// </summary>
public interface IRepositoryWrites
{
    /// <summary>
    /// Points <paramref name="branch"/> at <paramref name="sha"/>: creates it when missing, else
    /// moves it there even when that is not a fast-forward (a deployment branch is rebuilt from
    /// its base each time).
    /// </summary>
    Task SetBranchAsync(RepositoryName repository, string branch, string sha, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits <paramref name="content"/> as <paramref name="path"/> on <paramref name="branch"/>
    /// (created or replaced) with <paramref name="message"/>; the new commit's sha, or null when the
    /// file already had that content (nothing committed).
    /// </summary>
    Task<string?> PutFileAsync(RepositoryName repository, string branch, string path, string content, string message, CancellationToken cancellationToken = default);

    /// <summary>Opens a pull request from <paramref name="head"/> into <paramref name="baseBranch"/>.</summary>
    Task<PullRequest> CreatePullRequestAsync(RepositoryName repository, string title, string head, string baseBranch, string body, CancellationToken cancellationToken = default);

    /// <summary>Replaces a pull request's title and body.</summary>
    Task<PullRequest> UpdatePullRequestAsync(RepositoryName repository, int number, string title, string body, CancellationToken cancellationToken = default);

    /// <summary>Closes a pull request without merging it (a rollout's pull request once the rollout ended other than succeeded).</summary>
    Task<PullRequest> ClosePullRequestAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default);

    /// <summary>Makes a lightweight tag <paramref name="tag"/> on <paramref name="sha"/>; false when the tag exists already (left as it is).</summary>
    Task<bool> CreateTagAsync(RepositoryName repository, string tag, string sha, CancellationToken cancellationToken = default);

    /// <summary>The tags whose names start with <paramref name="prefix"/> and the commits they point at, by name.</summary>
    Task<IReadOnlyDictionary<string, string>> ListTagsAsync(RepositoryName repository, string prefix, CancellationToken cancellationToken = default);

    /// <summary>The release of <paramref name="tag"/>; null when there is none.</summary>
    Task<Release?> GetReleaseAsync(RepositoryName repository, string tag, CancellationToken cancellationToken = default);

    /// <summary>Publishes a release of <paramref name="tag"/> (made on <paramref name="sha"/> when it does not exist yet).</summary>
    Task<Release> CreateReleaseAsync(RepositoryName repository, string tag, string sha, string name, string body, CancellationToken cancellationToken = default);
}
