using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Mothership.Server.Identity;

/// <summary>
/// OIDC bearer tokens through <see cref="JwtBearerHandler"/>: the issuer's discovery document and
/// keys, the audience, the lifetime; then the token's claims narrowed to the
/// <see cref="MothershipClaims"/> contract (name claim, else <c>sub</c>; the groups claim).
/// </summary>
internal static class OidcTokens
{
    public static void Configure(JwtBearerOptions jwt, Hosting.OidcOptions oidc)
    {
        var issuer = oidc.Issuer!.Trim();
        jwt.Authority = issuer;
        jwt.Audience = oidc.Audience;
        // Plain http only for an issuer on this machine (a test issuer); the validator refuses others.
        jwt.RequireHttpsMetadata = !Hosting.OidcOptions.IsLoopbackHttp(new Uri(issuer));
        // The claims as the issuer wrote them (no renaming to Microsoft's URIs): the names are configured as the issuer spells them.
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudience = oidc.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = TimeSpan.FromMinutes(1),
        };
        jwt.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                var claims = context.Principal!;
                var name = claims.FindFirst(oidc.NameClaim)?.Value is { Length: > 0 } n ? n : claims.FindFirst("sub")?.Value;
                if (string.IsNullOrEmpty(name))
                {
                    context.Fail(new IdentityRefusal($"the OIDC token names nobody: it has neither a '{oidc.NameClaim}' nor a 'sub' claim"));
                    return Task.CompletedTask;
                }

                if (name.StartsWith(Access.ServerDeployPermissions.SubjectPrefix, StringComparison.OrdinalIgnoreCase))
                {
                    // The policy names GitHub users github:LOGIN: an issuer must not be able to speak for one.
                    context.Fail(new IdentityRefusal($"the OIDC token's name '{name}' starts with '{Access.ServerDeployPermissions.SubjectPrefix}', which names GitHub users in the access policy"));
                    return Task.CompletedTask;
                }

                var groups = claims.FindAll(oidc.GroupsClaim).SelectMany(c => GroupsOf(c.Value));
                context.Principal = MothershipClaims.Create(name, groups, MothershipClaims.SourceOidc, admin: false, IdentitySchemes.OidcScheme);
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>One claim's groups: its value, or each element when the handler kept a JSON array as one value.</summary>
    private static IEnumerable<string> GroupsOf(string value)
    {
        if (value.StartsWith('['))
        {
            try
            {
                return JsonSerializer.Deserialize<string[]>(value) ?? [];
            }
            catch (JsonException)
            {
                return [value];
            }
        }

        return value.Length > 0 ? [value] : [];
    }

    /// <summary>Why a token was refused, in words for the caller (never the token).</summary>
    public static string Describe(Exception failure) => failure switch
    {
        IdentityRefusal refusal => refusal.Message,
        SecurityTokenExpiredException => "the OIDC token has expired: get a new one from the issuer",
        SecurityTokenNotYetValidException => "the OIDC token is not valid yet",
        SecurityTokenInvalidAudienceException => "the OIDC token is not for this server: its audience (aud) is not Mothership__Auth__Oidc__Audience",
        SecurityTokenInvalidIssuerException => "the OIDC token comes from another issuer than Mothership__Auth__Oidc__Issuer",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the OIDC token's signature does not verify with the issuer's keys",
        SecurityTokenNoExpirationException => "the OIDC token has no expiry (exp)",
        SecurityTokenException => "the OIDC token was refused (malformed or invalid)",
        InvalidOperationException => "the OIDC issuer's discovery document or keys could not be read; see the server's log",
        _ => "the bearer token was refused",
    };
}
