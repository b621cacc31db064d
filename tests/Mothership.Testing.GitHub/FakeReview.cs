namespace Mothership.Testing.GitHub;

/// <summary>A pull request review as the fake stores it.</summary>
/// <param name="Id">Its id.</param>
/// <param name="PullNumber">The pull request it is on.</param>
/// <param name="Author">Who wrote it.</param>
/// <param name="State">GitHub's state: <c>APPROVED</c>, <c>CHANGES_REQUESTED</c>, <c>COMMENTED</c>, <c>DISMISSED</c>.</param>
/// <param name="Body">Its text.</param>
/// <param name="CommitId">The commit it reviewed.</param>
/// <param name="SubmittedAt">When it was submitted.</param>
public sealed record FakeReview(long Id, int PullNumber, string Author, string State, string Body, string CommitId, DateTimeOffset SubmittedAt);
