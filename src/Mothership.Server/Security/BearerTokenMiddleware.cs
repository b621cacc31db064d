using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Mothership.Server.Hosting;

namespace Mothership.Server.Security;

/// <summary>
/// Requires <c>Authorization: Bearer TOKEN</c> on every mutating request (POST, PUT, PATCH,
/// DELETE) when a token is configured. Reads stay open: run history is not secret, and secret
/// values never appear in the API's output (the executor masks them in logs; manifests, which
/// may hold Secrets, are never served).
/// </summary>
internal sealed class BearerTokenMiddleware(RequestDelegate next, IOptions<ServerOptions> options)
{
    private readonly byte[]? _token = options.Value.Token is { Length: > 0 } t ? Encoding.UTF8.GetBytes(t) : null;

    public async Task InvokeAsync(HttpContext context)
    {
        // The webhook authenticates by its signature (Ci.HookEndpoints): GitHub sends no bearer token.
        if (_token is not null && context.Request.Path != Ci.HookEndpoints.HookPath && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
            && !HttpMethods.IsOptions(context.Request.Method))
        {
            var given = Encoding.UTF8.GetBytes(TokenOf(context.Request.Headers.Authorization.ToString()) ?? "");
            if (!CryptographicOperations.FixedTimeEquals(given, _token))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                context.Response.ContentType = "application/problem+json";
                await context.Response.WriteAsync(
                    """{"type":"about:blank","title":"Unauthorized","status":401,"detail":"this server requires a bearer token for changes: pass --token or set MSHIP_TOKEN"}""")
                    .ConfigureAwait(false);
                return;
            }
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>The token of a <c>Bearer</c> credential; the scheme is case-insensitive and followed by one or more spaces (RFC 7235, RFC 6750).</summary>
    internal static string? TokenOf(string authorization)
    {
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && authorization.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase)
            ? authorization[space..].Trim(' ')
            : null;
    }
}
