using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Mothership.Executors.Kubernetes.Images;

/// <summary>An image's <c>ENTRYPOINT</c> and <c>CMD</c>, from its config in the registry.</summary>
public sealed record ImageCommand(ImmutableArray<string> Entrypoint, ImmutableArray<string> Cmd);

/// <summary>Why an image's config could not be read (a TaskRun mistake or an unreachable registry): the attempt fails with it.</summary>
public sealed class ImageLookupException(string message) : Exception(message);

/// <summary>
/// Reads images' configs from their registries over the OCI distribution API (manifest or index →
/// the platform's manifest → config blob), with the registries' anonymous bearer-token challenge,
/// as Tekton's controller does for a step that has no <c>command</c>: it must know what the image
/// runs to run it itself. One lookup per image and executor. Hand-written rather than a registry
/// library: no .NET OCI client is in the package list, and this is three GETs and a token.
/// </summary>
public sealed partial class ImageConfigResolver(HttpClient http, IReadOnlyDictionary<string, Uri> registries, string architecture = "amd64")
{
    private const string Accept =
        "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, " +
        "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

    private readonly ConcurrentDictionary<string, Lazy<Task<ImageCommand>>> _cache = new(StringComparer.Ordinal);

    /// <summary>The ENTRYPOINT and CMD of <paramref name="image"/>; a failed lookup is not remembered.</summary>
    public async Task<ImageCommand> ResolveAsync(string image, CancellationToken cancellationToken)
    {
        var lookup = _cache.GetOrAdd(image, i => new Lazy<Task<ImageCommand>>(() => FetchAsync(i, CancellationToken.None)));
        try
        {
            return await lookup.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ImageLookupException)
        {
            _cache.TryRemove(KeyValuePair.Create(image, lookup));
            throw;
        }
    }

    /// <summary>Where <paramref name="registry"/> answers: a configured mirror, Docker Hub's API host, else https.</summary>
    public Uri BaseOf(string registry) =>
        registries.TryGetValue(registry, out var mirror) ? mirror
        : registry == ImageReference.DockerHub ? new Uri("https://registry-1.docker.io")
        : new Uri($"https://{registry}");

    private async Task<ImageCommand> FetchAsync(string image, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(image);
        var root = BaseOf(reference.Registry).ToString().TrimEnd('/');
        string? token = null;
        try
        {
            var (manifest, bearer) = await GetJsonAsync($"{root}/v2/{reference.Repository}/manifests/{reference.Reference}", token, Accept, image, cancellationToken).ConfigureAwait(false);
            token = bearer;
            if (manifest["manifests"] is JsonArray list)
            {
                var chosen = list.FirstOrDefault(m => (string?)m?["platform"]?["os"] == "linux" && (string?)m?["platform"]?["architecture"] == architecture)
                    ?? throw new ImageLookupException($"image \"{image}\" has no linux/{architecture} variant");
                (manifest, token) = await GetJsonAsync($"{root}/v2/{reference.Repository}/manifests/{(string?)chosen["digest"]}", token, Accept, image, cancellationToken).ConfigureAwait(false);
            }

            var configDigest = (string?)manifest["config"]?["digest"] ?? throw new ImageLookupException($"image \"{image}\": its manifest names no config");
            var (config, _) = await GetJsonAsync($"{root}/v2/{reference.Repository}/blobs/{configDigest}", token, "*/*", image, cancellationToken).ConfigureAwait(false);
            static ImmutableArray<string> Strings(JsonNode? node) => node is JsonArray a ? [.. a.Select(v => (string?)v ?? "")] : [];
            return new ImageCommand(Strings(config["config"]?["Entrypoint"]), Strings(config["config"]?["Cmd"]));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            throw new ImageLookupException($"could not read the config of image \"{image}\" from {root} to learn what it runs (a step without command): {e.Message}");
        }
    }

    /// <summary>A GET, answering a bearer challenge once; the JSON and the token used.</summary>
    private async Task<(JsonNode Json, string? Token)> GetJsonAsync(string url, string? token, string accept, string image, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Accept", accept);
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && response.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme == "Bearer") is { Parameter: { } challenge })
            {
                token = await TokenAsync(challenge, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ImageLookupException($"image \"{image}\": {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return (JsonNode.Parse(text) ?? throw new ImageLookupException($"image \"{image}\": {url} answered an empty document"), token);
        }
    }

    /// <summary>The anonymous pull token a <c>Bearer realm=…,service=…,scope=…</c> challenge asks for.</summary>
    private async Task<string> TokenAsync(string challenge, CancellationToken cancellationToken)
    {
        var fields = ChallengeField().Matches(challenge).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.OrdinalIgnoreCase);
        if (!fields.TryGetValue("realm", out var realm))
        {
            throw new ImageLookupException($"the registry's challenge names no token realm: {challenge}");
        }

        var query = string.Join("&", fields.Where(f => f.Key is "service" or "scope").Select(f => $"{f.Key}={Uri.EscapeDataString(f.Value)}"));
        var answer = JsonNode.Parse(await http.GetStringAsync(query.Length > 0 ? $"{realm}?{query}" : realm, cancellationToken).ConfigureAwait(false));
        return (string?)answer?["token"] ?? (string?)answer?["access_token"] ?? throw new ImageLookupException($"the token service {realm} gave no token");
    }

    [GeneratedRegex("""(\w+)="([^"]*)"?""")]
    private static partial Regex ChallengeField();
}
