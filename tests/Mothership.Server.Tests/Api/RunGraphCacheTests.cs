using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Mothership.Server.Api;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Tests.Api;

public sealed class RunGraphCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The run as stored with <paramref name="obj"/> as its object's <paramref name="version"/> (none without an object).</summary>
    private static RunRecord Run(RunPhase phase, string? obj, long version = 1) => new()
    {
        Uid = "uid-1", Kind = "PipelineRun", Name = "r", Pipeline = "", Phase = phase, Status = "Unknown", Reason = "Running",
        CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), Object = obj, ObjectVersion = obj is null ? 0 : version,
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
        (string?)graph.Document.ToJsonObject()["nodes"]!.AsArray().Single(n => (string?)n!["name"] == task)!["state"];

    [Fact(Timeout = 10_000)]
    public async Task GetAsync_SameObject_ServesTheSameBytesUntilItChanges()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero));
        var cache = new RunGraphCache(time);

        var first = await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);
        var again = await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);
        var changed = await cache.GetAsync(Run(RunPhase.Running, Object("Succeeded"), 2), Ct);

        Assert.NotNull(first);
        Assert.Same(first, again);
        Assert.Equal("Running", StateOf(first, "a"));
        Assert.NotSame(first, changed);
        Assert.NotEqual(first.ETag, changed!.ETag);
        Assert.Equal("Succeeded", StateOf(changed, "a"));
        Assert.Equal("Pending", StateOf(changed, "b"));
    }

    [Fact(Timeout = 10_000)]
    public async Task GetAsync_PrimedByTheDriver_BuildsFromTheHandedPipelineWithoutReadingTheManifest()
    {
        var cache = new RunGraphCache(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero)));
        cache.Prime("uid-1", RunManifest.Load(Run(RunPhase.Running, null)).PipelineSpec!);

        // The stored manifest is not read again: one that no longer parses still gets the graph.
        var graph = await cache.GetAsync(Run(RunPhase.Running, Object("Running")) with { Manifest = "not: [a manifest" }, Ct);

        Assert.NotNull(graph);
        Assert.Equal("Running", StateOf(graph, "a"));
        Assert.Equal("Pending", StateOf(graph, "b"));
        // Without the driver's pipeline the same request has nothing to draw.
        Assert.Null(await new RunGraphCache(TimeProvider.System).GetAsync(Run(RunPhase.Running, Object("Running")) with { Manifest = "not: [a manifest" }, Ct));
    }

    [Fact(Timeout = 10_000)]
    public async Task GetAsync_PrimedRunWithoutObjectYet_ServesTheGraphDrawnWhenPrimedWhateverThePhase()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero));
        var cache = new RunGraphCache(time);
        cache.Prime("uid-1", RunManifest.Load(Run(RunPhase.Queued, null)).PipelineSpec!);
        await cache.DrawingOf("uid-1");
        time.Advance(TimeSpan.FromSeconds(1));

        var queued = await cache.GetAsync(Run(RunPhase.Queued, null), Ct);
        var claimed = await cache.GetAsync(Run(RunPhase.Running, null), Ct);

        Assert.NotNull(queued);
        Assert.Same(queued, claimed);
        // Drawn at the prime, a second before the request.
        Assert.EndsWith($"-{new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero).ToUnixTimeMilliseconds():x}\"", queued.ETag, StringComparison.Ordinal);
        Assert.Equal("Pending", StateOf(queued, "a"));
        Assert.Equal("Pending", StateOf(queued, "b"));
    }

    [Fact(Timeout = 10_000)]
    public async Task GetAsync_RunningRunOlderThanMaxAge_ServedAsItIsWhileOneRebuildRunsButFinishedRunKept()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero));
        var cache = new RunGraphCache(time);
        var running = await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);

        time.Advance(RunGraphCache.RunningMaxAge);
        var aged = await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);
        await cache.RefreshOf("uid-1");
        var later = await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);
        var finished = await cache.GetAsync(Run(RunPhase.Finished, Object("Succeeded"), 2), Ct);
        time.Advance(TimeSpan.FromHours(1));
        var stillFinished = await cache.GetAsync(Run(RunPhase.Finished, Object("Succeeded"), 2), Ct);

        Assert.Same(running, aged);
        Assert.NotSame(running, later);
        Assert.NotEqual(running!.ETag, later!.ETag);
        Assert.Same(finished, stillFinished);
        Assert.Equal("Succeeded", StateOf(finished!, "a"));
    }

    [Fact(Timeout = 10_000)]
    public async Task PublishAsync_GraphAskedFor_NextReadOfThatObjectServedWithoutBuilding()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero));
        var cache = new RunGraphCache(time);
        var before = await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);
        var text = Object("Succeeded");

        // The driver builds the graph from the object it stores, kept under the version the store
        // gave it; the ETag's build time proves a later read did not rebuild it.
        var publishedAt = time.GetUtcNow();
        await cache.PublishAsync("uid-1", text, Stores(2), Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var old = await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);
        var published = await cache.GetAsync(Run(RunPhase.Running, text, 2), Ct);

        Assert.Same(before, old); // a reader of the object before is still served its graph
        Assert.NotEqual(before!.ETag, published!.ETag);
        Assert.Equal("Succeeded", StateOf(published, "a"));
        Assert.EndsWith($"-{publishedAt.ToUnixTimeMilliseconds():x}\"", published.ETag, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task PublishAsync_GraphNotAskedForWithinInterestWindow_NothingBuilt()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero));
        var cache = new RunGraphCache(time);
        var text = Object("Succeeded");

        var stored = new List<long>();
        await cache.PublishAsync("uid-1", text, Stores(2, stored), Ct); // never asked for
        await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);
        time.Advance(RunGraphCache.InterestWindow + TimeSpan.FromSeconds(1));
        await cache.PublishAsync("uid-1", text, Stores(3, stored), Ct); // asked for too long ago
        time.Advance(TimeSpan.FromSeconds(1));
        var readAt = time.GetUtcNow();
        var read = await cache.GetAsync(Run(RunPhase.Running, text, 3), Ct);

        // Stored both times, but built by the read (its ETag names the read's time), not by either publish.
        Assert.Equal([2, 3], stored);
        Assert.EndsWith($"-{readAt.ToUnixTimeMilliseconds():x}\"", read!.ETag, StringComparison.Ordinal);
        Assert.Equal("Succeeded", StateOf(read, "a"));
    }

    [Fact(Timeout = 10_000)]
    public async Task GetAsync_RunEndedAfterPublishedObjects_GraphOfTheFinalObject()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero));
        var cache = new RunGraphCache(time);
        await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);
        var text = Object("Succeeded");
        await cache.PublishAsync("uid-1", text, Stores(2), Ct);
        var live = await cache.GetAsync(Run(RunPhase.Running, text, 2), Ct);

        // A run can end without a new object (its status alone): the phase tells the two graphs apart.
        var final = await cache.GetAsync(Run(RunPhase.Finished, text, 2), Ct);

        Assert.NotEqual(live!.ETag, final!.ETag);
        Assert.Equal("Succeeded", (string?)final.Document.ToJsonObject()["nodes"]!.AsArray().Single(n => (string?)n!["name"] == "a")!["reason"]);
        Assert.Equal("Pending", StateOf(final, "b"));
    }

    [Fact(Timeout = 10_000)]
    public async Task PublishAsync_StoreRefusedTheObject_NothingKeptForItsVersion()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero));
        var cache = new RunGraphCache(time);
        await cache.GetAsync(Run(RunPhase.Running, Object("Running")), Ct);

        // The lease was lost: the next owner's object 2 is another one than this replica built.
        await cache.PublishAsync("uid-1", Object("Succeeded"), _ => Task.FromResult<long?>(null), Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var readAt = time.GetUtcNow();
        var read = await cache.GetAsync(Run(RunPhase.Running, Object("Running"), 2), Ct);

        Assert.EndsWith($"-{readAt.ToUnixTimeMilliseconds():x}\"", read!.ETag, StringComparison.Ordinal);
        Assert.Equal("Running", StateOf(read, "a"));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetAsync_Summary_ServedFromTheCacheWithoutReadingTheRunElseFromTheStoredRun()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero));
        var dir = Directory.CreateTempSubdirectory("mothership-graph-");
        try
        {
            await using var store = RunStoreFactory.Open($"sqlite:{Path.Combine(dir.FullName, "runs.db")}", time);
            await store.MigrateAsync(Ct);
            Assert.True(await store.CreateRunAsync(Run(RunPhase.Queued, Object("Running")) with { ObjectVersion = 0 }, "test", Ct));
            Assert.Single(await store.ClaimRunsAsync("a", 1, TimeSpan.FromMinutes(1), time.GetUtcNow(), Ct));
            var first = (await store.GetRunSummaryAsync("uid-1", Ct))!;
            var transition = new RunTransition { Uid = "uid-1", Owner = "a", Phase = RunPhase.Running, Status = "Unknown", Reason = "Running", Object = Object("Succeeded") };
            Assert.True(await store.CommitTransitionAsync(transition, Ct));
            var cache = new RunGraphCache(time);

            // A summary older than the stored run: the run read is drawn, under its own version.
            var drawn = await cache.GetAsync(first, store, Ct);
            var second = (await store.GetRunSummaryAsync("uid-1", Ct))!;
            Assert.Equal((1L, 2L), (first.ObjectVersion, second.ObjectVersion));
            Assert.Equal("Succeeded", StateOf(drawn!, "a"));
            Assert.Same(drawn, await cache.GetAsync(second, store, Ct));

            // Served from the summary alone: the run is not read again (it is gone from the store).
            Assert.True(await store.DeleteRunAsync("uid-1", "test", Ct));
            Assert.Same(drawn, await cache.GetAsync(second, store, Ct));
            Assert.Null(await cache.GetAsync(second with { ObjectVersion = 3 }, store, Ct));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>A store of the driver's object that gives it <paramref name="version"/> (and notes it in <paramref name="stored"/>).</summary>
    private static Func<CancellationToken, Task<long?>> Stores(long version, List<long>? stored = null) => _ =>
    {
        stored?.Add(version);
        return Task.FromResult<long?>(version);
    };

    [Fact(Timeout = 10_000)]
    public async Task GetAsync_ManifestWithoutPipeline_Null()
    {
        var cache = new RunGraphCache(TimeProvider.System);

        var graph = await cache.GetAsync(Run(RunPhase.Running, null) with { Manifest = "apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec: {taskSpec: {steps: [{name: s, image: x, script: 'true'}]}}\n" }, Ct);

        Assert.Null(graph);
    }
}
