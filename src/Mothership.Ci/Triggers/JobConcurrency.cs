using System.Collections.Immutable;
using System.Globalization;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Store;

namespace Mothership.Ci.Triggers;

/// <summary>
/// Prow's <c>max_concurrency</c> (plank's <c>canExecuteConcurrently</c>): at most N runs of a job
/// at once, the others waiting, started oldest first as slots free. A run of a job with a limit is
/// created held (Tekton's <c>PipelineRunPending</c> / <c>TaskRunPending</c>, so it waits as a
/// stored run, reported "Job triggered.") and labelled with its limit; it is released while fewer
/// than the limit of its job's runs are queued or running. Cancelling a held run ends it without
/// starting it (the engine ends a pending run that has a cancel request at once).
/// </summary>
public sealed class JobConcurrency(IRunStore store, IJobRuns runs)
{
    /// <summary>Who releases held runs, in the audit.</summary>
    public const string Actor = "ci:max_concurrency";

    /// <summary>Held runs looked at per pass.</summary>
    private const int Batch = 500;

    // Releases of this server one at a time, so two deliveries starting runs of one job at once
    // cannot both see the same free slot. Replicas on one PostgreSQL can still each release one
    // run into the same slot: the limit then is exceeded by one until a run ends.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// <paramref name="run"/> held for a slot when <paramref name="maxConcurrency"/> limits its job;
    /// as given otherwise.
    /// </summary>
    public static Resource Held(Resource run, int maxConcurrency)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (maxConcurrency <= 0)
        {
            return run;
        }

        var metadata = run.Metadata with
        {
            Labels = run.Metadata.Labels.SetItem(JobLabels.MaxConcurrency, maxConcurrency.ToString(CultureInfo.InvariantCulture)),
        };
        return run switch
        {
            PipelineRun p => p with { Metadata = metadata, Spec = p.Spec with { Status = SpecStatus.PipelineRunPending } },
            TaskRun t => t with { Metadata = metadata, Spec = t.Spec with { Status = SpecStatus.TaskRunPending } },
            _ => throw new ArgumentException($"a job runs as a PipelineRun or TaskRun, not a {run.Kind}", nameof(run)),
        };
    }

    /// <summary>Releases the held runs of every job that has room; how many it released.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var held = await store.ListRunsAsync(new RunQuery
        {
            Phase = RunPhase.Pending,
            Labels = [new LabelRequirement(JobLabels.MaxConcurrency, LabelOperator.Exists, [])],
            Limit = Batch,
        }, cancellationToken).ConfigureAwait(false);
        var released = 0;
        foreach (var group in held.Items.GroupBy(r => (Job: r.Labels.GetValueOrDefault(JobLabels.Job, ""), Type: r.Labels.GetValueOrDefault(JobLabels.Type, ""))))
        {
            // Newest first: the newest run carries the limit of the config in force now.
            var max = int.TryParse(group.First().Labels[JobLabels.MaxConcurrency], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 1;
            released += await ReleaseAsync(group.Key.Job, group.Key.Type, max, cancellationToken).ConfigureAwait(false);
        }

        return released;
    }

    /// <summary>
    /// Releases the oldest held runs of the job labelled <paramref name="job"/> (a
    /// <see cref="JobLabels.Value"/>) of <paramref name="type"/> while fewer than
    /// <paramref name="maxConcurrency"/> of its runs are queued or running; how many it released.
    /// </summary>
    public async Task<int> ReleaseAsync(string job, string type, int maxConcurrency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(type);
        ImmutableArray<LabelRequirement> labels =
        [
            new(JobLabels.Job, LabelOperator.Equals, [job]),
            new(JobLabels.Type, LabelOperator.Equals, [type]),
        ];
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var active = await CountAsync(labels, RunPhase.Queued, maxConcurrency, cancellationToken).ConfigureAwait(false)
                + await CountAsync(labels, RunPhase.Running, maxConcurrency, cancellationToken).ConfigureAwait(false);
            if (active >= maxConcurrency)
            {
                return 0;
            }

            var held = new List<RunSummary>();
            string? cursor = null;
            do
            {
                var page = await store.ListRunsAsync(new RunQuery { Phase = RunPhase.Pending, Labels = labels, Limit = Batch, Cursor = cursor }, cancellationToken).ConfigureAwait(false);
                held.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);

            var released = 0;
            foreach (var run in held.Where(r => r.Labels.ContainsKey(JobLabels.MaxConcurrency)).Reverse())
            {
                if (active >= maxConcurrency)
                {
                    break;
                }

                // A held run with a cancel request is being ended (the server releases it to end it):
                // it neither takes a slot nor is started here.
                if (await store.GetRunByUidAsync(run.Uid, cancellationToken).ConfigureAwait(false) is not { CancelRequest: null } record
                    || record.Phase != RunPhase.Pending)
                {
                    continue;
                }

                if (await runs.ReleaseAsync(record, Actor, cancellationToken).ConfigureAwait(false))
                {
                    active++;
                    released++;
                }
            }

            return released;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How many runs with <paramref name="labels"/> are in <paramref name="phase"/>, counted up to <paramref name="enough"/>.</summary>
    private async Task<int> CountAsync(ImmutableArray<LabelRequirement> labels, RunPhase phase, int enough, CancellationToken cancellationToken)
    {
        var page = await store.ListRunsAsync(new RunQuery { Phase = phase, Labels = labels, Limit = Math.Clamp(enough, 1, Batch) }, cancellationToken).ConfigureAwait(false);
        return page.Items.Count;
    }
}
