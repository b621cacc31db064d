using Mothership.Server.Security;

namespace Mothership.Server.Tests.Security;

public sealed class BrowserRequestRulesTests
{
    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("Application/JSON", true)]
    [InlineData("application/merge-patch+json", true)]
    [InlineData("application/yaml", true)]
    [InlineData("application/x-yaml", true)]
    [InlineData("text/yaml; charset=utf-8", true)]
    [InlineData("text/plain", false)]
    [InlineData("text/plain; a=application/json", false)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData("multipart/form-data; boundary=x", false)]
    [InlineData("application/jsonx", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("garbage", false)]
    public void IsAcceptedContentType_MediaType_OnlyJsonAndYaml(string? contentType, bool accepted) =>
        Assert.Equal(accepted, BrowserRequestRules.IsAcceptedContentType(contentType));

    [Theory]
    [InlineData(null, null, "127.0.0.1:8080", true)]
    [InlineData("http://127.0.0.1:8080", "same-origin", "127.0.0.1:8080", true)]
    [InlineData("https://mothership.example.com", null, "mothership.example.com", true)]
    [InlineData("http://[::1]:8080", null, "[::1]:8080", true)]
    [InlineData("http://evil.example", null, "127.0.0.1:8080", false)]
    [InlineData("http://evil.example", "cross-site", "127.0.0.1:8080", false)]
    [InlineData("null", null, "127.0.0.1:8080", false)]
    [InlineData("http://localhost:8080", null, "127.0.0.1:8080", false)]
    [InlineData("http://127.0.0.1:9090", null, "127.0.0.1:8080", false)]
    [InlineData("https://mothership.example.com:8443", null, "mothership.example.com", false)]
    [InlineData("ftp://127.0.0.1:8080", null, "127.0.0.1:8080", false)]
    [InlineData(null, "cross-site", "127.0.0.1:8080", false)]
    [InlineData(null, "same-site", "127.0.0.1:8080", false)]
    [InlineData(null, "none", "127.0.0.1:8080", true)]
    public void IsSameOrigin_OriginAgainstHost(string? origin, string? secFetchSite, string host, bool same) =>
        Assert.Equal(same, BrowserRequestRules.IsSameOrigin(origin, secFetchSite, host));

    [Theory]
    [InlineData("POST", null, false, true)]
    [InlineData("PUT", 0L, false, true)]
    [InlineData("DELETE", null, false, false)]
    [InlineData("DELETE", 0L, false, false)]
    [InlineData("DELETE", 5L, false, true)]
    [InlineData("DELETE", null, true, true)]
    public void NeedsContentType_ByMethodAndBody(string method, long? length, bool chunked, bool needed) =>
        Assert.Equal(needed, BrowserRequestRules.NeedsContentType(method, length, chunked));

    [Theory]
    [InlineData("GET", false)]
    [InlineData("HEAD", false)]
    [InlineData("OPTIONS", false)]
    [InlineData("POST", true)]
    [InlineData("PATCH", true)]
    [InlineData("DELETE", true)]
    [InlineData("PROPFIND", true)]
    public void IsChange_Method(string method, bool change) => Assert.Equal(change, BrowserRequestRules.IsChange(method));
}
