using Gh = Octokit;

namespace Mothership.Ci.Forge;

/// <summary><see cref="IRepositoryWrites"/> through Octokit: git refs, the contents API, pull requests and releases.</summary>
public sealed partial class GitHubForge : IRepositoryWrites
{
    /// <inheritdoc/>
    public Task SetBranchAsync(RepositoryName repository, string branch, string sha, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(branch);
        ArgumentException.ThrowIfNullOrEmpty(sha);
        return CallAsync<object?>(
            async () =>
            {
                try
                {
                    await _client.Git.Reference.Update(repository.Owner, repository.Name, "heads/" + branch, new Gh.ReferenceUpdate(sha, force: true)).ConfigureAwait(false);
                }
                catch (Gh.NotFoundException)
                {
                    await _client.Git.Reference.Create(repository.Owner, repository.Name, new Gh.NewReference("refs/heads/" + branch, sha)).ConfigureAwait(false);
                }
                catch (Gh.ApiValidationException)
                {
                    // GitHub answers 422 "Reference does not exist" to an update of a missing branch.
                    await _client.Git.Reference.Create(repository.Owner, repository.Name, new Gh.NewReference("refs/heads/" + branch, sha)).ConfigureAwait(false);
                }

                return null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<string?> PutFileAsync(RepositoryName repository, string branch, string path, string content, string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(branch);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(content);
        return CallAsync<string?>(
            async () =>
            {
                Gh.RepositoryContent? existing = null;
                try
                {
                    existing = (await _client.Repository.Content.GetAllContentsByRef(repository.Owner, repository.Name, path, branch).ConfigureAwait(false))
                        .FirstOrDefault(c => c.Type.StringValue == "file");
                }
                catch (Gh.NotFoundException)
                {
                }

                if (existing is not null && existing.Content == content)
                {
                    return null;
                }

                var changed = existing is null
                    ? await _client.Repository.Content.CreateFile(repository.Owner, repository.Name, path, new Gh.CreateFileRequest(message, content, branch)).ConfigureAwait(false)
                    : await _client.Repository.Content.UpdateFile(repository.Owner, repository.Name, path, new Gh.UpdateFileRequest(message, content, existing.Sha, branch)).ConfigureAwait(false);
                return changed.Commit.Sha;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<PullRequest> CreatePullRequestAsync(RepositoryName repository, string title, string head, string baseBranch, string body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var request = new Gh.NewPullRequest(title, head, baseBranch) { Body = body };
        return CallAsync(async () => ToPullRequest(await _client.PullRequest.Create(repository.Owner, repository.Name, request).ConfigureAwait(false)), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<PullRequest> UpdatePullRequestAsync(RepositoryName repository, int number, string title, string body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var update = new Gh.PullRequestUpdate { Title = title, Body = body };
        return CallAsync(async () => ToPullRequest(await _client.PullRequest.Update(repository.Owner, repository.Name, number, update).ConfigureAwait(false)), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<PullRequest> ClosePullRequestAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var update = new Gh.PullRequestUpdate { State = Gh.ItemState.Closed };
        return CallAsync(async () => ToPullRequest(await _client.PullRequest.Update(repository.Owner, repository.Name, number, update).ConfigureAwait(false)), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> CreateTagAsync(RepositoryName repository, string tag, string sha, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(tag);
        ArgumentException.ThrowIfNullOrEmpty(sha);
        return CallAsync(
            async () =>
            {
                try
                {
                    await _client.Git.Reference.Create(repository.Owner, repository.Name, new Gh.NewReference("refs/tags/" + tag, sha)).ConfigureAwait(false);
                    return true;
                }
                catch (Gh.ApiValidationException e) when (e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<string, string>> ListTagsAsync(RepositoryName repository, string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(prefix);
        // GitHub's matching-refs lists refs by prefix (always a list; git/refs/{ref} answers one
        // object for an exact match), which Octokit has no method for: its connection with GitHub's path.
        var uri = new Uri($"repos/{Uri.EscapeDataString(repository.Owner)}/{Uri.EscapeDataString(repository.Name)}/git/matching-refs/tags/{Uri.EscapeDataString(prefix).Replace("%2F", "/", StringComparison.Ordinal)}", UriKind.Relative);
        return CallAsync<IReadOnlyDictionary<string, string>>(
            async () => (await new Gh.ApiConnection(_client.Connection).GetAll<Gh.Reference>(uri, Pages).ConfigureAwait(false))
                .Where(r => r.Ref.StartsWith("refs/tags/", StringComparison.Ordinal))
                .ToDictionary(r => r.Ref["refs/tags/".Length..], r => r.Object.Sha, StringComparer.Ordinal),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<Release?> GetReleaseAsync(RepositoryName repository, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(tag);
        return CallOrNullAsync(async () => ToRelease(await _client.Repository.Release.Get(repository.Owner, repository.Name, tag).ConfigureAwait(false)), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<Release> CreateReleaseAsync(RepositoryName repository, string tag, string sha, string name, string body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(tag);
        var release = new Gh.NewRelease(tag) { Name = name, Body = body, TargetCommitish = sha };
        return CallAsync(async () => ToRelease(await _client.Repository.Release.Create(repository.Owner, repository.Name, release).ConfigureAwait(false)), cancellationToken);
    }

    private static Release ToRelease(Gh.Release r) => new(r.Id, r.TagName, r.Name ?? "", r.Body ?? "", r.HtmlUrl ?? "");
}
