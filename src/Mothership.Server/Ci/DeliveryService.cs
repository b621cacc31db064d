using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mothership.Ci.Hooks;
using Mothership.Store;

namespace Mothership.Server.Ci;

/// <summary>
/// Runs the <see cref="DeliveryProcessor"/>: at once when the hook stored a delivery, and every
/// few seconds for what is left (deliveries stored before a restart, retries coming due, leases of
/// a server that died).
/// </summary>
internal sealed partial class DeliveryService(DeliveryProcessor processor, ILogger<DeliveryService> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Asks for a pass now (a delivery was just stored).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Woken by another request at the same moment: one pass serves both.
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Passes until nothing is left, so a burst larger than a batch is not left to the poll.
                while (await processor.RunOnceAsync(stoppingToken).ConfigureAwait(false) > 0)
                {
                }
            }
            catch (StoreUnavailableException e)
            {
                LogStoreDown(logger, e.Message);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await _wake.WaitAsync(Poll, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook deliveries wait: {Reason}")]
    private static partial void LogStoreDown(ILogger logger, string reason);
}
