using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mothership.Ci.Jobs;
using Mothership.Ci.Owners;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Plugins.Approve;

/// <summary>
/// The approve plugin's <c>[APPROVALNOTIFIER]</c> comment, character for character as Prow's
/// template (<c>approvers.GetMessage</c>) renders it, so tools that read Prow's comment (the
/// <c>META</c> line) read this one too. Problems in OWNERS files, which Prow only logs, are
/// listed before the <c>META</c> line when there are any.
/// </summary>
public static class ApprovalNotifier
{
    /// <summary>Prow's <c>notificationRegex</c>: how the plugin finds its earlier comment.</summary>
    internal static readonly Regex Pattern = GoRegex.Compile(@"(?is)^\[ApprovalNotifier\] *?([^\n]*)(?:\n\n(.*))?");

    /// <summary>The comment for <paramref name="approvals"/>.</summary>
    /// <param name="approvals">Who approved what.</param>
    /// <param name="options">The repository's approve settings (the links).</param>
    /// <param name="linkUrl">The forge's web root (Prow's <c>github.link_url</c>, <c>https://github.com</c>).</param>
    /// <param name="org">The organisation.</param>
    /// <param name="repo">The repository's name.</param>
    /// <param name="branch">The base branch, whose OWNERS files the list links to.</param>
    /// <param name="problems">Problems in the OWNERS files read.</param>
    public static string Format(
        PullRequestApprovals approvals, ApproveOptions options, Uri linkUrl, string org, string repo, string branch, IReadOnlyList<Diagnostic>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(approvals);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(linkUrl);
        var filesApproved = approvals.AreFilesApproved();
        var m = new StringBuilder();
        m.Append("This pull-request has been approved by:");
        var approvalList = approvals.ListApprovals();
        for (var i = 0; i < approvalList.Count; i++)
        {
            m.Append(i == 0 ? " " : ", ").Append(approvalList[i]);
        }

        if (!filesApproved)
        {
            m.Append('\n');
            var suggested = approvals.SuggestedCcs();
            var assigned = approvals.AssignedCcs();
            var process = $" For more information see [the Code Review Process]({options.PrProcessLink}).";
            if (suggested.Count > 0 && assigned.Count > 0)
            {
                m.Append($"**Once this PR has been reviewed and has the lgtm label**, please ask for approval from {People(assigned)} and additionally assign {People(suggested)} for approval.{process}");
            }
            else if (suggested.Count > 0)
            {
                m.Append($"**Once this PR has been reviewed and has the lgtm label**, please assign {People(suggested)} for approval.{process}");
            }
            else if (assigned.Count > 0)
            {
                m.Append($"**Once this PR has been reviewed and has the lgtm label**, please ask for approval from {People(assigned)}.{process}");
            }
        }

        m.Append("\n\n");
        if (approvals.RequireIssue)
        {
            if (approvals.AssociatedIssue != 0)
            {
                m.Append($"Associated issue: *#{approvals.AssociatedIssue}*\n\n");
            }
            else if (approvals.ListNoIssueApprovals() is { Count: > 0 } noIssue)
            {
                m.Append("Associated issue requirement bypassed by:");
                for (var i = 0; i < noIssue.Count; i++)
                {
                    m.Append(i == 0 ? " " : ", ").Append(noIssue[i]);
                }

                m.Append("\n\n");
            }
            else
            {
                m.Append("*No associated issue*. Update pull-request body to add a reference to an issue, or get approval with `/approve no-issue`\n\n");
            }
        }

        m.Append($"The full list of commands accepted by this bot can be found [here]({options.CommandHelpLink}?repo={org}%2F{repo}).\n\n");
        if (filesApproved)
        {
            m.Append($"The pull request process is described [here]({options.PrProcessLink})\n\n");
        }

        m.Append(filesApproved ? "<details >" : "<details open>");
        m.Append("\nNeeds approval from an approver in each of these files:\n\n");
        var baseUrl = $"{linkUrl.GetLeftPart(UriPartial.Authority)}/{org}/{repo}";
        foreach (var (directory, approved, approvers) in approvals.Files())
        {
            var path = directory.EndsWith(".md", StringComparison.Ordinal) ? directory
                : directory.Length == 0 ? OwnersFile.FileName : directory + "/" + OwnersFile.FileName;
            var link = $"{baseUrl}/blob/{branch}/{path}";
            if (approved)
            {
                m.Append($"- ~~[{path}]({link})~~ [{string.Join(',', approvers)}]\n");
            }
            else if (approvers.Count > 0)
            {
                m.Append($"- **[{path}]({link})** [{string.Join(',', approvers)}]\n  > Need more approvers for rest parts.\n");
            }
            else
            {
                m.Append($"- **[{path}]({link})**\n");
            }
        }

        m.Append("\nApprovers can indicate their approval by writing `/approve` in a comment\nApprovers can cancel approval by writing `/approve cancel` in a comment\n</details>");
        if (problems is { Count: > 0 })
        {
            m.Append("\n\nThese OWNERS files have problems; the parts in error are not used:\n");
            foreach (var problem in problems)
            {
                m.Append($"- `{problem.Location}`: {problem.Severity.ToString().ToLowerInvariant()}: {problem.Message}\n");
            }

            m.Length--;
        }

        m.Append("\n<!-- META=").Append(JsonSerializer.Serialize(new Dictionary<string, ImmutableSortedSet<string>> { ["approvers"] = approvals.Suggested() })).Append(" -->");
        var title = $"This PR is **{(approvals.IsApproved() ? "" : "NOT ")}APPROVED**";
        return $"[APPROVALNOTIFIER] {title}\n\n{m.ToString().Trim()}";
    }

    private static string People(IEnumerable<string> logins) => string.Join(", ", logins.Select(l => $"[{l}](https://github.com/{l})"));
}
