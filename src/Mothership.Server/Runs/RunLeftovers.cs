using Microsoft.Extensions.Logging;
using Mothership.Engine.Execution;

namespace Mothership.Server.Runs;

/// <summary>
/// What an executor still keeps for runs that are gone from the store (<see cref="IRunCleanup"/>:
/// a local run's folder, a cluster's claims), released when they are deleted or pruned rather than
/// at the next sweep. A failure only leaves it to that sweep (<see cref="ExecutorSweepService"/>).
/// </summary>
internal sealed partial class RunLeftovers(ITaskExecutor executor, ILogger<RunLeftovers> logger)
{
    public async Task ReleaseAsync(IEnumerable<string> runUids, CancellationToken cancellationToken)
    {
        if (executor is not IRunCleanup cleanup)
        {
            return;
        }

        foreach (var uid in runUids)
        {
            try
            {
                await cleanup.ReleaseRunAsync(uid, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReleaseFailed(logger, uid, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "What run {Uid} left with the executor stays until the next sweep: {Message}")]
    private static partial void LogReleaseFailed(ILogger logger, string uid, string message);
}
