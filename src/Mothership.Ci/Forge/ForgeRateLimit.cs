namespace Mothership.Ci.Forge;

/// <summary>The API quota as the forge's last answer reported it (<c>X-RateLimit-*</c>).</summary>
/// <param name="Limit">Requests allowed in the window.</param>
/// <param name="Remaining">Requests left in the window.</param>
/// <param name="Reset">When the window starts again.</param>
public sealed record ForgeRateLimit(int Limit, int Remaining, DateTimeOffset Reset);
