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
        if (_token is not null && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
            && !HttpMethods.IsOptions(context.Request.Method))
        {
            var header = context.Request.Headers.Authorization.ToString();
            var given = header.StartsWith("Bearer ", StringComparison.Ordinal) ? Encoding.UTF8.GetBytes(header[7..].Trim()) : [];
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
}
