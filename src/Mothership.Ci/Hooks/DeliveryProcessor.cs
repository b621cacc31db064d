using Mothership.Store;

namespace Mothership.Ci.Hooks;

/// <summary>Acts on one stored delivery; returns what it did, in a line (<c>ok: …</c>), or throws to have it retried.</summary>
public interface IDeliveryHandler
{
    /// <summary>Handles <paramref name="delivery"/>; the returned line is stored as its outcome.</summary>
    Task<string> HandleAsync(WebhookDelivery delivery, CancellationToken cancellationToken);
}

/// <summary>
/// Takes stored deliveries up under a lease and hands them to the handler: oldest first, each by
/// one server at a time (a server that dies leaves its lease to run out, and another takes the
/// delivery up), a failed one retried with growing pauses and given up on after
/// <see cref="MaxAttempts"/> attempts with its last error kept.
/// </summary>
public sealed class DeliveryProcessor(IRunStore store, IDeliveryHandler handler, TimeProvider time, string owner)
{
    /// <summary>Attempts before a delivery that keeps failing is given up on.</summary>
    public const int MaxAttempts = 5;

    /// <summary>How long a server holds a delivery it took up; longer than any handling takes.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    /// <summary>Deliveries taken up at once.</summary>
    private const int Batch = 20;

    /// <summary>Handles what is pending now; how many deliveries it took up (0 when none waited).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var claimed = await store.ClaimDeliveriesAsync(owner, Batch, Lease, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        foreach (var delivery in claimed)
        {
            string outcome;
            DateTimeOffset? retryAt = null;
            try
            {
                outcome = await handler.HandleAsync(delivery, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                outcome = $"attempt {delivery.Attempts} failed: {e.Message}";
                if (delivery.Attempts < MaxAttempts)
                {
                    // 10 s, 40 s, 90 s, 160 s: a forge that is down for minutes is waited out.
                    retryAt = time.GetUtcNow() + TimeSpan.FromSeconds(10 * delivery.Attempts * delivery.Attempts);
                }
                else
                {
                    outcome = $"given up after {MaxAttempts} attempts: {e.Message}";
                }
            }

            await store.FinishDeliveryAsync(delivery.Id, owner, outcome, retryAt, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }

        return claimed.Count;
    }
}
