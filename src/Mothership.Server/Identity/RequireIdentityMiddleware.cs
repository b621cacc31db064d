using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Mothership.Server.Hosting;
using Mothership.Server.Security;

namespace Mothership.Server.Identity;

/// <summary>
/// When the server has any authentication configured (the bootstrap <see cref="ServerOptions.Token"/>
/// or an OIDC issuer), every mutating request (POST, PUT, PATCH, DELETE) needs an authenticated
/// caller: 401 otherwise, saying why a credential was refused (expired, revoked, unknown). Reads stay
/// open: run history is not secret, and secret values never appear in the API's output. With no
/// authentication configured the server stays open, as on a loopback address by default.
/// </summary>
internal sealed class RequireIdentityMiddleware(RequestDelegate next, IOptions<ServerOptions> options)
{
    private readonly bool _required = !string.IsNullOrEmpty(options.Value.Token) || options.Value.Auth.Oidc.Enabled;

    public async Task InvokeAsync(HttpContext context)
    {
        // The webhook authenticates by its signature (Ci.HookEndpoints): GitHub sends no bearer token.
        // The batch can-i only reads (the dashboard asks it before a token was given).
        if (_required && BrowserRequestRules.IsChange(context.Request.Method) && context.Request.Path != Ci.HookEndpoints.HookPath
            && context.Request.Path != Access.AccessEndpoints.CanIPath
            && context.User.Identity?.IsAuthenticated != true)
        {
            await (await CallerIdentity.UnauthorizedAsync(context,
                    "this server requires a bearer token for changes: pass --token or set MSHIP_TOKEN (the server's token, a personal token or an OIDC token)").ConfigureAwait(false))
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }
}
