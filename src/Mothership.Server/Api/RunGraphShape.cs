using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using Mothership.Model.Graph;
using Mothership.Model.Tekton;

namespace Mothership.Server.Api;

/// <summary>
/// What a PipelineRun's graph takes from its pipeline alone, made once per run and shared by every
/// graph drawn of it (<see cref="RunGraph.Build"/>): the DAG, its edges as JSON, and the DAG as
/// indices of the graph's nodes for the critical path. Only the states change from one run object
/// to the next; at 10,000 tasks this part cost more than the states did when it was made again for
/// each object.
/// </summary>
public sealed class RunGraphShape
{
    private readonly Lazy<Layout> _layout;
    private PipelineGraph? _graph;

    /// <param name="spec">The pipeline the run runs.</param>
    /// <param name="graph">Its DAG when already built (the engine's); otherwise built on first use.</param>
    public RunGraphShape(PipelineSpec spec, PipelineGraph? graph = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        _graph = graph;
        _layout = new Lazy<Layout>(Lay, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public PipelineSpec Spec { get; }

    /// <summary>The DAG of <see cref="Spec"/>'s tasks (two threads racing here build equal values; one is kept).</summary>
    public PipelineGraph Graph => _graph ?? Interlocked.CompareExchange(ref _graph, PipelineGraph.Build(Spec.Tasks), null) ?? _graph;

    /// <summary>Hands over the DAG of the same spec, built elsewhere (the driver's), unless one is held already.</summary>
    public void Offer(PipelineGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        Interlocked.CompareExchange(ref _graph, graph, null);
    }

    /// <summary>The graph's nodes (tasks, then finally tasks), the edges' JSON and the DAG by node index (made once; a second caller waits for it).</summary>
    internal Layout Parts => _layout.Value;

    /// <summary>
    /// <paramref name="Nodes"/>: each pipeline task and whether it is a finally task, in node order.
    /// <paramref name="Edges"/>: the <c>edges</c> array as JSON.
    /// <paramref name="Order"/>: the DAG's tasks in topological order, as the index of the node whose duration counts for them.
    /// <paramref name="Parents"/>: for each entry of <paramref name="Order"/>, its parents as positions in <paramref name="Order"/>.
    /// </summary>
    internal sealed record Layout(ImmutableArray<(PipelineTask Task, bool Finally)> Nodes, byte[] Edges, int[] Order, int[][] Parents);

    private Layout Lay()
    {
        var graph = Graph;
        var nodes = ImmutableArray.CreateRange(Spec.Tasks.Select(t => (Task: t, Finally: false)).Concat(Spec.Finally.Select(t => (Task: t, Finally: true))));
        // A name declared twice (validation refuses it) counts with its last node, as the DAG takes the last declaration's edges.
        var nodeOf = new Dictionary<string, int>(nodes.Length, StringComparer.Ordinal);
        for (var i = 0; i < nodes.Length; i++)
        {
            nodeOf[nodes[i].Task.Name] = i;
        }

        var position = new Dictionary<string, int>(graph.Order.Length, StringComparer.Ordinal);
        var order = new int[graph.Order.Length];
        var parents = new int[graph.Order.Length][];
        for (var i = 0; i < order.Length; i++)
        {
            var name = graph.Order[i];
            position[name] = i;
            order[i] = nodeOf[name];
            parents[i] = [.. graph.Parents.GetValueOrDefault(name, []).Select(p => position[p])];
        }

        return new Layout(nodes, Edges(graph), order, parents);
    }

    private byte[] Edges(PipelineGraph graph)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var task in Spec.Tasks)
            {
                foreach (var parent in graph.Parents.GetValueOrDefault(task.Name, []))
                {
                    // A parent is a runAfter entry or a task whose results this one reads (PipelineGraph): not the one, the other.
                    writer.WriteStartObject();
                    writer.WriteString("from", parent);
                    writer.WriteString("to", task.Name);
                    writer.WriteString("kind", task.RunAfter.Contains(parent) ? "runAfter" : "result");
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
