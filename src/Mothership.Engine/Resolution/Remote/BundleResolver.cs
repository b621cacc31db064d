using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Mothership.Engine.IO;
using Mothership.Engine.Images;
using Mothership.Model.Resolution;

namespace Mothership.Engine.Resolution.Remote;

/// <summary>
/// Tekton's bundles resolver (<c>pkg/resolution/resolver/bundle</c>): <c>bundle</c> names an OCI
/// image whose layers each hold one object, told apart by the layer annotations
/// <c>dev.tekton.image.kind</c> (lower case, singular), <c>dev.tekton.image.name</c> and
/// <c>dev.tekton.image.apiVersion</c>; the layer whose kind and name match <c>kind</c> (default
/// <c>task</c>, Tekton's shipped default) and <c>name</c> is read as a tar archive's first file (a
/// raw layer as it is), gzip or not. The image is checked as Tekton checks it (at most 20 layers,
/// every layer annotated). <c>secret</c> names an image pull Secret for the registry; Tekton's
/// <c>serviceAccount</c> is accepted but has no meaning outside a cluster. Registries are reached
/// at <c>https://HOST</c> after <see cref="RemoteResolverOptions.UrlRewrites"/> (Docker Hub at
/// registry-1.docker.io). Manifests named by digest and layers are kept under
/// <see cref="RemoteResolverOptions.CacheDirectory"/> by digest and checked on every read.
/// </summary>
public sealed class BundleResolver(RemoteResolverOptions options, HttpClient http) : IRemoteResolver
{
    /// <summary>Tekton's limit on the objects in one bundle.</summary>
    public const int MaximumBundleObjects = 20;

    public const string KindAnnotation = "dev.tekton.image.kind";
    public const string NameAnnotation = "dev.tekton.image.name";
    public const string ApiVersionAnnotation = "dev.tekton.image.apiVersion";

    private readonly RegistryClient _registry = new(http, r => new Uri(options.Rewrite(RegistryClient.DefaultBase(r).ToString())));

    public string Name => ResolverParams.Bundles;

    public async Task<ResolvedDocument> ResolveAsync(ResolutionRequest request, IResolutionSecrets secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secrets);
        var bundle = request.Param("bundle") ?? throw new RemoteResolutionException("parameter 'bundle' required");
        var name = request.Param("name") ?? throw new RemoteResolutionException("parameter 'name' required");
        var kind = (request.Param("kind") ?? "task").ToLowerInvariant();
        var image = ImageReference.Parse(bundle);
        RegistryCredentials? credentials = null;
        if (request.Param("secret") is { } secretName)
        {
            var secret = await secrets.FindAsync(secretName, cancellationToken).ConfigureAwait(false)
                ?? throw new RemoteResolutionException($"Secret '{secretName}' (param 'secret') is not defined");
            credentials = DockerConfig.Find(secret, image.Registry, out var error);
            if (error is not null)
            {
                throw new RemoteResolutionException(error);
            }

            if (credentials is null)
            {
                throw new RemoteResolutionException($"Secret '{secretName}' (param 'secret') has no credentials for {image.Registry}");
            }
        }

