using System.Text.RegularExpressions;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Triggers;

namespace Mothership.Ci.Plugins.ReleaseNote;

/// <summary>
/// Prow's releasenote plugin: when a pull request is opened or its body edited, it gets the label
/// <see cref="ReleaseNotes.LabelFor"/> names and loses the other release note labels; a missing
/// note gets Prow's comment once. <c>/release-note-none</c>, from the author or an organisation
/// member, marks a pull request without a note as needing none.
/// </summary>
public sealed class ReleaseNotePlugin(IForge forge) : IReviewPlugin
{
    private const string NeededFormat = "Adding the \"{0}\" label because no release-note block was detected, please follow our [release note process]({1}) to remove it.";

    private static readonly Regex CherryPickOf = GoRegex.Compile(@"Cherry pick of #([0-9]+) on release-([0-9]+\.[0-9]+).");
    private static readonly string ParentNotice =
        $"All 'parent' PRs of a cherry-pick PR must have one of the \"{ReleaseNotes.ReleaseNoteLabel}\" or \"{ReleaseNotes.ActionRequiredLabel}\" labels, or this PR must follow the standard/parent release note labeling requirement.";

    private static readonly Regex ReleaseNoteCommand = GoRegex.Compile(@"(?mi)^/release-note\s*$");
    private static readonly Regex NoneCommand = GoRegex.Compile(@"(?mi)^/release-note-none\s*$");
    private static readonly Regex ActionRequiredCommand = GoRegex.Compile(@"(?mi)^/release-note-action-required\s*$");

    /// <inheritdoc />
    public string Name => "release-note";

    /// <inheritdoc />
    public PluginHelp Help { get; } = new(
        "The releasenote plugin implements a release note process that uses a markdown 'release-note' code block to associate a release note with a pull request. Until the 'release-note' block in the pull request body is populated the PR will be assigned the 'do-not-merge/release-note-label-needed' label.",
        [new PluginCommand(
            "/release-note-none",
            "Adds the 'release-note-none' label to indicate that the PR does not warrant a release note.",
            "PR Authors and Org Members.")]);

