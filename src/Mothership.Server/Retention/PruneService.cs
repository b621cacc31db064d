using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Server.Hosting;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Retention;

/// <summary>
/// Applies the retention policy on the configured cron schedule (UTC). Every replica runs it;
/// pruning is idempotent, so two replicas pruning at once delete each run once.
/// </summary>
internal sealed partial class PruneService(IRunStore store, RunLeftovers leftovers, IOptions<ServerOptions> options, TimeProvider time, ILogger<PruneService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retention = options.Value.Retention;
        if (string.IsNullOrWhiteSpace(retention.Schedule) || !PruneSchedule.TryParse(retention.Schedule, out var cron) || cron is null)
        {
            return;
        }

        var policy = retention.ToPolicy();
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (cron.GetNextOccurrence(now, TimeZoneInfo.Utc) is not { } next)
            {
                return;
            }

            try
            {
                await Task.Delay(next - now, time, stoppingToken).ConfigureAwait(false);
                var result = await store.PruneAsync(policy, time.GetUtcNow(), dryRun: false, stoppingToken).ConfigureAwait(false);
                await leftovers.ReleaseAsync(result.Runs.Select(r => (r.Uid, r.Name)), stoppingToken).ConfigureAwait(false);
                LogPruned(logger, result.Runs.Count, result.LogChunks);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreUnavailableException e)
            {
                LogPruneFailed(logger, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Runs} run(s) and {Chunks} log chunk(s)")]
    private static partial void LogPruned(ILogger logger, int runs, int chunks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning skipped, store unavailable: {Message}")]
    private static partial void LogPruneFailed(ILogger logger, string message);
}
