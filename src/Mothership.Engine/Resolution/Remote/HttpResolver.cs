using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Mothership.Engine.IO;
using Mothership.Model.Resolution;

namespace Mothership.Engine.Resolution.Remote;

/// <summary>
/// Tekton's http resolver: GETs <c>url</c> (http or https, after <see cref="RemoteResolverOptions.UrlRewrites"/>),
/// with basic auth when <c>http-username</c> and <c>http-password-secret</c>/<c>-key</c> name a Secret.
/// </summary>
public sealed class HttpResolver(RemoteResolverOptions options, HttpClient http) : IRemoteResolver
{
    /// <summary>The largest document fetched: far above any Task, and the loader's own limits apply after.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    public string Name => ResolverParams.Http;

    public async Task<ResolvedDocument> ResolveAsync(ResolutionRequest request, IResolutionSecrets secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secrets);
        var url = request.Param("url") ?? "";
        AuthenticationHeaderValue? auth = null;
        if (request.Param("http-username") is { } user)
        {
            var name = request.Param("http-password-secret") ?? throw new RemoteResolutionException("'http-username' needs 'http-password-secret'");
            var key = request.Param("http-password-secret-key") ?? throw new RemoteResolutionException("'http-password-secret' needs 'http-password-secret-key'");
            var secret = await secrets.FindAsync(name, cancellationToken).ConfigureAwait(false)
                ?? throw new RemoteResolutionException($"Secret '{name}' (param 'http-password-secret') is not defined");
            var password = secret.Data.GetValueOrDefault(key) ?? throw new RemoteResolutionException($"Secret '{name}' has no key '{key}'");
            auth = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }

        return new ResolvedDocument(url, await GetTextAsync(http, options.Rewrite(url), auth, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>GETs <paramref name="url"/> as text, at most <see cref="MaxBytes"/>; a non-success status is a <see cref="RemoteResolutionException"/>.</summary>
    internal static async Task<string> GetTextAsync(HttpClient http, string url, AuthenticationHeaderValue? auth, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new RemoteResolutionException($"'{url}' is not an http or https URL");
        }

        using var message = new HttpRequestMessage(HttpMethod.Get, uri) { Headers = { Authorization = auth } };
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new RemoteResolutionException($"GET {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (response.Content.Headers.ContentLength > MaxBytes)
        {
            throw new RemoteResolutionException($"GET {uri}: {response.Content.Headers.ContentLength} bytes, more than {MaxBytes}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(await BoundedRead.ReadAsync(stream, MaxBytes, () => new RemoteResolutionException($"GET {uri}: more than {MaxBytes} bytes"), cancellationToken).ConfigureAwait(false));
    }
}
