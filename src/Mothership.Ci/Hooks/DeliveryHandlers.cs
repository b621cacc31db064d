using Mothership.Store;

namespace Mothership.Ci.Hooks;

/// <summary>
/// Several handlers on each delivery, in order (the trigger, then the review plugins); the
/// outcome is theirs joined. The first that throws fails the delivery and it is retried whole,
/// which is why every handler must be idempotent. A handler with nothing to say (an empty
/// outcome, such as the pull request recorder's) is left out of the joined outcome.
/// </summary>
public sealed class DeliveryHandlers(IReadOnlyList<IDeliveryHandler> handlers) : IDeliveryHandler
{
    /// <inheritdoc />
    public async Task<string> HandleAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var outcomes = new List<string>(handlers.Count);
        foreach (var handler in handlers)
        {
            outcomes.Add(await handler.HandleAsync(delivery, cancellationToken).ConfigureAwait(false));
        }

        return string.Join(" | ", outcomes.Where(o => o.Length > 0));
    }
}
