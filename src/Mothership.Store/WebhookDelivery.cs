namespace Mothership.Store;

/// <summary>
/// A forge's webhook delivery as received: stored before it is answered, handled afterwards by a
/// worker, at most once by id (GitHub's <c>X-GitHub-Delivery</c>).
/// </summary>
/// <param name="Id">The delivery's id, unique per forge (a GUID on GitHub).</param>
/// <param name="Event">The event type (<c>pull_request</c>, <c>push</c>…).</param>
/// <param name="Payload">The body as received (JSON).</param>
/// <param name="ReceivedAt">When it was stored.</param>
/// <param name="HookId">The hook that sent it (<c>X-GitHub-Hook-ID</c>), for asking the forge about missed deliveries; null when not sent.</param>
public sealed record WebhookDelivery(string Id, string Event, string Payload, DateTimeOffset ReceivedAt, string? HookId = null)
{
    /// <summary>How many times a worker took it up.</summary>
    public int Attempts { get; init; }

    /// <summary>When it was handled for good (done, or given up on); null while pending.</summary>
    public DateTimeOffset? HandledAt { get; init; }

    /// <summary>What handling it came to (<c>ok: …</c>, or the last error); null while pending.</summary>
    public string? Outcome { get; init; }
}
