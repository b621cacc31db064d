using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Mothership.Ci.Forge;
using Mothership.Ci.PipelinesAsCode;
using Mothership.Ci.Reporting;
using Mothership.Model.Tekton;
using Mothership.Store;

namespace Mothership.Ci.Triggers;

public sealed partial class JobTrigger
{
    /// <summary>How many runs pruning reads per PipelineRun: more than any sane <c>max-keep-runs</c>.</summary>
    private const int MaxKeepRunsLimit = 500;

    /// <summary>
    /// Where a PaC event's runs come from and go: the event, what its runs check out, whether the
    /// change is trusted (then <c>.tekton/</c> is read at the tested commit, else at the default
    /// branch), and the names its runs get.
    /// </summary>
    private sealed record PacTarget(PacEvent Event, JobRefs Refs, string Type, bool Trusted, string? DefaultBranch, string Key, string? Delivery, string Actor);

    /// <summary>Whether <paramref name="orgRepo"/> runs its <c>.tekton/</c> PipelineRuns.</summary>
    private bool PacEnabled(string orgRepo) => config.Current.PipelinesAsCodeFor(orgRepo);

    /// <summary>
    /// The PaC event of a pull request: <paramref name="eventType"/> is <c>pull_request</c>,
    /// <c>pull_request_labeled</c> or a comment's type; <paramref name="sender"/> the author or
    /// the commenter.
    /// </summary>
    private static PacEvent PacPullRequest(PullRequestEvent pr, JsonObject root, string eventType, string sender, string? comment, string? addedLabel, string githubEvent, string delivery) => new()
    {
        Kind = PacEvent.PullRequestEvent,
        EventType = eventType,
        Repository = pr.Repository,
        RepoUrl = pr.RepoLink.Length > 0 ? pr.RepoLink : PullRequestEvent.Optional(root["repository"]?["html_url"]) ?? "",
        Revision = pr.HeadSha,
        TargetBranch = pr.BaseRef,
        SourceBranch = pr.HeadRef,
        Sender = sender,
        PullRequestNumber = pr.Number,
        Title = pr.Title,
        SourceUrl = PullRequestEvent.Optional(root["pull_request"]?["head"]?["repo"]?["html_url"]) ?? pr.RepoLink,
        Labels = pr.Labels,
        AddedLabel = addedLabel,
        Comment = comment,
        Body = root,
        Headers = Headers(githubEvent, delivery),
    };

    private static ImmutableDictionary<string, string> Headers(string githubEvent, string delivery) =>
        ImmutableDictionary<string, string>.Empty.Add("x-github-event", githubEvent).Add("x-github-delivery", delivery);

    /// <summary>The repository's default branch as the payload gives it; null when it does not.</summary>
    private static string? DefaultBranch(JsonObject root) => PullRequestEvent.Optional(root["repository"]?["default_branch"]);

    /// <summary>The PaC runs a pull request event (opened, pushed to, labeled) starts.</summary>
    private async Task<string> PacPullRequestAsync(PullRequestEvent pr, JsonObject root, string? action, bool trusted, WebhookDelivery delivery, string actor, CancellationToken cancellationToken)
    {
        var addedLabel = action == "labeled" ? PullRequestEvent.Optional(root["label"]?["name"]) : null;
        var pacEvent = PacPullRequest(pr, root, addedLabel is null ? PacEvent.PullRequestEvent : PacEvent.LabeledEventType, pr.Author, null, addedLabel, delivery.Event, delivery.Id);
        var target = new PacTarget(pacEvent, pr.Refs(), JobTypes.Presubmit, trusted, DefaultBranch(root), delivery.Id, delivery.Id, actor);
        return (await PacStartAsync(target, (runs, files) => PacMatcher.Match(runs, pacEvent, files), cancellationToken).ConfigureAwait(false)).Text;
    }

    /// <summary>
    /// The PaC runs a comment starts: an <c>on-comment</c> match; <c>/test NAME</c> and
    /// <c>/retest NAME</c> by name; <c>/test</c>, <c>/test all</c> and <c>/ok-to-test</c> what a
    /// pull request event matches; <c>/retest</c> the same less those that passed on the head commit.
    /// </summary>
    private Task<(string Text, int Requested)> PacCommentAsync(PullRequestEvent pr, JsonObject root, string body, string commenter, bool trusted, bool okToTest, WebhookDelivery delivery, string actor, CancellationToken cancellationToken)
    {
        var names = PacCommands.Named(body);
        // A comment that is no command can start only on-comment PipelineRuns, and those run as
        // PaC's on-comment event (their {{event_type}} is substituted before matching).
        var eventType = PacCommands.EventType(body, okToTest) is var type && type == PacEvent.NoOpsCommentEventType ? PacEvent.OnCommentEventType : type;
        var pacEvent = PacPullRequest(pr, root, eventType, commenter, body, null, delivery.Event, delivery.Id);
        var target = new PacTarget(pacEvent, pr.Refs(), JobTypes.Presubmit, trusted, DefaultBranch(root), delivery.Id, delivery.Id, actor);
        return PacStartAsync(target, async (runs, files) =>
        {
            if (!names.IsEmpty)
            {
                var named = runs.Where(r => names.Contains(PacMatcher.NameOf(r), StringComparer.Ordinal)).ToImmutableArray();
                return new PacMatches(named, []);
            }

            var matches = PacMatcher.Match(runs, pacEvent, files);
            if (eventType is PacCommands.RetestAll or PacCommands.OkToTestComment)
            {
                // PaC runs again only what has not passed on this commit.
                var results = await store.ListJobResultsAsync(new JobResultQuery { Repository = pr.Repository, Pull = pr.Number, Sha = pr.HeadSha, Limit = 500 }, cancellationToken).ConfigureAwait(false);
                var passed = results.Where(r => r.State == JobStates.Success && PacAnnotations.IsContext(r.Context)).Select(r => r.Job).ToHashSet(StringComparer.Ordinal);
                matches = matches with { Matched = [.. matches.Matched.Where(r => !passed.Contains(PacMatcher.NameOf(r)))] };
            }

            return matches;
        }, cancellationToken);
    }

