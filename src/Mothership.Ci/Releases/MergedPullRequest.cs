namespace Mothership.Ci.Releases;

/// <summary>A pull request a commit of a release's range merged.</summary>
/// <param name="Number">The pull request's number.</param>
/// <param name="CommitSha">The merge (or squash) commit.</param>
public sealed record MergedPullRequest(int Number, string CommitSha);
