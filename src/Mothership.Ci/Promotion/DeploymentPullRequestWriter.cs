using Mothership.Ci.Forge;

namespace Mothership.Ci.Promotion;

/// <summary>
/// Opens a site's deployment pull request, or brings the open one up to date — never a second
/// one: the branch is rebuilt from the base branch's tip with the pin file changed only when the
/// revision it proposes changes, and the title and body are replaced only when they differ.
/// </summary>
public sealed class DeploymentPullRequestWriter(IForge forge, IRepositoryWrites writes)
{
    /// <summary>The site's open deployment pull request, if any (found by its branch).</summary>
    public async Task<PullRequest?> FindAsync(RepositoryName repository, string site, CancellationToken cancellationToken)
    {
        var branch = DeploymentPullRequests.Branch(site);
        return (await forge.ListOpenPullRequestsAsync(repository, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(pr => pr.HeadRef == branch);
    }

    /// <summary>
    /// Makes the site's deployment pull request propose <paramref name="request"/> on
    /// <paramref name="baseBranch"/>; returns it and whether anything was written.
    /// </summary>
    public async Task<(PullRequest PullRequest, bool Changed)> OpenOrUpdateAsync(
        RepositoryName repository, string baseBranch, DeploymentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var branch = DeploymentPullRequests.Branch(request.Site);
        var title = DeploymentPullRequests.Title(request);
        var body = DeploymentPullRequests.Body(request);
        var open = await FindAsync(repository, request.Site, cancellationToken).ConfigureAwait(false);
        var pinned = open is null
            ? null
            : DeploymentPullRequests.ReadPin(System.Text.Encoding.UTF8.GetString(
                await forge.GetFileContentAsync(repository, DeploymentPullRequests.PinPath(request.Site), open.HeadSha, cancellationToken).ConfigureAwait(false) ?? []));
        var changed = false;
        if (pinned != request.To)
        {
            var tip = await forge.GetBranchShaAsync(repository, baseBranch, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"branch '{baseBranch}' of {repository} does not exist: promotion.branch in cloud.yaml names the branch deployment pull requests target");
            await writes.SetBranchAsync(repository, branch, tip, cancellationToken).ConfigureAwait(false);
            await writes.PutFileAsync(
                repository, branch, DeploymentPullRequests.PinPath(request.Site), DeploymentPullRequests.PinFile(request.Site, request.To),
                $"{title}: {request.Site} to {request.To}", cancellationToken).ConfigureAwait(false);
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
