using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Reporting;
using Mothership.Store;

namespace Mothership.Ci.Triggers;

public sealed partial class JobTrigger
{
    /// <summary>Any command this handler reads, on its own line.</summary>
    private static readonly Regex Commands = GoRegex.Compile(@"(?m)^/(test|retest|retest-required|ok-to-test|cancel)\b");

    /// <summary><c>/cancel</c> or <c>/cancel NAME</c>: aborts the pull request's runs, or one job's.</summary>
    internal static Regex Cancel { get; } = GoRegex.Compile(@"(?m)^/cancel(?:[ \t]+(\S+))?\s*$");

    private async Task<string> CommentAsync(WebhookDelivery delivery, JsonObject root, CancellationToken cancellationToken)
    {
        if (PullRequestEvent.Optional(root["action"]) != "created")
        {
            return "only new comments are read";
        }

        if (root["issue"] is not JsonObject issue || issue["pull_request"] is null)
        {
            return "not a pull request";
        }

        var body = PullRequestEvent.Optional(root["comment"]?["body"]) ?? "";
        var orgRepo = PullRequestEvent.Text(root["repository"]?["full_name"], "repository.full_name");
        var prowCommand = Commands.IsMatch(body);
        var pac = PacEnabled(orgRepo);

        // With Pipelines-as-Code any comment may match an on-comment regex.
        if (!prowCommand && !pac)
        {
            return "no command";
        }

        if (PullRequestEvent.Optional(issue["state"]) == "closed")
        {
            return "closed pull request: commands ignored";
        }

        var repository = RepositoryName.Parse(orgRepo);
        var number = issue["number"] is JsonValue n && n.TryGetValue<int>(out var value) ? value : throw new FormatException("issue.number is missing");
        var commenter = PullRequestEvent.Optional(root["comment"]?["user"]?["login"]) ?? PullRequestEvent.Text(root["sender"]?["login"], "sender.login");
        var commentUrl = PullRequestEvent.Optional(root["comment"]?["html_url"]);
        var labels = (issue["labels"] as JsonArray ?? []).Select(l => PullRequestEvent.Optional(l?["name"])).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var policy = config.PolicyFor(orgRepo);
        var actor = "ci:" + commenter;
        var commenterTrusted = await TrustedUserAsync(commenter, repository, policy, cancellationToken).ConfigureAwait(false);

        if (TriggerCommands.OkToTestCancel.IsMatch(body))
        {
            if (!commenterTrusted)
            {
                return $"/ok-to-test cancel from untrusted {commenter}: ignored";
            }

            await forge.RemoveLabelAsync(repository, number, OkToTest, cancellationToken).ConfigureAwait(false);
            await forge.AddLabelsAsync(repository, number, [NeedsOkToTest], cancellationToken).ConfigureAwait(false);
            return "ok-to-test withdrawn";
        }

        var pull = await forge.GetPullRequestAsync(repository, number, cancellationToken).ConfigureAwait(false);
        if (pull is null)
        {
            return $"no pull request #{number}";
        }

        var pr = new PullRequestEvent(orgRepo, number, pull.Author, pull.Title, pull.HeadSha, pull.HeadRef, pull.BaseRef, pull.BaseSha,
            pull.State == PullRequestState.Open, pull.Draft, pull.Mergeable,
            PullRequestEvent.Optional(root["repository"]?["clone_url"]) ?? "", PullRequestEvent.Optional(root["repository"]?["html_url"]) ?? "", [.. labels]);

        if (Cancel.Match(body) is { Success: true } cancel)
        {
            if (!commenterTrusted && commenter != pr.Author)
            {
                return $"/cancel from {commenter}, neither trusted nor the author: ignored";
            }

            var job = cancel.Groups[1].Success ? cancel.Groups[1].Value : null;
            var aborted = await AbortAsync(orgRepo, number, null, job, $"Aborted by /cancel from {commenter}.", actor, cancellationToken).ConfigureAwait(false);
            return $"/cancel: {aborted} run(s) aborted";
        }

        var okToTest = TriggerCommands.OkToTest.IsMatch(body) && !policy.IgnoreOkToTest;
        if (okToTest && !commenterTrusted)
        {
            return $"/ok-to-test from untrusted {commenter}: ignored";
        }

        if (okToTest)
        {
            await forge.AddLabelsAsync(repository, number, [OkToTest], cancellationToken).ConfigureAwait(false);
            if (labels.Contains(NeedsOkToTest))
            {
                await forge.RemoveLabelAsync(repository, number, NeedsOkToTest, cancellationToken).ConfigureAwait(false);
            }
        }

        var prTrusted = okToTest || (labels.Contains(OkToTest) && !policy.IgnoreOkToTest)
            || await TrustedUserAsync(pr.Author, repository, policy, cancellationToken).ConfigureAwait(false);
        if (!prowCommand)
        {
            // Only an on-comment match can start something. PaC lets the pull_request policy
            // decide on the commenter: a trusted user, or the author of a trusted pull request.
            if (!commenterTrusted && !(commenter == pr.Author && prTrusted))
            {
                return $"comment from untrusted {commenter}: on-comment not matched";
            }

            return (await PacCommentAsync(pr, root, body, commenter, prTrusted, okToTest, delivery, actor, cancellationToken).ConfigureAwait(false)).Text;
        }

        if (!commenterTrusted && !prTrusted)
        {
            return $"command from untrusted {commenter} on an untrusted pull request: ignored";
        }

        if (pr.Mergeable == false)
        {
            await forge.CreateCommentAsync(repository, number, CommentReply.Format(commenter, "this pull request has merge conflicts: no job started; rebase it first.", body, commentUrl), cancellationToken).ConfigureAwait(false);
            return "merge conflicts: nothing started";
        }

        // An untrusted pull request's .prow.yaml is read from its base branch, whoever asks.
        var (presubmits, inRepoNote) = await PresubmitsAsync(pr, prTrusted, cancellationToken).ConfigureAwait(false);
        var files = await ChangedFilesAsync(pr, presubmits, cancellationToken).ConfigureAwait(false);
        var retest = TriggerCommands.Retest.IsMatch(body);
        var jobs = retest || TriggerCommands.RetestRequired.IsMatch(body)
            ? await RetestSetAsync(pr, presubmits, files, requiredOnly: !retest, cancellationToken).ConfigureAwait(false)
            : TriggerCommands.Triggered(presubmits, body, pr.BaseRef, files, okToTest);
        var outcome = inRepoNote + await starter.StartAllAsync([.. jobs.Select(j => Presubmit(j, pr, delivery.Id, delivery.Id))], actor, cancellationToken).ConfigureAwait(false);
        var pacRequested = 0;
        if (pac)
        {
            // The .tekton/ definitions of an untrusted pull request are read from the default branch, whoever asks.
            var (pacOutcome, requested) = await PacCommentAsync(pr, root, body, commenter, prTrusted, okToTest, delivery, actor, cancellationToken).ConfigureAwait(false);
            outcome = presubmits.IsEmpty ? pacOutcome : $"{outcome}; {pacOutcome}";
            pacRequested = requested;
        }

        if (okToTest || TriggerCommands.TestAll.IsMatch(body))
        {
            await ReportSkippedAsync(pr, [.. presubmits.Where(j => !jobs.Contains(j) && j.ContextRequired && j.Changes.CouldRun && j.CouldRun(pr.BaseRef)
                && !j.ShouldRun(pr.BaseRef, files, forced: false, defaults: false))], cancellationToken).ConfigureAwait(false);
        }

        var (respond, note) = TriggerCommands.ShouldRespondWithHelp(body, jobs.Count);
        if (respond && pacRequested > 0 && note.Length > 0)
        {
            // The targets were PaC's PipelineRuns (or /retest NAME, /test alone, which PaC takes).
            respond = false;
        }

        if (respond)
        {
            var help = TriggerCommands.Available(presubmits, pr.BaseRef, files).HelpMessage(orgRepo, pr.BaseRef, note);
            await forge.CreateCommentAsync(repository, number, CommentReply.Format(commenter, help, body, commentUrl), cancellationToken).ConfigureAwait(false);
            outcome += "; replied with the job list";
        }

        return outcome;
    }

