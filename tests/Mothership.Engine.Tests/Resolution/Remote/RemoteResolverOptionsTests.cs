using Mothership.Engine.Resolution.Remote;

namespace Mothership.Engine.Tests.Resolution.Remote;

public sealed class RemoteResolverOptionsTests
{
    [Fact]
    public void Rewrite_SeveralPrefixesMatch_TheLongestWins()
    {
        var options = new RemoteResolverOptions
        {
            CacheDirectory = "/tmp/c",
            UrlRewrites = RemoteResolverOptions.ParseRewrites("https://a/=http://one/; https://a/b/=http://two/;junk"),
        };
        Assert.Equal("http://two/c.yaml", options.Rewrite("https://a/b/c.yaml"));
        Assert.Equal("http://one/x.yaml", options.Rewrite("https://a/x.yaml"));
        Assert.Equal("https://other/x", options.Rewrite("https://other/x"));
    }

    [Fact]
    public void FromEnvironment_Settings_AreRead()
    {
        var env = new Dictionary<string, string>
        {
            ["MOTHERSHIP_RESOLVER_CACHE"] = "/tmp/cache",
            ["MOTHERSHIP_RESOLVER_TIMEOUT"] = "5",
            ["ARTIFACT_HUB_API"] = "http://127.0.0.1:1",
            ["TEKTON_HUB_API"] = "http://127.0.0.1:2",
        };
        var options = RemoteResolverOptions.FromEnvironment(env.GetValueOrDefault);
        Assert.Equal("/tmp/cache", options.CacheDirectory);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Timeout);
        Assert.Equal(new Uri("http://127.0.0.1:1"), options.ArtifactHubUrl);
        Assert.Equal(new Uri("http://127.0.0.1:2"), options.TektonHubUrl);
    }

    [Fact]
    public void FromEnvironment_NothingSet_TakesTektonsDefaults()
    {
        var options = RemoteResolverOptions.FromEnvironment(_ => null);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Timeout);
        Assert.Equal(new Uri("https://artifacthub.io"), options.ArtifactHubUrl);
        Assert.Null(options.TektonHubUrl);
        Assert.EndsWith(Path.Combine("mothership", "resolvers"), options.CacheDirectory, StringComparison.Ordinal);
    }
}
