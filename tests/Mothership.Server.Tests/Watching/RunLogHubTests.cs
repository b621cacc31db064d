using System.Reflection;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mothership.Server.Watching;
using Mothership.Store;

namespace Mothership.Server.Tests.Watching;

public sealed class RunLogHubTests : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-loghub-");
    // Never advanced: the tails read only when told to (Notify), so every read below is counted.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync()
    {
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Counts the store's log reads.</summary>
    public class CountingStore : StoreProxy
    {
        private int _logReads;

        public int LogReads => Volatile.Read(ref _logReads);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IRunStore.ReadLogsAsync))
            {
                Interlocked.Increment(ref _logReads);
            }

            return Forward(targetMethod, args);
        }
    }

    private async Task<(IRunStore Store, CountingStore Counter)> StoreWithRunAsync()
    {
        var inner = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", TimeProvider.System);
        await inner.MigrateAsync(Ct);
        await inner.CreateRunAsync(new RunRecord
        {
            Uid = "u1", Kind = "PipelineRun", Name = "r1", Pipeline = "p", Phase = RunPhase.Running, Status = "Unknown", Reason = "Running",
            CreatedAt = _time.GetUtcNow(), Manifest = "",
        }, "test", Ct);
        Assert.Single(await inner.ClaimRunsAsync("me", 1, TimeSpan.FromHours(1), _time.GetUtcNow(), Ct));
        return StoreProxy.Wrap<CountingStore>(inner);
    }

    private Task AppendAsync(IRunStore store, long line, string text) => store.AppendLogsAsync(
        [new LogChunk { Uid = "u1", TaskRun = "r1-build", PipelineTask = "build", Container = "step-main", FirstLine = line, Text = text + "\n", Time = _time.GetUtcNow() }], Ct);

    private static async Task<List<string>> LinesAsync(ChannelReader<LogTailBatch> feed, int count)
    {
        var lines = new List<string>();
        while (lines.Count < count && await feed.WaitToReadAsync(Ct))
        {
            while (feed.TryRead(out var batch))
            {
                lines.AddRange(batch.Chunks.Select(c => c.Chunk.Text.TrimEnd()));
            }
        }

        return lines;
    }

    [Fact(Timeout = 30000)]
    public async Task Subscribe_TwentyFollowers_StoreReadOnceForAll()
    {
        var (store, counter) = await StoreWithRunAsync();
        var hub = new RunLogHub(store, _time, NullLogger<RunLogHub>.Instance);
        var feeds = Enumerable.Range(0, 20).Select(_ => hub.Subscribe("u1", 0, Ct)).ToList();

        foreach (var i in Enumerable.Range(1, 3))
        {
            await AppendAsync(store, i - 1, $"line {i}");
            hub.Notify("u1");
            foreach (var feed in feeds)
            {
                Assert.Equal([$"line {i}"], await LinesAsync(feed, 1));
            }
        }

        Assert.Equal(1, hub.Count);
        // The first read, then one per notification (each may find the page short): never per follower.
        Assert.InRange(counter.LogReads, 3, 4);
    }

    [Fact(Timeout = 30000)]
    public async Task Subscribe_RunFinishes_EndAfterTheLastChunkThenTailStops()
    {
        var (store, _) = await StoreWithRunAsync();
        var hub = new RunLogHub(store, _time, NullLogger<RunLogHub>.Instance);
        var feed = hub.Subscribe("u1", 0, Ct);
        await AppendAsync(store, 0, "last words");
        await store.CommitTransitionAsync(new RunTransition { Uid = "u1", Owner = "me", Phase = RunPhase.Finished, Status = "True", Reason = "Succeeded" }, Ct);
        hub.Notify("u1");

        var batches = new List<LogTailBatch>();
        await foreach (var batch in feed.ReadAllAsync(Ct))
        {
            batches.Add(batch);
        }

        Assert.Equal(["last words\n"], batches.SelectMany(b => b.Chunks).Select(c => c.Chunk.Text));
        var end = batches[^1];
        Assert.Equal((true, "True", "Succeeded"), (end.Ended, end.Status, end.Reason));
        while (hub.Count > 0)
        {
            await Task.Yield();
        }
    }

    [Fact(Timeout = 60000)]
    public async Task Subscribe_FollowerFallsBehind_ItsFeedCompletesWithoutEndOthersGoOn()
    {
        var (store, _) = await StoreWithRunAsync();
        var hub = new RunLogHub(store, _time, NullLogger<RunLogHub>.Instance);
        var slow = hub.Subscribe("u1", 0, Ct);
        var fast = hub.Subscribe("u1", 0, Ct);
        for (var i = 0; i <= RunLogTail.FollowerBacklog; i++)
        {
            await AppendAsync(store, i, $"line {i}");
            hub.Notify("u1");
            Assert.Equal([$"line {i}"], await LinesAsync(fast, 1));
        }

        var kept = new List<LogTailBatch>();
        await foreach (var batch in slow.ReadAllAsync(Ct))
        {
            kept.Add(batch);
        }

        Assert.Equal(RunLogTail.FollowerBacklog, kept.Count);
        Assert.DoesNotContain(kept, b => b.Ended);
        await AppendAsync(store, 1000, "after");
        hub.Notify("u1");
        Assert.Equal(["after"], await LinesAsync(fast, 1));
    }

    [Fact(Timeout = 30000)]
    public async Task Subscribe_LastFollowerLeaves_TailStops()
    {
        var (store, _) = await StoreWithRunAsync();
        var hub = new RunLogHub(store, _time, NullLogger<RunLogHub>.Instance);
        using var first = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var second = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var a = hub.Subscribe("u1", 0, first.Token);
        var b = hub.Subscribe("u1", 0, second.Token);

        await first.CancelAsync();
        await a.Completion;
        Assert.Equal(1, hub.Count);
        await second.CancelAsync();
        await b.Completion;
        Assert.Equal(0, hub.Count);
    }
}
