using System.Text.RegularExpressions;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;

namespace Mothership.Ci.Plugins.Label;

/// <summary>
/// Prow's label plugin: <c>/kind bug</c>, <c>/area x</c>, <c>/priority x</c>, <c>/sig x</c>,
/// <c>/triage x</c> (and <c>committee</c>, <c>language</c>, <c>wg</c>) add <c>kind/bug</c>…,
/// <c>/remove-kind bug</c>… remove it; <c>/label x</c> and <c>/remove-label x</c> do the same for
/// <c>label.additional_labels</c>. Only labels the repository has are applied (never created);
/// removing every label of a category adds its <c>needs-*</c> label when the repository has one.
/// </summary>
public sealed class LabelPlugin(IForge forge) : IReviewPlugin
{
    private const string TriageAccepted = "triage/accepted";

    private static readonly string[] NeedsCategories = ["kind", "priority", "sig", "triage"];
    private static readonly Regex HtmlComment = new(@"(?s)<!--(.*?)-->", RegexOptions.CultureInvariant);
    private static readonly Regex LabelCommand = GoRegex.Compile(@"(?m)^/(area|committee|kind|language|priority|sig|triage|wg)\s*(.*?)\s*$");
    private static readonly Regex RemoveCommand = GoRegex.Compile(@"(?m)^/remove-(area|committee|kind|language|priority|sig|triage|wg)\s*(.*?)\s*$");
    private static readonly Regex CustomCommand = GoRegex.Compile(@"(?m)^/label\s*(.*?)\s*$");
    private static readonly Regex CustomRemoveCommand = GoRegex.Compile(@"(?m)^/remove-label\s*(.*?)\s*$");

    /// <inheritdoc />
    public string Name => "label";

    /// <inheritdoc />
    public PluginHelp Help { get; } = new(
        "The label plugin provides commands that add or remove certain types of labels. Labels of the following types can be manipulated: 'area/*', 'committee/*', 'kind/*', 'language/*', 'priority/*', 'sig/*', 'triage/*', and 'wg/*'. More labels can be configured to be used via the /label command.",
        [new PluginCommand(
            "/[remove-](area|committee|kind|language|priority|sig|triage|wg|label) <target>",
            "Applies or removes a label from one of the recognized types of labels.",
            "Anyone can trigger this command on issues and PRs. `triage/accepted` can only be added by org members.")]);

