using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Model.Graph;

/// <summary>
/// The DAG of a pipeline's <c>tasks</c>: an edge from each <c>runAfter</c> entry and from each
/// <c>$(tasks.X.results.Y)</c> reference (in params, when expressions, matrix and an embedded
/// taskSpec). Finally tasks are not part of it: they run once the DAG is done.
/// </summary>
public sealed partial class PipelineGraph
{
    private readonly Sorted _sorted;
    private IReadOnlyDictionary<string, ImmutableArray<string>>? _children;

    private PipelineGraph(
        Sorted sorted,
        ImmutableArray<string> order,
        IReadOnlyDictionary<string, ImmutableArray<string>> parents,
        ImmutableArray<string>? cycle)
    {
        _sorted = sorted;
        Order = order;
        Parents = parents;
        Cycle = cycle;
    }

    /// <summary>Task names in a topological order (declaration order among equals).</summary>
    public ImmutableArray<string> Order { get; }

    /// <summary>
    /// For each task, the tasks it waits for (only tasks that exist). Never changed once built: a
    /// dictionary rather than an immutable one, which cost a tree node per task and a tree walk
    /// per lookup (the scheduler looks up every task it starts).
    /// </summary>
    public IReadOnlyDictionary<string, ImmutableArray<string>> Parents { get; }

    /// <summary>
    /// For each task, the tasks waiting for it. Built on first use, as the engine does not need it
    /// (two threads racing here build equal values, harmlessly).
    /// </summary>
    public IReadOnlyDictionary<string, ImmutableArray<string>> Children => _children ??= BuildChildren(_sorted);

    private static Dictionary<string, ImmutableArray<string>> BuildChildren(Sorted sorted)
    {
        var children = new Dictionary<string, ImmutableArray<string>>(sorted.Names.Count, StringComparer.Ordinal);
        for (var i = 0; i < sorted.Names.Count; i++)
        {
            children.Add(sorted.Names[i], NamesOf(sorted.ChildrenOf[i], sorted.Names));
        }

        return children;
    }

    /// <summary>A dependency cycle as a path that starts and ends with the same task, if any.</summary>
    public ImmutableArray<string>? Cycle { get; }

    [GeneratedRegex(@"^tasks\.([^.\[\]]+)\.results\.")]
    private static partial Regex ResultReference();

    /// <summary>Adds to <paramref name="sources"/> each task whose results <paramref name="task"/> reads, once.</summary>
    private static void AddResultSources(PipelineTask task, List<string> sources) =>
        VisitStrings(task, sources, static (list, text) => AddResultSources(text, list));

    private static void AddResultSources(string? text, List<string> sources)
    {
        // Most strings hold no variable: skip the regex for them.
        if (text is null || !text.Contains("$(", StringComparison.Ordinal))
        {
            return;
        }

        foreach (var (expression, _) in VariableScope.References(text))
        {
            if (ResultReference().Match(expression) is { Success: true } m && !sources.Contains(m.Groups[1].Value))
            {
                sources.Add(m.Groups[1].Value);
            }
        }
    }

    /// <summary>
    /// The strings of a pipeline task that use a variable (hold <c>$(</c>), in
    /// <see cref="VisitStrings"/>' order: the others cannot reference anything. A list, not an
    /// iterator, and built by a plain walk: the scheduler asks for every task it starts.
    /// </summary>
    public static IReadOnlyList<string> ReferencedStrings(PipelineTask task)
    {
        var found = new List<string>();
        VisitStrings(task, found, static (list, text) =>
        {
            if (text.Contains("$(", StringComparison.Ordinal))
            {
                list.Add(text);
            }
        });
        return found;
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with every string of a pipeline task where a variable may
    /// appear: its params, when expressions, matrix, and embedded spec, in that order.
    /// </summary>
    public static void VisitStrings<TState>(PipelineTask task, TState state, Action<TState, string> visit)
    {
        foreach (var p in task.Params)
        {
            VisitValue(p.Value, state, visit);
        }

        foreach (var w in task.When)
        {
            if (w.Input is { } input)
            {
                visit(state, input);
            }

            if (w.Cel is { } cel)
            {
                visit(state, cel);
            }

            foreach (var v in w.Values)
            {
                visit(state, v);
            }
        }

        if (task.Matrix is { } matrix)
        {
            foreach (var p in matrix.Params.Concat(matrix.Include.SelectMany(i => i.Params)))
            {
                VisitValue(p.Value, state, visit);
            }
        }

        if (task.TaskSpec is { } spec)
        {
            TaskSpecRewriter.VisitStrings(spec, (state, visit), static (outer, text, _, _) => outer.visit(outer.state, text));
        }
    }

    private static void VisitValue<TState>(ParamValue value, TState state, Action<TState, string> visit)
    {
        foreach (var s in TaskSpecRewriter.ValueStrings(value))
        {
            visit(state, s);
        }
    }

    /// <summary>Builds the graph; references to unknown tasks are ignored here (validation reports them).</summary>
    public static PipelineGraph Build(IReadOnlyList<PipelineTask> tasks)
    {
        var sorted = Sort(tasks);
        var names = sorted.Names;
        var n = names.Count;
        var parents = new Dictionary<string, ImmutableArray<string>>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            parents.Add(names[i], NamesOf(sorted.ParentsOf[i], names));
        }

        var order = ImmutableArray.CreateBuilder<string>(sorted.Order.Count);
        foreach (var i in sorted.Order)
        {
            order.Add(names[i]);
        }

        ImmutableArray<string>? cycle = sorted.Order.Count == n
            ? null
            : FindCycle(parents, Enumerable.Range(0, n).Where(i => sorted.Remaining[i] > 0).Select(i => names[i]));
        return new PipelineGraph(sorted, order.MoveToImmutable(), parents, cycle);
    }

