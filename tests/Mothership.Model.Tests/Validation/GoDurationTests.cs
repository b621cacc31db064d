using Mothership.Model.Validation;

namespace Mothership.Model.Tests.Validation;

public class GoDurationTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1h", 36_000_000_000L)]
    [InlineData("1h30m", 54_000_000_000L)]
    [InlineData("90s", 900_000_000L)]
    [InlineData("1.5s", 15_000_000L)]
    [InlineData("250ms", 2_500_000L)]
    [InlineData("10us", 100L)]
    [InlineData("10µs", 100L)]
    [InlineData("300ns", 3L)]
    [InlineData("2h45m30.5s", 99_305_000_000L)]
    [InlineData("+5m", 3_000_000_000L)]
    [InlineData("-1m", -600_000_000L)]
    public void TryParse_GoDuration_ReturnsTicks(string text, long ticks)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromTicks(ticks), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("10")]
    [InlineData("h")]
    [InlineData("1d")]
    [InlineData("1 h")]
    [InlineData(".s")]
    [InlineData("1..5s")]
    [InlineData("-")]
    [InlineData("1h-30m")]
    [InlineData("3000000h")]
    [InlineData("99999999999999999999999999999h")]
    public void TryParse_NotAGoDuration_ReturnsFalse(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(GoDuration.TryParse(null, out _));
    }
}
