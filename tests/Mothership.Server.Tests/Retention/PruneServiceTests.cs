using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mothership.Executors.Local;
using Mothership.Server.Hosting;
using Mothership.Server.Retention;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Tests.Retention;

public sealed class PruneServiceTests : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-prune-");

    private string Workdir => Path.Combine(_dir.FullName, "runs");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 30000)]
    public async Task ExecuteAsync_AtTheCronTime_AppliesTheConfiguredPolicyAndRemovesThePrunedRunsFolders()
    {
        var time = new CountingTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero));
        await using var store = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", time);
        await store.MigrateAsync(Ct);
        for (var i = 0; i < 5; i++)
        {
            var at = time.GetUtcNow().AddMinutes(-10 + i);
            await store.CreateRunAsync(new RunRecord
            {
                Uid = $"uid-{i}", Kind = "PipelineRun", Name = $"p-{i}", Pipeline = "p", Phase = RunPhase.Finished,
                Status = "True", Reason = "Succeeded", CreatedAt = at, StartedAt = at, CompletedAt = at, Manifest = "",
            }, "test", Ct);

            // What a local run whose folder was not removed at its end (a crash) left.
            Directory.CreateDirectory(Path.Combine(Workdir, $"uid-{i}"));
            File.WriteAllText(Path.Combine(Workdir, $"uid-{i}", ".instance"), "mothership");
        }

        var options = Options.Create(new ServerOptions { Retention = new RetentionOptions { Schedule = "*/5 * * * *", KeepLast = 2 } });
        var leftovers = new RunLeftovers(new LocalTaskExecutor(new LocalExecutorOptions { Root = Workdir }), NullLogger<RunLeftovers>.Instance);
        using var service = new PruneService(store, leftovers, options, time, NullLogger<PruneService>.Instance);
        var timersBefore = time.Timers;
        await service.StartAsync(Ct);

        // Move the clock a minute at a time until the 00:05 run of the schedule has pruned; only
        // once the service waits for it (its timer made at 00:01), or a slow start would make its
        // wait count from a later minute.
        var deadline = Stopwatch.StartNew();
        while ((await store.ListRunsAsync(new RunQuery(), Ct)).Items.Count > 2 || Directory.GetDirectories(Workdir).Length > 2)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), "the scheduled prune did not run");
            if (time.Timers > timersBefore && time.GetUtcNow() < new DateTimeOffset(2026, 1, 1, 0, 5, 0, TimeSpan.Zero))
            {
                time.Advance(TimeSpan.FromMinutes(1));
            }

            await Task.Delay(10, Ct);
        }

        await service.StopAsync(Ct);
        var left = (await store.ListRunsAsync(new RunQuery(), Ct)).Items.Select(r => r.Name).Order();
        Assert.Equal(["p-3", "p-4"], left);
        Assert.Equal(["uid-3", "uid-4"], Directory.GetDirectories(Workdir).Select(Path.GetFileName).Order());
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 5, 0, TimeSpan.Zero), time.GetUtcNow());
    }

    public ValueTask DisposeAsync()
    {
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
