namespace Mothership.Store;

/// <summary>
/// A personal API token as stored: who owns it and its lifetime, never the token itself — only
/// its SHA-256 <see cref="Hash"/> (lower-case hex), which cannot be turned back into the token.
/// </summary>
public sealed record ApiToken
{
    /// <summary>Its id (not secret): what lists show and revocation names.</summary>
    public required string Id { get; init; }

    /// <summary>The login the token authenticates as.</summary>
    public required string Owner { get; init; }

    /// <summary>What it is for, as its creator wrote it; may be empty.</summary>
    public string Description { get; init; } = "";

    /// <summary>SHA-256 of the token's text, lower-case hex (64 characters).</summary>
    public required string Hash { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it stops working (every token has an end).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When it was revoked; null while not.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When it last authenticated a request (recorded at most about once a minute); null when never.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }
}
