using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Triggers;
using Mothership.Store;

namespace Mothership.Ci.Periodics;

/// <summary>
/// Prow's horologium: starts each periodic of the configuration in force when it is due, deciding
/// from the job results in the store (so every replica decides alike, and a restart forgets
/// nothing that ran). An <c>interval</c> job is due that long after its last run started, and at
/// once when it never ran; a <c>minimum_interval</c> job that long after its last run finished,
/// never while it runs, and at once when it never ran; a <c>cron</c> job at its first tick after
/// its last run started. A cron job that never ran waits for its first tick after this scheduler
/// first saw it; that time is kept in memory, so a restart before the first run waits for the
/// next tick again. A tick missed while no scheduler ran is caught up once, not once per tick.
/// </summary>
/// <remarks>
/// Each run is named after the job and the time it was due, so two replicas (or a pass retried
/// after a failure) that find the same job due start one run. Runs go through
/// <see cref="JobStarter"/> as type <c>periodic</c> and report nowhere on the forge; a job with
/// <c>extra_refs</c> checks out the first one. One loop calls <see cref="RunOnceAsync"/> at a time.
/// </remarks>
public sealed partial class PeriodicScheduler(
    IJobConfigSource config,
    IForge forge,
    IRunStore store,
    JobStarter starter,
    TimeProvider time,
    ILogger<PeriodicScheduler> logger)
{
    /// <summary>Who starts periodic runs, in the audit record.</summary>
    public const string Actor = "ci:periodic";

    /// <summary>When each cron job was first seen, by name: the time its first tick is counted from.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);

    /// <summary>The last run each job was refused, by name: a broken job is logged once per due time, not once per pass.</summary>
    private readonly ConcurrentDictionary<string, string> _refused = new(StringComparer.Ordinal);

    /// <summary>Starts the periodics that are due now; how many runs it started (a run another replica started first is not counted).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var jobs = config.Current.Periodics;
        var now = time.GetUtcNow();
        var names = jobs.Select(j => j.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _firstSeen.Keys.Where(k => !names.Contains(k)))
        {
            _firstSeen.TryRemove(gone, out _);
            _refused.TryRemove(gone, out _);
        }

        var started = 0;
        foreach (var job in jobs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var firstSeen = _firstSeen.GetOrAdd(job.Name, now);
            var last = await LastRunAsync(job, cancellationToken).ConfigureAwait(false);
            if (DueAt(job, last, firstSeen, now) is not { } due || due > now)
            {
                continue;
            }

            var request = await RequestAsync(job, due, cancellationToken).ConfigureAwait(false);
            var start = await starter.StartAsync(request, Actor, cancellationToken).ConfigureAwait(false);
            switch (start.Outcome)
            {
                case JobStartOutcome.Started:
                    started++;
                    _refused.TryRemove(job.Name, out _);
                    LogStarted(logger, job.Name, request.RunName, due);
                    break;
                case JobStartOutcome.Refused when !_refused.TryGetValue(job.Name, out var run) || run != request.RunName:
                    _refused[job.Name] = request.RunName;
                    LogRefused(logger, job.Name, request.RunName, start.Message);
                    break;
            }
        }

        return started;
    }

    /// <summary>
    /// When <paramref name="job"/> is due, from its last run; null when it is not (a
    /// <c>minimum_interval</c> job whose last run has not finished, a cron that never fires again).
    /// A job that never ran and is due at once gets the start of the current interval as its due
    /// time, so replicas that look at once name its run alike.
    /// </summary>
    internal static DateTimeOffset? DueAt(Periodic job, LastRun? last, DateTimeOffset firstSeen, DateTimeOffset now)
    {
        if (job.Cron is not null)
        {
            return job.NextAfter(last?.Started ?? firstSeen);
        }

        if (last is null)
        {
            var period = job.Interval ?? job.MinimumInterval ?? throw new InvalidOperationException($"periodic '{job.Name}' has no schedule");
            var since = (now - DateTimeOffset.UnixEpoch).Ticks;
            return DateTimeOffset.UnixEpoch.AddTicks(since - (since % period.Ticks));
        }

        return job.Interval is not null ? job.NextAfter(last.Started)
            : last.Finished is { } finished ? job.NextAfter(finished)
            : null;
    }

    /// <summary>
    /// The job's last periodic run: when it started (its job result's creation) and, when it has
    /// ended, when. The run's own completion time counts while the run is kept; once it is pruned,
    /// the final result's last update (when the reporter saw it end). The run's time comes first
    /// because it does not move: replicas reading either side of the reporter's update agree.
    /// </summary>
    private async Task<LastRun?> LastRunAsync(Periodic job, CancellationToken cancellationToken)
    {
        var results = await store.ListJobResultsAsync(new JobResultQuery { Job = job.Name, Type = JobTypes.Periodic, Limit = 1 }, cancellationToken).ConfigureAwait(false);
        if (results is not [var result, ..])
        {
            return null;
        }

        if (job.MinimumInterval is null)
        {
            return new LastRun(result.CreatedAt, null);
        }

        var run = await store.GetRunAsync(result.RunKind, result.RunName, cancellationToken).ConfigureAwait(false);
        DateTimeOffset? finished = run is null ? (result.Done ? result.UpdatedAt : null)
            : run.Phase == RunPhase.Finished ? run.CompletedAt ?? result.UpdatedAt
            : null;
        return new LastRun(result.CreatedAt, finished);
    }

    /// <summary>The run of <paramref name="job"/> due at <paramref name="due"/>, named after both.</summary>
    private async Task<JobRequest> RequestAsync(Periodic job, DateTimeOffset due, CancellationToken cancellationToken)
    {
        var refs = ExtraRefs.First(job);
        if (refs is { BaseSha.Length: 0 })
        {
            refs = refs with { BaseSha = await BranchHeadAsync(job, refs, cancellationToken).ConfigureAwait(false) };
        }

        var key = $"periodic/{job.Name}/{due.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}";
        return new JobRequest
        {
            Type = JobTypes.Periodic,
            Job = job,
            Refs = refs,
            RunName = JobRunBuilder.RunName(job.Name, key),
            BuildId = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>
    /// The commit at the head of the refs' branch, as the forge tells it; empty when the forge
    /// cannot (another host, a branch it does not know, an outage): the checkout then takes the
    /// head it fetches, and the job's <c>PULL_BASE_SHA</c> is empty.
    /// </summary>
    private async Task<string> BranchHeadAsync(Periodic job, JobRefs refs, CancellationToken cancellationToken)
    {
        try
        {
            var status = await forge.GetCombinedStatusAsync(new RepositoryName(refs.Org, refs.Repo), refs.BaseRef, cancellationToken).ConfigureAwait(false);
            return status.Sha;
        }
        catch (Exception e) when (e is HttpRequestException or Octokit.ApiException)
        {
            LogNoBranchHead(logger, job.Name, refs.OrgRepo, refs.BaseRef, e.Message);
            return "";
        }
    }

    /// <summary>A periodic's last run: when it started and, once it ended, when.</summary>
    internal sealed record LastRun(DateTimeOffset Started, DateTimeOffset? Finished);
}