    /// <summary>Prow's comment on a pull request without a release note.</summary>
    public static string NeededNotice(string guidelinesUrl) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, NeededFormat, ReleaseNotes.LabelNeededLabel, guidelinesUrl);

    /// <inheritdoc />
    public async Task<string?> HandleAsync(PluginEvent e, PluginsConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(config);
        if (!e.IsPullRequest || e.Number is not { } number)
        {
            return null;
        }

        if (e.Event == "pull_request")
        {
            var relevant = e.Action is "opened" or "edited" or "ready_for_review"
                || (e.Action == "labeled" && ReleaseNotes.All.Contains(PullRequestEvent.Optional(e.Payload["label"]?["name"]) ?? ""));
            return relevant ? await PullRequestAsync(e, number, config, cancellationToken).ConfigureAwait(false) : null;
        }

        return e.Event == "issue_comment" && e.NewComment is { } comment
            ? await CommentAsync(e, number, comment, cancellationToken).ConfigureAwait(false)
            : null;
    }

    private async Task<string?> PullRequestAsync(PluginEvent e, int number, PluginsConfig config, CancellationToken cancellationToken)
    {
        var notice = NeededNotice(config.ReleaseNote.GuidelinesUrl);
        var labels = (await forge.ListLabelsAsync(e.Repository, number, cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var body = PullRequestEvent.Optional(e.Payload["pull_request"]?["body"]);
        var want = ReleaseNotes.LabelFor(body, labels);
        if (want == ReleaseNotes.LabelNeededLabel)
        {
            if (e.Payload["pull_request"]?["merged"]?.GetValue<bool>() == true)
            {
                return null;
            }

            if (!await MustFollowProcessAsync(e, number, body, labels, cancellationToken).ConfigureAwait(false))
            {
                // A cherry-pick whose parents all carry a note: it needs none of its own.
                if (labels.Contains(ReleaseNotes.LabelNeededLabel))
                {
                    await forge.RemoveLabelAsync(e.Repository, number, ReleaseNotes.LabelNeededLabel, cancellationToken).ConfigureAwait(false);
                }

                await DeleteStaleAsync(e, number, notice, cancellationToken).ConfigureAwait(false);
                return "cherry-pick of pull requests with release notes";
            }

            if (labels.Contains(ReleaseNotes.DeprecationLabel))
            {
                if (!labels.Contains(ReleaseNotes.LabelNeededLabel))
                {
                    await forge.CreateCommentAsync(
                        e.Repository, number,
                        $"Adding the \"{ReleaseNotes.LabelNeededLabel}\" label and removing any existing \"{ReleaseNotes.NoneLabel}\" label because there is a \"{ReleaseNotes.DeprecationLabel}\" label on the PR.",
                        cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                var comments = await forge.ListCommentsAsync(e.Repository, number, cancellationToken).ConfigureAwait(false);
                if (comments.Any(c => NoneCommand.IsMatch(c.Body)))
                {
                    want = ReleaseNotes.NoneLabel;
                }
                else if (!labels.Contains(ReleaseNotes.LabelNeededLabel))
                {
                    await forge.CreateCommentAsync(e.Repository, number, notice, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        if (!labels.Contains(want))
        {
            await forge.AddLabelsAsync(e.Repository, number, [want], cancellationToken).ConfigureAwait(false);
        }

        await RemoveOthersAsync(e, number, want, labels, cancellationToken).ConfigureAwait(false);
        if (want != ReleaseNotes.LabelNeededLabel)
        {
            // The note is there now: the comment asking for it is stale (Prow deletes it).
            await DeleteStaleAsync(e, number, notice, cancellationToken).ConfigureAwait(false);
        }

        return want;
    }

    private async Task DeleteStaleAsync(PluginEvent e, int number, string notice, CancellationToken cancellationToken)
    {
        var comments = await forge.ListCommentsAsync(e.Repository, number, cancellationToken).ConfigureAwait(false);
        foreach (var stale in comments.Where(c => c.Body.Contains(notice, StringComparison.Ordinal) || c.Body.Contains(ParentNotice, StringComparison.Ordinal)))
        {
            await forge.DeleteCommentAsync(e.Repository, stale.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Prow's <c>prMustFollowRelNoteProcess</c>: a pull request into <c>master</c>, or one that is
    /// no cherry-pick ("Cherry pick of #N on release-X.Y."), needs its own note; a cherry-pick
    /// needs one when a parent has neither note label, which Prow's comment names once.
    /// </summary>
    private async Task<bool> MustFollowProcessAsync(PluginEvent e, int number, string? body, HashSet<string> labels, CancellationToken cancellationToken)
    {
        if (PullRequestEvent.Optional(e.Payload["pull_request"]?["base"]?["ref"]) == "master")
        {
            return true;
        }

        var parents = (body ?? "").Split('\n').Select(l => CherryPickOf.Match(l)).Where(m => m.Success)
            .Select(m => int.TryParse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0).Where(n => n > 0).ToList();
        if (parents.Count == 0)
        {
            return true;
        }

        var noteless = new List<string>();
        foreach (var parent in parents)
        {
            var parentLabels = await forge.ListLabelsAsync(e.Repository, parent, cancellationToken).ConfigureAwait(false);
            if (!parentLabels.Contains(ReleaseNotes.ReleaseNoteLabel) && !parentLabels.Contains(ReleaseNotes.ActionRequiredLabel))
            {
                noteless.Add("#" + parent.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (noteless.Count == 0)
        {
            return false;
        }

        if (!labels.Contains(ReleaseNotes.LabelNeededLabel))
        {
            await forge.CreateCommentAsync(
                e.Repository, number,
                $"@{e.Author}: {ParentNotice}\n\n<details>\n\nThe following parent PRs have neither the \"{ReleaseNotes.ReleaseNoteLabel}\" nor the \"{ReleaseNotes.ActionRequiredLabel}\" labels: {string.Join(", ", noteless)}.\n</details>\n",
                cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private async Task<string?> CommentAsync(PluginEvent e, int number, GenericComment comment, CancellationToken cancellationToken)
    {
        if (ReleaseNoteCommand.IsMatch(comment.Body) || ActionRequiredCommand.IsMatch(comment.Body))
        {
            await PluginReplies.ReplyAsync(
                forge, e, Name,
                $"the `/{ReleaseNotes.ReleaseNoteLabel}` and `/{ReleaseNotes.ActionRequiredLabel}` commands have been deprecated.\nPlease edit the `release-note` block in the PR body text to include the release note. If the release note requires additional action include the string `action required` in the release note. For example:\n````\n```release-note\nSome release note with action required.\n```\n````",
                cancellationToken).ConfigureAwait(false);
            return "deprecated command";
        }

        if (!NoneCommand.IsMatch(comment.Body))
        {
            return null;
        }

        var isAuthor = string.Equals(comment.User, e.Author, StringComparison.OrdinalIgnoreCase);
        if (!isAuthor && !await forge.IsOrgMemberAsync(e.Repository.Owner, comment.User, cancellationToken).ConfigureAwait(false))
        {
            await PluginReplies.ReplyAsync(
                forge, e, Name, $"you can only set the release note label to {ReleaseNotes.NoneLabel} if you are the PR author or an org member.", cancellationToken).ConfigureAwait(false);
            return $"refused {comment.User}";
        }

        var body = PullRequestEvent.Optional(e.Payload["issue"]?["body"]);
        if (ReleaseNotes.LabelFor(body, e.Labels) is ReleaseNotes.ReleaseNoteLabel or ReleaseNotes.ActionRequiredLabel)
        {
            await PluginReplies.ReplyAsync(
                forge, e, Name,
                $"you can only set the release note label to {ReleaseNotes.NoneLabel} if the release-note block in the PR body text is empty or \"none\".", cancellationToken).ConfigureAwait(false);
            return "refused: the body has a release note";
        }

        if (e.Labels.Contains(ReleaseNotes.DeprecationLabel))
        {
            await PluginReplies.ReplyAsync(
                forge, e, Name,
                $"you can not set the release note label to \"{ReleaseNotes.NoneLabel}\" because the PR has the label \"{ReleaseNotes.DeprecationLabel}\".", cancellationToken).ConfigureAwait(false);
            return "refused: a deprecation";
        }

        if (!e.Labels.Contains(ReleaseNotes.NoneLabel))
        {
            await forge.AddLabelsAsync(e.Repository, number, [ReleaseNotes.NoneLabel], cancellationToken).ConfigureAwait(false);
        }

        await RemoveOthersAsync(e, number, ReleaseNotes.NoneLabel, e.Labels, cancellationToken).ConfigureAwait(false);
        return ReleaseNotes.NoneLabel;
    }

    private async Task RemoveOthersAsync(PluginEvent e, int number, string keep, IReadOnlySet<string> labels, CancellationToken cancellationToken)
    {
        foreach (var other in ReleaseNotes.All.Where(l => l != keep && labels.Contains(l)))
        {
            await forge.RemoveLabelAsync(e.Repository, number, other, cancellationToken).ConfigureAwait(false);
        }
    }
}