    /// <summary>
    /// What <c>/retest</c> runs again, read from the stored job results of the head commit (so
    /// pruned runs do not matter): each job whose latest result failed, errored or was aborted,
    /// and each job that would run on its own but has no result; with
    /// <paramref name="requiredOnly"/>, only required jobs.
    /// </summary>
    private async Task<IReadOnlyList<Presubmit>> RetestSetAsync(PullRequestEvent pr, IReadOnlyList<Presubmit> presubmits, IReadOnlyList<string> files,
        bool requiredOnly, CancellationToken cancellationToken)
    {
        var results = await store.ListJobResultsAsync(new JobResultQuery { Repository = pr.Repository, Pull = pr.Number, Sha = pr.HeadSha, Limit = 500 }, cancellationToken).ConfigureAwait(false);
        var latest = new Dictionary<string, JobResult>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            latest.TryAdd(result.Job, result); // newest first
        }

        var jobs = new List<Presubmit>();
        foreach (var job in presubmits.Where(j => j.CouldRun(pr.BaseRef) && (!requiredOnly || j.ContextRequired)))
        {
            var failed = latest.TryGetValue(job.Name, out var last)
                ? last.State is JobStates.Failure or JobStates.Error or JobStates.Aborted
                : !job.NeedsExplicitTrigger && job.ShouldRun(pr.BaseRef, files, forced: false, defaults: false);
            if (failed)
            {
                jobs.Add(job);
            }
        }

        return jobs;
    }
}
