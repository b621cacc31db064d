using System.Text;
using Mothership.Ci.Flakes;
using Mothership.Ci.Forge;
using Mothership.Ci.Triggers;
using Mothership.Store;

namespace Mothership.Ci.Reporting;

/// <summary>
/// Prow's crier for GitHub, from the store: each job result whose run changed state since it was
/// last reported gets its commit status (Prow's texts, the run's dashboard page as target), and
/// a pull request gets one failure comment with Prow's table, replaced on each change and deleted
/// when nothing fails. A result is final once its run ended and that was reported; a server
/// that dies between the report and the record reports again, which GitHub takes as the same status.
/// As a GitHub App (with <paramref name="checks"/>) each change of state also updates the
/// result's check run (<see cref="CheckRunReporter"/>), queued and in progress told apart.
/// </summary>
/// <param name="store">The job results and their runs.</param>
/// <param name="forge">Where statuses and comments go.</param>
/// <param name="options">Links and rerun commands.</param>
/// <param name="time">The clock.</param>
/// <param name="checks">Check runs beside the statuses; null (a token) reports statuses alone.</param>
/// <param name="retrier">Automatic retries of failed required runs (<c>flake_retries</c>); null for none.</param>
/// <remarks>
/// With a <see cref="FlakeRetrier"/>, a required run that ends failed is started again first when
/// its job's <c>flake_retries</c> allows, and the failure comment says so.
/// </remarks>
public sealed class JobReporter(IRunStore store, IForge forge, JobReporterOptions options, TimeProvider time, CheckRunReporter? checks = null, FlakeRetrier? retrier = null)
{
    /// <summary>What marks the bot's failure comment (Prow's).</summary>
    public const string CommentTag = "<!-- test report -->";

    /// <summary>Results looked at per pass.</summary>
    public const int Batch = 100;

    /// <summary>Reports what changed; how many results it looked at (0 when none waited).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var pending = await store.ListJobResultsToSyncAsync(Batch, cancellationToken).ConfigureAwait(false);
        var comments = new HashSet<(string Repository, int Pull)>();
        foreach (var (result, run) in pending)
        {
            var state = JobStates.Of(run);
            var final = JobStates.IsFinal(state);
            var reportable = result.Context is not null && result.Repository.Length > 0 && result.Sha.Length > 0;
            var report = reportable && Shown(state) != Shown(result.Reported);
            var reportCheck = reportable && checks is not null && state != result.Reported;
            if (!report && !reportCheck && state == result.State && !final)
            {
                continue;
            }

            if (report)
            {
                await forge.CreateStatusAsync(RepositoryName.Parse(result.Repository), result.Sha, JobStates.CommitStateOf(state), result.Context!,
                    JobStates.Description(state), options.RunUrl(result.RunKind, result.RunName), cancellationToken).ConfigureAwait(false);
            }

            if (reportCheck)
            {
                await checks!.ReportAsync(result, state, cancellationToken).ConfigureAwait(false);
            }

            await store.UpdateJobResultAsync(result.Uid, state, report || reportCheck ? state : result.Reported, final, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            if (final && retrier is not null)
            {
                // After the record: a retry is a new result, and the failed one is final either way.
                await retrier.RetryAsync(result with { State = state, Done = true }, cancellationToken).ConfigureAwait(false);
            }

            if (final && result.Pull is { } pull && result.Context is not null)
            {
                comments.Add((result.Repository, pull));
            }
        }

        foreach (var (repository, pull) in comments)
        {
            await UpdateFailureCommentAsync(RepositoryName.Parse(repository), pull, cancellationToken).ConfigureAwait(false);
        }

        return pending.Count;
    }

