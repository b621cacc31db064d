using System.Text.Json.Nodes;
using Mothership.Model.Diagnostics;
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
        return RunGraph.Build(new RunGraphShape(Spec()), document.RootElement, Now).ToJsonObject();
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
        var graph = RunGraph.Build(new RunGraphShape(Spec()), null, Now).ToJsonObject();

        Assert.All(graph["nodes"]!.AsArray(), n => Assert.Equal("Pending", (string?)n!["state"]));
        Assert.Equal(["a", "b", "d"], graph["criticalPath"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public void Build_Cycle_NoCriticalPath()
    {
        var spec = Spec();
        var cyclic = spec with { Tasks = [.. spec.Tasks.Select(t => t.Name == "a" ? t with { RunAfter = ["d"] } : t)] };

        var graph = RunGraph.Build(new RunGraphShape(cyclic), null, Now).ToJsonObject();

        Assert.Empty(graph["criticalPath"]!.AsArray());
        Assert.Equal(6, graph["nodes"]!.AsArray().Count);
    }

    [Fact]
    public void Build_MatrixTaskOneFailed_FailedWithItsMessageAndTheWholeSpan()
    {
        var failed = TaskRun("a", "False", "Failed", "2025-12-31T23:59:30", "2026-01-01T02:02:00+02:00");
        failed["status"]!["conditions"]![0]!["message"] = "step \"s\" exited with code 1 — ünïcode";
        var run = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["taskRuns"] = new JsonObject
                {
                    ["r-a-0"] = TaskRun("a", "True", "Succeeded", "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z"),
                    ["r-a-1"] = failed,
                },
            },
        };

        var node = Build(run)["nodes"]!.AsArray().Single(n => (string?)n!["name"] == "a")!;

        Assert.Equal("Failed", (string?)node["state"]);
        Assert.Equal("Failed", (string?)node["reason"]);
        Assert.Equal("step \"s\" exited with code 1 — ünïcode", (string?)node["message"]);
        Assert.Equal(["r-a-0", "r-a-1"], node["taskRuns"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(2, (int)node["matrix"]!);
        // A time without an offset is UTC; one with an offset keeps it.
        Assert.Equal("2025-12-31T23:59:30.0000000+00:00", (string?)node["startTime"]);
        Assert.Equal("2026-01-01T02:02:00.0000000+02:00", (string?)node["completionTime"]);
        Assert.Equal(150, (double)node["durationSeconds"]!);
    }

    [Fact]
    public void Build_TaskRunsTakenOverFromAnEarlierRun_ReusedAndOffTheCriticalPath()
    {
        var reused = TaskRun("a", "True", "Succeeded", "2025-12-31T00:00:00Z", "2025-12-31T01:00:00Z");
        reused["metadata"] = new JsonObject
        {
            ["annotations"] = new JsonObject
            {
                [Mothership.Model.Tekton.Vocabulary.MothershipLabels.ReusedFrom] = "old-a",
                [Mothership.Model.Tekton.Vocabulary.MothershipLabels.ReusedFromPipelineRun] = "old",
            },
        };
        var run = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["taskRuns"] = new JsonObject
                {
                    ["r-a"] = reused,
                    ["r-c"] = TaskRun("c", "True", "Succeeded", "2026-01-01T00:00:00Z", "2026-01-01T00:00:05Z"),
                },
            },
        };

        var graph = Build(run);
        var node = graph["nodes"]!.AsArray().Single(n => (string?)n!["name"] == "a")!;

        Assert.Equal("Reused", (string?)node["state"]);
        Assert.Equal("old", (string?)node["reusedFrom"]!["pipelineRun"]);
        Assert.Equal(["old-a"], node["reusedFrom"]!["taskRuns"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(3600, (double)node["durationSeconds"]!);
        // a's hour cost this run nothing: c's five seconds make a → c → d the critical path.
        Assert.Equal(["a", "c", "d"], graph["criticalPath"]!.AsArray().Select(n => (string)n!));
    }
}
