using Mothership.Server.Api;

namespace Mothership.Server.Tests.Api;

public sealed class RetentionJsonTests
{
    [Fact]
    public void TryParse_GlobalAndPerPipeline_ReadsEveryRule()
    {
        Assert.True(RetentionJson.TryParse("""{"keepLast": 10, "keepLastFailed": 20, "maxAge": "720h", "failedMaxAge": "2160h", "pipelines": {"deploy": {"keepLast": 100}}}""",
            out var policy, out var error), error);

        Assert.Equal(10, policy!.Default.KeepLast);
        Assert.Equal(20, policy.Default.KeepLastFailed);
        Assert.Equal(TimeSpan.FromDays(30), policy.Default.MaxAge);
        Assert.Equal(TimeSpan.FromDays(90), policy.Default.FailedMaxAge);
        Assert.Equal(100, policy.Pipelines["deploy"].KeepLast);
        Assert.Null(policy.Pipelines["deploy"].MaxAge);
    }

    [Theory]
    [InlineData("""{"keepLast": -1}""", "keepLast")]
    [InlineData("""{"maxAge": "a month"}""", "maxAge")]
    [InlineData("""{"pipelines": {"p": {"failedMaxAge": "0s"}}}""", "pipelines.p.failedMaxAge")]
    [InlineData("not json", "retention policy")]
    [InlineData("""{"pipelines": {"x": null}}""", "pipelines.x: must be an object")]
    [InlineData("""{"pipelines": [1]}""", "pipelines: must be an object")]
    [InlineData("""{"pipelines": {"Bad/Name": {}}}""", "'Bad/Name' is not a Pipeline name")]
    [InlineData("""{"keepLast": "5"}""", "keepLast: must be a whole number")]
    [InlineData("""{"keepLast": 1.5}""", "keepLast: must be a whole number")]
    [InlineData("""{"keepLast": 1e30}""", "keepLast: must be a whole number")]
    [InlineData("""{"maxAge": 30}""", "maxAge: '30' is not a duration")]
    [InlineData("""{"keeplast": 5}""", "'keeplast': unknown field")]
    [InlineData("""{"keepLast": 1, "keepLast": 2}""", "retention policy")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("null", "must be a JSON object")]
    public void TryParse_BadValue_NamesTheField(string json, string field)
    {
        Assert.False(RetentionJson.TryParse(json, out _, out var error));
        Assert.Contains(field, error, StringComparison.Ordinal);
    }
}
