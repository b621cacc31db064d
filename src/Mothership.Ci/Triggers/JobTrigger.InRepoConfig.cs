using System.Collections.Immutable;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;

namespace Mothership.Ci.Triggers;

public sealed partial class JobTrigger
{
    /// <summary>
    /// The commit status context under which a change learns that its in-repo config does not
    /// load. Prow's trigger on GitHub only logs this and runs the central jobs; the status tells
    /// the author why their jobs did not start.
    /// </summary>
    public const string InRepoConfigContext = "inrepoconfig";

    /// <summary>The description prefix of that status (Prow's Gerrit adapter's words).</summary>
    public const string InRepoConfigFailed = "Unable to get inRepoConfig: ";

    private bool InRepoConfigEnabled(string orgRepo) => config.Current.InRepoConfig.EnabledFor(orgRepo);

    /// <summary>
    /// A pull request's presubmits: the central ones, then those of its <c>.prow.yaml</c> when
    /// in-repo config is enabled for the repository — read at the head commit when the pull
    /// request is trusted, else at its base branch. When that file does not load, a failure
    /// status says why and only the central jobs count (as Prow falls back to them).
    /// </summary>
    private async Task<(ImmutableArray<Presubmit> Jobs, string Note)> PresubmitsAsync(PullRequestEvent pr, bool trusted, CancellationToken cancellationToken)
    {
        var central = config.Current;
        var jobs = central.PresubmitsFor(pr.Repository);
        if (!central.InRepoConfig.EnabledFor(pr.Repository) || DefinitionSource.Ref(trusted, pr.HeadSha, pr.BaseRef) is not { } gitRef)
        {
            return (jobs, "");
        }

        var inRepo = await ReadInRepoAsync(central, pr.Repository, gitRef, pr.HeadSha, cancellationToken).ConfigureAwait(false);
        return inRepo.Jobs is { } own ? (jobs.AddRange(own.Presubmits), inRepo.Note) : (jobs, inRepo.Note);
    }

    /// <summary>A push's postsubmits: the central ones, then those of <c>.prow.yaml</c> at the pushed commit when in-repo config is enabled.</summary>
    private async Task<(ImmutableArray<Postsubmit> Jobs, string Note)> PostsubmitsAsync(string orgRepo, string sha, CancellationToken cancellationToken)
    {
        var central = config.Current;
        var jobs = central.PostsubmitsFor(orgRepo);
        if (!central.InRepoConfig.EnabledFor(orgRepo))
        {
            return (jobs, "");
        }

        var inRepo = await ReadInRepoAsync(central, orgRepo, sha, sha, cancellationToken).ConfigureAwait(false);
        return inRepo.Jobs is { } own ? (jobs.AddRange(own.Postsubmits), inRepo.Note) : (jobs, inRepo.Note);
    }

    /// <summary>The in-repo jobs at <paramref name="gitRef"/>; null (and a failure status on <paramref name="statusSha"/>) when they do not load.</summary>
    private async Task<(InRepoJobs? Jobs, string Note)> ReadInRepoAsync(ProwConfig central, string orgRepo, string gitRef, string statusSha, CancellationToken cancellationToken)
    {
        var repository = RepositoryName.Parse(orgRepo);
        var inRepo = await InRepoJobs.ReadAsync(forge, central, repository, gitRef, cancellationToken).ConfigureAwait(false);
        if (!inRepo.HasErrors)
        {
            var count = inRepo.Presubmits.Length + inRepo.Postsubmits.Length;
            return (inRepo, count == 0 ? "" : $"in-repo config at {gitRef}: {count} job(s); ");
        }

        var errors = inRepo.Diagnostics.Where(d => d.Severity == Model.Diagnostics.Severity.Error).Select(d => d.ToString()).ToList();
        await forge.CreateStatusAsync(repository, statusSha, CommitState.Failure, InRepoConfigContext,
            Shorten(InRepoConfigFailed + errors[0] + (errors.Count > 1 ? $" (and {errors.Count - 1} more)" : "")), null, cancellationToken).ConfigureAwait(false);
        return (null, $"in-repo config at {gitRef} does not load, its jobs not started: {string.Join("; ", errors.Take(3))}; ");
    }
}
