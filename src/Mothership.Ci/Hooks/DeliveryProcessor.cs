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
/// <see cref="MaxAttempts"/> attempts with its last error kept. Up to <see cref="Parallelism"/>
/// deliveries are handled at once, but those of one pull request (or issue), and those of one
/// pushed ref, one after the other in the order they came (<see cref="GitHubEvent.OrderKey"/>):
/// a push to a pull request is never handled before its opening, nor a comment before it.
/// </summary>
public sealed class DeliveryProcessor(IRunStore store, IDeliveryHandler handler, TimeProvider time, string owner)
{
    /// <summary>Attempts before a delivery that keeps failing is given up on.</summary>
    public const int MaxAttempts = 5;

    /// <summary>How long a server holds a delivery it took up; longer than any handling takes.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    /// <summary>Deliveries handled at once (of different pull requests or refs).</summary>
    public const int Parallelism = 4;

    /// <summary>Deliveries taken up at once.</summary>
    private const int Batch = 20;

    /// <summary>Handles what is pending now; how many deliveries it took up (0 when none waited).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var claimed = await store.ClaimDeliveriesAsync(owner, Batch, Lease, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);

        // The whole batch ends before the next is claimed, so a key's deliveries stay in order across batches too.
        using var slots = new SemaphoreSlim(Parallelism, Parallelism);
        await Task.WhenAll(claimed.GroupBy(OrderKey, StringComparer.OrdinalIgnoreCase).Select(async inOrder =>
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (var delivery in inOrder)
                {
                    await HandleAsync(delivery, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                slots.Release();
            }
        })).ConfigureAwait(false);
        return claimed.Count;
    }

    /// <summary>What orders <paramref name="delivery"/> among others; a payload that does not parse is ordered with nothing (its handling fails it).</summary>
    private static string OrderKey(WebhookDelivery delivery)
    {
        try
        {
            return GitHubEvent.Read(delivery).OrderKey ?? "delivery " + delivery.Id;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            return "delivery " + delivery.Id;
        }
    }

    private async Task HandleAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
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
}
