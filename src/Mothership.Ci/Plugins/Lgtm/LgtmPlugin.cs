using System.Text.RegularExpressions;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;

namespace Mothership.Ci.Plugins.Lgtm;

/// <summary>
/// Prow's lgtm plugin: collaborators put <c>lgtm</c> on a pull request with <c>/lgtm</c> and take
/// it off with <c>/lgtm cancel</c> or <c>/remove-lgtm</c>; the author may cancel but not LGTM;
/// with <c>review_acts_as_lgtm</c> an approving review is <c>/lgtm</c> and a review requesting
/// changes is <c>/lgtm cancel</c>. A push removes the label (Prow's notice) unless
/// <c>store_tree_hash</c> recorded the tree it was given on and the push kept that tree.
/// </summary>
public sealed class LgtmPlugin(IForge forge) : IReviewPlugin
{
    /// <summary>The label (Prow's <c>labels.LGTM</c>).</summary>
    public const string Label = "lgtm";

    /// <summary>Prow's comment after a push removed the label.</summary>
    public const string RemovedNotice = "New changes are detected. LGTM label has been removed.";

    /// <summary>Prow's reply to an author's <c>/lgtm</c>.</summary>
    public const string OwnPullRequest = "you cannot LGTM your own PR.";

    /// <summary>Prow's reply to a non-collaborator.</summary>
    public const string Restricted = "changing LGTM is restricted to collaborators";

    private const string TreeHashFormat = "LGTM label has been added.  <details>Git tree hash: {0}</details>";

    private static readonly Regex LgtmCommand = GoRegex.Compile(@"(?mi)^/lgtm(?: no-issue)?\s*$");
    private static readonly Regex CancelCommand = GoRegex.Compile(@"(?mi)^/(remove-lgtm|lgtm cancel)\s*$");
    private static readonly Regex TreeHashComment = GoRegex.Compile(@"LGTM label has been added\.  <details>Git tree hash: (.*)</details>");

    /// <summary>The bot's own login, learnt from the first tree-hash comment it writes.</summary>
    private string? _botLogin;

    /// <inheritdoc />
    public string Name => "lgtm";

    /// <inheritdoc />
    public PluginHelp Help { get; } = new(
        "The lgtm plugin manages the application and removal of the 'lgtm' (Looks Good To Me) label which is typically used to gate merging.",
        [new PluginCommand(
            "/[remove-]lgtm [cancel] or GitHub Review action",
            "Adds or removes the 'lgtm' label which is typically used to gate merging.",
            "Collaborators on the repository. '/lgtm cancel' can be used additionally by the PR author.")]);

    /// <summary>The comment that records the tree <c>lgtm</c> was given on (Prow's text).</summary>
    public static string TreeHashNotice(string tree) => string.Format(System.Globalization.CultureInfo.InvariantCulture, TreeHashFormat, tree);

    /// <inheritdoc />
    public async Task<string?> HandleAsync(PluginEvent e, PluginsConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(config);
        if (!e.IsPullRequest || e.Number is not { } number)
        {
            return null;
        }

        var options = config.LgtmFor(e.OrgRepo);
        if (e.Event == "pull_request" && e.Action == "synchronize")
        {
            return await PushedAsync(e, number, options, cancellationToken).ConfigureAwait(false);
        }

        if (e.NewComment is not { } comment || e.Closed)
        {
            return null;
        }

        bool want;
        if (LgtmCommand.IsMatch(comment.Body))
        {
            want = true;
        }
        else if (CancelCommand.IsMatch(comment.Body))
        {
            want = false;
        }
        else if (e.Event == "pull_request_review" && options.ReviewActsAsLgtm && comment.ReviewState is "approved" or "changes_requested"
            && PullRequestEventUserType(e) != "Bot")
        {
            want = comment.ReviewState == "approved";
        }
        else
        {
            return null;
        }

        return await ChangeAsync(e, number, comment, want, options, cancellationToken).ConfigureAwait(false);
    }

    private static string? PullRequestEventUserType(PluginEvent e) => e.Payload["review"]?["user"]?["type"]?.GetValue<string>();

