using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mothership.Ci.Forge;
using Mothership.Store;

namespace Mothership.Ci.Reporting;

/// <summary>
/// A job result's check run, beside its commit status, when the bot is a GitHub App: named after
/// the job's context, found again by its <c>external_id</c> (the run's uid) among the commit's
/// check runs of that name, so the store keeps no id of its own. Queued while triggered, in
/// progress while running, then completed; a failure shows the failed step, the end of its log
/// (secrets masked) and annotations from its <c>FILE:LINE:COL: error:</c> lines. Best effort: a
/// check GitHub refuses is logged, and the commit status (what Prow's users and branch protection
/// rely on) stands.
/// </summary>
public sealed partial class CheckRunReporter(ICheckRuns checks, IJobLogs logs, JobReporterOptions options, TimeProvider time, ILogger<CheckRunReporter>? logger = null)
{
    /// <summary>How many lines of the failed step's log the summary shows.</summary>
    public const int SnippetLines = 50;

    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Creates or updates the check run of <paramref name="result"/> to show <paramref name="state"/>; false when the forge refused.</summary>
    public async Task<bool> ReportAsync(JobResult result, string state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(result.Context);
        var repository = RepositoryName.Parse(result.Repository);
        try
        {
            var (status, conclusion) = StatusOf(state);
            var report = new CheckRunReport
            {
                Name = result.Context,
                HeadSha = result.Sha,
                Status = status,
                Conclusion = conclusion,
                DetailsUrl = options.RunUrl(result.RunKind, result.RunName),
                ExternalId = result.Uid,
                CompletedAt = status == CheckRunStatus.Completed ? time.GetUtcNow() : null,
                Output = await OutputAsync(result, state, cancellationToken).ConfigureAwait(false),
            };
            var existing = (await checks.ListCheckRunsAsync(repository, result.Sha, result.Context, cancellationToken).ConfigureAwait(false))
                .FirstOrDefault(r => r.ExternalId == result.Uid);
            if (existing is null)
            {
                await checks.CreateCheckRunAsync(repository, report, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await checks.UpdateCheckRunAsync(repository, existing.Id, report, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRefused(_logger, result.Context, result.Repository, result.Sha, e.Message);
            return false;
        }
    }

    /// <summary>
    /// The check run's status and conclusion for a Prow state: triggered queued, pending in
    /// progress; success, failure, aborted (cancelled) completed. An error (the job could not run)
    /// concludes failure, not neutral: GitHub lets a required check that is neutral pass, while
    /// Prow's error status blocks the merge.
    /// </summary>
    public static (CheckRunStatus Status, CheckRunConclusion? Conclusion) StatusOf(string state) => state switch
    {
        JobStates.Triggered => (CheckRunStatus.Queued, null),
        JobStates.Pending => (CheckRunStatus.InProgress, null),
        JobStates.Success => (CheckRunStatus.Completed, CheckRunConclusion.Success),
        JobStates.Aborted => (CheckRunStatus.Completed, CheckRunConclusion.Cancelled),
        _ => (CheckRunStatus.Completed, CheckRunConclusion.Failure),
    };

    /// <summary>
    /// The check's page: Prow's description as the title; for a failure, the failed step, the
    /// last <see cref="SnippetLines"/> lines of its log and their annotations.
    /// </summary>
    private async Task<CheckRunOutput> OutputAsync(JobResult result, string state, CancellationToken cancellationToken)
    {
        var title = JobStates.Description(state);
        var link = options.RunUrl(result.RunKind, result.RunName) is { } url ? $"\n\n[The run]({url}) on Mothership." : "";
        if (state is not (JobStates.Failure or JobStates.Error)
            || await logs.FailedStepAsync(result.Uid, SnippetLines, cancellationToken).ConfigureAwait(false) is not { } failed)
        {
            return new CheckRunOutput(title, $"{result.Job}: {title}{link}", []);
        }

        return new CheckRunOutput($"{title} Step {failed.Step} failed", Summary(result.Job, failed, link), LogAnnotations.Parse(failed.Lines));
    }

    /// <summary>The failed step and its last lines in a fence no line can close (longer than any run of backticks in them), within GitHub's limit.</summary>
    internal static string Summary(string job, FailedStepLog failed, string link)
    {
        var exit = failed.ExitCode is { } code ? $" (exit code {code})" : "";
        var head = $"{job}: step `{failed.Step}` of task `{failed.Task}` failed{exit}. The end of its log:\n\n";
        var lines = failed.Lines.ToList();
        while (true)
        {
            var fence = new string('`', Math.Max(3, lines.Select(LongestBacktickRun).DefaultIfEmpty(0).Max() + 1));
            var text = new StringBuilder(head).Append(fence).Append("text\n");
            foreach (var line in lines)
            {
                text.Append(line).Append('\n');
            }

            text.Append(fence).Append(link);
            if (text.Length <= CheckRunOutput.MaxSummary || lines.Count == 0)
            {
                return text.Length <= CheckRunOutput.MaxSummary ? text.ToString() : text.ToString(0, CheckRunOutput.MaxSummary);
            }

            lines.RemoveAt(0);
        }
    }

    private static int LongestBacktickRun(string line)
    {
        int longest = 0, run = 0;
        foreach (var c in line)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "GitHub refused the check run {Context} on {Repository}@{Sha} (its commit status stands): {Reason}")]
    private static partial void LogRefused(ILogger logger, string context, string repository, string sha, string reason);
}
