using System.Collections.Immutable;

namespace Mothership.Cloud.Planning;

/// <summary>
/// Cycles that exist only because some waits were added to a graph: a group that falls apart
/// when the added waits are taken away again.
/// </summary>
internal static class AddedEdgeCycles
{
    /// <summary>
    /// For each such group of <paramref name="groups"/> (in their order): the first of the
    /// <paramref name="added"/> waits that joins two of its parts, and a shortest cycle through that
    /// wait, as the path <c>From → To → … → From</c>.
    /// </summary>
    public static IEnumerable<(TNode From, TNode To, ImmutableArray<TNode> Cycle)> Find<TNode>(DependencyGroups<TNode> groups, IReadOnlyList<(TNode From, TNode To)> added)
        where TNode : notnull
    {
        if (added.Count == 0 || !groups.HasCycles)
        {
            yield break;
        }

        var graph = groups.Graph;
        var without = DependencyGroups<TNode>.Of(graph.Without(added));
        foreach (var group in groups.Groups.Where(g => g.Length > 1 && g.Select(without.IndexOf).Distinct().Count() > 1))
        {
            var members = group.ToHashSet(graph.Comparer);
            var (from, to) = added.First(a => members.Contains(a.From) && members.Contains(a.To) && without.IndexOf(a.From) != without.IndexOf(a.To));
            var back = graph.ShortestPath(to, from, members)
                ?? throw new InvalidOperationException($"'{from}' and '{to}' share a group, yet no path leads from '{to}' back to '{from}'");
            yield return (from, to, [from, .. back]);
        }
    }
}
