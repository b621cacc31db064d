using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Owners;
using Mothership.Ci.Triggers;

namespace Mothership.Ci.Plugins.Approve;

/// <summary>
/// Prow's approve plugin: a pull request gets <c>approved</c> when the people who approved it
/// (<c>/approve</c>, an approving GitHub review, the author implicitly) can approve every file it
/// changes according to the OWNERS files of its base branch, and the <c>[APPROVALNOTIFIER]</c>
/// comment says who approved and which OWNERS files still need someone. As Prow, it re-reads the
/// pull request's comments and reviews each time, so the state is recomputed, never patched; on a
/// push that brings files the approvers do not own, <c>approved</c> is therefore taken off and the
/// notifier lists what needs approval now.
/// </summary>
public sealed class ApprovePlugin(IForge forge, OwnersReader owners) : IReviewPlugin
{
    /// <summary>The label (Prow's <c>labels.Approved</c>).</summary>
    public const string Label = "approved";

    private static readonly Regex CommandPattern = GoRegex.Compile(@"(?m)^/([^\s]+)[\t ]*([^\n\r]*)");

    /// <inheritdoc />
    public string Name => "approve";

    /// <summary>The forge's web root the notifier links to (Prow's <c>github.link_url</c>). Default <c>https://github.com</c>.</summary>
    public Uri LinkUrl { get; init; } = new("https://github.com");