    /// <summary>The PaC runs a push starts (trusted: only those with push access push).</summary>
    private async Task<string> PacPushAsync(JsonObject root, JobRefs refs, string gitRef, string after, IReadOnlyList<ChangedFile> files, WebhookDelivery delivery, string pusher, CancellationToken cancellationToken)
    {
        var pacEvent = new PacEvent
        {
            Kind = PacEvent.PushEvent,
            EventType = PacEvent.PushEvent,
            Repository = refs.OrgRepo,
            RepoUrl = refs.RepoLink,
            Revision = after,
            TargetBranch = gitRef,
            SourceBranch = gitRef,
            Sender = pusher,
            Title = (PullRequestEvent.Optional(root["head_commit"]?["message"]) ?? "").Split('\n')[0],
            SourceUrl = refs.RepoLink,
            Body = root,
            Headers = Headers(delivery.Event, delivery.Id),
        };
        var target = new PacTarget(pacEvent, refs, JobTypes.Postsubmit, Trusted: true, DefaultBranch(root), delivery.Id, delivery.Id, "ci:" + pusher);
        return (await PacStartAsync(target, (runs, _) => PacMatcher.Match(runs, pacEvent, () => files), cancellationToken).ConfigureAwait(false)).Text;
    }

    private Task<(string Text, int Requested)> PacStartAsync(PacTarget target, Func<IReadOnlyList<PipelineRun>, Func<IReadOnlyList<ChangedFile>>, PacMatches> select, CancellationToken cancellationToken) =>
        PacStartAsync(target, (runs, files) => Task.FromResult(select(runs, files)), cancellationToken);

    /// <summary>
    /// Reads <c>.tekton/</c> where the target's trust allows, picks the runs with
    /// <paramref name="select"/>, reports the undecidable ones as errors, starts the others, then
    /// cancels what they supersede and prunes what they push past <c>max-keep-runs</c>.
    /// </summary>
    private async Task<(string Text, int Requested)> PacStartAsync(PacTarget target, Func<IReadOnlyList<PipelineRun>, Func<IReadOnlyList<ChangedFile>>, Task<PacMatches>> select, CancellationToken cancellationToken)
    {
        var pacEvent = target.Event;
        var repository = RepositoryName.Parse(pacEvent.Repository);

        // An untrusted change's .tekton/ is read from the default branch, as PaC does.
        var gitRef = DefinitionSource.Ref(target.Trusted, pacEvent.Revision, target.DefaultBranch);
        if (gitRef is null)
        {
            return ("pac: untrusted change and no default branch in the payload: .tekton not read", 0);
        }

        var directory = await TektonDirectory.ReadAsync(forge, repository, gitRef, PacVariables.For(pacEvent), cancellationToken).ConfigureAwait(false);
        if (directory.HasErrors)
        {
            return ($"pac: {PacAnnotations.Directory} at {gitRef} does not load, nothing started: {string.Join("; ", directory.Diagnostics.Take(3))}", 0);
        }

        if (directory.PipelineRuns.IsEmpty)
        {
            return ($"pac: no PipelineRun in {PacAnnotations.Directory} at {gitRef}", 0);
        }

        // The matcher is pure and synchronous: the pull request's files are read first, once, and
        // only when an annotation may look at them.
        IReadOnlyList<ChangedFile> changed = [];
        if (pacEvent.PullRequestNumber is { } number && directory.PipelineRuns.Any(NeedsChangedFiles))
        {
            changed = await forge.ListPullRequestFilesAsync(repository, number, cancellationToken).ConfigureAwait(false);
        }

        var matches = await select(directory.PipelineRuns, () => changed).ConfigureAwait(false);
        foreach (var error in matches.Errors)
        {
            await forge.CreateStatusAsync(repository, pacEvent.Revision, CommitState.Error, PacAnnotations.Context(error.PipelineRun),
                Shorten(error.Message), null, cancellationToken).ConfigureAwait(false);
        }

        var requests = matches.Matched.Select(run => PacRequest(target, run)).ToList();
        var outcome = requests.Count == 0 ? "no PipelineRun matches" : await starter.StartAllAsync(requests, target.Actor, cancellationToken).ConfigureAwait(false);
        var notes = new List<string>();
        foreach (var request in requests)
        {
            var annotations = request.Job.Annotations;
            if (annotations.TryGetValue(PacAnnotations.CancelInProgress, out var cancel) && string.Equals(cancel.Trim(), "true", StringComparison.OrdinalIgnoreCase))
            {
                var cancelled = await CancelInProgressAsync(target, request, cancellationToken).ConfigureAwait(false);
                if (cancelled > 0)
                {
                    notes.Add($"{cancelled} run(s) of {request.Job.Name} cancelled in progress");
                }
            }

            if (annotations.TryGetValue(PacAnnotations.MaxKeepRuns, out var keep))
            {
                notes.Add(await PruneAsync(target, request, keep, cancellationToken).ConfigureAwait(false));
            }
        }

        notes.AddRange(matches.Errors.Select(e => $"{e.PipelineRun}: {e.Message}"));
        return ($"pac ({PacAnnotations.Directory} at {gitRef}): {outcome}" + string.Concat(notes.Where(n => n.Length > 0).Select(n => "; " + n)), requests.Count);
    }

