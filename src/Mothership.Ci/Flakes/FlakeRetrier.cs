using System.Globalization;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Reporting;
using Mothership.Ci.Triggers;
using Mothership.Store;

namespace Mothership.Ci.Flakes;

/// <summary>
/// Mothership's <c>flake_retries: N</c> on a presubmit: a required run that failed is started
/// again on the same commit, at most N times per commit, never more, and only while the pull
/// request is open with that commit at its head and nothing newer ran for it. Each retry is a
/// run of its own (named after the commit and its number, so two reporters start it once), and
/// the failure comment says that it was retried.
/// </summary>
public sealed class FlakeRetrier(IJobConfigSource config, IForge forge, IRunStore store, JobStarter starter, TimeProvider time)
{
    /// <summary>Who the retries are started by, in the run's history.</summary>
    public const string Actor = "ci:flake-retries";

    /// <summary>The name of the <paramref name="attempt"/>-th automatic retry of <paramref name="job"/> on a pull request's commit.</summary>
    public static string RunName(string job, string repository, int pull, string sha, int attempt) =>
        JobRunBuilder.RunName(job, string.Create(CultureInfo.InvariantCulture, $"flake-retry/{repository}#{pull}/{job}/{sha}/{attempt}"));

    /// <summary>How many automatic retries among <paramref name="results"/> (one job's on one commit) already started.</summary>
    public static int RetriesUsed(IEnumerable<JobResult> results, string job, string repository, int pull, string sha, int budget)
    {
        var names = results.Select(r => r.RunName).ToHashSet(StringComparer.Ordinal);
        var used = 0;
        while (used < budget && names.Contains(RunName(job, repository, pull, sha, used + 1)))
        {
            used++;
        }

        return used;
    }

    /// <summary>
    /// Starts <paramref name="failed"/>'s job again when its budget allows; what it did, or null
    /// when the result is not one to retry.
    /// </summary>
    public async Task<string?> RetryAsync(JobResult failed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failed);
        if (failed.Type != JobTypes.Presubmit || failed.Pull is not { } pull || failed.Optional || failed.Context is null
            || failed.State is not (JobStates.Failure or JobStates.Error)
            || !config.Current.Presubmits.TryGetValue(failed.Repository, out var jobs)
            || jobs.FirstOrDefault(j => j.Name == failed.Job) is not { FlakeRetries: > 0 } job)
        {
            return null;
        }

        var results = await store.ListJobResultsAsync(
            new JobResultQuery { Repository = failed.Repository, Pull = pull, Sha = failed.Sha, Job = failed.Job, Type = JobTypes.Presubmit, Limit = 100 },
            cancellationToken).ConfigureAwait(false);
        if (results.Any(r => r.Uid != failed.Uid && (!JobStates.IsFinal(r.State) || r.CreatedAt > failed.CreatedAt)))
        {
            return "not retried: a newer run of the job on this commit exists";
        }

        var used = RetriesUsed(results, job.Name, failed.Repository, pull, failed.Sha, job.FlakeRetries);
        if (used >= job.FlakeRetries)
        {
            return $"not retried: flake_retries {job.FlakeRetries} spent";
        }

        var repository = RepositoryName.Parse(failed.Repository);
        var pr = await forge.GetPullRequestAsync(repository, pull, cancellationToken).ConfigureAwait(false);
        if (pr is null || pr.State != PullRequestState.Open || pr.HeadSha != failed.Sha)
        {
            return "not retried: the pull request moved on";
        }

        var attempt = used + 1;
        var refs = new PullRequestEvent(failed.Repository, pull, pr.Author, pr.Title, pr.HeadSha, pr.HeadRef, pr.BaseRef, pr.BaseSha,
            true, pr.Draft, pr.Mergeable, pr.CloneUri, pr.RepoLink, [.. pr.Labels]).Refs();
        var start = await starter.StartAsync(new JobRequest
        {
            Type = JobTypes.Presubmit,
            Job = job,
            Refs = refs,
            RunName = RunName(job.Name, failed.Repository, pull, failed.Sha, attempt),
            BuildId = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            StatusSha = failed.Sha,
            Context = job.SkipReport ? null : job.Context,
            RerunCommand = job.RerunCommand,
            Optional = job.Optional,
        }, Actor, cancellationToken).ConfigureAwait(false);
        return start.Outcome switch
        {
            JobStartOutcome.Started => $"retry {attempt} of {job.FlakeRetries} started",
            JobStartOutcome.Refused => $"retry {attempt} refused: {start.Message}",
            _ => $"retry {attempt} already started",
        };
    }
}
