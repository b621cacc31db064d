using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mothership.Server.Hosting;

namespace Mothership.Server.Identity;

/// <summary>
/// The server's authentication: one policy scheme (<see cref="Default"/>) that forwards by the
/// bearer credential's shape — <c>mship_pat_…</c> to <see cref="ApiTokenScheme"/>, a JWT (when an
/// OIDC issuer is configured) to <see cref="OidcScheme"/>, anything else to
/// <see cref="BootstrapScheme"/>. Each yields a principal in the <see cref="MothershipClaims"/> contract.
/// </summary>
internal static class IdentitySchemes
{
    public const string Default = "mothership";
    public const string BootstrapScheme = "bootstrap";
    public const string ApiTokenScheme = "token";
    public const string OidcScheme = "oidc";

    /// <summary>Registers the schemes; the OIDC one only when <c>Mothership:Auth:Oidc:Issuer</c> is set (read off <paramref name="configuration"/>, validated on start).</summary>
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var oidc = !string.IsNullOrWhiteSpace(configuration[ServerOptions.Section + ":Auth:Oidc:Issuer"]);
        var builder = services.AddAuthentication(Default)
            .AddPolicyScheme(Default, null, o => o.ForwardDefaultSelector = context => BearerCredential.Of(context.Request) switch
            {
                { } token when ApiTokenText.LooksLike(token) => ApiTokenScheme,
                { } token when oidc && BearerCredential.LooksLikeJwt(token) => OidcScheme,
                _ => BootstrapScheme,
            })
            .AddScheme<AuthenticationSchemeOptions, BootstrapTokenHandler>(BootstrapScheme, null)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenScheme, null);
        if (!oidc)
        {
            return;
        }

        builder.AddJwtBearer(OidcScheme, _ => { });
        services.AddOptions<JwtBearerOptions>(OidcScheme).Configure<IOptions<ServerOptions>>((jwt, server) => OidcTokens.Configure(jwt, server.Value.Auth.Oidc));
    }
}
