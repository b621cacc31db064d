using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Engine.Execution;
using Mothership.Executors.Kubernetes;
using Mothership.Server.Execution;
using Mothership.Server.Hosting;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>
/// Deletes what runs that ended, or were deleted, left behind with an executor that keeps things
/// in a cluster (<see cref="IRunCleanup"/>): pods of a server that died before it could delete
/// them, claims whose run's release failed. At start, then every
/// <see cref="ServerOptions.SweepInterval"/>. The cluster is listed before the store is asked,
/// so a run created meanwhile (by another replica) is seen as live: nothing of a live run goes.
/// A site's cluster is swept once its executor exists; after a restart the executors of the
/// clusters the unfinished runs name (<see cref="UnfinishedRunRoutes"/>) are made before the
/// first sweep, so it reaches them without waiting for a run to ask.
/// </summary>
internal sealed partial class ExecutorSweepService(
    IRunStore store, ITaskExecutor executor, IOptions<ServerOptions> options, TimeProvider time, ILogger<ExecutorSweepService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (executor is not IRunCleanup cleanup)
        {
            return;
        }

        var recovered = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!recovered && executor is RoutingExecutor router)
                {
                    await RecoverRoutesAsync(router, stoppingToken).ConfigureAwait(false);
                }

                recovered = true;
                var deleted = await SweepAsync(cleanup, store, stoppingToken).ConfigureAwait(false);
                if (deleted > 0)
                {
                    LogSwept(logger, deleted);
                }

                await Task.Delay(options.Value.SweepInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The cluster or the store may be down for a while: try again at the next round.
                LogSweepFailed(logger, e.Message);
                await Task.Delay(options.Value.SweepInterval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Makes the executor of every cluster an unfinished run names; one whose credentials are gone is logged and left to its run.</summary>
    private async Task RecoverRoutesAsync(RoutingExecutor router, CancellationToken cancellationToken)
    {
        foreach (var route in await UnfinishedRunRoutes.ListAsync(store, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                router.For(route);
                LogRouteRecovered(logger, route.ToString());
            }
            catch (Exception e) when (e is KubernetesConfigException or InvalidOperationException)
            {
                LogRouteNotRecovered(logger, route.ToString(), e.Message);
            }
        }
    }

    /// <summary>One sweep: everything held for a run the store has not, or has as finished, is released; how many objects went.</summary>
    public static async Task<int> SweepAsync(IRunCleanup cleanup, IRunStore store, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var uid in await cleanup.ListHoldingRunsAsync(cancellationToken).ConfigureAwait(false))
        {
            var run = await store.GetRunByUidAsync(uid, cancellationToken).ConfigureAwait(false);
            if (run is null || run.Phase == RunPhase.Finished)
            {
                deleted += await cleanup.ReleaseRunAsync(uid, cancellationToken).ConfigureAwait(false);
            }
        }

        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweeping {Route}: an unfinished run ran there")]
    private static partial void LogRouteRecovered(ILogger logger, string route);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot sweep {Route}, where an unfinished run ran: {Message}")]
    private static partial void LogRouteNotRecovered(ILogger logger, string route, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Swept {Count} object(s) left by runs that ended")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep of the executor's leftovers failed (retried later): {Message}")]
    private static partial void LogSweepFailed(ILogger logger, string message);
}
