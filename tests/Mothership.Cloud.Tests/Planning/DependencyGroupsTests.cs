using Mothership.Cloud.Planning;

namespace Mothership.Cloud.Tests.Planning;

public sealed class DependencyGroupsTests
{
    private static DependencyGroups<string> Groups(string nodes, params string[] waits) =>
        DependencyGroups<string>.Of(DependencyGraphTests.Graph(nodes, waits));

    private static string[] Sorted(IEnumerable<string> members) => [.. members.Order(StringComparer.Ordinal)];

    [Fact]
    public void Of_NoCycle_EveryNodeAloneAfterWhatItWaitsFor()
    {
        var groups = Groups("abc", "ab", "bc");

        Assert.Equal([["c"], ["b"], ["a"]], groups.Groups.Select(g => g.ToArray()).ToArray());
        Assert.False(groups.HasCycles);
    }

    [Fact]
    public void Of_MutualWaits_FormOneGroup()
    {
        // d ← a ⇄ b ← c: a and b wait for each other.
        var groups = Groups("abcd", "ab", "ba", "ad", "cb");

        Assert.Equal(["a", "b"], Sorted(groups.GroupOf("b")));
        Assert.Equal(groups.IndexOf("a"), groups.IndexOf("b"));
        Assert.Equal(["c"], groups.GroupOf("c"));
        Assert.True(groups.HasCycles);
        Assert.True(groups.IndexOf("d") < groups.IndexOf("a"));
        Assert.True(groups.IndexOf("a") < groups.IndexOf("c"));
    }

    [Fact]
    public void Of_CycleThroughSeveralNodes_FormsOneGroup()
    {
        var groups = Groups("abcde", "ab", "bc", "ca", "de");

        Assert.Equal(["a", "b", "c"], Sorted(groups.GroupOf("a")));
        Assert.Equal(3, groups.Groups.Length);
    }

    [Fact]
    public void Of_LongChain_DoesNotOverflowTheStack()
    {
        var nodes = Enumerable.Range(0, 100_000).ToList();
        var graph = new DependencyGraph<int>(nodes, n => Enumerable.Range(n + 1, n + 1 < nodes.Count ? 1 : 0));

        var groups = DependencyGroups<int>.Of(graph);

        Assert.Equal(nodes.Count, groups.Groups.Length);
        Assert.Equal(nodes.Count, groups.WaveOf(0));
    }

    [Fact]
    public void WaveOf_LongestChainOfGroupsBefore_CountsFromOne()
    {
        // a waits for b and d; b waits for c; c and e wait for each other.
        var groups = Groups("abcde", "ab", "ad", "bc", "ce", "ec");

        Assert.Equal(1, groups.WaveOf("d"));
        Assert.Equal(1, groups.WaveOf("c"));
        Assert.Equal(1, groups.WaveOf("e"));
        Assert.Equal(2, groups.WaveOf("b"));
        Assert.Equal(3, groups.WaveOf("a"));
    }

    [Fact]
    public void WaveOf_WaitInsideTheGroup_DoesNotCount()
    {
        var groups = Groups("abc", "ab", "ba", "bc");

        Assert.Equal(1, groups.WaveOf("c"));
        Assert.Equal(2, groups.WaveOf("a"));
        Assert.Equal(2, groups.WaveOf("b"));
    }
}
