using Mothership.Server.Identity;

namespace Mothership.Server.Tests.Identity;

public sealed class BearerCredentialTests
{
    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("BEARER   abc ", "abc")]
    [InlineData("Basic abc", null)]
    [InlineData("Bearerabc", null)]
    [InlineData("", null)]
    public void TokenOf_SchemeCaseInsensitive(string header, string? token) => Assert.Equal(token, BearerCredential.TokenOf(header));

    [Theory]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln", true)]
    [InlineData("mship_pat_abc", false)]
    [InlineData("a.b", false)]
    public void LooksLikeJwt_ThreeParts_True(string token, bool jwt) => Assert.Equal(jwt, BearerCredential.LooksLikeJwt(token));
}
