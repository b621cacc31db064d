using System.Globalization;
using System.Text;
using Octokit.Caching;
using Octokit.Internal;

namespace Mothership.Ci.Forge;

/// <summary>
/// GitHub's conditional requests for every GET the forge repeats (the merge pool's list of open
/// pull requests, file and directory reads, the reconciler's hook deliveries): Octokit's
/// <c>CachingHttpClient</c> sends the cached answer's <c>ETag</c> as <c>If-None-Match</c>, and
/// GitHub's 304 — which does not count against the quota — is answered from here. Octokit ships
/// the mechanism but no cache; this is a bounded least-recently-used one in memory, keyed by the
/// URL, its parameters and the media type asked for (raw file content and its JSON description
/// share a URL).
/// </summary>
internal sealed class GitHubResponseCache(int capacity) : IResponseCache
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, CachedResponse.V1 Response)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, CachedResponse.V1 Response)> _order = new();

    /// <summary>How many answers it holds now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public Task<CachedResponse.V1> GetAsync(IRequest request)
    {
        var key = Key(request);
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                // Octokit reads null as "not cached".
                return Task.FromResult<CachedResponse.V1>(null!);
            }

            _order.Remove(node);
            _order.AddFirst(node);
            return Task.FromResult(node.Value.Response);
        }
    }

    public Task SetAsync(IRequest request, CachedResponse.V1 cachedResponse)
    {
        ArgumentNullException.ThrowIfNull(cachedResponse);

        // Only what GitHub can answer 304 for is worth keeping, and only a body read whole: raw
        // content arrives as a stream the caller consumes, which a cache would hand out empty.
        if (string.IsNullOrEmpty(cachedResponse.ApiInfo?.Etag) || cachedResponse.Body is not (string or byte[]))
        {
            return Task.CompletedTask;
        }

        var key = Key(request);
        lock (_gate)
        {
            if (_entries.Remove(key, out var old))
            {
                _order.Remove(old);
            }

            _entries[key] = _order.AddFirst((key, cachedResponse));
            while (_entries.Count > capacity && _order.Last is { } last)
            {
                _order.RemoveLast();
                _entries.Remove(last.Value.Key);
            }
        }

        return Task.CompletedTask;
    }

    private static string Key(IRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = new StringBuilder(request.Endpoint.ToString());
        foreach (var (name, value) in request.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            key.Append('&').Append(name).Append('=').Append(value);
        }

        key.Append(" accept=").Append(request.Headers.GetValueOrDefault("Accept", "")).Append(CultureInfo.InvariantCulture, $" {request.Method}");
        return key.ToString();
    }
}
