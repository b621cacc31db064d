using System.Net;
using Mothership.Ci.Forge;
using Octokit;
using Octokit.Caching;
using Octokit.Internal;

namespace Mothership.Ci.Tests.Forge;

public sealed class GitHubResponseCacheTests
{
    private static Request Get(string path, string accept = "application/vnd.github.v3+json") => new()
    {
        Method = HttpMethod.Get,
        BaseAddress = new Uri("https://api.github.com/"),
        Endpoint = new Uri(path, UriKind.Relative),
        Headers = { ["Accept"] = accept },
    };

    private static CachedResponse.V1 Answer(string body, string? etag = "W/\"1\"") => new(
        body, new Dictionary<string, string>(), new ApiInfo(new Dictionary<string, Uri>(), [], [], etag!, new RateLimit(5000, 4999, 0)), HttpStatusCode.OK, "application/json");

    [Fact(Timeout = 30_000)]
    public async Task SetAsync_OverCapacity_DropsTheLeastRecentlyUsed()
    {
        var cache = new GitHubResponseCache(2);
        await cache.SetAsync(Get("a"), Answer("a"));
        await cache.SetAsync(Get("b"), Answer("b"));
        await cache.GetAsync(Get("a"));
        await cache.SetAsync(Get("c"), Answer("c"));

        Assert.Equal(2, cache.Count);
        Assert.NotNull(await cache.GetAsync(Get("a")));
        Assert.Null(await cache.GetAsync(Get("b")));
        Assert.Equal("c", (await cache.GetAsync(Get("c"))).Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task SetAsync_NoETagOrAStream_NotKept()
    {
        var cache = new GitHubResponseCache(10);
        await cache.SetAsync(Get("a"), Answer("a", etag: null));
        using var stream = new MemoryStream([1, 2, 3]);
        await cache.SetAsync(Get("b"), new CachedResponse.V1(stream, new Dictionary<string, string>(), Answer("x").ApiInfo, HttpStatusCode.OK, "application/octet-stream"));

        Assert.Equal(0, cache.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetAsync_SameUrlOtherMediaType_IsAnotherAnswer()
    {
        var cache = new GitHubResponseCache(10);
        await cache.SetAsync(Get("repos/o/r/contents/f"), Answer("json"));

        Assert.Null(await cache.GetAsync(Get("repos/o/r/contents/f", "application/vnd.github.v3.raw")));
        Assert.Equal("json", (await cache.GetAsync(Get("repos/o/r/contents/f"))).Body);
    }
}
