using Mothership.Cloud.Planning;

namespace Mothership.Cloud.Tests.Planning;

public sealed class CriticalChainTests
{
    private static (string[] Chain, TimeSpan Duration) Find(string nodes, Dictionary<string, int> minutes, params string[] waits)
    {
        var groups = DependencyGroups<string>.Of(DependencyGraphTests.Graph(nodes, waits));
        var (chain, duration) = CriticalChain.Find(groups, n => TimeSpan.FromMinutes(minutes.GetValueOrDefault(n, 1)), StringComparer.Ordinal);
        return ([.. chain], duration);
    }

    [Fact]
    public void Find_TwoBranches_FollowsTheLonger()
    {
        // d waits for b and c; both wait for a.
        var (chain, duration) = Find("abcd", new() { ["a"] = 5, ["b"] = 10, ["c"] = 2, ["d"] = 1 }, "ba", "ca", "db", "dc");

        Assert.Equal(["a", "b", "d"], chain);
        Assert.Equal(TimeSpan.FromMinutes(16), duration);
    }

    [Fact]
    public void Find_Group_StartsTogetherAfterWhatAnyMemberWaitsFor()
    {
        // b and c wait for each other; c also waits for a; both start once a has finished.
        var (chain, duration) = Find("abc", new() { ["a"] = 5, ["b"] = 20, ["c"] = 1 }, "bc", "cb", "ca");

        Assert.Equal(["a", "b"], chain);
        Assert.Equal(TimeSpan.FromMinutes(25), duration);
    }

    [Fact]
    public void Find_EqualFinish_TakesTheEarlierInOrder()
    {
        var (chain, _) = Find("abc", new() { ["a"] = 3, ["b"] = 3, ["c"] = 1 }, "cb", "ca");

        Assert.Equal(["a", "c"], chain);
    }

    [Fact]
    public void Find_EqualEnds_TakesTheEarlierWaveThenTheEarlierInOrder()
    {
        // a (wave 1, 6 min) ends with c (wave 2: 1 + 5 min); both end at 6: a, in the earlier wave, is the end.
        var (chain, duration) = Find("abc", new() { ["a"] = 6, ["b"] = 1, ["c"] = 5 }, "cb");

        Assert.Equal(["a"], chain);
        Assert.Equal(TimeSpan.FromMinutes(6), duration);
    }

    [Fact]
    public void Find_NodeThatTakesNoTime_StaysOnTheChainButEndsNone()
    {
        // c ends when b does, in a later wave: b ends the chain; a, which takes no time, starts it.
        var (chain, duration) = Find("abc", new() { ["a"] = 0, ["b"] = 4, ["c"] = 0 }, "ba", "cb");

        Assert.Equal(["a", "b"], chain);
        Assert.Equal(TimeSpan.FromMinutes(4), duration);
    }

    [Fact]
    public void Find_EmptyGraph_IsEmptyAndTakesNoTime()
    {
        var (chain, duration) = Find("", []);

        Assert.Empty(chain);
        Assert.Equal(TimeSpan.Zero, duration);
    }
}
