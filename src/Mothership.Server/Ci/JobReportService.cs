using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mothership.Ci.Reporting;
using Mothership.Store;

namespace Mothership.Server.Ci;

/// <summary>Runs the <see cref="JobReporter"/> every few seconds: CI runs' states go to GitHub as they change.</summary>
internal sealed partial class JobReportService(JobReporter reporter, TimeProvider time, ILogger<JobReportService> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await reporter.RunOnceAsync(stoppingToken).ConfigureAwait(false) >= 100)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or Octokit.ApiException or StoreUnavailableException)
            {
                // Nothing is marked reported before GitHub took it: the next pass reports it.
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting CI results to GitHub failed, will retry: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
