using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mothership.Server.Dashboard;

/// <summary>
/// Serves the web dashboard: <c>/</c> and every <c>/ui/…</c> client route answer with
/// <c>index.html</c> (the app routes on the path), and <c>/assets/FILE</c> with one of the files
/// of <c>Dashboard/wwwroot</c>. The files are embedded in the server's assembly, so the binary
/// carries its UI: nothing to install, no CDN, no static folder to keep next to it.
/// </summary>
internal static class DashboardEndpoints
{
    private const string ResourcePrefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".json"] = "application/json",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>One embedded file, read once: its bytes, content type and a strong ETag (SHA-256 of the bytes).</summary>
    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(Load);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context) => Serve(context, "index.html"));
        app.MapGet("/ui/{**path}", (HttpContext context) => Serve(context, "index.html"));
        app.MapGet("/assets/{**file}", (string file, HttpContext context) => Serve(context, file));
    }

    private static IResult Serve(HttpContext context, string file)
    {
        if (!Assets.Value.TryGetValue(file, out var asset))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        // Names are not content-hashed (no build step), so browsers revalidate every time; the
        // ETag makes that a 304 without a body.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        if (file == "index.html")
        {
            // Everything the page loads comes from this server: scripts, styles, the API.
            headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";
        }

        if (context.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(tag => tag.Trim() == asset.ETag)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var file = name[ResourcePrefix.Length..].Replace('\\', '/');
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream");
            assets[file] = new Asset(bytes, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"");
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
