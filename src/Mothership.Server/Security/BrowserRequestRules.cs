using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Mothership.Server.Security;

/// <summary>
/// What a request that changes something must show so that no web page can make a browser send
/// it (CSRF, DNS rebinding): its own origin, and a body type a cross-site form or a CORS
/// "simple" request cannot have. Pure decisions over header values; <see cref="BrowserSafetyMiddleware"/> applies them.
/// </summary>
public static class BrowserRequestRules
{
    /// <summary>Media types a change may carry: JSON (with <c>+json</c> suffixes) and YAML, which a page can send only after a CORS preflight this server never approves.</summary>
    public static readonly IReadOnlyList<string> AcceptedMediaTypes =
        ["application/json", "application/*+json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/*+yaml"];

    /// <summary>Everything but GET, HEAD, OPTIONS and TRACE.</summary>
    public static bool IsChange(string method) =>
        !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method) && !HttpMethods.IsTrace(method);

    /// <summary>Whether a change needs a JSON or YAML <c>Content-Type</c>: methods with a body always, DELETE only when it has one.</summary>
    public static bool NeedsContentType(string method, long? contentLength, bool chunked) =>
        !HttpMethods.IsDelete(method) || contentLength is > 0 || chunked;

    /// <summary>Whether <paramref name="contentType"/> is JSON or YAML (any parameters, such as a charset).</summary>
    public static bool IsAcceptedContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return false;
        }

        var mediaType = parsed.MediaType.Value ?? "";
        foreach (var accepted in AcceptedMediaTypes)
        {
            if (accepted.Contains('*', StringComparison.Ordinal)
                ? mediaType.StartsWith(accepted[..accepted.IndexOf('*', StringComparison.Ordinal)], StringComparison.OrdinalIgnoreCase)
                    && mediaType.EndsWith(accepted[(accepted.IndexOf('*', StringComparison.Ordinal) + 1)..], StringComparison.OrdinalIgnoreCase)
                : mediaType.Equals(accepted, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a change with this <c>Origin</c> (and <c>Sec-Fetch-Site</c>) comes from the server's
    /// own pages: no Origin (not a browser, or a browser that would also send Sec-Fetch-Site), or
    /// an Origin naming the same host and port as the <c>Host</c> header. The scheme is not
    /// compared: behind a TLS proxy the page is https while the request arrives as http. When the
    /// Host header has no port, the Origin must not name one either.
    /// </summary>
    public static bool IsSameOrigin(string? origin, string? secFetchSite, string? hostHeader)
    {
        if (secFetchSite is { Length: > 0 } site && site is not ("same-origin" or "none"))
        {
            return false;
        }

        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }

        if (string.IsNullOrEmpty(hostHeader) || !Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.AbsolutePath is not ("/" or "") || !HostAllowList.TrySplit(hostHeader, out var host, out var port)
            || !HostAllowList.TrySplit(uri.Authority, out var originHost, out var originPort))
        {
            return false;
        }

        return originHost == host && originPort == port;
    }
}
