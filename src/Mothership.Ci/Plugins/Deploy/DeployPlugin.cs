using System.Text;
using System.Text.RegularExpressions;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Owners;
using Mothership.Ci.Promotion;
using Mothership.Ci.Triggers;

namespace Mothership.Ci.Plugins.Deploy;

/// <summary>
/// Deploys from deployment pull requests (<c>mothership/deploy/&lt;site&gt;</c>): the site's label
/// added by a collaborator starts the deploy of the revision the pin file names (added by anyone
/// else, it is taken off again with a reply and nothing deploys); the label taken off, or
/// <c>/cancel</c>, stops a running deploy gracefully; <c>/deploy REVISION</c> by an approver of
/// the site's folder (OWNERS; a collaborator when the repository has no OWNERS) points the pull
/// request at another revision — older is a rollback. With an access policy
/// (<paramref name="permissions"/>), the label and <c>/deploy</c> also need <c>create</c>, and the
/// label's removal and <c>/cancel</c> need <c>cancel</c>, on the site's deploys for
/// <c>github:LOGIN</c>: a label added without it is removed with a reply naming the policy's reason,
/// a <c>/deploy</c> without it changes nothing, a removal or <c>/cancel</c> without it stops nothing.
/// </summary>
public sealed class DeployPlugin(IForge forge, ISiteDeployments deployments, OwnersReader? owners = null, IDeployPermissions? permissions = null) : IReviewPlugin
{
    private static readonly Regex CancelCommand = GoRegex.Compile(@"(?mi)^/cancel\s*$");
    private static readonly Regex DeployCommand = GoRegex.Compile(@"(?mi)^/deploy(?:\s+(\S+))?\s*$");
    private static readonly Regex Revision = GoRegex.Compile(@"^[0-9A-Za-z][0-9A-Za-z._/-]{0,199}$");

    private readonly OwnersReader _owners = owners ?? new OwnersReader(forge);

    /// <inheritdoc />
    public string Name => "deploy";

    /// <inheritdoc />
    public PluginHelp Help { get; } = new(
        "The deploy plugin deploys a site from its deployment pull request when the site's environment label is added, and stops the deploy when it is removed.",
        [
            new PluginCommand("/cancel", "Stops the site's running deploy: services already deploying finish, nothing new starts.", "Collaborators, on a deployment pull request."),
            new PluginCommand("/deploy REVISION", "Points the deployment pull request at REVISION (older than the deployed one: a rollback).", "Approvers of the site's folder (and, with an access policy, who may create its deploys), on a deployment pull request."),
        ]);

    /// <inheritdoc />
    public async Task<string?> HandleAsync(PluginEvent e, PluginsConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!e.IsPullRequest || e.Number is not { } number || e.Closed)
        {
            return null;
        }

