using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mothership.Store;

namespace Mothership.Server.Ci;

/// <summary>
/// A CI bot's pass run every <see cref="Interval"/> (reporting, periodics): a pass that fails on
/// GitHub or the store is logged, and the next one retries — each pass is written to be repeated.
/// </summary>
internal abstract partial class CiPassService(TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>The pause between passes.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>What the pass does, for the log (<c>reporting CI results to GitHub</c>).</summary>
    protected abstract string What { get; }

    /// <summary>One pass.</summary>
    protected abstract Task RunPassAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunPassAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or Octokit.ApiException or StoreUnavailableException)
            {
                LogFailed(logger, What, e.Message);
            }

            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} failed, will retry: {Reason}")]
    private static partial void LogFailed(ILogger logger, string what, string reason);
}