    /// <inheritdoc />
    public async Task<string?> HandleAsync(PluginEvent e, PluginsConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(config);
        if (e.NewComment is not { } comment || e.Number is not { } number)
        {
            return null;
        }

        var body = HtmlComment.Replace(comment.Body, "");
        var adds = LabelCommand.Matches(body);
        var removes = RemoveCommand.Matches(body);
        var customAdds = CustomCommand.Matches(body);
        var customRemoves = CustomRemoveCommand.Matches(body);
        if (adds.Count + removes.Count + customAdds.Count + customRemoves.Count == 0)
        {
            return null;
        }

        var repoLabels = (await forge.ListRepositoryLabelsAsync(e.Repository, cancellationToken).ConfigureAwait(false))
            .Select(l => l.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

        // The labels as the event saw them: a delivery handled again decides the same way.
        var issueLabels = e.Labels;
        var additional = config.Label.AdditionalLabels.Select(l => l.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        var nonexistent = new List<string>();
        var toAdd = FromCategories(adds).Concat(FromCustom(customAdds, additional, nonexistent)).ToList();
        var toRemove = FromCategories(removes).Concat(FromCustom(customRemoves, additional, nonexistent)).ToList();

        foreach (var category in NeedsCategories)
        {
            var needs = "needs-" + category;
            var removed = InCategory(toRemove, category);
            if (!repoLabels.Contains(needs) || removed.Count == 0 || InCategory(toAdd, category).Count > 0)
            {
                continue;
            }

            if (InCategory(issueLabels, category).IsSubsetOf(removed))
            {
                toAdd.Add(needs);
            }
        }

        var added = new List<string>();
        var notInRepo = new List<string>();
        var nonMemberTriageAccepted = false;
        foreach (var label in toAdd.Distinct(StringComparer.Ordinal))
        {
            if (Has(issueLabels, label))
            {
                continue;
            }

            if (!repoLabels.Contains(label))
            {
                notInRepo.Add(label);
                continue;
            }

            if (label == TriageAccepted && !await forge.IsOrgMemberAsync(e.Repository.Owner, comment.User, cancellationToken).ConfigureAwait(false))
            {
                nonMemberTriageAccepted = true;
                continue;
            }

            added.Add(label);
        }

        if (added.Count > 0)
        {
            await forge.AddLabelsAsync(e.Repository, number, added, cancellationToken).ConfigureAwait(false);
        }

        var removedLabels = new List<string>();
        var notOnIssue = new List<string>();
        foreach (var label in toRemove.Distinct(StringComparer.Ordinal))
        {
            if (!Has(issueLabels, label))
            {
                notOnIssue.Add(label);
                continue;
            }

            if (repoLabels.Contains(label))
            {
                await forge.RemoveLabelAsync(e.Repository, number, label, cancellationToken).ConfigureAwait(false);
                removedLabels.Add(label);
            }
        }

        // One reply, the first that applies, as Prow answers.
        string? reply = null;
        if (nonexistent.Count > 0)
        {
            reply = $"The label(s) `{string.Join(", ", nonexistent)}` cannot be applied. These labels are supported: `{string.Join(", ", config.Label.AdditionalLabels)}`. Is this label configured under `labels -> additional_labels` or `labels -> restricted_labels` in `plugin.yaml`?";
        }
        else if (notInRepo.Count > 0)
        {
            reply = $"The label(s) `{string.Join(", ", notInRepo)}` cannot be applied, because the repository doesn't have them.";
        }
        else if (notOnIssue.Count > 0)
        {
            reply = $"Those labels are not set on the issue: `{string.Join(", ", notOnIssue)}`";
        }
        else if (nonMemberTriageAccepted)
        {
            reply = $"The label `{TriageAccepted}` cannot be applied. Only GitHub organization members can add the label.";
        }

        if (reply is not null)
        {
            await PluginReplies.ReplyAsync(forge, e with { Comment = comment with { Body = body } }, Name, reply, cancellationToken).ConfigureAwait(false);
        }

        var done = new List<string>();
        if (added.Count > 0)
        {
            done.Add("added " + string.Join(", ", added));
        }

        if (removedLabels.Count > 0)
        {
            done.Add("removed " + string.Join(", ", removedLabels));
        }

        if (reply is not null)
        {
            done.Add("replied");
        }

        return done.Count == 0 ? "nothing to change" : string.Join(", ", done);
    }

    /// <summary><c>/kind bug feature</c> → <c>kind/bug</c>, <c>kind/feature</c> (Prow's <c>getLabelsFromREMatches</c>).</summary>
    private static IEnumerable<string> FromCategories(MatchCollection matches) =>
        matches.SelectMany(m => m.Value.Trim().Split(' ').Skip(1).Select(l => (m.Groups[1].Value + "/" + l.Trim()).ToLowerInvariant()));

    /// <summary><c>/label x</c>: one label, which must be configured; others are collected as Prow words them (the whole command).</summary>
    private static List<string> FromCustom(MatchCollection matches, HashSet<string> additional, List<string> invalid)
    {
        var labels = new List<string>();
        foreach (Match m in matches)
        {
            var parts = m.Value.Trim().Split(' ');
            if (parts is not ["/label" or "/remove-label", var name])
            {
                continue;
            }

            if (additional.Contains(name.ToLowerInvariant()))
            {
                labels.Add(name.ToLowerInvariant());
            }
            else
            {
                invalid.Add(m.Value);
            }
        }

        return labels;
    }

    private static HashSet<string> InCategory(IEnumerable<string> labels, string category) =>
        labels.Where(l => l.StartsWith(category + "/", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

    private static bool Has(IEnumerable<string> labels, string label) => labels.Contains(label, StringComparer.OrdinalIgnoreCase);
}
