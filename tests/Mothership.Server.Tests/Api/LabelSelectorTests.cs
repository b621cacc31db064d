using Mothership.Server.Api;
using Mothership.Store;

namespace Mothership.Server.Tests.Api;

public sealed class LabelSelectorTests
{
    [Fact]
    public void TryParse_EveryOperator_GivesItsRequirement()
    {
        Assert.True(LabelSelector.TryParse("app=web, tier!=db,env in (dev, stage),zone notin (a),canary,!legacy,x==y", out var r, out var error), error);

        Assert.Equal(
            [
                new LabelRequirement("app", LabelOperator.Equals, ["web"]),
                new LabelRequirement("tier", LabelOperator.NotEquals, ["db"]),
                new LabelRequirement("env", LabelOperator.In, ["dev", "stage"]),
                new LabelRequirement("zone", LabelOperator.NotIn, ["a"]),
                new LabelRequirement("canary", LabelOperator.Exists, []),
                new LabelRequirement("legacy", LabelOperator.DoesNotExist, []),
                new LabelRequirement("x", LabelOperator.Equals, ["y"]),
            ],
            r.Select(x => x with { Values = [.. x.Values] }).ToList(),
            new RequirementComparer());
    }

    [Theory]
    [InlineData("env in dev")]
    [InlineData("a b")]
    [InlineData("=x")]
    [InlineData("app=we b")]
    public void TryParse_Malformed_SaysWhatIsWrong(string selector)
    {
        Assert.False(LabelSelector.TryParse(selector, out _, out var error));
        Assert.StartsWith("labelSelector: cannot parse", error, StringComparison.Ordinal);
    }

    private sealed class RequirementComparer : IEqualityComparer<LabelRequirement>
    {
        public bool Equals(LabelRequirement? x, LabelRequirement? y) =>
            x!.Key == y!.Key && x.Operator == y.Operator && x.Values.SequenceEqual(y.Values);

        public int GetHashCode(LabelRequirement obj) => obj.Key.GetHashCode(StringComparison.Ordinal);
    }
}
