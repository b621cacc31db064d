using Mothership.Model.Graph;
using Mothership.Model.Tekton;
using Mothership.Server.Api;

namespace Mothership.Server.Tests.Api;

public sealed class RunGraphShapeTests
{
    private static PipelineTask Task(string name, params string[] runAfter) => new() { Name = name, RunAfter = [.. runAfter] };

    private static PipelineSpec Spec() => new() { Tasks = [Task("a"), Task("b", "a"), Task("c", "a"), Task("d", "b", "c")] };

    [Fact(Timeout = 10_000)]
    public void Graph_GivenTheDriversGraph_KeepsThatGraph()
    {
        var spec = Spec();
        var graph = PipelineGraph.Build(spec.Tasks);

        Assert.Same(graph, new RunGraphShape(spec, graph).Graph);
    }

    [Fact(Timeout = 10_000)]
    public void Offer_NoGraphYet_TakesIt_ElseKeepsTheFirst()
    {
        var spec = Spec();
        var offered = PipelineGraph.Build(spec.Tasks);
        var later = PipelineGraph.Build(spec.Tasks);
        var shape = new RunGraphShape(spec);

        shape.Offer(offered);
        shape.Offer(later);

        Assert.Same(offered, shape.Graph);
    }

    [Fact(Timeout = 10_000)]
    public void Graph_NoneGiven_BuildsOnceAndKeepsIt()
    {
        var shape = new RunGraphShape(Spec());

        var first = shape.Graph;

        Assert.Same(first, shape.Graph);
        Assert.Equal(["a", "b", "c", "d"], first.Order);
    }

    [Fact(Timeout = 10_000)]
    public void Build_TwoObjectsOfOneShape_SameEdgesDifferentStates()
    {
        var shape = new RunGraphShape(Spec());
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var running = System.Text.Json.JsonDocument.Parse("""
            {"status": {"taskRuns": {"r-a": {"pipelineTaskName": "a", "status": {"conditions": [{"type": "Succeeded", "status": "Unknown"}], "startTime": "2025-12-31T23:59:00Z"}}}}}
            """);

        var before = RunGraph.Build(shape, null, now).ToJsonObject();
        var after = RunGraph.Build(shape, running.RootElement, now).ToJsonObject();

        Assert.Equal(before["edges"]!.ToJsonString(), after["edges"]!.ToJsonString());
        Assert.Equal(4, after["edges"]!.AsArray().Count);
        Assert.Equal("Pending", (string?)before["nodes"]![0]!["state"]);
        Assert.Equal("Running", (string?)after["nodes"]![0]!["state"]);
        // a has run a minute; b and c nothing: the tie between a → b → d and a → c → d goes to the first parent.
        Assert.Equal(["a", "b", "d"], after["criticalPath"]!.AsArray().Select(n => (string)n!));
    }
}
