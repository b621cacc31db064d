using System.Globalization;
using System.Text.Json.Nodes;
using Mothership.Ci.Forge;
using Mothership.Ci.Hooks;
using Mothership.Ci.Jobs;
using Mothership.Ci.PipelinesAsCode;
using Mothership.Ci.Reporting;
using Mothership.Store;

namespace Mothership.Ci.Triggers;

/// <summary>
/// Prow's trigger plugin on stored deliveries: pull requests start presubmits, pushes start
/// postsubmits, comments run <c>/test</c>, <c>/retest</c>, <c>/ok-to-test</c> and <c>/cancel</c>;
/// a push to a pull request aborts its superseded runs and closing it aborts them all. Every run
/// is named after the delivery and the job, so a delivery handled twice starts nothing twice.
/// </summary>
public sealed partial class JobTrigger(
    IJobConfigSource config,
    IForge forge,
    IRunStore store,
    IJobRuns runs,
    JobStarter starter,
    TimeProvider time) : IDeliveryHandler
{
    /// <summary>The label an outsider's pull request waits under.</summary>
    public const string NeedsOkToTest = "needs-ok-to-test";

    /// <summary>The label a trusted user's <c>/ok-to-test</c> puts on.</summary>
    public const string OkToTest = "ok-to-test";

    /// <summary>The description of runs a push or a close aborted (Prow's).</summary>
    public const string AbortedByTrigger = "Aborted by trigger plugin.";

    /// <summary>The description of a required job whose paths did not change.</summary>
    public const string SkippedNoChanges = "Skipped: no matching changes";

    /// <inheritdoc />
    public async Task<string> HandleAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var root = JsonNode.Parse(delivery.Payload) as JsonObject ?? throw new FormatException($"delivery {delivery.Id}: the payload is not a JSON object");
        var what = GitHubEvent.Read(delivery).ToString();
        var outcome = delivery.Event switch
        {
            "pull_request" => await PullRequestAsync(delivery, root, cancellationToken).ConfigureAwait(false),
            "issue_comment" => await CommentAsync(delivery, root, cancellationToken).ConfigureAwait(false),
            "push" => await PushAsync(delivery, root, cancellationToken).ConfigureAwait(false),
            _ => "no trigger for this event",
        };
        return $"ok: {what}: {outcome}";
    }

    /// <summary>
    /// Whether <paramref name="login"/> may start jobs on <paramref name="repository"/> (Prow's
    /// <c>TrustedUser</c>): a trusted app, a collaborator (unless only members count), a member of
    /// the organisation or of the policy's trusted organisation.
    /// </summary>
    private async Task<bool> TrustedUserAsync(string login, RepositoryName repository, TriggerPolicy policy, CancellationToken cancellationToken)
    {
        if (login.EndsWith("[bot]", StringComparison.Ordinal) && policy.TrustedApps.Contains(login[..^"[bot]".Length], StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!policy.OnlyOrgMembers && await forge.IsCollaboratorAsync(repository, login, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        if (await forge.IsOrgMemberAsync(repository.Owner, login, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return policy.TrustedOrg is { } org && !string.Equals(org, repository.Owner, StringComparison.OrdinalIgnoreCase)
            && await forge.IsOrgMemberAsync(org, login, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Aborts the unfinished presubmit runs of a pull request (those not on <paramref name="keepSha"/>
    /// when given, or only <paramref name="job"/>'s), reporting each as aborted with
    /// <paramref name="description"/>; how many it aborted. With <paramref name="keepSha"/>
    /// (a push superseding older commits) PaC runs are left alone: they are cancelled only by a
    /// new run of their own that asks for it (<c>cancel-in-progress</c>).
    /// </summary>
    private Task<int> AbortAsync(string repository, int number, string? keepSha, string? job, string description, string actor, CancellationToken cancellationToken) =>
        AbortAsync(
            new JobResultQuery { Repository = repository, Pull = number, Limit = 500 },
            r => r.Type == JobTypes.Presubmit && r.Sha != keepSha && (job is null || r.Job == job) && (keepSha is null || !PacAnnotations.IsContext(r.Context)),
            description, actor, cancellationToken);

    /// <summary>Aborts the unfinished runs among <paramref name="query"/>'s results that <paramref name="which"/> picks; how many it aborted.</summary>
    private async Task<int> AbortAsync(JobResultQuery query, Func<JobResult, bool> which, string description, string actor, CancellationToken cancellationToken)
    {
        var results = await store.ListJobResultsAsync(query, cancellationToken).ConfigureAwait(false);
        var aborted = 0;
        foreach (var result in results.Where(r => !r.Done && which(r)))
        {
            var run = await store.GetRunAsync(result.RunKind, result.RunName, cancellationToken).ConfigureAwait(false);
            if (run is null || run.Phase == RunPhase.Finished || !await runs.CancelAsync(run, actor, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            aborted++;
            if (result.Context is { } context)
            {
                await forge.CreateStatusAsync(RepositoryName.Parse(result.Repository), result.Sha, JobStates.CommitStateOf(JobStates.Aborted), context,
                    description, null, cancellationToken).ConfigureAwait(false);
            }

            // Reported here with its reason; the reporter leaves a final result alone.
            await store.UpdateJobResultAsync(result.Uid, JobStates.Aborted, JobStates.Aborted, done: true, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        return aborted;
    }

    /// <summary>A presubmit run of <paramref name="job"/> for <paramref name="pr"/>, named after <paramref name="key"/>.</summary>
    private JobRequest Presubmit(Presubmit job, PullRequestEvent pr, string key, string? delivery) => new()
    {
        Type = JobTypes.Presubmit,
        Job = job,
        Refs = pr.Refs(),
        RunName = JobRunBuilder.RunName(job.Name, $"{key}/{job.Name}/{pr.HeadSha}"),
        BuildId = BuildId(),
        Delivery = delivery,
        StatusSha = pr.HeadSha,
        Context = job.SkipReport ? null : job.Context,
        RerunCommand = job.RerunCommand,
        Optional = job.Optional,
    };

    /// <summary>Prow's <c>BUILD_ID</c>: a number that grows with time (milliseconds since the epoch).</summary>
    private string BuildId() => time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

}
