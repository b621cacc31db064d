namespace Mothership.Ci.Forge;

/// <summary>One delivery of a webhook as the forge recorded it (GitHub keeps them for 3 days).</summary>
/// <param name="Id">The delivery's id, to redeliver it.</param>
/// <param name="Guid">The <c>X-GitHub-Delivery</c> header it was sent with (the same for its redeliveries).</param>
/// <param name="DeliveredAt">When it was sent.</param>
/// <param name="Redelivery">Whether it is a redelivery.</param>
/// <param name="StatusCode">The HTTP status the receiver answered (0 when it could not be reached).</param>
/// <param name="Status">The forge's text for the outcome (<c>OK</c>, <c>Invalid HTTP Response: 503</c>).</param>
/// <param name="Event">The <c>X-GitHub-Event</c> (<c>pull_request</c>).</param>
/// <param name="Action">The payload's action (<c>opened</c>), or null.</param>
public sealed record HookDelivery(
    long Id, string Guid, DateTimeOffset DeliveredAt, bool Redelivery, int StatusCode, string Status, string Event, string? Action);
