namespace Mothership.Ci.Forge;

/// <summary>A review of a pull request.</summary>
/// <param name="Id">The forge's id.</param>
/// <param name="Author">The login of who wrote it.</param>
/// <param name="State">GitHub's state in lower case: <c>approved</c>, <c>changes_requested</c>, <c>commented</c>, <c>dismissed</c> or <c>pending</c>.</param>
/// <param name="Body">Its text; empty when it has none.</param>
/// <param name="CommitId">The head it was submitted on.</param>
/// <param name="SubmittedAt">When it was submitted; null for a pending review.</param>
/// <param name="HtmlUrl">Its page, or null.</param>
public sealed record PullRequestReview(long Id, string Author, string State, string Body, string CommitId, DateTimeOffset? SubmittedAt, string? HtmlUrl)
{
    /// <summary>
    /// Whether <paramref name="reviews"/> approve, as GitHub's review decision does without
    /// branch protection's count: each reviewer's latest approving or change-requesting review
    /// (a dismissed one withdraws it) — at least one approval, and no changes requested.
    /// </summary>
    public static bool Approved(IEnumerable<PullRequestReview> reviews)
    {
        ArgumentNullException.ThrowIfNull(reviews);
        var latest = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var review in reviews.Where(r => r.SubmittedAt is not null).OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id))
        {
            if (review.State is "approved" or "changes_requested" or "dismissed")
            {
                latest[review.Author] = review.State;
            }
        }

        return latest.ContainsValue("approved") && !latest.ContainsValue("changes_requested");
    }
}
