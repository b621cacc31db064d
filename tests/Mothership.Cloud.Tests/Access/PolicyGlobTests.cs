using Mothership.Cloud.Access;

namespace Mothership.Cloud.Tests.Access;

/// <summary>Argo CD's glob over objects: <c>*</c> crosses <c>/</c>, <c>?</c> is one character, the rest is literal.</summary>
public sealed class PolicyGlobTests
{
    [Theory]
    [InlineData("*", "prod/prod-kr1", true)]
    [InlineData("*", "", true)]
    [InlineData("stage/*", "stage/stage-kr1", true)]
    [InlineData("stage/*", "prod/prod-kr1", false)]
    [InlineData("stage/*", "stagex/stage-kr1", false)]
    [InlineData("*/prod-kr1", "prod/prod-kr1", true)]
    [InlineData("prod/prod-??1", "prod/prod-kr1", true)]
    [InlineData("prod/prod-??1", "prod/prod-kr12", false)]
    [InlineData("prod/prod-kr1", "prod/prod-kr1", true)]
    [InlineData("prod/prod-kr1", "prod/prod-kr10", false)]
    [InlineData("-/*", "-/nightly-x7k2p", true)]
    [InlineData("-/*", "dev/dev-kr1", false)]
    [InlineData("*-kr1", "stage/stage-kr1", true)]
    [InlineData("*a*b*c", "xaxxbxxc", true)]
    [InlineData("*a*b*c", "xaxxbxxcx", false)]
    [InlineData("[ab]", "a", false)]
    [InlineData("[ab]", "[ab]", true)]
    public void Matches_Pattern_AsArgoCdGlob(string pattern, string value, bool expected) =>
        Assert.Equal(expected, PolicyGlob.Matches(pattern, value));

    [Fact]
    public void Matches_ManyStarsAgainstALongMiss_ReturnsQuickly()
    {
        // Backtracking without memory would take exponential time here.
        var pattern = string.Concat(Enumerable.Repeat("*a", 200)) + "b";
        Assert.False(PolicyGlob.Matches(pattern, new string('a', 5_000)));
    }
}
