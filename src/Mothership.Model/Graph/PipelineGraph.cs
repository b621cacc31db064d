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
    private PipelineGraph(ImmutableArray<string> order, ImmutableDictionary<string, ImmutableArray<string>> parents, ImmutableArray<string>? cycle)
    {
        Order = order;
        Parents = parents;
        Cycle = cycle;
        var children = parents.Keys.ToDictionary(k => k, _ => new List<string>());
        foreach (var (child, ps) in parents)
        {
            foreach (var p in ps)
            {
                if (children.TryGetValue(p, out var list))
                {
                    list.Add(child);
                }
            }
        }

        Children = children.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.ToImmutableArray());
    }

    /// <summary>Task names in a topological order (declaration order among equals).</summary>
    public ImmutableArray<string> Order { get; }

    /// <summary>For each task, the tasks it waits for (only tasks that exist).</summary>
    public ImmutableDictionary<string, ImmutableArray<string>> Parents { get; }

    public ImmutableDictionary<string, ImmutableArray<string>> Children { get; }

    /// <summary>A dependency cycle as a path that starts and ends with the same task, if any.</summary>
    public ImmutableArray<string>? Cycle { get; }

    [GeneratedRegex(@"^tasks\.([^.\[\]]+)\.results\.")]
    private static partial Regex ResultReference();

    /// <summary>The tasks whose results a pipeline task reads.</summary>
    public static IEnumerable<string> ResultSources(PipelineTask task) =>
        ReferencedStrings(task)
            .SelectMany(s => VariableScope.References(s))
            .Select(r => ResultReference().Match(r.Expression))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .Distinct();

    /// <summary>Every string of a pipeline task where a variable may appear.</summary>
    public static IEnumerable<string> ReferencedStrings(PipelineTask task)
    {
        foreach (var p in task.Params)
        {
            foreach (var s in TaskSpecRewriter.ValueStrings(p.Value))
            {
                yield return s;
            }
        }

        foreach (var w in task.When)
        {
            if (w.Input is { } input)
            {
                yield return input;
            }

            if (w.Cel is { } cel)
            {
                yield return cel;
            }

            foreach (var v in w.Values)
            {
                yield return v;
            }
        }

        if (task.Matrix is { } matrix)
        {
            foreach (var p in matrix.Params.Concat(matrix.Include.SelectMany(i => i.Params)))
            {
                foreach (var s in TaskSpecRewriter.ValueStrings(p.Value))
                {
                    yield return s;
                }
            }
        }

        if (task.TaskSpec is { } spec)
        {
            foreach (var (text, _, _) in TaskSpecRewriter.Strings(spec))
            {
                yield return text;
            }
        }
    }

    /// <summary>Builds the graph; references to unknown tasks are ignored here (validation reports them).</summary>
    public static PipelineGraph Build(IReadOnlyList<PipelineTask> tasks)
    {
        var names = tasks.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var parents = ImmutableDictionary.CreateBuilder<string, ImmutableArray<string>>(StringComparer.Ordinal);
        foreach (var t in tasks)
        {
            parents[t.Name] = [.. t.RunAfter.Concat(ResultSources(t)).Where(names.Contains).Where(n => n != t.Name).Distinct()];
        }

        // Kahn's algorithm, preferring declaration order so runs are reproducible.
        var index = tasks.Select((t, i) => (t.Name, i)).GroupBy(x => x.Name).ToDictionary(g => g.Key, g => g.First().i);
        var remaining = parents.ToDictionary(kv => kv.Key, kv => kv.Value.Length);
        var ready = new SortedSet<int>(remaining.Where(kv => kv.Value == 0).Select(kv => index[kv.Key]));
        var children = parents.Keys.ToDictionary(k => k, _ => new List<string>());
        foreach (var (child, ps) in parents)
        {
            foreach (var p in ps)
            {
                children[p].Add(child);
            }
        }

        var order = ImmutableArray.CreateBuilder<string>();
        var byIndex = index.ToDictionary(kv => kv.Value, kv => kv.Key);
        while (ready.Count > 0)
        {
            var next = byIndex[ready.Min];
            ready.Remove(ready.Min);
            order.Add(next);
            foreach (var c in children[next])
            {
                if (--remaining[c] == 0)
                {
                    ready.Add(index[c]);
                }
            }
        }

        var graph = parents.ToImmutable();
        ImmutableArray<string>? cycle = order.Count == remaining.Count ? null : FindCycle(graph, remaining.Where(kv => kv.Value > 0).Select(kv => kv.Key));
        return new PipelineGraph(order.ToImmutable(), graph, cycle);
    }

    private static ImmutableArray<string> FindCycle(ImmutableDictionary<string, ImmutableArray<string>> parents, IEnumerable<string> stuck)
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
