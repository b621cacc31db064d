using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mothership.Server.Api;

namespace Mothership.Server.Security;

/// <summary>
/// Keeps web pages from using a browser as their client, with or without a token (CSRF and DNS
/// rebinding; a token, when set, is a second lock): every request needs a known <c>Host</c>
/// (<see cref="HostAllowList"/>, else 400), and every change needs its own origin (else 403)
/// and a JSON or YAML body type (else 415), which a cross-site form or a CORS "simple" request
/// cannot have (<see cref="BrowserRequestRules"/>). Refusals are problem documents and are logged.
/// </summary>
internal sealed partial class BrowserSafetyMiddleware(RequestDelegate next, HostAllowList hosts, ILogger<BrowserSafetyMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var host = request.Headers.Host.ToString();
        if (!hosts.Accepts(host))
        {
            LogRefused(logger, "host", Shown(host), request.Method, Shown(request.Path.Value ?? ""));
            await Problems.Of(StatusCodes.Status400BadRequest, "Unknown host",
                    $"this server does not answer to the host {Shown(host)}: list it in the server's AllowedHosts setting (Mothership__AllowedHosts)")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (BrowserRequestRules.IsChange(request.Method))
        {
            var origin = request.Headers.Origin.ToString();
            if (!BrowserRequestRules.IsSameOrigin(origin, request.Headers["Sec-Fetch-Site"].ToString(), host))
            {
                LogRefused(logger, "origin", Shown(origin), request.Method, Shown(request.Path.Value ?? ""));
                await Problems.Of(StatusCodes.Status403Forbidden, "Cross-origin request refused",
                        $"changes are accepted only from this server's own pages, not from {Shown(origin.Length > 0 ? origin : "another site")}")
                    .ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            var chunked = request.Headers.TransferEncoding.ToString().Contains("chunked", StringComparison.OrdinalIgnoreCase);
            if (BrowserRequestRules.NeedsContentType(request.Method, request.ContentLength, chunked)
                && !BrowserRequestRules.IsAcceptedContentType(request.ContentType))
            {
                LogRefused(logger, "content type", Shown(request.ContentType ?? ""), request.Method, Shown(request.Path.Value ?? ""));
                await Problems.Of(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                        $"send changes with Content-Type: application/json or application/yaml (got {Shown(request.ContentType ?? "none")}), even when the body is empty")
                    .ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>A header value for a message: quoted, control characters escaped, shortened.</summary>
    private static string Shown(string value) => Model.Validation.KubernetesNames.Quote(value);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request for its {Check} {Value}: {Method} {Path}")]
    private static partial void LogRefused(ILogger logger, string check, string value, string method, string path);
}
