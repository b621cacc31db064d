using System.Text.RegularExpressions;
using Mothership.Server.Identity;

namespace Mothership.Server.Tests.Identity;

public sealed class ApiTokenTextTests
{
    [Fact]
    public void New_Twice_PrefixedBase64UrlOf32BytesAndDifferent()
    {
        var first = ApiTokenText.New();
        var second = ApiTokenText.New();

        Assert.Matches(new Regex("^mship_pat_[A-Za-z0-9_-]{43}$"), first);
        Assert.Equal(ApiTokenText.Length, first.Length);
        Assert.NotEqual(first, second);
        Assert.True(ApiTokenText.LooksLike(first));
        Assert.False(ApiTokenText.LooksLike("s3cret"));
    }

    [Fact]
    public void Hash_KnownText_Sha256LowerHex()
    {
        // sha256("abc"), FIPS 180-2's example.
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiTokenText.Hash("abc"));
        var token = ApiTokenText.New();
        Assert.Equal(ApiTokenText.Hash(token), ApiTokenText.Hash(token));
        Assert.DoesNotContain(token[ApiTokenText.Prefix.Length..], ApiTokenText.Hash(token), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 90 * 24)]
    [InlineData("", 90 * 24)]
    [InlineData("30d", 30 * 24)]
    [InlineData("720h", 720)]
    [InlineData("366d", 366 * 24)]
    [InlineData("1h30m", 1.5)]
    public void ParseLifetime_DaysOrGoDuration_Hours(string? text, double hours)
    {
        Assert.Equal(TimeSpan.FromHours(hours), ApiTokenText.ParseLifetime(text, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("367d", "between")]
    [InlineData("0d", "between")]
    [InlineData("-5h", "between")]
    [InlineData("forever", "not a duration")]
    [InlineData("3w", "not a duration")]
    public void ParseLifetime_TooLongNotPositiveOrNoDuration_NullWithReason(string text, string reason)
    {
        Assert.Null(ApiTokenText.ParseLifetime(text, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
