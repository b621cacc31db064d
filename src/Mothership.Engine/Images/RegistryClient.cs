using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mothership.Engine.IO;

namespace Mothership.Engine.Images;

/// <summary>Why a registry could not give what was asked (unknown image, refused credentials, a digest that does not match): the message says which.</summary>
public sealed class RegistryException(string message) : Exception(message);

/// <summary>A user name and password for a registry (from a docker config's <c>auths</c>).</summary>
public sealed record RegistryCredentials(string Username, string Password);

/// <summary>
/// A client of the OCI distribution API (manifests and blobs by GET), with the registries' bearer
/// challenge (anonymous, or with <see cref="RegistryCredentials"/>) and basic auth. Used by the
/// Kubernetes executor to read an image's config and by the bundles resolver to read a Tekton
/// bundle's layers. Hand-written rather than a registry library: no .NET OCI client is in the
/// package list, and this is GETs, a token and a digest check.
/// </summary>
public sealed class RegistryClient(HttpClient http, Func<string, Uri> baseOf)
{
    /// <summary>The manifest types asked for: OCI and Docker, single-platform and lists.</summary>
    public const string ManifestTypes =
        "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, " +
        "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>Largest manifest read (a manifest is a few KiB; the distribution spec suggests 4 MiB as a limit).</summary>
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>Where <paramref name="registry"/> answers by default: Docker Hub's API host for <c>docker.io</c>, else https.</summary>
    public static Uri DefaultBase(string registry) =>
        registry == ImageReference.DockerHub ? new Uri("https://registry-1.docker.io") : new Uri($"https://{registry}");

    /// <summary>Where <paramref name="registry"/> answers for this client.</summary>
    public Uri BaseOf(string registry) => baseOf(registry);

    /// <summary>A session on <paramref name="image"/>'s repository, remembering the token it gets.</summary>
    public RegistryRepository Open(ImageReference image, RegistryCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new RegistryRepository(http, baseOf(image.Registry).ToString().TrimEnd('/'), image, credentials);
    }
}

/// <summary>A manifest as the registry served it (<paramref name="Bytes"/>, read as <paramref name="Json"/>), with the digest of its bytes.</summary>
public sealed record RegistryManifest(JsonNode Json, string Digest, byte[] Bytes);

/// <summary>One repository of a registry, as <see cref="RegistryClient.Open"/> gives it.</summary>
public sealed partial class RegistryRepository
{
    private readonly HttpClient _http;
    private readonly ImageReference _image;
    private readonly RegistryCredentials? _credentials;
    private AuthenticationHeaderValue? _authorization;

    internal RegistryRepository(HttpClient http, string root, ImageReference image, RegistryCredentials? credentials)
    {
        _http = http;
        Root = root;
        _image = image;
        _credentials = credentials;
    }

    /// <summary>The registry's base URL, for messages.</summary>
    public string Root { get; }

