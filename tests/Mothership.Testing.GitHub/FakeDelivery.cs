namespace Mothership.Testing.GitHub;

/// <summary>A webhook delivery as the fake stores it.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Guid">Its X-GitHub-Delivery (kept by redeliveries).</param>
/// <param name="Event">Its X-GitHub-Event.</param>
/// <param name="Action">The payload's action, or null.</param>
/// <param name="StatusCode">What the receiver answered (0: unreachable).</param>
/// <param name="DeliveredAt">When it was sent.</param>
/// <param name="Redelivery">Whether it is a redelivery (made by POST …/attempts).</param>
public sealed record FakeDelivery(long Id, string Guid, string Event, string? Action, int StatusCode, DateTimeOffset DeliveredAt, bool Redelivery);
