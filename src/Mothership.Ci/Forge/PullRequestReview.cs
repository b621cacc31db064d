namespace Mothership.Ci.Forge;

/// <summary>A review submitted on a pull request.</summary>
/// <param name="Id">The forge's id.</param>
/// <param name="Author">Who submitted it.</param>
/// <param name="State">GitHub's state: <c>APPROVED</c>, <c>CHANGES_REQUESTED</c>, <c>COMMENTED</c>, <c>DISMISSED</c>, <c>PENDING</c>.</param>
/// <param name="CommitId">The head it was submitted on.</param>
/// <param name="SubmittedAt">When; null for a pending review.</param>
public sealed record PullRequestReview(long Id, string Author, string State, string CommitId, DateTimeOffset? SubmittedAt)
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
            if (review.State is "APPROVED" or "CHANGES_REQUESTED" or "DISMISSED")
            {
                latest[review.Author] = review.State;
            }
        }

        return latest.ContainsValue("APPROVED") && !latest.ContainsValue("CHANGES_REQUESTED");
    }
}
