using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Server.Hosting;

namespace Mothership.Server.Identity;

/// <summary>
/// The shared bootstrap token (<see cref="ServerOptions.Token"/>), compared in constant time: the
/// admin principal (<see cref="MothershipClaims.BootstrapName"/>, role <see cref="MothershipClaims.AdminRole"/>).
/// No result without a bearer token or when none is configured; a failure for any other token.
/// </summary>
internal sealed class BootstrapTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptions<ServerOptions> server)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private readonly byte[]? _token = server.Value.Token is { Length: > 0 } t ? Encoding.UTF8.GetBytes(t) : null;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerCredential.Of(Request) is not { } given)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (_token is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _token))
        {
            return Task.FromResult(AuthenticateResult.Fail(new IdentityRefusal("the bearer token is not this server's token, a personal token (mship_pat_…) nor an OIDC token")));
        }

        var principal = MothershipClaims.Create(MothershipClaims.BootstrapName, [], MothershipClaims.SourceBootstrap, admin: true, Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }
}
