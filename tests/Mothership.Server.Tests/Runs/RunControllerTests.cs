using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mothership.Engine.Execution;
using Mothership.Server.Hosting;
using Mothership.Server.Observability;
using Mothership.Server.Runs;
using Mothership.Store;
using Prometheus;

namespace Mothership.Server.Tests.Runs;

public sealed class RunControllerTests : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-controller-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class NoExecutor : ITaskExecutor
    {
        public Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    public ValueTask DisposeAsync()
    {
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>A queued run of <paramref name="pipeline"/> created at <paramref name="created"/>.</summary>
    private static Task QueueAsync(IRunStore store, string uid, string pipeline, DateTimeOffset created) => store.CreateRunAsync(new RunRecord
    {
        Uid = uid, Kind = "PipelineRun", Name = uid, Pipeline = pipeline, Phase = RunPhase.Queued, Status = "Unknown", Reason = "Queued",
        CreatedAt = created, Manifest = "",
    }, "test", Ct);

    /// <summary>
    /// Runs a controller of one run at a time over <paramref name="store"/> until it has driven
    /// <paramref name="count"/> runs (or the time is up): each claimed run's work runs inline and
    /// ends at once, the run left leased (in flight for its pipeline). Returns the uids in the order driven.
    /// </summary>
    private static async Task<List<string>> DriveAsync(IRunStore store, TimeSpan poll, int count, TimeSpan limit)
    {
        var options = Options.Create(new ServerOptions { MaxActiveRuns = 1, PollInterval = poll, LeaseDuration = TimeSpan.FromSeconds(15) });
        var driven = new ConcurrentQueue<string>();
        using var controller = new RunController(store, new NoExecutor(), new FairAttemptGate(4), new RunLeftovers(new NoExecutor(), NullLogger<RunLeftovers>.Instance), options, TimeProvider.System,
            new ServerMetrics(Metrics.NewCustomRegistry()), NullLogger<RunController>.Instance, NullLogger<RunSupervisor>.Instance)
        {
            // The work runs inline and each run ends at once: it is over before Start returns,
            // the order in which a fast run's entry used to be added after it had been removed.
            StartWork = work => work(),
            Drive = (supervisor, _) =>
            {
                driven.Enqueue(supervisor.Record.Uid);
                return Task.CompletedTask;
            },
        };

        await controller.StartAsync(Ct);
        var deadline = TimeProvider.System.GetUtcNow() + limit;
        while (driven.Count < count && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(20, Ct);
        }

        await controller.StopAsync(Ct);
        Assert.Equal(0, controller.ActiveRuns);
        return [.. driven];
    }

    [Fact(Timeout = 30000)]
    public async Task Start_RunEndsBeforeStartReturns_FreesItsPlaceForTheNextRun()
    {
        var store = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", TimeProvider.System);
        await store.MigrateAsync(Ct);
        foreach (var uid in (string[])["run-1", "run-2", "run-3"])
        {
            await QueueAsync(store, uid, "p", TimeProvider.System.GetUtcNow());
        }

        Assert.Equal(["run-1", "run-2", "run-3"], await DriveAsync(store, TimeSpan.FromMilliseconds(50), 3, TimeSpan.FromSeconds(10)));
    }

    [Fact(Timeout = 30000)]
    public async Task ExecuteAsync_OnePipelineQueuedFirst_DrivesTheOthersBeforeItsBacklog()
    {
        var store = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "fair.db")}", TimeProvider.System);
        await store.MigrateAsync(Ct);
        var created = TimeProvider.System.GetUtcNow().AddMinutes(-1);
        var queued = Enumerable.Range(0, 20).Select(i => ("a", i)).Concat(Enumerable.Range(0, 2).Select(i => ("b", i))).Concat(Enumerable.Range(0, 2).Select(i => ("c", i)));
        foreach (var (pipeline, i) in queued)
        {
            created = created.AddMilliseconds(1);
            await QueueAsync(store, $"{pipeline}-{i}", pipeline, created);
        }

        var driven = await DriveAsync(store, TimeSpan.FromMilliseconds(20), 8, TimeSpan.FromSeconds(20));

        // One at a time, fewest in flight first: a's 20 runs, queued first, do not hold b and c back.
        Assert.Equal(["a-0", "b-0", "c-0", "a-1", "b-1", "c-1", "a-2", "a-3"], driven.Take(8));
    }
}
