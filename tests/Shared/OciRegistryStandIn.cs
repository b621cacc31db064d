using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Mothership.Testing;

/// <summary>What <see cref="OciRegistryStandIn.Answer"/> gives back: a status, a body and its headers.</summary>
public sealed record OciAnswer(int Status, byte[] Body, string ContentType, IReadOnlyDictionary<string, string> Headers);

/// <summary>One object of a Tekton bundle: its layer annotations and the YAML the layer holds.</summary>
public sealed record BundleObject(string Kind, string Name, string Yaml, string ApiVersion = "v1");

/// <summary>
/// A stand-in OCI registry (the distribution API's GETs, as ghcr.io answers them): manifests by tag
/// or digest, blobs by digest, every <c>/v2</c> request without the token answered with a 401
/// bearer challenge, and <c>/token</c> handing out the token (anonymously, or only for
/// <see cref="RequiredLogin"/>'s basic auth, as a private repository's). Tekton bundles are built
/// by <see cref="PushBundle"/> as Tekton's own test helper builds them (<c>test/remote.go</c>
/// in tektoncd/pipeline: one gzip'd tar layer per object, the object's name as the file name,
/// Docker schema 2 media types as go-containerregistry's empty image has them, the
/// <c>dev.tekton.image.*</c> annotations). Served through <see cref="Handler"/> (an HttpClient) or
/// by a test's own HTTP server calling <see cref="Answer"/>.
/// </summary>
public sealed class OciRegistryStandIn
{
    public const string Token = "stand-in-pull-token";

    private readonly ConcurrentDictionary<string, (byte[] Bytes, string MediaType)> _content = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tags = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();

    /// <summary>When set, tokens are given only to this user name and password (basic auth on <c>/token</c>).</summary>
    public (string User, string Password)? RequiredLogin { get; set; }

    /// <summary>Every request's method and path, in order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Pushes a Tekton bundle of <paramref name="objects"/> as <paramref name="repository"/>:<paramref name="tag"/>; its manifest digest.</summary>
    public string PushBundle(string repository, string tag, params BundleObject[] objects)
    {
        var layers = new JsonArray();
        var diffIds = new JsonArray();
        foreach (var o in objects)
        {
            var tar = Tar(o.Name, Encoding.UTF8.GetBytes(o.Yaml));
            diffIds.Add(Digest(tar));
            var layer = Gzip(tar);
            layers.Add(new JsonObject
            {
                ["mediaType"] = "application/vnd.docker.image.rootfs.diff.tar.gzip",
                ["size"] = layer.Length,
                ["digest"] = Put(layer, "application/octet-stream"),
                ["annotations"] = new JsonObject
                {
                    ["dev.tekton.image.apiVersion"] = o.ApiVersion,
                    ["dev.tekton.image.kind"] = o.Kind,
                    ["dev.tekton.image.name"] = o.Name,
                },
            });
        }

        var config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "", ["os"] = "", ["config"] = new JsonObject(),
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = diffIds },
        }.ToJsonString());
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.docker.distribution.manifest.v2+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.docker.container.image.v1+json", ["size"] = config.Length, ["digest"] = Put(config, "application/octet-stream") },
            ["layers"] = layers,
        };
        return PushManifest(repository, tag, Encoding.UTF8.GetBytes(manifest.ToJsonString()), "application/vnd.docker.distribution.manifest.v2+json");
    }

    /// <summary>Pushes <paramref name="manifest"/> as it is (a malformed bundle, an index); its digest.</summary>
    public string PushManifest(string repository, string tag, byte[] manifest, string mediaType)
    {
        var digest = Put(manifest, mediaType);
        _tags[$"{repository}:{tag}"] = digest;
        return digest;
    }

    /// <summary>Stores <paramref name="bytes"/> as a blob; its digest.</summary>
    public string Put(byte[] bytes, string mediaType)
    {
        var digest = Digest(bytes);
        _content[digest] = (bytes, mediaType);
        return digest;
    }

    /// <summary>Replaces the blob <paramref name="digest"/>'s bytes (a registry serving corrupt content).</summary>
    public void Corrupt(string digest, byte[] bytes) => _content[digest] = (bytes, _content[digest].MediaType);

    public static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The answer to a GET of <paramref name="path"/> (no query) at a registry whose base URL is <paramref name="baseUrl"/>.</summary>
    public OciAnswer Answer(string path, string? authorization, string baseUrl)
    {
        _requests.Enqueue("GET " + path);
        if (path == "/token")
        {
            var wanted = RequiredLogin is { } login ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login.User}:{login.Password}")) : null;
            return wanted is not null && authorization != wanted
                ? Json(401, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = "UNAUTHORIZED", ["message"] = "authentication required" }) })
                : Json(200, new JsonObject { ["token"] = Token });
        }

        var segments = path.Trim('/').Split('/');
        if (segments.Length < 4 || segments[0] != "v2" || segments[^2] is not ("manifests" or "blobs"))
        {
            return Json(404, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = "NAME_UNKNOWN", ["message"] = path }) });
        }

        var repository = string.Join('/', segments[1..^2]);
        if (authorization != "Bearer " + Token)
        {
            return new OciAnswer(401, Encoding.UTF8.GetBytes("{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}"), "application/json", new Dictionary<string, string>
            {
                ["WWW-Authenticate"] = $"Bearer realm=\"{baseUrl}/token\",service=\"stand-in\",scope=\"repository:{repository}:pull\"",
            });
        }

        var reference = segments[^1];
        var digest = reference.StartsWith("sha256:", StringComparison.Ordinal) ? reference : _tags.GetValueOrDefault($"{repository}:{reference}");
        if (digest is null || !_content.TryGetValue(digest, out var found))
        {
            return Json(404, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = segments[^2] == "blobs" ? "BLOB_UNKNOWN" : "MANIFEST_UNKNOWN", ["message"] = reference }) });
        }

        return new OciAnswer(200, found.Bytes, found.MediaType, new Dictionary<string, string> { ["Docker-Content-Digest"] = digest });
    }

    /// <summary>A handler that answers every request of an HttpClient from this registry, as if it were at <paramref name="baseUrl"/>.</summary>
    public HttpMessageHandler Handler(string baseUrl) => new ToRegistry(this, baseUrl);

    private static OciAnswer Json(int status, JsonObject body) => new(status, Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json", new Dictionary<string, string>());

    private static byte[] Tar(string name, byte[] data)
    {
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true))
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
            {
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                DataStream = new MemoryStream(data),
            });
        }

        return output.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private sealed class ToRegistry(OciRegistryStandIn registry, string baseUrl) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            if (!uri.GetLeftPart(UriPartial.Authority).Equals(baseUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                throw new HttpRequestException($"the stand-in registry is at {baseUrl}, not {uri}");
            }

            var answer = registry.Answer(uri.AbsolutePath, request.Headers.Authorization?.ToString(), baseUrl.TrimEnd('/'));
            var response = new HttpResponseMessage((HttpStatusCode)answer.Status) { Content = new ByteArrayContent(answer.Body), RequestMessage = request };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue(answer.ContentType);
            foreach (var (key, value) in answer.Headers)
            {
                response.Headers.TryAddWithoutValidation(key, value);
            }

            return Task.FromResult(response);
        }
    }
}
