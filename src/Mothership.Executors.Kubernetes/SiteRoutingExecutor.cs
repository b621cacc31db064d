using Mothership.Engine.Execution;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Executors.Kubernetes;

/// <summary>
/// One server, several clusters: a TaskRun labelled <c>mothership.io/site=SITE</c> (the deploy
/// pipelines of a site carry it) runs as a pod in that site's cluster and namespace when the
/// server has an executor for the site, every other TaskRun on the default one. Cleanup spans
/// them all.
/// </summary>
public sealed class SiteRoutingExecutor(KubernetesTaskExecutor fallback, IReadOnlyDictionary<string, KubernetesTaskExecutor> sites)
    : ITaskExecutor, IRunCleanup, IAsyncDisposable
{
    private IEnumerable<KubernetesTaskExecutor> All => sites.Values.Prepend(fallback).Distinct();

    /// <summary>The executor a request runs on.</summary>
    public KubernetesTaskExecutor For(TaskRunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Labels.TryGetValue(MothershipLabels.Site, out var site) && sites.TryGetValue(site, out var executor) ? executor : fallback;
    }

    public Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken) =>
        For(request).RunAsync(request, listener, cancellationToken);

    public async Task<IReadOnlySet<string>> ListHoldingRunsAsync(CancellationToken cancellationToken)
    {
        var runs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var executor in All)
        {
            runs.UnionWith(await executor.ListHoldingRunsAsync(cancellationToken).ConfigureAwait(false));
        }

        return runs;
    }

    public async Task<int> ReleaseRunAsync(string runUid, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var executor in All)
        {
            deleted += await executor.ReleaseRunAsync(runUid, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var executor in All)
        {
            await executor.DisposeAsync().ConfigureAwait(false);
        }
    }
}
