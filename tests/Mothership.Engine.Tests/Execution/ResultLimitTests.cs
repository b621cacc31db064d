using Mothership.Engine.Execution;

namespace Mothership.Engine.Tests.Execution;

public sealed class ResultLimitTests
{
    [Fact]
    public void Check_Total_CountsEveryResultsBytesTogether()
    {
        Assert.Null(ResultLimit.Total(6).Check([("a", "abc"), ("b", "def")]));
        Assert.StartsWith("the results are 7 bytes, more than the 6 a TaskRun may return", ResultLimit.Total(6).Check([("a", "abc"), ("b", "defg")]), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PerResult_NamesTheFirstTooLargeByName()
    {
        Assert.Null(ResultLimit.PerResult(3).Check([("a", "abc"), ("b", "def")]));
        Assert.StartsWith("result \"b\" is 4 bytes", ResultLimit.PerResult(3).Check([("c", "wxyz"), ("b", "defg")]), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_Utf8_CountsBytesNotCharacters() =>
        Assert.NotNull(ResultLimit.Total(3).Check([("a", "✓✓")]));

    [Fact]
    public void Check_None_NeverRefuses() =>
        Assert.Null(ResultLimit.None.Check([("a", new string('x', 10_000_000))]));
}
