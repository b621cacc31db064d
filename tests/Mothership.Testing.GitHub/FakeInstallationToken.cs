namespace Mothership.Testing.GitHub;

/// <summary>An installation access token the fake minted.</summary>
/// <param name="Token">The token (<c>ghs_…</c>).</param>
/// <param name="InstallationId">The installation it speaks for.</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record FakeInstallationToken(string Token, long InstallationId, DateTimeOffset ExpiresAt);
