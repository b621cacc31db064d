using Mothership.Ci.Forge;

namespace Mothership.Ci.Tide;

/// <summary>
/// The <c>tide</c> status a pull request carries, with Prow's texts (<c>pkg/tide/status.go</c>):
/// why it is not in the merge pool, that it is being retested, or that it is in the pool.
/// </summary>
/// <param name="State">Success in the pool; pending otherwise; error when it may never merge as it stands.</param>
/// <param name="Description">Prow's text, at most 140 characters.</param>
public sealed record TideStatus(CommitState State, string Description)
{
    /// <summary>The status context.</summary>
    public const string Context = "tide";

    /// <summary>Prow's text for a pull request in the pool with up-to-date passing jobs.</summary>
    public const string InPoolText = "In merge pool.";

    /// <summary>GitHub keeps at most this many characters of a description.</summary>
    public const int MaxDescription = 140;

    /// <summary>Prow keeps the labels or contexts it lists to about this many characters.</summary>
    private const int MaxListChars = 50;

    /// <summary>In the pool, ready to merge.</summary>
    public static TideStatus InPool { get; } = new(CommitState.Success, InPoolText);

    /// <summary>Prow's <c>Not mergeable.%s</c> with <paramref name="reason"/> (which starts with a space, or is empty).</summary>
    public static TideStatus NotMergeable(string reason, CommitState state = CommitState.Pending) =>
        new(state, Shorten("Not mergeable." + reason));

    /// <summary>Prow's <c>retestingStatus</c>: the contexts being retested, sorted, or their count when they do not fit.</summary>
    public static TideStatus Retesting(IEnumerable<string> contexts)
    {
        var sorted = contexts.Order(StringComparer.Ordinal).ToList();
        var all = "Not mergeable. Retesting: " + string.Join(' ', sorted);
        return new(CommitState.Pending, all.Length <= MaxDescription ? all : $"Not mergeable. Retesting {sorted.Count} job{(sorted.Count > 1 ? "s" : "")}.");
    }

    /// <summary>
    /// Prow's <c>requirementDiff</c>: the first unmet requirement of <paramref name="query"/> as
    /// Prow words it, and a weight (a wrong branch weighs most, then author, milestone, review,
    /// then one per label or context) so the closest query explains the status.
    /// </summary>
    public static (string Reason, int Weight) RequirementDiff(TideQuery query, PullRequest pr, IReadOnlyCollection<string> unsuccessfulContexts, bool? reviewApproved)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(pr);
        ArgumentNullException.ThrowIfNull(unsuccessfulContexts);
        var reason = "";
        var weight = 0;
        if (!query.AllowsBranch(pr.BaseRef))
        {
            weight += 2000;
            reason = $" Merging to branch {pr.BaseRef} is forbidden.";
        }

        if (query.Author is { Length: > 0 } author && !string.Equals(author, pr.Author, StringComparison.OrdinalIgnoreCase))
        {
            weight += 1000;
            reason = reason.Length > 0 ? reason : $" Must be by author {author.ToLowerInvariant()}.";
        }

        if (query.Milestone is { Length: > 0 } milestone)
        {
            weight += 100;
            reason = reason.Length > 0 ? reason : $" Must be in milestone {milestone}.";
        }

        var missing = query.Labels
            .Where(alternatives => !alternatives.Split(',').Any(l => pr.Labels.Contains(l, StringComparer.Ordinal)))
            .Select(alternatives => alternatives.Replace(",", " or ", StringComparison.Ordinal))
            .ToList();
        weight += missing.Count;
        if (reason.Length == 0 && missing.Count > 0)
        {
            var listed = Truncate(missing);
            reason = listed.Count == 1 ? $" Needs {listed[0]} label." : $" Needs {string.Join(", ", listed)} labels.";
        }

        var present = query.MissingLabels.Where(l => pr.Labels.Contains(l, StringComparer.Ordinal)).ToList();
        weight += present.Count;
        if (reason.Length == 0 && present.Count > 0)
        {
            var listed = Truncate(present);
            reason = listed.Count == 1 ? $" Should not have {listed[0]} label." : $" Should not have {string.Join(", ", listed)} labels.";
        }

        weight += unsuccessfulContexts.Count;
        if (reason.Length == 0 && unsuccessfulContexts.Count > 0)
        {
            reason = UnsuccessfulReason(unsuccessfulContexts);
        }

        if (query.ReviewApprovedRequired && reviewApproved != true)
        {
            weight += 50;
            reason = reason.Length > 0 ? reason : " PullRequest is missing sufficient approving GitHub review(s)";
        }

        return (reason, weight);
    }

    /// <summary>Prow's <c> Job X has not succeeded.</c> / <c> Jobs X, Y have not succeeded.</c></summary>
    public static string UnsuccessfulReason(IEnumerable<string> contexts)
    {
        var listed = Truncate([.. contexts]);
        return listed.Count == 1 ? $" Job {listed[0]} has not succeeded." : $" Jobs {string.Join(", ", listed)} have not succeeded.";
    }

    /// <summary>Sorted, then as many as fit in about 50 characters, at least one (Prow's <c>truncate</c>).</summary>
    private static List<string> Truncate(IReadOnlyCollection<string> items)
    {
        var sorted = items.Order(StringComparer.Ordinal).ToList();
        var chars = sorted[0].Length;
        var i = 1;
        for (; i < sorted.Count; i++)
        {
            if (chars + sorted[i].Length > MaxListChars)
            {
                break;
            }

            chars += sorted[i].Length + 2;
        }

        return sorted[..i];
    }

    private static string Shorten(string text) => text.Length <= MaxDescription ? text : text[..(MaxDescription - 1)] + "…";
}
