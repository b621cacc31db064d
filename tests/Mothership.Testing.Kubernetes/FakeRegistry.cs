using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Mothership.Testing.Kubernetes.Kubelet;

namespace Mothership.Testing.Kubernetes;

/// <summary>
/// The OCI distribution API for the images the fake kubelet knows (<see cref="ImageConfigs"/>), on
/// the fake API server's port: <c>GET /v2/REPO/manifests/REF</c> answers an image index (linux/amd64
/// and linux/arm64) or, by digest, a manifest; <c>GET /v2/REPO/blobs/DIGEST</c> the config; every
/// <c>/v2</c> request without a token gets Docker Hub's 401 bearer challenge, and <c>/token</c>
/// hands out anonymous pull tokens. Any tag or digest of a known repository names the same image.
/// </summary>
internal sealed class FakeRegistry
{
    private const string Token = "anonymous-pull-token";

    public static bool Handles(PathString path) => path.StartsWithSegments("/v2") || path == "/token";

    /// <summary>How many times a config blob was served, by repository (a resolver caches).</summary>
    public int ConfigsServed;

    public async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        if (path == "/token")
        {
            await Json(ctx, new JsonObject { ["token"] = Token });
            return;
        }

        var base_ = $"{ctx.Request.Scheme}://{ctx.Request.Host}";
        var segments = path.Trim('/').Split('/');
        var kind = segments.Length >= 4 ? segments[^2] : "";
        var repository = string.Join('/', segments[1..^2]);
        if (ctx.Request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
            ctx.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{base_}/token\",service=\"fake-registry\",scope=\"repository:{repository}:pull\"";
            return;
        }

        if (kind is not ("manifests" or "blobs") || ImageConfigs.Find(repository) is not { } image)
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            await Json(ctx, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = "NAME_UNKNOWN", ["message"] = $"repository {repository} not found" }) });
            return;
        }

        var config = new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["Entrypoint"] = image.Entrypoint.Count == 0 ? null : new JsonArray([.. image.Entrypoint.Select(e => (JsonNode)e)]),
                ["Cmd"] = image.Cmd.Count == 0 ? null : new JsonArray([.. image.Cmd.Select(c => (JsonNode)c)]),
            },
        }.ToJsonString();
        var configDigest = Digest(config);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = config.Length },
            ["layers"] = new JsonArray(),
        }.ToJsonString();
        var manifestDigest = Digest(manifest);
        if (kind == "blobs")
        {
            Interlocked.Increment(ref ConfigsServed);
            ctx.Response.ContentType = "application/vnd.oci.image.config.v1+json";
            await ctx.Response.WriteAsync(config);
            return;
        }

        var reference = segments[^1];
        if (reference == manifestDigest)
        {
            ctx.Response.ContentType = "application/vnd.oci.image.manifest.v1+json";
            await ctx.Response.WriteAsync(manifest);
            return;
        }

        JsonNode Platform(string architecture, string digest) => new JsonObject
        {
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["digest"] = digest,
            ["size"] = manifest.Length,
            ["platform"] = new JsonObject { ["architecture"] = architecture, ["os"] = "linux" },
        };
        ctx.Response.ContentType = "application/vnd.oci.image.index.v1+json";
        await ctx.Response.WriteAsync(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(Platform("arm64", "sha256:" + new string('0', 64)), Platform("amd64", manifestDigest)),
        }.ToJsonString());
    }

    private static string Digest(string text) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static async Task Json(HttpContext ctx, JsonObject body)
    {
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString());
    }
}
