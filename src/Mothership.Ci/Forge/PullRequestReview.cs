namespace Mothership.Ci.Forge;

/// <summary>A review of a pull request.</summary>
/// <param name="Id">The forge's id.</param>
/// <param name="Author">The login of who wrote it.</param>
/// <param name="State">GitHub's state in lower case: <c>approved</c>, <c>changes_requested</c>, <c>commented</c>, <c>dismissed</c> or <c>pending</c>.</param>
/// <param name="Body">Its text; empty when it has none.</param>
/// <param name="SubmittedAt">When it was submitted; null for a pending review.</param>
/// <param name="HtmlUrl">Its page, or null.</param>
public sealed record PullRequestReview(long Id, string Author, string State, string Body, DateTimeOffset? SubmittedAt, string? HtmlUrl);