    /// <summary>
    /// The dependency cycle among <paramref name="tasks"/>, if any, without building the graph's
    /// immutable views: validation only needs this answer.
    /// </summary>
    internal static ImmutableArray<string>? CycleOf(IReadOnlyList<PipelineTask> tasks)
    {
        var sorted = Sort(tasks);
        return sorted.Order.Count == sorted.Names.Count ? null : Build(tasks).Cycle;
    }

    /// <summary>Tasks as indices: their edges, and a topological order of those that can run.</summary>
    private sealed record Sorted(List<string> Names, int[][] ParentsOf, int[][] ChildrenOf, List<int> Order, int[] Remaining);

    private static Sorted Sort(IReadOnlyList<PipelineTask> tasks)
    {
        // Nodes are the distinct names, numbered in order of first declaration; a duplicated name
        // (validation reports it) takes the dependencies of its last declaration.
        var index = new Dictionary<string, int>(tasks.Count, StringComparer.Ordinal);
        var names = new List<string>(tasks.Count);
        foreach (var t in tasks)
        {
            if (index.TryAdd(t.Name, names.Count))
            {
                names.Add(t.Name);
            }
        }

        var n = names.Count;
        var parentsOf = new int[n][];
        var deps = new List<int>();
        var sources = new List<string>();
        foreach (var t in tasks)
        {
            var self = index[t.Name];
            deps.Clear();
            sources.Clear();
            AddResultSources(t, sources);
            foreach (var name in t.RunAfter.Concat(sources))
            {
                // Dependencies per task are few: a list scan beats a set.
                if (index.TryGetValue(name, out var p) && p != self && !deps.Contains(p))
                {
                    deps.Add(p);
                }
            }

            parentsOf[self] = [.. deps];
        }

        var childCount = new int[n];
        foreach (var ps in parentsOf)
        {
            foreach (var p in ps)
            {
                childCount[p]++;
            }
        }

        var childrenOf = new int[n][];
        for (var i = 0; i < n; i++)
        {
            childrenOf[i] = new int[childCount[i]];
            childCount[i] = 0;
        }

        for (var c = 0; c < n; c++)
        {
            foreach (var p in parentsOf[c])
            {
                childrenOf[p][childCount[p]++] = c;
            }
        }

        // Kahn's algorithm, preferring declaration order so runs are reproducible: a min-heap of
        // task indices holds the tasks whose parents are all done.
        var remaining = new int[n];
        var ready = new PriorityQueue<int, int>(n);
        for (var i = 0; i < n; i++)
        {
            remaining[i] = parentsOf[i].Length;
            if (remaining[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var order = new List<int>(n);
        while (ready.TryDequeue(out var next, out _))
        {
            order.Add(next);
            foreach (var c in childrenOf[next])
            {
                if (--remaining[c] == 0)
                {
                    ready.Enqueue(c, c);
                }
            }
        }

        return new Sorted(names, parentsOf, childrenOf, order, remaining);
    }

    private static ImmutableArray<string> NamesOf(int[] indices, List<string> names)
    {
        var b = ImmutableArray.CreateBuilder<string>(indices.Length);
        foreach (var i in indices)
        {
            b.Add(names[i]);
        }

        return b.MoveToImmutable();
    }

    private static ImmutableArray<string> FindCycle(Dictionary<string, ImmutableArray<string>> parents, IEnumerable<string> stuck)
    {
        // Every stuck task waits for at least one other stuck task, so following stuck parents
        // from any of them must come back to a task already on the path: that stretch is a cycle.
        var stuckSet = stuck.ToHashSet(StringComparer.Ordinal);
        var path = new List<string>();
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        var current = stuckSet.First();
        while (!position.ContainsKey(current))
        {
            position[current] = path.Count;
            path.Add(current);
            current = parents[current].First(stuckSet.Contains);
        }

        // The walk follows parent edges; print the cycle in execution order (A → B means B runs after A).
        var cycle = path.Skip(position[current]).Reverse().ToList();
        cycle.Add(cycle[0]);
        return [.. cycle];
    }
}
