using System.Collections.Immutable;

namespace Mothership.Cloud.Planning;

/// <summary>
/// The chain of waits that bounds how long running a graph takes, run as the deploy pipeline runs
/// it: the members of a group start together, once everything any of them waits for outside the
/// group has finished; a node waits only for the nodes it names.
/// </summary>
internal static class CriticalChain
{
    /// <summary>
    /// The chain that finishes last, first node first, and when it finishes. Ties go to the
    /// earlier node in <paramref name="order"/>: among the waits a group starts after, and, for the
    /// chain's end, among the nodes sorted by wave, then by <paramref name="order"/>. A node that
    /// takes no time stays on the chain (a caller may leave it out of what it shows).
    /// </summary>
    public static (ImmutableArray<TNode> Chain, TimeSpan Duration) Find<TNode>(DependencyGroups<TNode> groups, Func<TNode, TimeSpan> duration, IComparer<TNode> order)
        where TNode : notnull
    {
        var graph = groups.Graph;
        var finish = new Dictionary<TNode, TimeSpan>(graph.Comparer);
        var startsAfter = new Dictionary<TNode, TNode>(graph.Comparer);
        for (var g = 0; g < groups.Groups.Length; g++)
        {
            var group = g;
            var start = TimeSpan.Zero;
            var waits = groups.Groups[g].SelectMany(m => graph.DependenciesOf(m)).Where(d => groups.IndexOf(d) != group).Distinct(graph.Comparer).Order(order).ToList();
            var latest = -1;
            for (var i = 0; i < waits.Count; i++)
            {
                if (latest < 0 || finish[waits[i]] > start)
                {
                    start = finish[waits[i]];
                    latest = i;
                }
            }

            foreach (var member in groups.Groups[g])
            {
                finish[member] = start + duration(member);
                if (latest >= 0)
                {
                    startsAfter[member] = waits[latest];
                }
            }
        }

        if (finish.Count == 0)
        {
            return ([], TimeSpan.Zero);
        }

        var last = graph.Nodes.OrderBy(groups.WaveOf).ThenBy(n => n, order).MaxBy(n => finish[n])!;
        var chain = new List<TNode> { last };
        for (var at = last; startsAfter.TryGetValue(at, out var previous); at = previous)
        {
            chain.Add(previous);
        }

        chain.Reverse();
        return ([.. chain], finish[last]);
    }
}
