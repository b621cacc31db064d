using Mothership.Cloud.Planning;

namespace Mothership.Cloud.Tests.Planning;

public sealed class DependencyGraphTests
{
    /// <summary>A graph of single letters; <c>"ab"</c> means a waits for b.</summary>
    internal static DependencyGraph<string> Graph(string nodes, params string[] waits) =>
        new(nodes.Select(c => c.ToString()), n => waits.Where(w => w[..1] == n).Select(w => w[1..]), StringComparer.Ordinal);

    [Fact]
    public void Constructor_RepeatedWait_CountsOnce()
    {
        var graph = Graph("abc", "ab", "ac", "ab");

        Assert.Equal(["b", "c"], graph.DependenciesOf("a"));
        Assert.Equal(["a", "b", "c"], graph.Nodes);
    }

    [Fact]
    public void Constructor_WaitOnUnknownNode_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Graph("ab", "ax"));

        Assert.Contains("'a' waits for 'x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NodeListedTwice_Throws()
    {
        Assert.Throws<ArgumentException>(() => Graph("aba"));
    }

    [Fact]
    public void Without_GivenWaits_DropsOnlyThose()
    {
        var graph = Graph("abc", "ab", "ac", "bc");

        var without = graph.Without([("a", "c"), ("c", "a")]);

        Assert.Equal(["b"], without.DependenciesOf("a"));
        Assert.Equal(["c"], without.DependenciesOf("b"));
        Assert.Equal(["b", "c"], graph.DependenciesOf("a"));
    }

    [Fact]
    public void ShortestPath_TwoRoutes_TakesTheShorter()
    {
        var graph = Graph("abcde", "ab", "bc", "cd", "ae", "ed");

        Assert.Equal(["a", "e", "d"], graph.ShortestPath("a", "d", graph.Nodes.ToHashSet()));
    }

    [Fact]
    public void ShortestPath_RoutesOfEqualLength_FollowsTheEarlierWait()
    {
        var graph = Graph("abcd", "ac", "ab", "bd", "cd");

        Assert.Equal(["a", "c", "d"], graph.ShortestPath("a", "d", graph.Nodes.ToHashSet()));
    }

    [Fact]
    public void ShortestPath_ShorterRouteLeavesTheSet_TakesTheRouteWithin()
    {
        var graph = Graph("abcde", "ab", "bc", "cd", "ae", "ed");

        Assert.Equal(["a", "b", "c", "d"], graph.ShortestPath("a", "d", new HashSet<string> { "b", "c", "d" }));
    }

    [Fact]
    public void ShortestPath_StartIsGoal_IsTheNodeAlone()
    {
        var graph = Graph("ab", "ab");

        Assert.Equal(["a"], graph.ShortestPath("a", "a", new HashSet<string>()));
    }

    [Fact]
    public void ShortestPath_Unreachable_IsNull()
    {
        var graph = Graph("abc", "ab");

        Assert.Null(graph.ShortestPath("a", "c", graph.Nodes.ToHashSet()));
    }
}
