using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.PipelinesAsCode;
using Mothership.Ci.Reporting;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Store;

namespace Mothership.Ci.Triggers;

/// <summary>
/// Starts jobs' runs, whatever asked for them (a webhook, a comment, a schedule): builds each run,
/// hands it to <see cref="IJobRuns"/>, records its <see cref="JobResult"/> for the reporter, and
/// reports a job that cannot start as an error status. A job with <c>max_concurrency</c> has its
/// run created held and released by <see cref="JobConcurrency"/> when a slot is free.
/// </summary>
public sealed class JobStarter(IForge forge, IRunStore store, IJobRuns runs, JobConcurrency concurrency, JobTriggerOptions options, TimeProvider time)
{
    /// <summary>Starts each request's run and records its job result; a line saying what started.</summary>
    public async Task<string> StartAllAsync(IReadOnlyList<JobRequest> requests, string actor, CancellationToken cancellationToken)
    {
        if (requests.Count == 0)
        {
            return "no job to run";
        }

        var started = new List<string>();
        var waiting = new List<string>();
        var again = new List<string>();
        var refused = new List<string>();
        foreach (var request in requests)
        {
            var start = await StartAsync(request, actor, cancellationToken).ConfigureAwait(false);
            switch (start.Outcome)
            {
                case JobStartOutcome.Refused:
                    refused.Add($"{request.Job.Name} ({start.Message})");
                    break;
                case JobStartOutcome.Started when start.Waiting:
                    waiting.Add(request.Job.Name);
                    break;
                case JobStartOutcome.Started:
                    started.Add(request.Job.Name);
                    break;
                default:
                    again.Add(request.Job.Name);
                    break;
            }
        }

        var parts = new List<string>();
        if (started.Count > 0)
        {
            parts.Add($"started {string.Join(", ", started)}");
        }

        if (waiting.Count > 0)
        {
            parts.Add($"waiting for max_concurrency {string.Join(", ", waiting)}");
        }

        if (again.Count > 0)
        {
            parts.Add($"already started {string.Join(", ", again)}");
        }

        if (refused.Count > 0)
        {
            parts.Add($"refused {string.Join("; ", refused)}");
        }

        return string.Join("; ", parts);
    }

    /// <summary>
    /// Starts <paramref name="request"/>'s run and records its job result (also when a run of that
    /// name was started before, so a start that died before recording it is completed); a job that
    /// cannot start is reported as an error status when it reports at all.
    /// </summary>
    public async Task<JobStart> StartAsync(JobRequest request, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = await InlinedAsync(request.Job, cancellationToken).ConfigureAwait(false);
        var credentials = await CloneCredentialsAsync(request, job, cancellationToken).ConfigureAwait(false);
        var run = JobConcurrency.Held(JobRunBuilder.Build(request with { Job = job }, options.CloneImage, null, credentials?.Credentials), job.MaxConcurrency);
        var start = await runs.StartAsync(run, credentials is { Secret: var secret } ? [secret] : [], actor, cancellationToken).ConfigureAwait(false);
        if (start.Outcome == JobStartOutcome.Refused || start.Uid is null)
        {
            if (request.Context is { } context && request.StatusSha is { } sha && request.Refs is { } refs)
            {
                await forge.CreateStatusAsync(new RepositoryName(refs.Org, refs.Repo), sha, CommitState.Error, context,
                    Shorten("Job could not start: " + start.Message), null, cancellationToken).ConfigureAwait(false);
            }

            return start with { Outcome = JobStartOutcome.Refused };
        }

        var now = time.GetUtcNow();
        // Prow reports a job as triggered the moment it exists, not when a worker first looks. The
        // result is stored as reported first, so a reporter pass between the two does not say it
        // again; a status GitHub refuses is marked unreported for the reporter to retry.
        var reports = request.Context is not null && request.StatusSha is not null && request.Refs is not null;
        var added = await store.AddJobResultAsync(new JobResult
        {
            Uid = start.Uid,
            RunKind = run.Kind,
            RunName = request.RunName,
            Job = request.Job.Name,
            Type = request.Type,
            Repository = request.Refs?.OrgRepo ?? "",
            Pull = request.Refs?.Pulls is [var pull, ..] ? pull.Number : null,
            Sha = request.StatusSha ?? request.Refs?.BaseSha ?? "",
            BaseRef = request.Refs?.BaseRef ?? "",
            Context = request.Context,
            Optional = request.Optional,
            State = JobStates.Triggered,
            Reported = reports ? JobStates.Triggered : "",
            CreatedAt = now,
            UpdatedAt = now,
        }, cancellationToken).ConfigureAwait(false);
        if (added && reports)
        {
            try
            {
                await forge.CreateStatusAsync(new RepositoryName(request.Refs!.Org, request.Refs.Repo), request.StatusSha!, JobStates.CommitStateOf(JobStates.Triggered),
                    request.Context!, JobStates.Description(JobStates.Triggered), options.RunUrl?.Invoke(run.Kind, request.RunName), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or Octokit.ApiException)
            {
                await store.UpdateJobResultAsync(start.Uid, JobStates.Triggered, "", done: false, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }

        if (job.MaxConcurrency > 0)
        {
            // Also for a run started before: a start that died before its release is completed.
            await concurrency.ReleaseAsync(JobLabels.Value(job.Name), request.Type, job.MaxConcurrency, cancellationToken).ConfigureAwait(false);
            if (start.Outcome == JobStartOutcome.Started)
            {
                var stands = await store.GetRunByUidAsync(start.Uid, cancellationToken).ConfigureAwait(false);
                return start with { Waiting = stands?.Phase == RunPhase.Pending };
            }
        }

        return start;
    }

    /// <summary>The bot's credentials for the request's checkout, when it has one, from the forge's host, and a token is configured.</summary>
    private async Task<(CloneCredentials Credentials, DataObject Secret)?> CloneCredentialsAsync(JobRequest request, ProwJob job, CancellationToken cancellationToken)
    {
        if (options.CloneToken is not { } tokenFor || request.Refs is not { } refs || job.Decorate == false || job is PacJob { WantsCheckout: false })
        {
            return null;
        }

        var token = await tokenFor(new RepositoryName(refs.Org, refs.Repo), cancellationToken).ConfigureAwait(false);
        return string.IsNullOrEmpty(token) ? null : CloneCredentials.For(request.RunName, refs.CloneUri, options.CloneHost, token);
    }

    /// <summary>
    /// A PipelineRun job that names a Pipeline applied to the server gets it inline, so the
    /// checkout task can go first; a remote or unknown reference is left to the run's validation.
    /// </summary>
    internal async Task<ProwJob> InlinedAsync(ProwJob job, CancellationToken cancellationToken)
    {
        if (job.PipelineRunSpec is not { PipelineRef: { Name: { } name, Resolver: null } } spec)
        {
            return job;
        }

        var stored = await store.GetResourceAsync(nameof(Pipeline), name, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return job;
        }

        var bag = new DiagnosticBag();
        var pipeline = ResourceLoader.Load($"pipelines/{name}", stored.Document, bag).OfType<Pipeline>().FirstOrDefault();
        return pipeline is null || bag.HasErrors ? job : job with { PipelineRunSpec = spec with { PipelineRef = null, PipelineSpec = pipeline.Spec } };
    }

    /// <summary>GitHub keeps at most 140 characters of a status description.</summary>
    private static string Shorten(string text) => text.Length <= 140 ? text : text[..139] + "…";
}
