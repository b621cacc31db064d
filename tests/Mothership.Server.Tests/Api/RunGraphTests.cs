using System.Text.Json.Nodes;
using Mothership.Model.Diagnostics;
using Mothership.Model.Graph;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Server.Api;

namespace Mothership.Server.Tests.Api;

public sealed class RunGraphTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 10, 0, TimeSpan.Zero);

    private static PipelineSpec Spec()
    {
        const string yaml = """
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - {name: a, taskSpec: {results: [{name: r}], steps: [{name: s, image: x, script: "true"}]}}
                - name: b
                  params: [{name: v, value: $(tasks.a.results.r)}]
                  taskSpec: {params: [{name: v}], steps: [{name: s, image: x, script: "true"}]}
                - {name: c, runAfter: [a], taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
                - {name: d, runAfter: [b, c], taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
                - {name: e, when: [{input: x, operator: in, values: [y]}], taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
              finally:
                - {name: f, taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
            """;
        var bag = new DiagnosticBag();
        var pipeline = (Pipeline)ResourceLoader.Load("p.yaml", yaml, bag).Single();
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        return pipeline.Spec;
    }

    /// <summary>The graph of a run object written as a node here, read as the server reads a stored one.</summary>
    private static JsonObject Build(JsonObject run)
    {
        using var document = System.Text.Json.JsonDocument.Parse(run.ToJsonString());
        return RunGraph.Build(Spec(), document.RootElement, Now).ToJsonObject();
    }

    private static JsonObject TaskRun(string task, string status, string reason, string start, string? end, int retries = 0) => new()
    {
        ["pipelineTaskName"] = task,
        ["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Succeeded", ["status"] = status, ["reason"] = reason }),
            ["startTime"] = start,
            ["completionTime"] = end,
            ["retriesStatus"] = new JsonArray([.. Enumerable.Range(0, retries).Select(_ => (JsonNode)new JsonObject())]),
        },
    };

    [Fact]
    public void Build_RunningPipeline_GivesStatesEdgesAndTheCriticalPath()
    {
        var run = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["taskRuns"] = new JsonObject
                {
                    ["r-a"] = TaskRun("a", "True", "Succeeded", "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z"),
                    ["r-b"] = TaskRun("b", "True", "Succeeded", "2026-01-01T00:01:00Z", "2026-01-01T00:01:10Z", retries: 2),
                    ["r-c"] = TaskRun("c", "Unknown", "Running", "2026-01-01T00:01:00Z", null),
                },
                ["skippedTasks"] = new JsonArray(new JsonObject { ["name"] = "e", ["reason"] = "When Expressions evaluated to false" }),
            },
        };

        var graph = Build(run);

        var nodes = graph["nodes"]!.AsArray().ToDictionary(n => (string)n!["name"]!, n => n!.AsObject());
        Assert.Equal("Succeeded", (string?)nodes["a"]["state"]);
        Assert.Equal(3, (int)nodes["b"]["attempts"]!);
        Assert.Equal("Running", (string?)nodes["c"]["state"]);
        Assert.Equal(540, (double)nodes["c"]["durationSeconds"]!);
        Assert.Equal("Pending", (string?)nodes["d"]["state"]);
        Assert.Equal("Skipped", (string?)nodes["e"]["state"]);
        Assert.Equal("When Expressions evaluated to false", (string?)nodes["e"]["skipReason"]);
        Assert.True((bool)nodes["f"]["finally"]!);
        var edges = graph["edges"]!.AsArray().Select(e => ((string)e!["from"]!, (string)e["to"]!, (string)e["kind"]!)).ToHashSet();
        Assert.Equal([("a", "b", "result"), ("a", "c", "runAfter"), ("b", "d", "runAfter"), ("c", "d", "runAfter")], edges.Order());
        // c has run nine minutes so far: a → c → d outweighs a → b → d.
        Assert.Equal(["a", "c", "d"], graph["criticalPath"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public void Build_NotStarted_AllPendingAndTheLongestChainIsCritical()
    {
        var graph = RunGraph.Build(Spec(), null, Now).ToJsonObject();

        Assert.All(graph["nodes"]!.AsArray(), n => Assert.Equal("Pending", (string?)n!["state"]));
        Assert.Equal(["a", "b", "d"], graph["criticalPath"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public void CriticalPath_Cycle_IsEmpty()
    {
        var spec = Spec();
        var cyclic = spec.Tasks.Select(t => t.Name == "a" ? t with { RunAfter = ["d"] } : t).ToList();
        Assert.Empty(RunGraph.CriticalPath(PipelineGraph.Build(cyclic), new Dictionary<string, double>()));
    }
}
