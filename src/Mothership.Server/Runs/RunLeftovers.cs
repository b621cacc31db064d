using Microsoft.Extensions.Logging;
using Mothership.Engine.Execution;

namespace Mothership.Server.Runs;

/// <summary>
/// What an executor still keeps for runs (<see cref="IRunCleanup"/>: a local run's folder, a
/// cluster's claims), released when a run ends, is deleted or is pruned. A failure only leaves it to
/// the next sweep (<see cref="ExecutorSweepService"/>): the executor's storage or cluster API may be
/// down, and the run itself is over and stored.
/// </summary>
internal sealed partial class RunLeftovers(ITaskExecutor executor, ILogger<RunLeftovers> logger)
{
    /// <summary>Releases what each run left; how many objects went.</summary>
    public async Task<int> ReleaseAsync(IEnumerable<(string Uid, string Name)> runs, CancellationToken cancellationToken)
    {
        if (executor is not IRunCleanup cleanup)
        {
            return 0;
        }

        var total = 0;
        foreach (var (uid, name) in runs)
        {
            try
            {
                var deleted = await cleanup.ReleaseRunAsync(uid, cancellationToken).ConfigureAwait(false);
                if (deleted > 0)
                {
                    LogReleased(logger, deleted, name);
                }

                total += deleted;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReleaseFailed(logger, name, e.Message);
            }
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} object(s) the executor kept for run {Run}")]
    private static partial void LogReleased(ILogger logger, int count, string run);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete what the executor kept for run {Run} (the next sweep will): {Message}")]
    private static partial void LogReleaseFailed(ILogger logger, string run, string message);
}
