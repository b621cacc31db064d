using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Store;

namespace Mothership.Server.Identity;

/// <summary>
/// Personal API tokens (<see cref="ApiTokenText"/>): the token's SHA-256 looked up in the store,
/// then compared again in constant time; revoked or expired tokens fail with a detail saying so.
/// A success authenticates as the token's owner (<see cref="MothershipClaims.SourceToken"/>, no
/// groups, no role) and records the use at most once a minute.
/// </summary>
internal sealed class ApiTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IRunStore store, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>How often a token's last use is written at most.</summary>
    public static readonly TimeSpan UseInterval = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerCredential.Of(Request) is not { } given)
        {
            return AuthenticateResult.NoResult();
        }

        var hash = ApiTokenText.Hash(given);
        var token = await store.FindApiTokenAsync(hash, Context.RequestAborted).ConfigureAwait(false);
        // The lookup is by an index on the hash, whose timing tells nothing of the token (the caller
        // does not control the hash); the comparison of what was found is in constant time all the same.
        if (token is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token.Hash), Encoding.ASCII.GetBytes(hash)))
        {
            return AuthenticateResult.Fail(new IdentityRefusal("unknown personal token: it was never issued by this server, or its text is cut short"));
        }

        var now = time.GetUtcNow();
        if (token.RevokedAt is { } revoked)
        {
            return AuthenticateResult.Fail(new IdentityRefusal($"personal token {token.Id} was revoked at {Shown(revoked)}: create a new one (mship auth token create)"));
        }

        if (token.ExpiresAt <= now)
        {
            return AuthenticateResult.Fail(new IdentityRefusal($"personal token {token.Id} expired at {Shown(token.ExpiresAt)}: create a new one (mship auth token create)"));
        }

        if (token.LastUsedAt is not { } used || now - used >= UseInterval)
        {
            await store.TouchApiTokenAsync(token.Id, now, UseInterval, Context.RequestAborted).ConfigureAwait(false);
        }

        var principal = MothershipClaims.Create(token.Owner, [], MothershipClaims.SourceToken, admin: false, Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    private static string Shown(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
