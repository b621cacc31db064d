using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Mothership.Server.Api;

namespace Mothership.Server.Identity;

/// <summary>What the endpoints and the middleware ask of the request's caller.</summary>
internal static class CallerIdentity
{
    /// <summary>Why the request's credential was refused; null when it had none or it was accepted.</summary>
    public static string? Refusal(HttpContext context) =>
        context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Failure is { } failure ? OidcTokens.Describe(failure) : null;

    /// <summary>The 401 for a request without an accepted credential: the refusal's reason, else <paramref name="need"/>.</summary>
    public static IResult Unauthorized(HttpContext context, string need)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Of(StatusCodes.Status401Unauthorized, "Unauthorized", Refusal(context) ?? need);
    }
}
