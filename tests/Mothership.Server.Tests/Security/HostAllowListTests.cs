using Mothership.Server.Security;

namespace Mothership.Server.Tests.Security;

public sealed class HostAllowListTests
{
    [Theory]
    [InlineData("127.0.0.1:8080")]
    [InlineData("localhost:8080")]
    [InlineData("LOCALHOST")]
    [InlineData("localhost.:80")]
    [InlineData("[::1]:8080")]
    [InlineData("10.1.2.3:8080")]
    public void Accepts_LoopbackNamesAndIpLiterals_ByDefault(string host) => Assert.True(HostAllowList.Default.Accepts(host));

    [Theory]
    [InlineData("evil.example:8080")]
    [InlineData("evil.example")]
    [InlineData("127.1:8080")]
    [InlineData("2130706433")]
    [InlineData("localhost.evil.example")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("localhost:notaport")]
    [InlineData("[::1")]
    public void Accepts_OtherNames_RefusedByDefault(string? host) => Assert.False(HostAllowList.Default.Accepts(host));

    [Fact]
    public void Accepts_ListedNames_WithAnyPortOrTheListedOne()
    {
        var list = HostAllowList.Parse("Mothership.Example.com; ci.internal:8443", out var errors)!;

        Assert.Empty(errors);
        Assert.True(list.Accepts("mothership.example.com"));
        Assert.True(list.Accepts("MOTHERSHIP.example.com:443"));
        Assert.True(list.Accepts("ci.internal:8443"));
        Assert.False(list.Accepts("ci.internal:8080"));
        Assert.False(list.Accepts("ci.internal"));
        Assert.False(list.Accepts("evil.example"));
    }

    [Fact]
    public void Accepts_Star_AnyHost()
    {
        var list = HostAllowList.Parse("*", out _)!;

        Assert.True(list.AcceptsAny);
        Assert.True(list.Accepts("anything.example:1"));
        Assert.False(list.Accepts(""));
    }

    [Fact]
    public void Parse_BadEntries_EachReported()
    {
        Assert.Null(HostAllowList.Parse("ok;bad host;x:0", out var errors));

        Assert.Equal(["'bad host' is not a host name, HOST:PORT or *", "'x:0' is not a host name, HOST:PORT or *"], errors);
    }
}
