using System.Collections.Immutable;

namespace Mothership.Ci.Owners;

/// <summary>
/// The people and labels of an <c>OWNERS</c> file, or of one of its <c>filters</c> (Prow's
/// <c>repoowners.Config</c>). Logins are as written; <see cref="RepoOwners"/> lowers them and
/// expands aliases.
/// </summary>
/// <param name="Approvers">Who may approve changes (<c>approvers</c>).</param>
/// <param name="Reviewers">Who may review them (<c>reviewers</c>).</param>
/// <param name="RequiredReviewers">Who must review them (<c>required_reviewers</c>).</param>
/// <param name="Labels">Labels for changes here (<c>labels</c>).</param>
/// <param name="EmeritusApprovers">Former approvers (<c>emeritus_approvers</c>): kept for the record, they approve nothing.</param>
public sealed record OwnersConfig(
    ImmutableArray<string> Approvers,
    ImmutableArray<string> Reviewers,
    ImmutableArray<string> RequiredReviewers,
    ImmutableArray<string> Labels,
    ImmutableArray<string> EmeritusApprovers)
{
    /// <summary>Whether it names nobody and no label (Prow's <c>SimpleConfig.Empty</c>: emeritus approvers do not count).</summary>
    public bool IsEmpty => Approvers.IsEmpty && Reviewers.IsEmpty && RequiredReviewers.IsEmpty && Labels.IsEmpty;
}
