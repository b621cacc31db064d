using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mothership.Engine.Execution;
using Mothership.Server.Hosting;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Tests.Runs;

public sealed class ExecutorSweepServiceTests : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-sweep-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An executor holding things for some runs in a cluster; records what it was asked to release.</summary>
    private sealed class HoldingExecutor(params string[] holding) : ITaskExecutor, IRunCleanup
    {
        private readonly ConcurrentDictionary<string, bool> _holding = new(holding.Select(h => KeyValuePair.Create(h, true)));

        public ConcurrentQueue<string> Released { get; } = new();

        public Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlySet<string>> ListHoldingRunsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlySet<string>>(_holding.Keys.ToHashSet());

        public Task<int> ReleaseRunAsync(string runUid, CancellationToken cancellationToken)
        {
            Released.Enqueue(runUid);
            return Task.FromResult(_holding.TryRemove(runUid, out _) ? 2 : 0);
        }

        public void Hold(string runUid) => _holding[runUid] = true;
    }

    private async Task<IRunStore> StoreAsync(TimeProvider time, params (string Uid, RunPhase Phase)[] runs)
    {
        var store = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", time);
        await store.MigrateAsync(Ct);
        foreach (var (uid, phase) in runs)
        {
            var at = time.GetUtcNow();
            await store.CreateRunAsync(new RunRecord
            {
                Uid = uid, Kind = "PipelineRun", Name = $"p-{uid}", Pipeline = "p", Phase = phase,
                Status = phase == RunPhase.Finished ? "True" : "Unknown", Reason = phase == RunPhase.Finished ? "Succeeded" : "Running",
                CreatedAt = at, StartedAt = at, CompletedAt = phase == RunPhase.Finished ? at : null, Manifest = "",
            }, "test", Ct);
        }

        return store;
    }

    [Fact(Timeout = 30000)]
    public async Task SweepAsync_ReleasesRunsThatEndedOrAreGone_KeepsLiveOnes()
    {
        await using var store = await StoreAsync(TimeProvider.System, ("ended", RunPhase.Finished), ("running", RunPhase.Running), ("queued", RunPhase.Queued), ("pending", RunPhase.Pending));
        var executor = new HoldingExecutor("ended", "running", "queued", "pending", "deleted");

        var deleted = await ExecutorSweepService.SweepAsync(executor, store, Ct);

        Assert.Equal(["deleted", "ended"], executor.Released.Order());
        Assert.Equal(4, deleted);
    }

    [Fact(Timeout = 30000)]
    public async Task ExecuteAsync_SweepsAtStartAndAgainAfterTheInterval()
    {
        var time = new CountingTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var store = await StoreAsync(time, ("ended", RunPhase.Finished), ("later", RunPhase.Finished));
        var executor = new HoldingExecutor("ended");
        var options = Options.Create(new ServerOptions { SweepInterval = TimeSpan.FromMinutes(10) });
        using var service = new ExecutorSweepService(store, executor, options, time, NullLogger<ExecutorSweepService>.Instance);
        var timersBefore = time.Timers;

        await service.StartAsync(Ct);
        // Swept, and waiting for the next round (its timer made), before the clock moves.
        await WaitAsync(() => executor.Released.Count == 1 && time.Timers > timersBefore);
        executor.Hold("later");
        var firedBefore = time.Fired;
        time.Advance(TimeSpan.FromMinutes(9));
        // A timer due by 00:09 would have fired inside Advance: none did, so the service still
        // waits for 00:10 (no sweep can have started, now or later, before the clock moves again).
        Assert.Equal(firedBefore, time.Fired);
        Assert.Single(executor.Released);
        time.Advance(TimeSpan.FromMinutes(1));
        await WaitAsync(() => executor.Released.Count == 2);
        await service.StopAsync(Ct);

        Assert.Equal(["ended", "later"], executor.Released);
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "condition not met in 20 s");
            await Task.Delay(20, Ct);
        }
    }

    public ValueTask DisposeAsync()
    {
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
