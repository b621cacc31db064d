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

    [Fact(Timeout = 30000)]
    public async Task Start_RunEndsBeforeStartReturns_FreesItsPlaceForTheNextRun()
    {
        var store = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", TimeProvider.System);
        await store.MigrateAsync(Ct);
        foreach (var uid in (string[])["run-1", "run-2", "run-3"])
        {
            await store.CreateRunAsync(new RunRecord
            {
                Uid = uid, Kind = "PipelineRun", Name = uid, Pipeline = "p", Phase = RunPhase.Queued, Status = "Unknown", Reason = "Queued",
                CreatedAt = TimeProvider.System.GetUtcNow(), Manifest = "",
            }, "test", Ct);
        }

        var options = Options.Create(new ServerOptions { MaxActiveRuns = 1, PollInterval = TimeSpan.FromMilliseconds(50), LeaseDuration = TimeSpan.FromSeconds(15) });
        var metrics = new ServerMetrics(Metrics.NewCustomRegistry());
        var driven = new ConcurrentQueue<string>();
        using var controller = new RunController(store, new NoExecutor(), new FairAttemptGate(4), new RunLeftovers(new NoExecutor(), NullLogger<RunLeftovers>.Instance), options, TimeProvider.System, metrics,
            NullLogger<RunController>.Instance, NullLogger<RunSupervisor>.Instance)
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
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (driven.Count < 3 && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(20, Ct);
        }

        await controller.StopAsync(Ct);

        Assert.Equal(["run-1", "run-2", "run-3"], driven.Order());
        Assert.Equal(0, controller.ActiveRuns);
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
            await store.CreateRunAsync(new RunRecord
            {
                Uid = $"{pipeline}-{i}", Kind = "PipelineRun", Name = $"{pipeline}-{i}", Pipeline = pipeline, Phase = RunPhase.Queued, Status = "Unknown", Reason = "Queued",
                CreatedAt = created, Manifest = "",
            }, "test", Ct);
        }

        var options = Options.Create(new ServerOptions { MaxActiveRuns = 1, PollInterval = TimeSpan.FromMilliseconds(20), LeaseDuration = TimeSpan.FromSeconds(15) });
        var driven = new ConcurrentQueue<string>();
        using var controller = new RunController(store, new NoExecutor(), new FairAttemptGate(4), new RunLeftovers(new NoExecutor(), NullLogger<RunLeftovers>.Instance), options, TimeProvider.System,
            new ServerMetrics(Metrics.NewCustomRegistry()), NullLogger<RunController>.Instance, NullLogger<RunSupervisor>.Instance)
        {
            StartWork = work => work(),
            // Each driven run stays leased (in flight for its pipeline) and frees its place at once.
            Drive = (supervisor, _) =>
            {
                driven.Enqueue(supervisor.Record.Uid);
                return Task.CompletedTask;
            },
        };

        await controller.StartAsync(Ct);
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (driven.Count < 8 && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(20, Ct);
        }

        await controller.StopAsync(Ct);

        // One at a time, fewest in flight first: a's 20 runs, queued first, do not hold b and c back.
        Assert.Equal(["a-0", "b-0", "c-0", "a-1", "b-1", "c-1", "a-2", "a-3"], driven.Take(8));
    }
}
