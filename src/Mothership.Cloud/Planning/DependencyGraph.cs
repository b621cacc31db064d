using System.Collections.Immutable;

namespace Mothership.Cloud.Planning;

/// <summary>
/// A directed graph of waits, immutable: each node lists the nodes it waits for. Nodes and waits
/// keep the order they were given in, and every algorithm over the graph follows that order, so
/// its results do not depend on hashing. A wait on a node outside the graph is a bug of the caller.
/// </summary>
internal sealed class DependencyGraph<TNode>
    where TNode : notnull
{
    private readonly Dictionary<TNode, ImmutableArray<TNode>> _dependencies;

    /// <param name="nodes">The nodes, each once.</param>
    /// <param name="dependenciesOf">The nodes one node waits for; a repeated wait counts once.</param>
    /// <param name="comparer">Node equality; default <see cref="EqualityComparer{T}.Default"/>.</param>
    public DependencyGraph(IEnumerable<TNode> nodes, Func<TNode, IEnumerable<TNode>> dependenciesOf, IEqualityComparer<TNode>? comparer = null)
    {
        Comparer = comparer ?? EqualityComparer<TNode>.Default;
        Nodes = [.. nodes];
        _dependencies = new Dictionary<TNode, ImmutableArray<TNode>>(Comparer);
        foreach (var node in Nodes)
        {
            if (!_dependencies.TryAdd(node, [.. dependenciesOf(node).Distinct(Comparer)]))
            {
                throw new ArgumentException($"node '{node}' is listed twice", nameof(nodes));
            }
        }

        foreach (var (node, dependencies) in _dependencies)
        {
            if (dependencies.Any(d => !_dependencies.ContainsKey(d)))
            {
                var unknown = dependencies.First(d => !_dependencies.ContainsKey(d));
                throw new ArgumentException($"node '{node}' waits for '{unknown}', which is not a node of the graph", nameof(dependenciesOf));
            }
        }
    }

    public IEqualityComparer<TNode> Comparer { get; }

    /// <summary>The nodes in the order given.</summary>
    public ImmutableArray<TNode> Nodes { get; }

    /// <summary>The nodes <paramref name="node"/> waits for, in the order given.</summary>
    public ImmutableArray<TNode> DependenciesOf(TNode node) => _dependencies[node];

    /// <summary>The same graph without the given waits (pairs that are no wait of the graph are ignored).</summary>
    public DependencyGraph<TNode> Without(IEnumerable<(TNode From, TNode To)> waits)
    {
        var dropped = new Dictionary<TNode, HashSet<TNode>>(Comparer);
        foreach (var (from, to) in waits)
        {
            if (!dropped.TryGetValue(from, out var targets))
            {
                dropped[from] = targets = new HashSet<TNode>(Comparer);
            }

            targets.Add(to);
        }

        return new DependencyGraph<TNode>(
            Nodes,
            n => dropped.TryGetValue(n, out var targets) ? _dependencies[n].Where(d => !targets.Contains(d)) : _dependencies[n],
            Comparer);
    }

    /// <summary>
    /// A shortest chain of waits from <paramref name="start"/> to <paramref name="goal"/> that steps
    /// only on nodes of <paramref name="within"/> (breadth first; among chains of the same length,
    /// the one that follows the earlier waits), both ends included; null when there is none.
    /// </summary>
    public IReadOnlyList<TNode>? ShortestPath(TNode start, TNode goal, IReadOnlySet<TNode> within)
    {
        var previous = new Dictionary<TNode, TNode>(Comparer) { [start] = start };
        var queue = new Queue<TNode>([start]);
        while (queue.Count > 0 && !previous.ContainsKey(goal))
        {
            var node = queue.Dequeue();
            foreach (var next in _dependencies[node].Where(within.Contains))
            {
                if (previous.TryAdd(next, node))
                {
                    queue.Enqueue(next);
                }
            }
        }

        if (!previous.ContainsKey(goal))
        {
            return null;
        }

        var path = new List<TNode> { goal };
        for (var at = goal; !Comparer.Equals(at, start); at = previous[at])
        {
            path.Add(previous[at]);
        }

        path.Reverse();
        return path;
    }
}
