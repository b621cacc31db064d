using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Mothership.Server.Api;
using Mothership.Store;

namespace Mothership.Server.Tests.Api;

public sealed class RunGraphCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static RunRecord Run(RunPhase phase, string? obj) => new()
    {
        Uid = "uid-1", Kind = "PipelineRun", Name = "r", Pipeline = "", Phase = phase, Status = "Unknown", Reason = "Running",
        CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), Object = obj,
        Manifest = """
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              pipelineSpec:
                tasks:
                  - {name: a, taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
                  - {name: b, runAfter: [a], taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
            """,
    };

    private static string Object(string aReason) => new JsonObject
    {
        ["status"] = new JsonObject
        {
            ["taskRuns"] = new JsonObject
            {
                ["r-a"] = new JsonObject
                {
                    ["pipelineTaskName"] = "a",
                    ["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["status"] = aReason == "Succeeded" ? "True" : "Unknown", ["reason"] = aReason }) },
                },
            },
        },
    }.ToJsonString();

    private static string? StateOf(CachedGraph graph, string task) =>
        (string?)graph.Graph["nodes"]!.AsArray().Single(n => (string?)n!["name"] == task)!["state"];

    [Fact(Timeout = 10_000)]
    public async Task GetAsync_SameObject_ServesTheSameBytesUntilItChanges()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero));
        var cache = new RunGraphCache(time);

        var first = await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);
        var again = await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);
        var changed = await cache.GetAsync(Run(RunPhase.Running, Object("Succeeded")), Ct);

        Assert.NotNull(first);
        Assert.Same(first, again);
        Assert.Equal("Running", StateOf(first, "a"));
        Assert.NotSame(first, changed);
        Assert.NotEqual(first.ETag, changed!.ETag);
        Assert.Equal("Succeeded", StateOf(changed, "a"));
        Assert.Equal("Pending", StateOf(changed, "b"));
    }

    [Fact(Timeout = 10_000)]
    public async Task GetAsync_RunningRunOlderThanMaxAge_RebuiltButFinishedRunKept()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero));
        var cache = new RunGraphCache(time);
        var running = await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);

        time.Advance(RunGraphCache.RunningMaxAge);
        var later = await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);
        var finished = await cache.GetAsync(Run(RunPhase.Finished, Object("Succeeded")), Ct);
        time.Advance(TimeSpan.FromHours(1));
        var stillFinished = await cache.GetAsync(Run(RunPhase.Finished, Object("Succeeded")), Ct);

        Assert.NotSame(running, later);
        Assert.Same(finished, stillFinished);
    }

    [Fact(Timeout = 10_000)]
    public async Task GetAsync_ManifestWithoutPipeline_Null()
    {
        var cache = new RunGraphCache(TimeProvider.System);

        var graph = await cache.GetAsync(Run(RunPhase.Running, null) with { Manifest = "apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec: {taskSpec: {steps: [{name: s, image: x, script: 'true'}]}}\n" }, Ct);

        Assert.Null(graph);
    }
}
