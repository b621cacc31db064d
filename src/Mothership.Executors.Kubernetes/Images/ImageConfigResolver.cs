using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mothership.Engine.Images;

namespace Mothership.Executors.Kubernetes.Images;

/// <summary>An image's <c>ENTRYPOINT</c> and <c>CMD</c>, from its config in the registry.</summary>
public sealed record ImageCommand(ImmutableArray<string> Entrypoint, ImmutableArray<string> Cmd);

/// <summary>Why an image's config could not be read (a TaskRun mistake or an unreachable registry): the attempt fails with it.</summary>
public sealed class ImageLookupException(string message) : Exception(message);

/// <summary>
/// Reads images' configs from their registries (manifest or index → the platform's manifest →
/// config blob, through <see cref="RegistryClient"/>), as Tekton's controller does for a step that
/// has no <c>command</c>: it must know what the image runs to run it itself. One lookup per image
/// and executor.
/// </summary>
public sealed class ImageConfigResolver(HttpClient http, IReadOnlyDictionary<string, Uri> registries, string architecture = "amd64")
{
    /// <summary>Largest config read: a config is a few KiB.</summary>
    private const int MaxConfigBytes = 4 * 1024 * 1024;

    private readonly RegistryClient _client = new(http, r => registries.TryGetValue(r, out var mirror) ? mirror : RegistryClient.DefaultBase(r));
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

    private async Task<ImageCommand> FetchAsync(string image, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(image);
        var repository = _client.Open(reference);
        try
        {
            // The image's own digest is not checked here: only its command is read, and the
            // container runtime checks what it pulls by that digest (the bundles resolver, whose
            // manifest becomes the spec, checks it). The fake registry of the tests serves Catalog
            // images pinned by their real digests, which no content of its own can hash to.
            var manifest = await repository.PlatformManifestAsync(reference.Reference, architecture, cancellationToken, verifyReference: false).ConfigureAwait(false);
            var configDigest = (string?)manifest.Json["config"]?["digest"] ?? throw new ImageLookupException($"image \"{image}\": its manifest names no config");
            var config = JsonNode.Parse(await repository.BlobAsync(configDigest, MaxConfigBytes, cancellationToken).ConfigureAwait(false));
            static ImmutableArray<string> Strings(JsonNode? node) => node is JsonArray a ? [.. a.Select(v => (string?)v ?? "")] : [];
            return new ImageCommand(Strings(config?["config"]?["Entrypoint"]), Strings(config?["config"]?["Cmd"]));
        }
        catch (RegistryException e)
        {
            throw new ImageLookupException(e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            throw new ImageLookupException($"could not read the config of image \"{image}\" from {repository.Root} to learn what it runs (a step without command): {e.Message}");
        }
    }
}
