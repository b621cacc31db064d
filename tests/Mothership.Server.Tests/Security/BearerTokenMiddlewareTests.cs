using Mothership.Server.Security;

namespace Mothership.Server.Tests.Security;

public sealed class BearerTokenMiddlewareTests
{
    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("BEARER   abc ", "abc")]
    [InlineData("Basic abc", null)]
    [InlineData("Bearerabc", null)]
    [InlineData("", null)]
    public void TokenOf_SchemeCaseInsensitive(string header, string? token) => Assert.Equal(token, BearerTokenMiddleware.TokenOf(header));
}
