using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Execution;

/// <summary>
/// The routes (<see cref="ExecutorRoute"/>) of the runs a previous server left unfinished: its
/// site deploys' clusters, read from the runs' own annotations. A restarted server makes their
/// executors at start (<see cref="ExecutorSweepService"/>) instead of when such a run's next
/// TaskRun asks, so its first sweep reaches those clusters too: what runs that ended or were
/// deleted left there goes at once, not when a deploy happens to go there again.
/// </summary>
internal static class UnfinishedRunRoutes
{
    /// <summary>The distinct routes of every pending, queued or running site deploy (only the server's site deploys carry a route).</summary>
    public static async Task<IReadOnlyList<ExecutorRoute>> ListAsync(IRunStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var routes = new HashSet<ExecutorRoute>();
        foreach (var phase in new[] { RunPhase.Pending, RunPhase.Queued, RunPhase.Running })
        {
            string? cursor = null;
            do
            {
                var page = await store.ListRunsAsync(new RunQuery
                {
                    Phase = phase,
                    Labels = [new LabelRequirement(MothershipLabels.Site, LabelOperator.Exists, [])],
                    Limit = 500,
                    Cursor = cursor,
                }, cancellationToken).ConfigureAwait(false);
                foreach (var summary in page.Items)
                {
                    if (await store.GetRunByUidAsync(summary.Uid, cancellationToken).ConfigureAwait(false) is { } run
                        && RunManifest.Load(run).Run?.Metadata.Annotations is { } annotations
                        && ExecutorRoute.Of(annotations) is { Kind: ExecutorRoute.Kubernetes } route)
                    {
                        routes.Add(route);
                    }
                }

                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }

        return [.. routes];
    }
}
