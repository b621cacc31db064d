using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Mothership.Server.Api;

namespace Mothership.Server.Identity;

/// <summary>What the endpoints and the middleware ask of the request's caller.</summary>
internal static class CallerIdentity
{
    /// <summary>
    /// Why the request's credential was refused; null when it had none or it was accepted. Asks the
    /// default scheme again, since the authentication middleware keeps only successes: each handler
    /// remembers its result for the request, so nothing is looked up twice.
    /// </summary>
    public static async Task<string?> RefusalAsync(HttpContext context) =>
        (await context.AuthenticateAsync().ConfigureAwait(false)).Failure is { } failure ? OidcTokens.Describe(failure) : null;

    /// <summary>The 401 for a request without an accepted credential: the refusal's reason, else <paramref name="need"/>.</summary>
    public static async Task<IResult> UnauthorizedAsync(HttpContext context, string need)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Of(StatusCodes.Status401Unauthorized, "Unauthorized", await RefusalAsync(context).ConfigureAwait(false) ?? need);
    }
}
