using Microsoft.AspNetCore.Http;

namespace Mothership.Server.Identity;

/// <summary>The credential of an <c>Authorization: Bearer …</c> header.</summary>
internal static class BearerCredential
{
    /// <summary>The token of a <c>Bearer</c> credential; the scheme is case-insensitive and followed by one or more spaces (RFC 7235, RFC 6750).</summary>
    public static string? TokenOf(string authorization)
    {
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && authorization.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase)
            ? authorization[space..].Trim(' ')
            : null;
    }

    /// <summary>The bearer token of <paramref name="request"/>; null when it has none.</summary>
    public static string? Of(HttpRequest request) => TokenOf(request.Headers.Authorization.ToString()) is { Length: > 0 } token ? token : null;

    /// <summary>Whether <paramref name="token"/> has a JWT's compact shape: three base64url parts separated by dots.</summary>
    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2;
}
