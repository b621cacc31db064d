using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Mothership.Engine.Execution;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>
/// What a server does for an attempt that was in flight when the run's previous owner died,
/// before the engine resumes it (<see cref="Engine.Journal.AttemptRecovery"/>): the processes the
/// dead owner left running are killed (a pod is adopted by name and needs nothing), and the
/// partial logs of the steps that will run again are dropped, so the stored log holds each
/// step's output once.
/// </summary>
internal sealed partial class CrashRecovery(IRunStore store, ITaskExecutor executor, ILogger logger)
{
    public async Task CleanUpAsync(string runUid, string taskRunUid, string taskRun, int attempt, ImmutableArray<StepState> finished, CancellationToken cancellationToken)
    {
        var killed = (executor as IOrphanCleanup)?.CleanUpOrphans(taskRunUid, attempt) ?? 0;
        if (killed > 0)
        {
            LogOrphansKilled(logger, killed, taskRun);
        }

        var keep = finished.Select(s => s.Container).ToHashSet(StringComparer.Ordinal);
        var chunks = await store.ReadLogsAsync(new LogQuery { Uid = runUid, TaskRun = taskRun, Limit = 100_000 }, cancellationToken).ConfigureAwait(false);
        foreach (var container in chunks.Where(c => c.Chunk.Attempt == attempt).Select(c => c.Chunk.Container).Distinct().Where(c => !keep.Contains(c)))
        {
            await store.DeleteLogsAsync(runUid, taskRun, attempt, container, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Killed {Count} leftover process(es) of TaskRun {TaskRun}")]
    private static partial void LogOrphansKilled(ILogger logger, int count, string taskRun);
}
