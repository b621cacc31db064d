namespace Mothership.Ci.Flakes;

/// <summary>
/// A required presubmit that failed on a commit and then passed on the same commit (after a
/// <c>/retest</c> or an automatic retry): nothing in the code changed, so the job is flaky.
/// </summary>
/// <param name="Repository"><c>owner/name</c>.</param>
/// <param name="Job">The job's name.</param>
/// <param name="Pull">The pull request.</param>
/// <param name="Sha">The commit it failed and passed on.</param>
/// <param name="FailedRun">The name of the run that failed first.</param>
/// <param name="PassedAt">When the run that passed was started.</param>
/// <param name="Week">The ISO week of <paramref name="PassedAt"/> (<c>2026-W49</c>).</param>
public sealed record Flake(string Repository, string Job, int Pull, string Sha, string FailedRun, DateTimeOffset PassedAt, string Week);