    private async Task<string> ChangeAsync(PluginEvent e, int number, GenericComment comment, bool want, LgtmOptions options, CancellationToken cancellationToken)
    {
        var isAuthor = string.Equals(comment.User, e.Author, StringComparison.OrdinalIgnoreCase);
        if (isAuthor && want)
        {
            await PluginReplies.ReplyAsync(forge, e, Name, OwnPullRequest, cancellationToken).ConfigureAwait(false);
            return $"refused {comment.User}'s own /lgtm";
        }

        if (!isAuthor && !await forge.IsCollaboratorAsync(e.Repository, comment.User, cancellationToken).ConfigureAwait(false))
        {
            await PluginReplies.ReplyAsync(forge, e, Name, Restricted, cancellationToken).ConfigureAwait(false);
            return $"refused {comment.User}: not a collaborator";
        }

        if (!isAuthor && !e.Assignees.Contains(comment.User, StringComparer.OrdinalIgnoreCase))
        {
            // As Prow: the reviewer is assigned, so the pull request shows who looked at it.
            await forge.AddAssigneesAsync(e.Repository, number, [comment.User], cancellationToken).ConfigureAwait(false);
        }

        // The labels now, not the payload's: a retried delivery finds its own change done.
        var has = (await forge.ListLabelsAsync(e.Repository, number, cancellationToken).ConfigureAwait(false)).Contains(Label, StringComparer.OrdinalIgnoreCase);
        if (has && !want)
        {
            await RemoveAsync(e, number, options, cancellationToken).ConfigureAwait(false);
            if (options.StoreTreeHash)
            {
                await PruneAsync(e, number, c => TreeHashComment.IsMatch(c.Body), cancellationToken).ConfigureAwait(false);
            }

            return $"{Label} removed by {comment.User}";
        }

        if (!has && want)
        {
            await forge.AddLabelsAsync(e.Repository, number, [Label], cancellationToken).ConfigureAwait(false);
            if (options.StoreTreeHash)
            {
                var head = e.HeadSha ?? (await forge.GetPullRequestAsync(e.Repository, number, cancellationToken).ConfigureAwait(false))?.HeadSha;
                if (head is not null && await forge.GetCommitTreeAsync(e.Repository, head, cancellationToken).ConfigureAwait(false) is { } tree)
                {
                    _botLogin = (await forge.CreateCommentAsync(e.Repository, number, TreeHashNotice(tree), cancellationToken).ConfigureAwait(false)).Author;
                }
            }

            await PruneAsync(e, number, c => c.Body.Contains(RemovedNotice, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false);
            return $"{Label} added by {comment.User}";
        }

        return want ? "already lgtm" : "no lgtm to remove";
    }

    private async Task<string?> PushedAsync(PluginEvent e, int number, LgtmOptions options, CancellationToken cancellationToken)
    {
        var labels = await forge.ListLabelsAsync(e.Repository, number, cancellationToken).ConfigureAwait(false);
        if (!labels.Contains(Label, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        if (options.StoreTreeHash && e.HeadSha is { } head)
        {
            // The newest tree-hash comment never edited since (Prow's test), newest first.
            var comments = await forge.ListCommentsAsync(e.Repository, number, cancellationToken).ConfigureAwait(false);
            string? stored = null;
            foreach (var c in comments.Reverse().Where(c => c.UpdatedAt == c.CreatedAt))
            {
                if (TreeHashComment.Match(c.Body) is { Success: true } m && await TrustedAsync(e, c, cancellationToken).ConfigureAwait(false))
                {
                    stored = m.Groups[1].Value;
                    break;
                }
            }

            if (stored is { Length: > 0 } && await forge.GetCommitTreeAsync(e.Repository, head, cancellationToken).ConfigureAwait(false) == stored)
            {
                return $"{Label} kept: the tree {stored} is unchanged";
            }
        }

        await RemoveAsync(e, number, options, cancellationToken).ConfigureAwait(false);
        await forge.CreateCommentAsync(e.Repository, number, RemovedNotice, cancellationToken).ConfigureAwait(false);
        return $"{Label} removed: new changes";
    }

    /// <summary>
    /// Whether a tree-hash comment can be believed: Prow takes only the bot's. Written by this
    /// bot (its login is learnt when it writes one), or by a collaborator other than the author
    /// (who could as well have given <c>/lgtm</c>); never by the author, who could otherwise keep
    /// <c>lgtm</c> over new code by writing the next tree's hash.
    /// </summary>
    private async Task<bool> TrustedAsync(PluginEvent e, IssueComment comment, CancellationToken cancellationToken) =>
        string.Equals(comment.Author, _botLogin, StringComparison.OrdinalIgnoreCase)
        || (!string.Equals(comment.Author, e.Author, StringComparison.OrdinalIgnoreCase)
            && await forge.IsCollaboratorAsync(e.Repository, comment.Author, cancellationToken).ConfigureAwait(false));

    /// <summary>Removes the label; with <c>store_tree_hash</c>, asks the assignees to review again (Prow).</summary>
    private async Task RemoveAsync(PluginEvent e, int number, LgtmOptions options, CancellationToken cancellationToken)
    {
        await forge.RemoveLabelAsync(e.Repository, number, Label, cancellationToken).ConfigureAwait(false);
        if (options.StoreTreeHash && !e.Assignees.IsEmpty)
        {
            await forge.RequestReviewersAsync(e.Repository, number, e.Assignees, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PruneAsync(PluginEvent e, int number, Func<IssueComment, bool> stale, CancellationToken cancellationToken)
    {
        foreach (var comment in (await forge.ListCommentsAsync(e.Repository, number, cancellationToken).ConfigureAwait(false)).Where(stale))
        {
            await forge.DeleteCommentAsync(e.Repository, comment.Id, cancellationToken).ConfigureAwait(false);
        }
    }
}
