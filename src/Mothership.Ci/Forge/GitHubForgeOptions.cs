namespace Mothership.Ci.Forge;

/// <summary>How <see cref="GitHubForge"/> reaches GitHub and how it waits out rate limits.</summary>
public sealed class GitHubForgeOptions
{
    /// <summary>GitHub's public API.</summary>
    public static readonly Uri PublicApiUrl = new("https://api.github.com/");

    /// <summary>
    /// The API's base address. Default <see cref="PublicApiUrl"/>; for GitHub Enterprise (or a
    /// test fake) its host, to which Octokit adds <c>api/v3/</c>.
    /// </summary>
    public Uri ApiUrl { get; set; } = PublicApiUrl;

    /// <summary>The product name in the User-Agent GitHub requires. Default <c>Mothership</c>.</summary>
    public string UserAgent { get; set; } = "Mothership";

    /// <summary>
    /// How many times a call is tried in all when GitHub answers with a rate limit (403 or 429
    /// with Retry-After, or an exhausted quota). Default 4.
    /// </summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>
    /// The longest single wait for a rate limit; a longer Retry-After or quota reset fails the
    /// call instead, so a webhook handler is not held for an hour. Default 2 minutes.
    /// </summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The first wait for a secondary rate limit that names no Retry-After, doubled at each retry
    /// (GitHub asks for at least a minute). Default 60 seconds.
    /// </summary>
    public TimeSpan SecondaryLimitWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Answers kept for conditional requests (<c>If-None-Match</c>: GitHub's 304 costs no quota),
    /// least recently used dropped first; 0 turns them off. Default 2,000.
    /// </summary>
    public int ResponseCacheEntries { get; set; } = 2000;

    /// <summary>Items asked for per page when listing. Default 100, GitHub's maximum.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(ApiUrl);
        ArgumentException.ThrowIfNullOrWhiteSpace(UserAgent);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxAttempts);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxWait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(SecondaryLimitWait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(ResponseCacheEntries);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PageSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(PageSize, 100);
    }
}
