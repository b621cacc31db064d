using System.Text.RegularExpressions;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;

namespace Mothership.Ci.Plugins.Assign;

/// <summary>
/// Prow's assign plugin: <c>/assign</c> and <c>/unassign</c> with logins (or none: the commenter)
/// assign and unassign an issue or pull request; <c>/cc</c> and <c>/uncc</c> request and withdraw
/// reviews on a pull request (users, or teams as <c>org/team</c>). Those GitHub refuses get
/// Prow's reply.
/// </summary>
public sealed class AssignPlugin(IForge forge) : IReviewPlugin
{
    private static readonly Regex AssignCommand = GoRegex.Compile(@"(?mi)^/(un)?assign(( @?[-\w]+?)*)\s*$");
    private static readonly Regex CcCommand = GoRegex.Compile(@"(?mi)^/(un)?cc(( +@?[-/\w]+?)*)\s*$");

    /// <inheritdoc />
    public string Name => "assign";

    /// <inheritdoc />
    public PluginHelp Help { get; } = new(
        "The assign plugin assigns or requests reviews from users/teams. Specific users can be assigned with the command '/assign @user1' or have reviews requested of them with the command '/cc @user1'. If no users are specified, the commands default to targeting the user who created the command. Assignments and requested reviews can be removed in the same way that they are added by prefixing the commands with 'un'.",
        [
            new PluginCommand(
                "/[un]assign [[@]<username>...|[@]<orgname/teamname>...]",
                "Assigns assignee(s) or team(s) to the PR",
                "Anyone can use the command, but the target user(s) must be an org member, a repo collaborator, or should have previously commented on the issue or PR."),
            new PluginCommand(
                "/[un]cc [[@]<username>...|[@]<orgname/teamname>...]",
                "Requests a review from the user(s) or team(s).",
                "Anyone can use the command, but the target user(s) must be a member of the org that owns the repository."),
        ]);

    /// <inheritdoc />
    public async Task<string?> HandleAsync(PluginEvent e, PluginsConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.NewComment is not { } comment || e.Number is not { } number)
        {
            return null;
        }

        var done = new List<string>();
        var org = e.Repository.Owner;
        if (Targets(AssignCommand, comment) is { } assign)
        {
            done.Add(await ApplyAsync(
                e, assign, "assignees",
                logins => forge.RemoveAssigneesAsync(e.Repository, number, logins, cancellationToken),
                logins => forge.AddAssigneesAsync(e.Repository, number, logins, cancellationToken),
                refused => $"GitHub didn't allow me to assign the following users: {string.Join(", ", refused)}.\n\nNote that only [{org} members](https://github.com/orgs/{org}/people) with read permissions, repo collaborators and people who have commented on this issue/PR can be assigned. Additionally, issues/PRs can only have 10 assignees at the same time.\nFor more information please see [the contributor guide](https://git.k8s.io/community/contributors/guide/first-contribution.md#issue-assignment-in-github)",
                cancellationToken).ConfigureAwait(false));
        }

        if (e.IsPullRequest && Targets(CcCommand, comment) is { } cc)
        {
            done.Add(await ApplyAsync(
                e, cc, "reviewers",
                logins => forge.RemoveRequestedReviewersAsync(e.Repository, number, logins, cancellationToken),
                logins => forge.RequestReviewersAsync(e.Repository, number, logins, cancellationToken),
                refused => $"GitHub didn't allow me to request PR reviews from the following users: {string.Join(", ", refused)}.\n\nNote that only [{org} members](https://github.com/orgs/{org}/people) and repo collaborators can review this PR, and authors cannot review their own PRs.",
                cancellationToken).ConfigureAwait(false));
        }

        return done.Count == 0 ? null : string.Join("; ", done);
    }

    /// <summary>Each login and whether to add it (the last command naming it wins); no login names the commenter.</summary>
    private static List<(string Login, bool Add)>? Targets(Regex command, GenericComment comment)
    {
        var matches = command.Matches(comment.Body);
        if (matches.Count == 0)
        {
            return null;
        }

        var targets = new List<(string Login, bool Add)>();
        foreach (Match m in matches)
        {
            var add = !m.Groups[1].Value.Equals("un", StringComparison.OrdinalIgnoreCase);
            var logins = m.Groups[2].Value.Split(' ').Select(p => p.Trim('@', ' ')).Where(p => p.Length > 0).ToList();
            foreach (var login in logins.Count == 0 ? [comment.User] : logins)
            {
                targets.RemoveAll(t => string.Equals(t.Login, login, StringComparison.OrdinalIgnoreCase));
                targets.Add((login, add));
            }
        }

        return targets;
    }

    private async Task<string> ApplyAsync(
        PluginEvent e, List<(string Login, bool Add)> targets, string what,
        Func<IReadOnlyList<string>, Task> remove, Func<IReadOnlyList<string>, Task<IReadOnlyList<string>>> add, Func<IReadOnlyList<string>, string> refusal,
        CancellationToken cancellationToken)
    {
        var toRemove = targets.Where(t => !t.Add).Select(t => t.Login).ToList();
        var toAdd = targets.Where(t => t.Add).Select(t => t.Login).ToList();
        var outcome = new List<string>();
        if (toRemove.Count > 0)
        {
            await remove(toRemove).ConfigureAwait(false);
            outcome.Add($"{what} removed: {string.Join(", ", toRemove)}");
        }

        if (toAdd.Count > 0)
        {
            var refused = await add(toAdd).ConfigureAwait(false);
            var accepted = toAdd.Except(refused, StringComparer.OrdinalIgnoreCase).ToList();
            if (accepted.Count > 0)
            {
                outcome.Add($"{what} added: {string.Join(", ", accepted)}");
            }

            if (refused.Count > 0)
            {
                await PluginReplies.ReplyAsync(forge, e, Name + "/" + what, refusal(refused), cancellationToken).ConfigureAwait(false);
                outcome.Add($"{what} refused: {string.Join(", ", refused)}");
            }
        }

        return string.Join(", ", outcome);
    }
}