    /// <summary>
    /// The web root of the forge whose API is at <paramref name="apiUrl"/>: <c>https://github.com</c>
    /// for <c>api.github.com</c>, else the API's scheme and host (GitHub Enterprise serves both there).
    /// </summary>
    public static Uri WebRootOf(Uri apiUrl)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        return string.Equals(apiUrl.Host, "api.github.com", StringComparison.OrdinalIgnoreCase)
            ? new Uri("https://github.com")
            : new Uri(apiUrl.GetLeftPart(UriPartial.Authority));
    }

    /// <inheritdoc />
    public PluginHelp Help { get; } = new(
        "The approve plugin implements a pull request approval process that manages the 'approved' label and an approval notification comment. Approval is achieved when the set of users that have approved the PR is capable of approving every file changed by the PR. A user is able to approve a file if their username or an alias they belong to is listed in the 'approvers' section of an OWNERS file in the directory of the file or higher in the directory tree.",
        [new PluginCommand("/[remove-]approve [no-issue|cancel]", "Approves a pull request", "Users listed as 'approvers' in appropriate OWNERS files.")]);

    /// <inheritdoc />
    public async Task<string?> HandleAsync(PluginEvent e, PluginsConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(config);
        if (!e.IsPullRequest || e.Number is not { } number)
        {
            return null;
        }

        var options = config.ApproveFor(e.OrgRepo);
        return Concerns(e, options) ? await ReconcileAsync(e, number, options, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>Whether the event can change the approval (Prow's three handlers' filters).</summary>
    private static bool Concerns(PluginEvent e, ApproveOptions options) => e.Event switch
    {
        "pull_request" => e.Action is "opened" or "reopened" or "synchronize",
        "pull_request_review" when e.Action == "dismissed" => options.ConsiderReviewState,
        "pull_request_review" => e.NewComment is { } review && !e.Closed
            && (IsApprovalCommand(review.Body, options) || (options.ConsiderReviewState && review.ReviewState is "approved" or "changes_requested")),
        "issue_comment" => e.NewComment is { } comment && !e.Closed && IsApprovalCommand(comment.Body, options),
        _ => false,
    };

    private static bool IsApprovalCommand(string body, ApproveOptions options) =>
        CommandPattern.Matches(body).Any(m => m.Groups[1].Value.ToUpperInvariant() is "APPROVE" or "REMOVE-APPROVE" || (options.LgtmActsAsApprove && m.Groups[1].Value.Equals("LGTM", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Prow's <c>handle</c>: recomputes the approval from the pull request as it is now, then sets the comment and the label.</summary>
    private async Task<string> ReconcileAsync(PluginEvent e, int number, ApproveOptions options, CancellationToken cancellationToken)
    {
        var repository = e.Repository;
        if (await forge.GetPullRequestAsync(repository, number, cancellationToken).ConfigureAwait(false) is not { } pr)
        {
            return $"no pull request {number}";
        }

        if (pr.State == PullRequestState.Closed)
        {
            return "closed";
        }

        var files = (await forge.ListPullRequestFilesAsync(repository, number, cancellationToken).ConfigureAwait(false)).Select(f => f.Path).ToList();
        var labels = await forge.ListLabelsAsync(repository, number, cancellationToken).ConfigureAwait(false);
        var comments = await forge.ListCommentsAsync(repository, number, cancellationToken).ConfigureAwait(false);
        var reviews = await forge.ListPullRequestReviewsAsync(repository, number, cancellationToken).ConfigureAwait(false);
        var loaded = await owners.LoadAsync(repository, pr.BaseSha, files, cancellationToken).ConfigureAwait(false);

        var item = e.Payload["pull_request"] ?? e.Payload["issue"];
        var approvals = new PullRequestApprovals(loaded.Owners, files, number)
        {
            RequireIssue = options.IssueRequired,
            AssociatedIssue = AssociatedIssue(PullRequestEvent.Optional(item?["body"]) ?? "", repository.Owner),
        };
        var htmlUrl = PullRequestEvent.Optional(item?["html_url"]) ?? $"{LinkUrl.GetLeftPart(UriPartial.Authority)}/{repository}/pull/{number}";
        if (options.HasSelfApproval)
        {
            approvals.AddAuthorSelfApprover(pr.Author, htmlUrl + "#", false);
        }

        // Prow's order: comments, then reviews, sorted by time keeping that order for equal times.
        var said = comments.Select(c => new Said(c.Author, c.Body, c.CreatedAt, c.HtmlUrl ?? "", null))
            .Concat(reviews.Where(r => r.SubmittedAt is not null).Select(r => new Said(r.Author, r.Body, r.SubmittedAt!.Value, r.HtmlUrl ?? "", r.State)))
            .OrderBy(s => s.At);
        AddApprovers(approvals, said, pr.Author, options);
        approvals.AddAssignees((item?["assignees"] as JsonArray ?? []).Select(a => PullRequestEvent.Optional(a?["login"])).OfType<string>());

        var message = ApprovalNotifier.Format(approvals, options, LinkUrl, repository.Owner, repository.Name, pr.BaseRef, loaded.Diagnostics);
        var notifications = comments.Where(c => ApprovalNotifier.Pattern.IsMatch(c.Body)).ToList();
        var outcome = new List<string>();
        if (notifications.Count == 0)
        {
            await forge.CreateCommentAsync(repository, number, message, cancellationToken).ConfigureAwait(false);
            outcome.Add("notifier written");
        }
        else if (!notifications[^1].Body.Contains(message, StringComparison.Ordinal))
        {
            // Replaced in place (Prow deletes and writes anew); extra copies from earlier runs go.
            await forge.EditCommentAsync(repository, notifications[^1].Id, message, cancellationToken).ConfigureAwait(false);
            foreach (var old in notifications.SkipLast(1))
            {
                await forge.DeleteCommentAsync(repository, old.Id, cancellationToken).ConfigureAwait(false);
            }

            outcome.Add("notifier updated");
        }

        var has = labels.Contains(Label, StringComparer.OrdinalIgnoreCase);
        if (approvals.IsApproved() && !has)
        {
            await forge.AddLabelsAsync(repository, number, [Label], cancellationToken).ConfigureAwait(false);
            outcome.Add($"{Label} added");
        }
        else if (!approvals.IsApproved() && has)
        {
            await forge.RemoveLabelAsync(repository, number, Label, cancellationToken).ConfigureAwait(false);
            outcome.Add($"{Label} removed");
        }

        var state = approvals.IsApproved()
            ? "approved"
            : $"not approved, needs {string.Join(", ", approvals.UnapprovedFiles().Select(d => d.Length == 0 ? OwnersFile.FileName : d + "/" + OwnersFile.FileName))}";
        if (!loaded.Diagnostics.IsEmpty)
        {
            outcome.Add($"{loaded.Diagnostics.Length} OWNERS problem(s)");
        }

        return outcome.Count == 0 ? state : $"{state} ({string.Join(", ", outcome)})";
    }

    /// <summary>Prow's <c>addApprovers</c>: each approval, cancellation and review in order.</summary>
    private static void AddApprovers(PullRequestApprovals approvals, IEnumerable<Said> said, string author, ApproveOptions options)
    {
        foreach (var s in said)
        {
            if (s.Author.Length == 0)
            {
                continue;
            }

            if (options.ConsiderReviewState && s.ReviewState == "approved")
            {
                approvals.AddApprover(s.Author, s.HtmlUrl, false);
            }

            if (options.ConsiderReviewState && s.ReviewState == "changes_requested")
            {
                approvals.RemoveApprover(s.Author);
            }

            foreach (Match m in CommandPattern.Matches(s.Body))
            {
                var name = m.Groups[1].Value.ToUpperInvariant();
                if (name == "REMOVE-APPROVE")
                {
                    approvals.RemoveApprover(s.Author);
                    continue;
                }

                // Prow counts a /lgtm next to an /approve even without lgtm_acts_as_approve; not here.
                if (name != "APPROVE" && !(name == "LGTM" && options.LgtmActsAsApprove))
                {
                    continue;
                }

                var args = m.Groups[2].Value.Trim().ToLowerInvariant();
                if (args.Contains("cancel", StringComparison.Ordinal))
                {
                    approvals.RemoveApprover(s.Author);
                    continue;
                }

                var noIssue = args == "no-issue";
                if (string.Equals(s.Author, author, StringComparison.OrdinalIgnoreCase))
                {
                    approvals.AddAuthorSelfApprover(s.Author, s.HtmlUrl, noIssue);
                }

                if (name == "APPROVE")
                {
                    approvals.AddApprover(s.Author, s.HtmlUrl, noIssue);
                }
                else
                {
                    approvals.AddLgtmer(s.Author, s.HtmlUrl, noIssue);
                }
            }
        }
    }

    /// <summary>The issue a pull request's body refers to (<c>#12</c>, or a link to an issue of the organisation); 0 for none.</summary>
    internal static int AssociatedIssue(string body, string org)
    {
        var match = GoRegex.Compile($@"(?:{Regex.Escape(org)}/[^/]+/issues/|#)(\d+)").Match(body);
        return match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var issue) ? issue : 0;
    }

    /// <summary>A comment or review as the approval reads it (Prow's <c>comment</c>).</summary>
    private sealed record Said(string Author, string Body, DateTimeOffset At, string HtmlUrl, string? ReviewState);
}
