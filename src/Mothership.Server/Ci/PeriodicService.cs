using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mothership.Ci.Periodics;
using Mothership.Store;

namespace Mothership.Server.Ci;

/// <summary>
/// Runs the <see cref="PeriodicScheduler"/> every 10 seconds: periodic jobs start within that of
/// being due. Every replica runs it; runs named after their due time start once.
/// </summary>
internal sealed partial class PeriodicService(PeriodicScheduler scheduler, TimeProvider time, ILogger<PeriodicService> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await scheduler.RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or Octokit.ApiException or StoreUnavailableException)
            {
                // Nothing was started that the next pass would start twice: runs are named after their due time.
                LogFailed(logger, e.Message);
            }

            try
            {
                await Task.Delay(Poll, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting periodic jobs failed, will retry: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
