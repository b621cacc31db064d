using System.Collections.Immutable;

namespace Mothership.Ci.Triggers;

/// <summary>
/// What a job checks out (Prow's <c>Refs</c>): a repository, its base branch at a commit and, for
/// a presubmit, the pull requests merged onto it.
/// </summary>
/// <param name="Org">The repository's owner.</param>
/// <param name="Repo">The repository's name.</param>
/// <param name="BaseRef">The branch (<c>main</c>), or a tag for a postsubmit on one.</param>
/// <param name="BaseSha">The base branch's commit the job tests; empty for the branch's head when the checkout fetches it (a periodic's extra_refs).</param>
/// <param name="CloneUri">Where the repository is fetched from (the payload's <c>clone_url</c>).</param>
/// <param name="RepoLink">The repository's page (<c>https://github.com/org/repo</c>).</param>
public sealed record JobRefs(string Org, string Repo, string BaseRef, string BaseSha, string CloneUri, string RepoLink)
{
    /// <summary>The pull requests merged onto the base, in order; none for a postsubmit.</summary>
    public ImmutableArray<PullRef> Pulls { get; init; } = [];

    /// <summary><c>org/repo</c>.</summary>
    public string OrgRepo => Org + "/" + Repo;

    /// <summary>Prow's <c>PULL_REFS</c>: <c>main:BASESHA,12:HEADSHA</c>; just <c>main</c> for a base without a commit, as Prow writes it.</summary>
    public string PullRefs => string.Join(",", [BaseSha.Length == 0 ? BaseRef : $"{BaseRef}:{BaseSha}", .. Pulls.Select(p => $"{p.Number}:{p.Sha}")]);
}

/// <summary>A pull request a job tests (Prow's <c>Pull</c>).</summary>
/// <param name="Number">Its number.</param>
/// <param name="Author">Who opened it.</param>
/// <param name="Sha">Its head commit.</param>
/// <param name="HeadRef">Its head branch.</param>
/// <param name="Title">Its title.</param>
public sealed record PullRef(int Number, string Author, string Sha, string HeadRef, string Title);
