namespace Mothership.Ci.Forge;

/// <summary><see cref="IRepositoryWrites"/> with the token of the installation that serves the repository.</summary>
public sealed partial class GitHubAppForge : IRepositoryWrites
{
    /// <inheritdoc/>
    public async Task SetBranchAsync(RepositoryName repository, string branch, string sha, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).SetBranchAsync(repository, branch, sha, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<string?> PutFileAsync(RepositoryName repository, string branch, string path, string content, string message, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).PutFileAsync(repository, branch, path, content, message, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<PullRequest> CreatePullRequestAsync(RepositoryName repository, string title, string head, string baseBranch, string body, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).CreatePullRequestAsync(repository, title, head, baseBranch, body, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<PullRequest> UpdatePullRequestAsync(RepositoryName repository, int number, string title, string body, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).UpdatePullRequestAsync(repository, number, title, body, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<PullRequest> ClosePullRequestAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).ClosePullRequestAsync(repository, number, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<bool> CreateTagAsync(RepositoryName repository, string tag, string sha, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).CreateTagAsync(repository, tag, sha, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<string, string>> ListTagsAsync(RepositoryName repository, string prefix, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).ListTagsAsync(repository, prefix, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<Release?> GetReleaseAsync(RepositoryName repository, string tag, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).GetReleaseAsync(repository, tag, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<Release> CreateReleaseAsync(RepositoryName repository, string tag, string sha, string name, string body, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).CreateReleaseAsync(repository, tag, sha, name, body, cancellationToken).ConfigureAwait(false);
}
