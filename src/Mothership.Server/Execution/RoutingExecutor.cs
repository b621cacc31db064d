using Mothership.Engine.Execution;

namespace Mothership.Server.Execution;

/// <summary>
/// The server's executor: a TaskRun whose run carries a route (<see cref="ExecutorRoute.Of"/>: a
/// server deploy of a site, local or as pods in the site's cluster) runs on that route's
/// executor, made on first use by <paramref name="create"/> and kept for the next runs (one per
/// route: kubeconfig, context, namespace); every other TaskRun on the server's own executor
/// (<paramref name="home"/>, of kind <paramref name="homeKind"/>). Cleanup (<see cref="IRunCleanup"/>,
/// <see cref="IOrphanCleanup"/>) spans every executor made so far; disposing disposes them all.
/// </summary>
internal sealed class RoutingExecutor(ITaskExecutor home, string homeKind, Func<ExecutorRoute, ITaskExecutor> create)
    : ITaskExecutor, IRunCleanup, IOrphanCleanup, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ExecutorRoute, ITaskExecutor> _routes = [];
    private int _disposed;

    /// <summary>The server's own executor.</summary>
    public ITaskExecutor Home => home;

    /// <summary>The executor a request runs on.</summary>
    /// <exception cref="InvalidOperationException">The run's route names no executor Mothership knows.</exception>
    /// <exception cref="Mothership.Executors.Kubernetes.KubernetesConfigException">The route's cluster has no usable credentials.</exception>
    public ITaskExecutor For(TaskRunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ExecutorRoute.Of(request.Annotations) is { } route ? For(route) : home;
    }

    /// <summary>
    /// The executor of <paramref name="route"/>, made now when it is the first run there: a deploy
    /// asks before storing its run, so a cluster without usable credentials is refused up front.
    /// </summary>
    /// <exception cref="Mothership.Executors.Kubernetes.KubernetesConfigException">The route's cluster has no usable credentials.</exception>
    public ITaskExecutor For(ExecutorRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.Kind == homeKind && route.Kind == ExecutorRoute.Local)
        {
            return home;
        }

        lock (_gate)
        {
            if (!_routes.TryGetValue(route, out var executor))
            {
                // Not cached when it throws: the next run asks again (the credentials may be fixed meanwhile).
                executor = create(route);
                _routes[route] = executor;
            }

            return executor;
        }
    }

    private List<ITaskExecutor> All()
    {
        lock (_gate)
        {
            return [home, .. _routes.Values.Where(e => !ReferenceEquals(e, home))];
        }
    }

    public Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken) =>
        For(request).RunAsync(request, listener, cancellationToken);

    public async Task<IReadOnlySet<string>> ListHoldingRunsAsync(CancellationToken cancellationToken)
    {
        var runs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cleanup in All().OfType<IRunCleanup>())
        {
            runs.UnionWith(await cleanup.ListHoldingRunsAsync(cancellationToken).ConfigureAwait(false));
        }

        return runs;
    }

    public async Task<int> ReleaseRunAsync(string runUid, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var cleanup in All().OfType<IRunCleanup>())
        {
            deleted += await cleanup.ReleaseRunAsync(runUid, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    public int CleanUpOrphans(string taskRunUid, int retryCount) =>
        All().OfType<IOrphanCleanup>().Sum(c => c.CleanUpOrphans(taskRunUid, retryCount));

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as the ITaskExecutor: the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var executor in All())
        {
            switch (executor)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