    /// <summary>Writes, replaces or deletes the pull request's failure comment after the latest result of each context.</summary>
    public async Task UpdateFailureCommentAsync(RepositoryName repository, int pull, CancellationToken cancellationToken)
    {
        var results = await store.ListJobResultsAsync(new JobResultQuery { Repository = repository.ToString(), Pull = pull, Limit = 1000 }, cancellationToken).ConfigureAwait(false);
        var latest = new Dictionary<string, JobResult>(StringComparer.Ordinal);
        foreach (var result in results.Where(r => r.Context is not null && JobStates.IsFinal(r.State)))
        {
            latest.TryAdd(result.Context!, result); // newest first
        }

        var failed = latest.Values.Where(r => r.State != JobStates.Success).OrderBy(r => r.Context, StringComparer.Ordinal).ToList();
        var existing = (await forge.ListCommentsAsync(repository, pull, cancellationToken).ConfigureAwait(false))
            .Where(c => c.Body.Contains(CommentTag, StringComparison.Ordinal)).ToList();
        if (failed.Count == 0)
        {
            foreach (var comment in existing)
            {
                await forge.DeleteCommentAsync(repository, comment.Id, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var author = (await forge.GetPullRequestAsync(repository, pull, cancellationToken).ConfigureAwait(false))?.Author ?? "";
        var retries = failed.Select(f => (f.Context!, FlakeRetrier.RetriesUsed(results.Where(r => r.Job == f.Job && r.Sha == f.Sha), f.Job, f.Repository, pull, f.Sha, Jobs.Presubmit.MaxFlakeRetries)))
            .Where(r => r.Item2 > 0).ToDictionary(r => r.Item1, r => r.Item2, StringComparer.Ordinal);
        var body = FailureComment(author, failed, options, retries);
        if (existing.Count == 0)
        {
            await forge.CreateCommentAsync(repository, pull, body, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (existing[^1].Body != body)
        {
            await forge.EditCommentAsync(repository, existing[^1].Id, body, cancellationToken).ConfigureAwait(false);
        }

        foreach (var comment in existing.SkipLast(1))
        {
            await forge.DeleteCommentAsync(repository, comment.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Prow's failure comment (crier's <c>createComment</c>): the table of failed jobs, then the tag that finds it again.</summary>
    /// <param name="author">The pull request's author, whom the comment addresses.</param>
    /// <param name="failed">The latest failed result of each context.</param>
    /// <param name="options">Links and rerun commands.</param>
    /// <param name="retries">Automatic retries (<c>flake_retries</c>) started so far, by context; they are listed under the table.</param>
    public static string FailureComment(string author, IReadOnlyList<JobResult> failed, JobReporterOptions options, IReadOnlyDictionary<string, int>? retries = null)
    {
        var text = new StringBuilder();
        text.Append('@').Append(author).Append(": The following test").Append(failed.Count > 1 ? "s" : "")
            .Append(" **failed**, say `/retest` to rerun all failed tests or `/retest-required` to rerun all mandatory failed tests:\n\n")
            .Append("Test name | Commit | Details | Required | Rerun command\n")
            .Append("--- | --- | --- | --- | ---\n");
        foreach (var r in failed)
        {
            var link = options.RunUrl(r.RunKind, r.RunName) is { } url ? $"[link]({url})" : r.RunName;
            var rerun = options.RerunCommand(r.Job);
            text.Append(r.Context).Append(" | ").Append(r.Sha.Length > 7 ? r.Sha[..7] : r.Sha).Append(" | ").Append(link)
                .Append(" | ").Append(r.Optional ? "false" : "true").Append(" | `").Append(rerun).Append("`\n");
        }

        foreach (var (context, count) in (retries ?? new Dictionary<string, int>()).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            text.Append("\n").Append(context).Append(" was retried automatically ").Append(count == 1 ? "once" : $"{count} times")
                .Append(" on this commit (`flake_retries`).\n");
        }

        text.Append("\n<details>\n\nInstructions for interacting with me using PR comments are available [here](https://git.k8s.io/community/contributors/guide/pull-requests.md).\n</details>\n")
            .Append(CommentTag);
        return text.ToString();
    }

    /// <summary>What a state shows on GitHub: triggered and pending look the same.</summary>
    private static (CommitState, string) Shown(string state) =>
        state.Length == 0 ? (CommitState.Error, "") : (JobStates.CommitStateOf(state), JobStates.Description(state));
}