        if (e.Event == "pull_request" && e.Action is "labeled" or "unlabeled")
        {
            var label = PullRequestEvent.Optional(e.Payload["label"]?["name"]);
            var branch = PullRequestEvent.Optional(e.Payload["pull_request"]?["head"]?["ref"]);
            if (label is null || branch is null || DeploymentPullRequests.SiteOfBranch(branch) is not { } labelSite
                || await deployments.LabelForAsync(labelSite, cancellationToken).ConfigureAwait(false) is not { } expected
                || !string.Equals(label, expected, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            if (e.Action == "labeled")
            {
                return await DeployAsync(e, number, labelSite, label, cancellationToken).ConfigureAwait(false);
            }

            return await RefusedAsync(e, e.Sender, IDeployPermissions.Cancel, labelSite, cancellationToken).ConfigureAwait(false)
                ?? await StopAsync(e, labelSite, e.Sender, cancellationToken).ConfigureAwait(false);
        }

        if (e.NewComment is not { } comment)
        {
            return null;
        }

        var cancel = CancelCommand.IsMatch(comment.Body);
        var deploy = DeployCommand.Match(comment.Body);
        if (!cancel && !deploy.Success)
        {
            return null;
        }

        if (await forge.GetPullRequestAsync(e.Repository, number, cancellationToken).ConfigureAwait(false) is not { } pr
            || DeploymentPullRequests.SiteOfBranch(pr.HeadRef) is not { } site)
        {
            return null;
        }

        if (cancel)
        {
            if (!await forge.IsCollaboratorAsync(e.Repository, comment.User, cancellationToken).ConfigureAwait(false))
            {
                await ReplyAsync(e, $"only collaborators of {e.Repository} may stop site {site}'s deploy.", cancellationToken).ConfigureAwait(false);
                return $"/cancel refused: {comment.User} is not a collaborator";
            }

            return await RefusedAsync(e, comment.User, IDeployPermissions.Cancel, site, cancellationToken).ConfigureAwait(false)
                ?? await StopAsync(e, site, comment.User, cancellationToken).ConfigureAwait(false);
        }

        var revision = deploy.Groups[1].Value;
        if (!Revision.IsMatch(revision))
        {
            await ReplyAsync(e, "`/deploy` takes the revision to deploy: a commit, tag or branch of the site repository, such as `/deploy 3f2c1a9` or `/deploy stage/12`.", cancellationToken).ConfigureAwait(false);
            return "/deploy without a revision";
        }

        if (!await IsApproverAsync(e.Repository, pr.BaseSha, site, comment.User, cancellationToken).ConfigureAwait(false))
        {
            await ReplyAsync(e, $"only approvers of `sites/{site}/` (OWNERS) may choose the revision site {site} deploys.", cancellationToken).ConfigureAwait(false);
            return $"/deploy refused: {comment.User} is not an approver of sites/{site}";
        }

        if (permissions is not null && await permissions.CheckAsync(comment.User, IDeployPermissions.Create, site, cancellationToken).ConfigureAwait(false) is { Allowed: false } denied)
        {
            await ReplyAsync(e, $"github:{comment.User} may not deploy site {site} ({denied.Reason}): the deployment pull request is unchanged.", cancellationToken).ConfigureAwait(false);
            return $"/deploy refused: the access policy does not let {comment.User} deploy {site}";
        }

        var proposal = await deployments.ProposeAsync(site, revision, comment.User, cancellationToken).ConfigureAwait(false);
        if (proposal.PullRequest is not { } proposed)
        {
            await ReplyAsync(e, $"nothing changed: {proposal.Message}", cancellationToken).ConfigureAwait(false);
            return $"/deploy {revision} not proposed: {proposal.Message}";
        }

        await ReplyAsync(e, $"{DeploymentPullRequests.Describe(site, proposed)} now proposes `{revision}`.", cancellationToken).ConfigureAwait(false);
        return $"{site} proposed at {revision} by {comment.User}";
    }

    private async Task<string> DeployAsync(PluginEvent e, int number, string site, string label, CancellationToken cancellationToken)
    {
        if (!await forge.IsCollaboratorAsync(e.Repository, e.Sender, cancellationToken).ConfigureAwait(false))
        {
            await forge.RemoveLabelAsync(e.Repository, number, label, cancellationToken).ConfigureAwait(false);
            await ReplyAsync(e, $"only collaborators of {e.Repository} may deploy site {site}: the label `{label}` was removed and nothing deploys.", cancellationToken).ConfigureAwait(false);
            return $"{label} removed: {e.Sender} may not deploy {site}";
        }

        if (permissions is not null && await permissions.CheckAsync(e.Sender, IDeployPermissions.Create, site, cancellationToken).ConfigureAwait(false) is { Allowed: false } refused)
        {
            await forge.RemoveLabelAsync(e.Repository, number, label, cancellationToken).ConfigureAwait(false);
            await ReplyAsync(e, $"github:{e.Sender} may not deploy site {site} ({refused.Reason}): the label `{label}` was removed and nothing deploys.", cancellationToken).ConfigureAwait(false);
            return $"{label} removed: the access policy does not let {e.Sender} deploy {site}";
        }

        var head = e.HeadSha ?? "";
        var pin = await forge.GetFileContentAsync(e.Repository, DeploymentPullRequests.PinPath(site), head, cancellationToken).ConfigureAwait(false);
        if (DeploymentPullRequests.ReadPin(pin is null ? null : Encoding.UTF8.GetString(pin)) is not { } revision)
        {
            await ReplyAsync(e, $"`{DeploymentPullRequests.PinPath(site)}` names no revision at {head}: nothing deploys.", cancellationToken).ConfigureAwait(false);
            return $"no revision pinned for {site}";
        }

        var start = await deployments.StartAsync(new DeployTrigger(site, revision, e.Sender, e.Repository, number, head), cancellationToken).ConfigureAwait(false);
        await ReplyAsync(e, start.Message, cancellationToken).ConfigureAwait(false);
        return start.Started ? $"deploying {site} at {revision} ({start.Run})" : $"{site} not deployed: {start.Message}";
    }

    /// <summary>The outcome of a stop the policy refuses (after replying why); null when it allows it or none is enforced.</summary>
    private async Task<string?> RefusedAsync(PluginEvent e, string login, string action, string site, CancellationToken cancellationToken)
    {
        if (permissions is null || await permissions.CheckAsync(login, action, site, cancellationToken).ConfigureAwait(false) is not { Allowed: false } refused)
        {
            return null;
        }

        await ReplyAsync(e, $"github:{login} may not stop site {site}'s deploy ({refused.Reason}): it goes on.", cancellationToken).ConfigureAwait(false);
        return $"stop of {site}'s deploy refused: the access policy does not let {login} cancel it";
    }

    private async Task<string> StopAsync(PluginEvent e, string site, string actor, CancellationToken cancellationToken)
    {
        if (await deployments.StopAsync(site, actor, cancellationToken).ConfigureAwait(false) is not { } run)
        {
            return $"no deploy of {site} to stop";
        }

        await ReplyAsync(e, $"stopping site {site}'s deploy ({run}): services already deploying finish, nothing new starts.", cancellationToken).ConfigureAwait(false);
        return $"stopping {site}'s deploy {run} for {actor}";
    }

    /// <summary>An approver of the site's folder in the OWNERS files at the base; a collaborator when the repository has none.</summary>
    private async Task<bool> IsApproverAsync(RepositoryName repository, string baseSha, string site, string login, CancellationToken cancellationToken)
    {
        var path = DeploymentPullRequests.PinPath(site);
        var loaded = await _owners.LoadAsync(repository, baseSha, [path], cancellationToken).ConfigureAwait(false);
        return loaded.Owners.Files.Count == 0
            ? await forge.IsCollaboratorAsync(repository, login, cancellationToken).ConfigureAwait(false)
            : loaded.Owners.Approvers(path).Contains(RepoOwners.NormalizeLogin(login));
    }

    private Task<bool> ReplyAsync(PluginEvent e, string message, CancellationToken cancellationToken) =>
        PluginReplies.ReplyAsync(forge, e, Name, message, cancellationToken);
}
