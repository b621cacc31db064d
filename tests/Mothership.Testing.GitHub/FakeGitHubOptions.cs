namespace Mothership.Testing.GitHub;

/// <summary>How a <see cref="FakeGitHub"/> behaves.</summary>
public sealed class FakeGitHubOptions
{
    /// <summary>
    /// The token requests must carry (<c>Authorization: token T</c> or <c>Bearer T</c>); any other
    /// is answered 401 Bad credentials. Default null: every request is accepted.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>
    /// The GitHub App whose JWTs and installation tokens authenticate requests (see
    /// <see cref="FakeGitHubApp"/>); replaces <see cref="Token"/>. Default null: no app.
    /// </summary>
    public FakeGitHubApp? App { get; set; }

    /// <summary>The login the token belongs to: the creator of statuses and the author of comments. Default <c>mothership-bot</c>.</summary>
    public string Login { get; set; } = "mothership-bot";

    /// <summary>Requests allowed per hour (<c>X-RateLimit-Limit</c>). Default 5000, GitHub's for a token.</summary>
    public int RateLimit { get; set; } = 5000;

    /// <summary>The clock for timestamps, rate-limit windows and recorded requests. Default the system's.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;
}
