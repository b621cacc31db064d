using System.Collections.Immutable;

namespace Mothership.Engine.Resolution.Remote;

/// <summary>
/// Settings of remote resolution, the same for <c>mship run</c>, <c>mship validate --resolve</c>
/// and the server; read from the environment by <see cref="FromEnvironment"/>.
/// </summary>
public sealed record RemoteResolverOptions
{
    /// <summary>Longest time one resolution may take. Default 1 minute, as Tekton's resolvers (<c>MOTHERSHIP_RESOLVER_TIMEOUT</c>, seconds).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Where git clones are cached, by repository and commit. Default
    /// <c>$XDG_CACHE_HOME/mothership/resolvers</c> (or <c>~/.cache/mothership/resolvers</c>);
    /// <c>MOTHERSHIP_RESOLVER_CACHE</c>.
    /// </summary>
    public required string CacheDirectory { get; init; }

    /// <summary>Artifact Hub's base URL. Default <c>https://artifacthub.io</c> (<c>ARTIFACT_HUB_API</c>, Tekton's name).</summary>
    public Uri ArtifactHubUrl { get; init; } = new("https://artifacthub.io");

    /// <summary>Tekton Hub's base URL; none by default, as Tekton's (<c>TEKTON_HUB_API</c>).</summary>
    public Uri? TektonHubUrl { get; init; }

    /// <summary>
    /// URL prefixes the http, hub and bundles resolvers rewrite before fetching (a registry by its base URL, <c>https://ghcr.io/</c>), like git's
    /// <c>url.BASE.insteadOf</c> (the longest matching prefix wins). None by default;
    /// <c>MOTHERSHIP_RESOLVER_URL_REWRITE="FROM=TO;FROM2=TO2"</c>.
    /// </summary>
    public ImmutableArray<(string From, string To)> UrlRewrites { get; init; } = [];

    /// <summary>The settings the environment gives, defaults for the rest.</summary>
    public static RemoteResolverOptions FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var cache = read("MOTHERSHIP_RESOLVER_CACHE") is { Length: > 0 } c ? c
            : Path.Combine(read("XDG_CACHE_HOME") is { Length: > 0 } x ? x : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "mothership", "resolvers");
        var options = new RemoteResolverOptions { CacheDirectory = Path.GetFullPath(cache), UrlRewrites = ParseRewrites(read("MOTHERSHIP_RESOLVER_URL_REWRITE")) };
        if (read("MOTHERSHIP_RESOLVER_TIMEOUT") is { Length: > 0 } t && double.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            options = options with { Timeout = TimeSpan.FromSeconds(seconds) };
        }

        if (read("ARTIFACT_HUB_API") is { Length: > 0 } a && Uri.TryCreate(a, UriKind.Absolute, out var artifact))
        {
            options = options with { ArtifactHubUrl = artifact };
        }

        if (read("TEKTON_HUB_API") is { Length: > 0 } h && Uri.TryCreate(h, UriKind.Absolute, out var tekton))
        {
            options = options with { TektonHubUrl = tekton };
        }

        return options;
    }

    /// <summary><c>FROM=TO</c> pairs separated by <c>;</c>; an entry without <c>=</c> is ignored.</summary>
    public static ImmutableArray<(string From, string To)> ParseRewrites(string? text) =>
        [.. (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => e.Split('=', 2))
            .Where(p => p.Length == 2 && p[0].Length > 0)
            .Select(p => (p[0], p[1]))];

    /// <summary><paramref name="url"/> with the longest matching rewrite applied.</summary>
    public string Rewrite(string url)
    {
        var best = UrlRewrites.Where(r => url.StartsWith(r.From, StringComparison.Ordinal)).OrderByDescending(r => r.From.Length).FirstOrDefault();
        return best.From is null ? url : best.To + url[best.From.Length..];
    }
}
