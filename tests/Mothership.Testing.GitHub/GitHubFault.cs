namespace Mothership.Testing.GitHub;

/// <summary>How an injected failure answers, each as GitHub answers it.</summary>
public enum GitHubFault
{
    /// <summary>403 "You have exceeded a secondary rate limit" with <c>Retry-After</c>.</summary>
    SecondaryRateLimit,

    /// <summary>429 with <c>Retry-After</c> and the secondary-limit message.</summary>
    TooManyRequests,

    /// <summary>403 "API rate limit exceeded" with <c>X-RateLimit-Remaining: 0</c> and the reset after the given wait; no Retry-After.</summary>
    PrimaryRateLimit,

    /// <summary>403 "Resource not accessible by integration": a permission refused, not a rate limit (no Retry-After, quota left).</summary>
    Forbidden,

    /// <summary>502 Server Error.</summary>
    ServerError,
}
