using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Ci.Hooks;
using Mothership.Server.Hosting;

namespace Mothership.Server.Ci;

/// <summary>
/// Runs the <see cref="DeliveryReconciler"/> over the configured hooks at start and every
/// <see cref="GitHubOptions.ReconcileInterval"/>. With several replicas each asks; GitHub's
/// redelivery carries the delivery's own id, so the store takes it once.
/// </summary>
internal sealed partial class DeliveryReconcileService(DeliveryReconciler reconciler, IOptions<ServerOptions> options, TimeProvider time, ILogger<DeliveryReconcileService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var github = options.Value.GitHub;
        // Validated at start: every hook parses.
        var hooks = github.Hooks.Select(h => DeliveryReconciler.ParseHook(h, out _)!).ToList();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var asked = await reconciler.ReconcileAsync(hooks, stoppingToken).ConfigureAwait(false);
                if (asked.Count > 0)
                {
                    LogRedelivered(logger, asked.Count, string.Join(", ", asked));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or Octokit.ApiException or Mothership.Store.StoreUnavailableException)
            {
                LogFailed(logger, e.Message);
            }

            try
            {
                await Task.Delay(github.ReconcileInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Asked GitHub to redeliver {Count} missed webhook deliveries: {Guids}")]
    private static partial void LogRedelivered(ILogger logger, int count, string guids);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check GitHub for missed webhook deliveries: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