    /// <summary>
    /// The manifest <paramref name="reference"/> (a tag or a digest) names; by digest, the bytes
    /// must hash to it unless <paramref name="verifyReference"/> is false. An image index is
    /// followed to its <c>linux/</c><paramref name="architecture"/> manifest (always checked
    /// against the index's digest for it); an index without one is an error naming the platform.
    /// </summary>
    public async Task<RegistryManifest> PlatformManifestAsync(string reference, string architecture, CancellationToken cancellationToken, bool verifyReference = true)
    {
        var manifest = await ManifestAsync(reference, cancellationToken, verifyReference).ConfigureAwait(false);
        if (manifest.Json["manifests"] is not JsonArray list)
        {
            return manifest;
        }

        var chosen = list.FirstOrDefault(m => (string?)m?["platform"]?["os"] == "linux" && (string?)m?["platform"]?["architecture"] == architecture)
            ?? throw new RegistryException($"image \"{_image}\" has no linux/{architecture} variant");
        return await ManifestAsync((string?)chosen["digest"] ?? "", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The manifest or index <paramref name="reference"/> names, checked against it when it is a digest (unless <paramref name="verify"/> is false).</summary>
    public async Task<RegistryManifest> ManifestAsync(string reference, CancellationToken cancellationToken, bool verify = true)
    {
        var bytes = await GetAsync($"manifests/{reference}", RegistryClient.ManifestTypes, RegistryClient.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
        var digest = Sha256(bytes);
        if (verify && reference.Contains(':', StringComparison.Ordinal) && reference != digest)
        {
            throw new RegistryException($"image \"{_image}\": the registry served a manifest of digest {digest} for {reference}");
        }

        try
        {
            return new RegistryManifest(JsonNode.Parse(bytes) ?? throw new RegistryException($"image \"{_image}\": the manifest {reference} is empty"), digest, bytes);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RegistryException($"image \"{_image}\": the manifest {reference} is not JSON: {e.Message}");
        }
    }

    /// <summary>The blob <paramref name="digest"/>, at most <paramref name="maxBytes"/>, checked against its digest.</summary>
    public async Task<byte[]> BlobAsync(string digest, long maxBytes, CancellationToken cancellationToken)
    {
        var bytes = await GetAsync($"blobs/{digest}", "*/*", maxBytes, cancellationToken).ConfigureAwait(false);
        if (digest.StartsWith("sha256:", StringComparison.Ordinal) && Sha256(bytes) != digest)
        {
            throw new RegistryException($"image \"{_image}\": the blob served for {digest} has digest {Sha256(bytes)}");
        }

        return bytes;
    }

    /// <summary>Whether <paramref name="digest"/> is a sha256 digest as OCI writes it (what may go into a URL or a file name).</summary>
    public static bool IsSha256(string digest) => digest.Length == 71 && digest.StartsWith("sha256:", StringComparison.Ordinal) && digest[7..].All(char.IsAsciiHexDigitLower);

    /// <summary>A digest as OCI writes it (<c>sha256:HEX</c>).</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A GET under the repository, answering one challenge (bearer or basic), at most <paramref name="maxBytes"/>.</summary>
    private async Task<byte[]> GetAsync(string path, string accept, long maxBytes, CancellationToken cancellationToken)
    {
        var url = $"{Root}/v2/{_image.Repository}/{path}";
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Accept", accept);
            request.Headers.Authorization = _authorization;
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && response.Headers.WwwAuthenticate.FirstOrDefault() is { } challenge)
            {
                _authorization = await AnswerAsync(challenge, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                var hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden && _credentials is null ? " (no credentials were given)" : "";
                throw new RegistryException($"image \"{_image}\": {url} answered {(int)response.StatusCode} {response.ReasonPhrase}{hint}");
            }

            if (response.Content.Headers.ContentLength > maxBytes)
            {
                throw new RegistryException($"image \"{_image}\": {url} is {response.Content.Headers.ContentLength} bytes, more than {maxBytes}");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return await BoundedRead.ReadAsync(stream, maxBytes, () => new RegistryException($"image \"{_image}\": {url} is more than {maxBytes} bytes"), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What a challenge asks for: basic auth with the credentials, or a token from the bearer realm (with them, if any).</summary>
    private async Task<AuthenticationHeaderValue> AnswerAsync(AuthenticationHeaderValue challenge, CancellationToken cancellationToken)
    {
        var basic = _credentials is null ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_credentials.Username}:{_credentials.Password}")));
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return basic ?? throw new RegistryException($"image \"{_image}\": {Root} asks for a user name and password, and none were given");
        }

        var fields = ChallengeField().Matches(challenge.Parameter ?? "").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.OrdinalIgnoreCase);
        if (!fields.TryGetValue("realm", out var realm))
        {
            throw new RegistryException($"image \"{_image}\": the registry's challenge names no token realm: {challenge}");
        }

        var query = string.Join("&", fields.Where(f => f.Key is "service" or "scope").Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value)}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, query.Length > 0 ? $"{realm}?{query}" : realm) { Headers = { Authorization = basic } };
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryException($"image \"{_image}\": the token service {realm} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        JsonNode? answer;
        try
        {
            answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RegistryException($"image \"{_image}\": the token service {realm} answered no JSON: {e.Message}");
        }

        var token = (string?)answer?["token"] ?? (string?)answer?["access_token"] ?? throw new RegistryException($"image \"{_image}\": the token service {realm} gave no token");
        return new AuthenticationHeaderValue("Bearer", token);
    }

    [GeneratedRegex("""(\w+)="([^"]*)"?""")]
    private static partial Regex ChallengeField();
}
