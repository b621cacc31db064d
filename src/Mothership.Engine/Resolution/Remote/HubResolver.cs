using System.Text.Json;
using Mothership.Model.Resolution;

namespace Mothership.Engine.Resolution.Remote;

/// <summary>
/// Tekton's hub resolver: <c>type</c> artifact (Artifact Hub, the default) or tekton (Tekton Hub),
/// <c>kind</c> task (default) or pipeline, <c>name</c>, <c>version</c>, <c>catalog</c>. The URLs
/// and JSON are Tekton's (<c>pkg/resolution/resolver/hub</c>): Artifact Hub's
/// <c>/api/v1/packages/tekton-KIND/CATALOG/NAME/VERSION</c> answering <c>data.manifestRaw</c>, a
/// <c>major.minor</c> version widened to <c>major.minor.0</c>; Tekton Hub's
/// <c>/v1/resource/CATALOG/KIND/NAME/VERSION/yaml</c> answering <c>data.yaml</c>.
/// </summary>
public sealed class HubResolver(RemoteResolverOptions options, HttpClient http) : IRemoteResolver
{
    public string Name => ResolverParams.Hub;

    public async Task<ResolvedDocument> ResolveAsync(ResolutionRequest request, IResolutionSecrets secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var type = request.Param("type") ?? "artifact";
        var kind = request.Param("kind") ?? "task";
        var name = request.Param("name") ?? "";
        var version = request.Param("version") ?? "";
        if (kind is not ("task" or "pipeline"))
        {
            throw new RemoteResolutionException($"kind must be task or pipeline, not '{kind}'");
        }

        string url, field;
        switch (type)
        {
            case "artifact":
                var catalog = request.Param("catalog") ?? $"tekton-catalog-{kind}s";
                var semver = version.Split('.').Length == 2 ? version + ".0" : version;
                url = $"{options.ArtifactHubUrl.ToString().TrimEnd('/')}/api/v1/packages/tekton-{kind}/{Escape(catalog)}/{Escape(name)}/{Escape(semver)}";
                field = "manifestRaw";
                break;
            case "tekton":
                var hub = options.TektonHubUrl ?? throw new RemoteResolutionException("type 'tekton' needs the Tekton Hub's URL: set TEKTON_HUB_API");
                var parts = version.Split('.');
                var simple = parts.Length > 2 ? $"{parts[0]}.{parts[1]}" : version;
                url = $"{hub.ToString().TrimEnd('/')}/v1/resource/{Escape(request.Param("catalog") ?? "Tekton")}/{kind}/{Escape(name)}/{Escape(simple)}/yaml";
                field = "yaml";
                break;
            default:
                throw new RemoteResolutionException($"type must be artifact or tekton, not '{type}'");
        }

        var text = await HttpResolver.GetTextAsync(http, options.Rewrite(url), null, cancellationToken).ConfigureAwait(false);
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object &&
                data.TryGetProperty(field, out var yaml) && yaml.ValueKind == JsonValueKind.String
                ? new ResolvedDocument(url, yaml.GetString()!)
                : throw new RemoteResolutionException($"GET {url}: the answer has no data.{field}");
        }
        catch (JsonException e)
        {
            throw new RemoteResolutionException($"GET {url}: not JSON ({e.Message})");
        }
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}
