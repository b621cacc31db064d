using Mothership.Engine.Scheduling;

namespace Mothership.Engine.Tests.Scheduling;

public sealed class CelWhenEvaluatorTests
{
    [Theory]
    [InlineData("'main' == 'main'", true)]
    [InlineData("'dev' == 'main'", false)]
    [InlineData("'v1.2'.startsWith('v') && 'v1.2'.endsWith('2')", true)]
    [InlineData("'c' in ['a', 'b']", false)]
    [InlineData("'abc'.matches('^a.c$') && size('abc') == 3", true)]
    [InlineData("int('3') > 2", true)]
    public void Evaluate_BooleanExpression_ReturnsValue(string cel, bool expected)
    {
        Assert.Equal(new CelWhenResult(expected, null), CelWhenEvaluator.Evaluate(cel));
    }

    [Theory]
    [InlineData("'a' ==", "mismatched input")]
    [InlineData("1 + 1", "not evaluated to a boolean")]
    [InlineData("1 / 0 == 1", "divide")]
    [InlineData("foo == 'a'", "undeclared reference")]
    [InlineData("'a'.matches('[')", "invalid pattern")]
    [InlineData("", "empty")]
    public void Evaluate_InvalidOrNonBoolean_ReturnsError(string cel, string detail)
    {
        var result = CelWhenEvaluator.Evaluate(cel);
        Assert.False(result.Holds);
        Assert.Contains(detail, result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Evaluate_SameTextTwice_GivesSameResult()
    {
        // The second call is served from the compiled-program cache.
        Assert.Equal(CelWhenEvaluator.Evaluate("'x' != 'y'"), CelWhenEvaluator.Evaluate("'x' != 'y'"));
    }
}