        var repository = _registry.Open(image, credentials);
        try
        {
            var manifest = await ManifestAsync(repository, image, cancellationToken).ConfigureAwait(false);
            var layers = Check(manifest.Json, bundle);
            var layer = layers.FirstOrDefault(l => string.Equals((string?)l["annotations"]?[KindAnnotation], kind, StringComparison.OrdinalIgnoreCase)
                && (string?)l["annotations"]?[NameAnnotation] == name)
                ?? throw new RemoteResolutionException($"could not find object in image with kind: {kind} and name: {name} (it holds {string.Join(", ", layers.Select(l => $"{(string?)l["annotations"]?[KindAnnotation]}/{(string?)l["annotations"]?[NameAnnotation]}"))})");
            var digest = (string?)layer["digest"] ?? throw new RemoteResolutionException($"invalid tekton bundle {bundle}: the layer of {kind}/{name} has no digest");
            var blob = await CachedAsync(digest, () => repository.BlobAsync(digest, HttpResolver.MaxBytes, cancellationToken)).ConfigureAwait(false);
            return new ResolvedDocument($"bundle:{image.Registry}/{image.Repository}@{manifest.Digest}:{kind}/{name}", await ContentsAsync(blob, cancellationToken).ConfigureAwait(false));
        }
        catch (RegistryException e)
        {
            throw new RemoteResolutionException($"cannot retrieve the oci image: {e.Message}");
        }
    }

    /// <summary>The bundle's manifest (an index is followed to linux/amd64, as go-containerregistry's remote.Image does); by digest from the cache.</summary>
    private async Task<RegistryManifest> ManifestAsync(RegistryRepository repository, ImageReference image, CancellationToken cancellationToken)
    {
        if (!image.Reference.StartsWith("sha256:", StringComparison.Ordinal))
        {
            return await repository.PlatformManifestAsync(image.Reference, "amd64", cancellationToken).ConfigureAwait(false);
        }

        var bytes = await CachedAsync(image.Reference, async () => (await repository.ManifestAsync(image.Reference, cancellationToken).ConfigureAwait(false)).Bytes).ConfigureAwait(false);
        var json = JsonNode.Parse(bytes) ?? throw new RemoteResolutionException($"the manifest {image.Reference} is empty");
        return json["manifests"] is JsonArray
            ? await repository.PlatformManifestAsync(image.Reference, "amd64", cancellationToken).ConfigureAwait(false)
            : new RegistryManifest(json, image.Reference, bytes);
    }

    /// <summary>The manifest's layers, after Tekton's compliance check (<c>checkImageCompliance</c>).</summary>
    private static List<JsonObject> Check(JsonNode manifest, string bundle)
    {
        var layers = (manifest["layers"] as JsonArray)?.OfType<JsonObject>().ToList()
            ?? throw new RemoteResolutionException($"invalid tekton bundle {bundle}: its manifest has no layers");
        if (layers.Count > MaximumBundleObjects)
        {
            throw new RemoteResolutionException($"invalid tekton bundle {bundle}: contained more than the maximum {MaximumBundleObjects} allow objects");
        }

        for (var i = 0; i < layers.Count; i++)
        {
            foreach (var annotation in new[] { ApiVersionAnnotation, NameAnnotation, KindAnnotation })
            {
                if ((string?)layers[i]["annotations"]?[annotation] is null)
                {
                    throw new RemoteResolutionException($"invalid tekton bundle {bundle}: the layer {i} does not contain a {annotation} annotation");
                }
            }

            var kind = (string)layers[i]["annotations"]![KindAnnotation]!;
            if (kind.ToLowerInvariant().TrimEnd('s') != kind)
            {
                throw new RemoteResolutionException($"invalid tekton bundle {bundle}: the layer {i} the annotation {KindAnnotation} must be lowercased and singular, found {kind}");
            }
        }

        return layers;
    }

    /// <summary>A layer's object: the first file of its tar archive, or the layer itself when it is no archive (Tekton's readRawLayer); gunzipped first when gzip.</summary>
    internal static async Task<string> ContentsAsync(byte[] blob, CancellationToken cancellationToken)
    {
        var data = blob;
        if (blob is [0x1f, 0x8b, ..])
        {
            using var gzip = new GZipStream(new MemoryStream(blob), CompressionMode.Decompress);
            data = await ReadAtMostAsync(gzip, HttpResolver.MaxBytes, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await using var tar = new TarReader(new MemoryStream(data));
            if (await tar.GetNextEntryAsync(cancellationToken: cancellationToken).ConfigureAwait(false) is { DataStream: { } stream })
            {
                return Encoding.UTF8.GetString(await ReadAtMostAsync(stream, HttpResolver.MaxBytes, cancellationToken).ConfigureAwait(false));
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or EndOfStreamException)
        {
            // Not a tarball: the layer is the object, as Tekton reads a raw layer.
        }

        return Encoding.UTF8.GetString(data);
    }

    private static Task<byte[]> ReadAtMostAsync(Stream stream, int max, CancellationToken cancellationToken) =>
        BoundedRead.ReadAsync(stream, max, () => new RemoteResolutionException($"a bundle layer holds more than {max} bytes"), cancellationToken);

    /// <summary>The bytes of <paramref name="digest"/> from the cache when they still hash to it, else fetched and kept.</summary>
    private async Task<byte[]> CachedAsync(string digest, Func<Task<byte[]>> fetch)
    {
        if (!RegistryRepository.IsSha256(digest))
        {
            // The digest comes from the user or the registry and becomes a URL and a file name.
            throw new RemoteResolutionException($"'{digest}' is not a sha256 digest (sha256: and 64 lower-case hex digits)");
        }

        var file = Path.Combine(options.CacheDirectory, "bundles", digest.Replace(':', '-'));
        if (File.Exists(file) && await File.ReadAllBytesAsync(file).ConfigureAwait(false) is var cached && RegistryRepository.Sha256(cached) == digest)
        {
            return cached;
        }

        var bytes = await fetch().ConfigureAwait(false);
        if (RegistryRepository.Sha256(bytes) == digest)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var temporary = file + "." + Guid.NewGuid().ToString("N");
            await File.WriteAllBytesAsync(temporary, bytes).ConfigureAwait(false);
            File.Move(temporary, file, overwrite: true);
        }

        return bytes;
    }
}
