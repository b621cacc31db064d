using System.Collections.Immutable;

namespace Mothership.Cloud.Planning;

/// <summary>
/// A graph's strongly connected components: nodes that wait for each other, directly or not, form
/// one group; a node on no cycle is a group of its own. Groups are listed after every group they
/// wait for, and each has a wave: 1 when it waits for no other group, else one more than the
/// highest wave of the groups it waits for (groups of one wave can run side by side).
/// </summary>
internal sealed class DependencyGroups<TNode>
    where TNode : notnull
{
    private readonly Dictionary<TNode, int> _indexOf;
    private readonly ImmutableArray<int> _waves;

    private DependencyGroups(DependencyGraph<TNode> graph, ImmutableArray<ImmutableArray<TNode>> groups)
    {
        Graph = graph;
        Groups = groups;
        _indexOf = new Dictionary<TNode, int>(graph.Comparer);
        for (var g = 0; g < groups.Length; g++)
        {
            foreach (var member in groups[g])
            {
                _indexOf[member] = g;
            }
        }

        // Every group comes after the groups it waits for: waves in one pass.
        var waves = new int[groups.Length];
        for (var g = 0; g < groups.Length; g++)
        {
            var group = g;
            waves[g] = 1 + groups[g].SelectMany(m => graph.DependenciesOf(m)).Select(d => _indexOf[d]).Where(d => d != group).Select(d => waves[d]).DefaultIfEmpty(0).Max();
        }

        _waves = [.. waves];
    }

    public DependencyGraph<TNode> Graph { get; }

    /// <summary>Each group after the groups it waits for; within a group, members in the order Tarjan's algorithm closes them.</summary>
    public ImmutableArray<ImmutableArray<TNode>> Groups { get; }

    /// <summary>Whether any group has more than one member.</summary>
    public bool HasCycles => Groups.Any(g => g.Length > 1);

    /// <summary>The position of <paramref name="node"/>'s group in <see cref="Groups"/>.</summary>
    public int IndexOf(TNode node) => _indexOf[node];

    /// <summary>The members of <paramref name="node"/>'s group (itself alone when it is on no cycle).</summary>
    public ImmutableArray<TNode> GroupOf(TNode node) => Groups[_indexOf[node]];

    /// <summary>The wave of <paramref name="node"/>'s group, from 1.</summary>
    public int WaveOf(TNode node) => _waves[_indexOf[node]];

    /// <summary>Tarjan's algorithm, which closes a component only after every component it reaches.</summary>
    public static DependencyGroups<TNode> Of(DependencyGraph<TNode> graph)
    {
        var index = new Dictionary<TNode, int>(graph.Comparer);
        var low = new Dictionary<TNode, int>(graph.Comparer);
        var onStack = new HashSet<TNode>(graph.Comparer);
        var stack = new Stack<TNode>();
        var groups = ImmutableArray.CreateBuilder<ImmutableArray<TNode>>();
        var next = 0;

        // Iterative, so a long chain of waits cannot overflow the stack.
        foreach (var start in graph.Nodes)
        {
            if (index.ContainsKey(start))
            {
                continue;
            }

            var work = new Stack<(TNode Node, int Edge)>();
            work.Push((start, 0));
            index[start] = low[start] = next++;
            stack.Push(start);
            onStack.Add(start);
            while (work.Count > 0)
            {
                var (node, i) = work.Pop();
                var outgoing = graph.DependenciesOf(node);
                if (i < outgoing.Length)
                {
                    work.Push((node, i + 1));
                    var to = outgoing[i];
                    if (!index.ContainsKey(to))
                    {
                        index[to] = low[to] = next++;
                        stack.Push(to);
                        onStack.Add(to);
                        work.Push((to, 0));
                    }
                    else if (onStack.Contains(to))
                    {
                        low[node] = Math.Min(low[node], index[to]);
                    }

                    continue;
                }

                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }

                if (low[node] == index[node])
                {
                    var component = ImmutableArray.CreateBuilder<TNode>();
                    TNode member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        component.Add(member);
                    }
                    while (!graph.Comparer.Equals(member, node));
                    groups.Add(component.ToImmutable());
                }
            }
        }

        return new DependencyGroups<TNode>(graph, groups.ToImmutable());
    }
}
