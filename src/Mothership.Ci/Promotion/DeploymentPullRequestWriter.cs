using Mothership.Ci.Forge;

namespace Mothership.Ci.Promotion;

/// <summary>
/// Opens a site's deployment pull request, or an environment's rollout pull request, or brings the
/// open one up to date — never a second one: the branch is rebuilt from the base branch's tip with
/// the pin file changed only when the revision it proposes changes, and the title and body are
/// replaced only when they differ.
/// </summary>
public sealed class DeploymentPullRequestWriter(IForge forge, IRepositoryWrites writes)
{
    /// <summary>The site's open deployment pull request, if any (found by its branch).</summary>
    public Task<PullRequest?> FindAsync(RepositoryName repository, string site, CancellationToken cancellationToken) =>
        FindBranchAsync(repository, DeploymentPullRequests.Branch(site), cancellationToken);

    /// <summary>The environment's open rollout pull request, if any (found by its branch).</summary>
    public Task<PullRequest?> FindRolloutAsync(RepositoryName repository, string environment, CancellationToken cancellationToken) =>
        FindBranchAsync(repository, DeploymentPullRequests.RolloutBranch(environment), cancellationToken);

    /// <summary>
    /// Makes the site's deployment pull request propose <paramref name="request"/> on
    /// <paramref name="baseBranch"/>; returns it and whether anything was written.
    /// </summary>
    public Task<(PullRequest PullRequest, bool Changed)> OpenOrUpdateAsync(
        RepositoryName repository, string baseBranch, DeploymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var title = DeploymentPullRequests.Title(request);
        return OpenOrUpdateAsync(
            repository, baseBranch, DeploymentPullRequests.Branch(request.Site), DeploymentPullRequests.PinPath(request.Site),
            DeploymentPullRequests.PinFile(request.Site, request.To), request.To, title, DeploymentPullRequests.Body(request),
            $"{title}: {request.Site} to {request.To}", cancellationToken);
    }

    /// <summary>
    /// Makes the environment's rollout pull request show <paramref name="request"/> on
    /// <paramref name="baseBranch"/> (its pin file: the environment's revision); returns it and whether anything was written.
    /// </summary>
    public Task<(PullRequest PullRequest, bool Changed)> OpenOrUpdateAsync(
        RepositoryName repository, string baseBranch, RolloutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var title = DeploymentPullRequests.RolloutTitle(request);
        return OpenOrUpdateAsync(
            repository, baseBranch, DeploymentPullRequests.RolloutBranch(request.Environment), DeploymentPullRequests.EnvironmentPinPath(request.Environment),
            DeploymentPullRequests.EnvironmentPinFile(request.Environment, request.To), request.To, title, DeploymentPullRequests.RolloutBody(request),
            $"{title} ({request.Rollout})", cancellationToken);
    }

    private async Task<PullRequest?> FindBranchAsync(RepositoryName repository, string branch, CancellationToken cancellationToken) =>
        (await forge.ListOpenPullRequestsAsync(repository, cancellationToken).ConfigureAwait(false)).FirstOrDefault(pr => pr.HeadRef == branch);

    private async Task<(PullRequest PullRequest, bool Changed)> OpenOrUpdateAsync(
        RepositoryName repository, string baseBranch, string branch, string pinPath, string pinFile, string revision, string title, string body, string message,
        CancellationToken cancellationToken)
    {
        var open = await FindBranchAsync(repository, branch, cancellationToken).ConfigureAwait(false);
        var pinned = open is null
            ? null
            : DeploymentPullRequests.ReadPin(System.Text.Encoding.UTF8.GetString(
                await forge.GetFileContentAsync(repository, pinPath, open.HeadSha, cancellationToken).ConfigureAwait(false) ?? []));
        var changed = false;
        if (pinned != revision)
        {
            var tip = await forge.GetBranchShaAsync(repository, baseBranch, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"branch '{baseBranch}' of {repository} does not exist: promotion.branch in cloud.yaml names the branch deployment pull requests target");
            await writes.SetBranchAsync(repository, branch, tip, cancellationToken).ConfigureAwait(false);
            await writes.PutFileAsync(repository, branch, pinPath, pinFile, message, cancellationToken).ConfigureAwait(false);
            changed = true;
        }

        if (open is null)
        {
            return (await writes.CreatePullRequestAsync(repository, title, branch, baseBranch, body, cancellationToken).ConfigureAwait(false), true);
        }

        // A list's pull requests carry their body too; the text is rewritten only when it says something else.
        if (changed || open.Title != title || open.Body.ReplaceLineEndings("\n") != body)
        {
            return (await writes.UpdatePullRequestAsync(repository, open.Number, title, body, cancellationToken).ConfigureAwait(false), true);
        }

        return (open, false);
    }
}