    private static bool NeedsChangedFiles(PipelineRun run)
    {
        var annotations = run.Metadata.Annotations;
        return annotations.ContainsKey(PacAnnotations.OnPathChange) || annotations.ContainsKey(PacAnnotations.OnPathChangeIgnore)
            || (annotations.TryGetValue(PacAnnotations.OnCelExpression, out var cel)
                && (cel.Contains("files", StringComparison.Ordinal) || cel.Contains("pathChanged", StringComparison.Ordinal)));
    }

    private JobRequest PacRequest(PacTarget target, PipelineRun run)
    {
        var job = PacJob.From(run, PacVariables.For(target.Event)["event_type"]);
        return new JobRequest
        {
            Type = target.Type,
            Job = job,
            Refs = target.Refs,
            RunName = JobRunBuilder.RunName(job.Name, $"{target.Key}/pac/{job.Name}/{target.Event.Revision}"),
            BuildId = BuildId(),
            Delivery = target.Delivery,
            StatusSha = target.Event.Revision,
            Context = PacAnnotations.Context(job.Name),
            RerunCommand = "/test " + job.Name,
        };
    }

    /// <summary>
    /// <c>cancel-in-progress</c>: the unfinished runs of the same PipelineRun in the same scope (the
    /// pull request, or the branch pushed to) other than <paramref name="request"/>'s are cancelled,
    /// after it started, as PaC does.
    /// </summary>
    private Task<int> CancelInProgressAsync(PacTarget target, JobRequest request, CancellationToken cancellationToken)
    {
        var pull = target.Event.PullRequestNumber;
        var context = request.Context;
        return AbortAsync(
            new JobResultQuery { Repository = target.Event.Repository, Pull = pull, Job = request.Job.Name, Limit = 500 },
            r => r.Context == context && r.RunName != request.RunName && (pull is not null || (r.Pull is null && r.BaseRef == target.Refs.BaseRef)),
            $"Cancelled in progress: a newer run of {request.Job.Name} started.", target.Actor, cancellationToken);
    }

    /// <summary>
    /// <c>max-keep-runs</c>: the finished runs of the PipelineRun in this repository beyond the
    /// newest N (the new one counted) are deleted; unfinished ones are kept, as PaC keeps them.
    /// Their job results stay, so statuses and <c>/retest</c> do not depend on the runs.
    /// </summary>
    private async Task<string> PruneAsync(PacTarget target, JobRequest request, string keepText, CancellationToken cancellationToken)
    {
        if (!int.TryParse(keepText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var keep) || keep < 1)
        {
            return $"{PacAnnotations.MaxKeepRuns} '{keepText}' of {request.Job.Name} is not a positive number: nothing pruned";
        }

        var page = await store.ListRunsAsync(new RunQuery
        {
            Kind = "PipelineRun",
            Labels =
            [
                new LabelRequirement(PacAnnotations.OriginalPipelineRunName, LabelOperator.Equals, [JobLabels.Value(request.Job.Name)]),
                new LabelRequirement(PacAnnotations.Repository, LabelOperator.Equals, [JobLabels.Value(target.Refs.Org + "-" + target.Refs.Repo)]),
            ],
            Limit = MaxKeepRunsLimit,
        }, cancellationToken).ConfigureAwait(false);
        var pruned = 0;
        foreach (var run in page.Items.Skip(keep).Where(r => r.Phase == RunPhase.Finished))
        {
            if (await store.DeleteRunAsync(run.Uid, "ci:max-keep-runs", cancellationToken).ConfigureAwait(false))
            {
                pruned++;
            }
        }

        return pruned == 0 ? "" : $"{pruned} old run(s) of {request.Job.Name} pruned ({PacAnnotations.MaxKeepRuns}: {keep})";
    }

    /// <summary>GitHub keeps at most 140 characters of a status description.</summary>
    private static string Shorten(string text) => text.Length <= 140 ? text : text[..139] + "…";
}
