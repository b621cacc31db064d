using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Mothership.Cli.Client;

/// <summary>The server said no: the problem document's detail and diagnostics.</summary>
internal sealed class ApiException(HttpStatusCode status, string detail, IReadOnlyList<JsonObject> diagnostics) : Exception(detail)
{
    public HttpStatusCode Status { get; } = status;
    public IReadOnlyList<JsonObject> Diagnostics { get; } = diagnostics;
}

/// <summary>The server cannot be reached at all.</summary>
internal sealed class ServerUnreachableException(string server, string reason)
    : Exception($"cannot reach the Mothership server at {server}: {reason} (start one with 'mship server', or pass --server / set MSHIP_SERVER)");

/// <summary>
/// The REST API of <c>mship server</c> (<c>/api/v1</c>) for the CLI's client commands. Sends the
/// bearer token when one is given and the user's login as <c>X-Mothership-Actor</c> for the audit trail.
/// </summary>
internal sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(string server, string? token)
    {
        Server = server.TrimEnd('/');
        _http = new HttpClient { BaseAddress = new Uri(Server + "/"), Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _http.DefaultRequestHeaders.Add("X-Mothership-Actor", Environment.UserName);
    }

    public string Server { get; }

    /// <summary>Whether <paramref name="server"/> can be the server's address: an absolute http or https URL with a host, without query or fragment.</summary>
    public static bool IsServerUrl(string server) =>
        Uri.TryCreate(server, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0
        && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0;

    public Task<JsonNode> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, null, ct);

    public Task<JsonNode> PostAsync(string path, string? body, string contentType, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, contentType, ct);

    public Task<JsonNode> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, null, ct);

    /// <summary>Opens a streaming response (logs); the caller reads and disposes it.</summary>
    public async Task<HttpResponseMessage> StreamAsync(string path, CancellationToken ct)
    {
        var response = await Guard(() => _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct)).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            response.Dispose();
            throw Problem(response.StatusCode, text);
        }

        return response;
    }

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, string? body, string? contentType, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null || method == HttpMethod.Post)
        {
            // A POST says what it carries even when it carries nothing: the server refuses changes
            // that are not JSON or YAML (the types no other site's page can send it).
            request.Content = new StringContent(body ?? "", Encoding.UTF8, contentType ?? "application/json");
        }

        using var response = await Guard(() => _http.SendAsync(request, ct)).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Problem(response.StatusCode, text);
        }

        return (text.Length == 0 ? null : JsonNode.Parse(text)) ?? new JsonObject();
    }

    private async Task<HttpResponseMessage> Guard(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            throw new ServerUnreachableException(Server, e.InnerException?.Message ?? e.Message);
        }
    }

    private static ApiException Problem(HttpStatusCode status, string text)
    {
        try
        {
            var o = JsonNode.Parse(text)?.AsObject();
            var detail = (string?)o?["detail"] ?? (string?)o?["title"] ?? status.ToString();
            var diagnostics = o?["diagnostics"] is JsonArray a ? a.OfType<JsonObject>().ToList() : [];
            return new ApiException(status, detail, diagnostics);
        }
        catch (System.Text.Json.JsonException)
        {
            return new ApiException(status, text.Length > 0 ? text : status.ToString(), []);
        }
    }

    public void Dispose() => _http.Dispose();
}
