using Mothership.Cloud.Planning;

namespace Mothership.Cloud.Tests.Planning;

public sealed class AddedEdgeCyclesTests
{
    private static List<(string From, string To, string Cycle)> Find(string nodes, (string From, string To)[] added, params string[] waits)
    {
        var groups = DependencyGroups<string>.Of(DependencyGraphTests.Graph(nodes, [.. waits, .. added.Select(a => a.From + a.To)]));
        return [.. AddedEdgeCycles.Find(groups, added).Select(c => (c.From, c.To, string.Join(" → ", c.Cycle)))];
    }

    [Fact]
    public void Find_AddedWaitClosesACycle_NamesTheWaitAndTheCycle()
    {
        // a → b → c exist; the added c → a closes the cycle.
        var cycles = Find("abc", [("c", "a")], "ab", "bc");

        Assert.Equal([("c", "a", "c → a → b → c")], cycles);
    }

    [Fact]
    public void Find_CycleWithoutTheAddedWaits_IsNotReported()
    {
        // a ⇄ b is there already; the added a → c closes nothing.
        Assert.Empty(Find("abc", [("a", "c")], "ab", "ba"));
    }

    [Fact]
    public void Find_AddedWaitJoinsTwoExistingCycles_Reported()
    {
        // a ⇄ b and c ⇄ d exist; with b → c added, nothing changes; with d → a added too, all four are one group.
        var cycles = Find("abcd", [("b", "c"), ("d", "a")], "ab", "ba", "cd", "dc");

        var (from, to, cycle) = Assert.Single(cycles);
        Assert.Equal(("b", "c"), (from, to));
        Assert.Equal("b → c → d → a → b", cycle);
    }

    [Fact]
    public void Find_NoAddedWaits_NothingToReport()
    {
        Assert.Empty(Find("ab", [], "ab", "ba"));
    }

    [Fact]
    public void Find_TwoGroupsMadeByAddedWaits_OneReportEach()
    {
        var cycles = Find("abcd", [("b", "a"), ("d", "c")], "ab", "cd");

        Assert.Equal(2, cycles.Count);
        Assert.Contains(("b", "a", "b → a → b"), cycles);
        Assert.Contains(("d", "c", "d → c → d"), cycles);
    }
}
