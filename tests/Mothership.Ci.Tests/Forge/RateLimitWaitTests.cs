using System.Globalization;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Forge;

namespace Mothership.Ci.Tests.Forge;

/// <summary>GitHubForge.RateLimitWait: which failures are waited out, and for how long.</summary>
public sealed class RateLimitWaitTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void RetryAfterSeconds_ThatLong() =>
        Assert.Equal(TimeSpan.FromSeconds(7), Forge().RateLimitWait(Failure(403, ("Retry-After", "7")), 0));

    [Fact]
    public void RetryAfterHttpDate_UntilThen() =>
        Assert.Equal(
            TimeSpan.FromSeconds(90),
            Forge().RateLimitWait(Failure(429, ("Retry-After", _time.GetUtcNow().AddSeconds(90).ToString("r", CultureInfo.InvariantCulture))), 0));

    [Fact]
    public void QuotaExhausted_UntilResetPlusASecond() =>
        Assert.Equal(
            TimeSpan.FromSeconds(31),
            Forge().RateLimitWait(Failure(403, ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", _time.GetUtcNow().AddSeconds(30).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))), 0));

    [Fact]
    public void SecondaryLimitWithoutHeader_DoubledEachRetryUntilBeyondMaxWait()
    {
        var forge = Forge(o => (o.SecondaryLimitWait, o.MaxWait) = (TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(3)));
        var e = Failure(403, body: """{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}""");

        Assert.Equal([TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120), null], [forge.RateLimitWait(e, 0), forge.RateLimitWait(e, 1), forge.RateLimitWait(e, 2)]);
    }

    [Theory]
    [InlineData(403, """{"message": "Resource not accessible by integration"}""")]
    [InlineData(404, """{"message": "Not Found"}""")]
    [InlineData(500, "")]
    public void NotARateLimit_NotRetried(int status, string body) =>
        Assert.Null(Forge().RateLimitWait(Failure(status, body: body), 0));

    [Fact]
    public void RetryAfterBeyondMaxWait_NotRetried() =>
        Assert.Null(Forge(o => o.MaxWait = TimeSpan.FromSeconds(10)).RateLimitWait(Failure(403, ("Retry-After", "11")), 0));

    private GitHubForge Forge(Action<GitHubForgeOptions>? configure = null)
    {
        var options = new GitHubForgeOptions();
        configure?.Invoke(options);
        return GitHubForge.WithToken(options, "t", _time);
    }

    private static Octokit.ApiException Failure(int status, params (string Name, string Value)[] headers) => Failure(status, "", headers);

    private static Octokit.ApiException Failure(int status, string body, params (string Name, string Value)[] headers) =>
        new(new Response((HttpStatusCode)status, body, headers.ToDictionary(h => h.Name, h => h.Value)));

    private sealed class Response(HttpStatusCode status, string body, Dictionary<string, string> headers) : Octokit.IResponse
    {
        public object Body => body;

        public IReadOnlyDictionary<string, string> Headers => headers;

        public Octokit.ApiInfo ApiInfo => null!;

        public HttpStatusCode StatusCode => status;

        public string ContentType => "application/json; charset=utf-8";
    }
}
