using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Mothership.Cloud.Rollouts;
using Mothership.Server.Hosting;
using Mothership.Server.Rollouts;
using Mothership.Store;

namespace Mothership.Server.Tests.Rollouts;

/// <summary>
/// Rollouts on an in-process server whose clock the test moves (<see cref="ServerHost.Build"/>'s hook
/// replacing its <see cref="TimeProvider"/>): a wave waits for its closed change windows and starts
/// when the clock reaches the opening; a deploy started just before a crash is found by its
/// rollout and attempt labels rather than started again.
/// </summary>
public sealed class RolloutServerTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Frozen = new(2026, 12, 24, 9, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-rollout-clock-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The system clock moved by <see cref="Offset"/>; its timers are the system's.</summary>
    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public TimeSpan Offset { get; set; } = offset;

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still close its file; the OS cleans temp.
        }

        return ValueTask.CompletedTask;
    }

    private static void Git(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var git = Process.Start(start)!;
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
    }

    private string Repository()
    {
        var repo = Directory.CreateDirectory(Path.Combine(_dir.FullName, "sites")).FullName;
        File.WriteAllText(Path.Combine(repo, "cloud.yaml"), """
            apiVersion: mothership.io/v1
            kind: Cloud
            metadata: {name: clock}
            spec:
              services:
                - {name: db, chart: {path: charts/db}}
              promotion:
                environments:
                  - {name: dev}
                  - name: prod
                    rollout:
                      windows: {freeze: [2026-12-24..2026-12-25]}
            """);
        Directory.CreateDirectory(Path.Combine(repo, "charts", "db", "templates"));
        File.WriteAllText(Path.Combine(repo, "charts", "db", "Chart.yaml"), "apiVersion: v2\nname: db\nversion: 0.1.0\n");
        File.WriteAllText(Path.Combine(repo, "charts", "db", "values.yaml"), "endpoints:\n  oslo_db:\n    hosts:\n      default: db\n");
        File.WriteAllText(Path.Combine(repo, "charts", "db", "templates", "deployment.yaml"), "# db\n");
        Directory.CreateDirectory(Path.Combine(repo, "sites", "prod-a"));
        File.WriteAllText(Path.Combine(repo, "sites", "prod-a", "site.yaml"), """
            apiVersion: mothership.io/v1
            kind: Site
            metadata: {name: prod-a}
            spec:
              environment: prod
              region: a
              cluster: {context: prod-a, namespace: openstack}
              services: [db]
            """);
        Git(repo, "init", "-q", "-b", "main");
        Git(repo, "add", "-A");
        Git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "prod rolls out");
        return repo;
    }

    private static async Task<bool> MigratedAsync(IRunStore store)
    {
        try
        {
            await store.ListRolloutsAsync(1, Ct);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return false;
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Rollout_WindowClosedOnTheServersClock_WaitsThenStartsWhenTheClockReachesTheOpening()
    {
        var clock = new ShiftedClock(Frozen - TimeProvider.System.GetUtcNow());
        var app = ServerHost.Build(new Dictionary<string, string?>
        {
            ["Mothership:Database"] = "sqlite:" + Path.Combine(_dir.FullName, "m.db"),
            ["Mothership:Urls"] = "http://127.0.0.1:0",
            ["Mothership:Workdir"] = Path.Combine(_dir.FullName, "data", "runs"),
            ["Mothership:Cloud:Repository"] = Repository(),
            ["Mothership:Cloud:DriftInterval"] = "0",
        }, s => s.AddSingleton<TimeProvider>(clock));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var server = ServerHost.RunAsync(app, TimeSpan.FromSeconds(10), null, stop.Token);
        try
        {
            var store = app.Services.GetRequiredService<IRunStore>();
            var rollouts = app.Services.GetRequiredService<RolloutService>();
            var wait = Stopwatch.StartNew();
            while (!await MigratedAsync(store))
            {
                Assert.True(wait.Elapsed < TimeSpan.FromSeconds(30), "the store was not migrated in 30 s");
                await Task.Delay(100, Ct);
            }

            var started = await rollouts.StartAsync("prod", null, "tester", Ct);
            Assert.True(started.Status == 201, started.Message);
            var name = started.Rollout!.Name;
            var waiting = RolloutDocument.Parse((await store.GetRolloutAsync(name, Ct))!.Document).State["prod-a"];
            Assert.Equal(SiteRolloutState.WaitingForWindow, waiting.State);
            Assert.Contains("closed until 2026-12-26 00:00:00Z", waiting.Message, StringComparison.Ordinal);

            // Passes of the driver on the frozen day change nothing.
            var driver = app.Services.GetRequiredService<RolloutDriver>();
            await driver.DriveAllAsync(Ct);
            await driver.DriveAllAsync(Ct);
            Assert.Equal(SiteRolloutState.WaitingForWindow, RolloutDocument.Parse((await store.GetRolloutAsync(name, Ct))!.Document).State["prod-a"].State);
            Assert.DoesNotContain(await store.ListRolloutEventsAsync(name, Ct), e => e.Reason == "DeployStarted");

            clock.Offset += TimeSpan.FromDays(2);
            await driver.DriveAllAsync(Ct);
            IReadOnlyList<RolloutEventRecord> events;
            wait.Restart();
            while (!(events = await store.ListRolloutEventsAsync(name, Ct)).Any(e => e.Reason == "DeployStarted"))
            {
                Assert.True(wait.Elapsed < TimeSpan.FromSeconds(30), string.Join("\n", events.Select(e => $"{e.At:O} {e.Site} {e.From}→{e.To} {e.Reason}: {e.Message}")));
                await Task.Delay(100, Ct);
            }

            var deploy = events.First(e => e.Reason == "DeployStarted");
            Assert.Equal(("prod-a", "WaitingForWindow", "Deploying"), (deploy.Site, deploy.From, deploy.To));
            Assert.True(deploy.At >= new DateTimeOffset(2026, 12, 26, 0, 0, 0, TimeSpan.Zero), $"{deploy.At:O}");
        }
        finally
        {
            await stop.CancelAsync();
            await server.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task Rollout_DeployStartedBeforeACrash_FoundByItsLabelsNotStartedAgain()
    {
        var clock = new ShiftedClock(Frozen.AddDays(4) - TimeProvider.System.GetUtcNow());
        var repository = Repository();
        var app = ServerHost.Build(new Dictionary<string, string?>
        {
            ["Mothership:Database"] = "sqlite:" + Path.Combine(_dir.FullName, "m.db"),
            ["Mothership:Urls"] = "http://127.0.0.1:0",
            ["Mothership:Workdir"] = Path.Combine(_dir.FullName, "data", "runs"),
            ["Mothership:Cloud:Repository"] = repository,
            ["Mothership:Cloud:DriftInterval"] = "0",
        }, s => s.AddSingleton<TimeProvider>(clock));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var server = ServerHost.RunAsync(app, TimeSpan.FromSeconds(10), null, stop.Token);
        try
        {
            var store = app.Services.GetRequiredService<IRunStore>();
            var wait = Stopwatch.StartNew();
            while (!await MigratedAsync(store))
            {
                Assert.True(wait.Elapsed < TimeSpan.FromSeconds(30), "the store was not migrated in 30 s");
                await Task.Delay(100, Ct);
            }

            var cache = app.Services.GetRequiredService<Cloud.SiteRepositoryCache>();
            await cache.RefreshAsync(Ct);
            var commit = cache.Resolve(null)!;
            var rollouts = app.Services.GetRequiredService<RolloutService>();
            var (plan, regions, error) = rollouts.Plan("prod", commit);
            Assert.True(plan is not null, error);
            var now = clock.GetUtcNow();
            var decision = RolloutDecider.Next(plan, RolloutState.Start(plan), now, []);
            Assert.Equal((SiteRolloutState.Deploying, 1), (decision.State["prod-a"].State, decision.State["prod-a"].Attempt));

            // The crash: attempt 1's deploy started, the server died before writing which run it is.
            var started = await app.Services.GetRequiredService<Cloud.SiteDeployIntake>().StartAsync(new Cloud.SiteDeployRequest
            {
                Site = "prod-a",
                Revision = commit,
                Actor = "tester",
                Source = RolloutDriver.Source,
                Labels = new Dictionary<string, string>
                {
                    [Model.Tekton.Vocabulary.MothershipLabels.Rollout] = "prod-crash",
                    [Model.Tekton.Vocabulary.MothershipLabels.RolloutAttempt] = "1",
                    [Model.Tekton.Vocabulary.MothershipLabels.RolloutStep] = "deploy",
                },
            }, Ct);
            Assert.Equal(Cloud.SiteDeployAnswer.Started, started.Answer);
            var document = new RolloutDocument { State = decision.State, Regions = regions };
            Assert.Equal(RolloutCreateOutcome.Created, await store.CreateRolloutAsync(new RolloutRecord
            {
                Name = "prod-crash", Environment = "prod", Revision = commit, Actor = "tester", Status = "Running", Document = document.Serialize(), CreatedAt = now, UpdatedAt = now,
            }, [], Ct));

            var driver = app.Services.GetRequiredService<RolloutDriver>();
            RolloutDocument stored;
            wait.Restart();
            while ((stored = RolloutDocument.Parse((await store.GetRolloutAsync("prod-crash", Ct))!.Document)).State["prod-a"].State == SiteRolloutState.Deploying)
            {
                Assert.True(wait.Elapsed < TimeSpan.FromSeconds(120), "the deploy did not end in 120 s");
                await driver.DriveAllAsync(Ct);
                await Task.Delay(200, Ct);
            }

            Assert.Equal(started.Run!.Name, stored.Deploys["prod-a"].RunName);
            var history = await store.ListSiteDeploysAsync("prod-a", 10, Ct);
            Assert.Equal(started.Deploy!.Id, Assert.Single(history).Id);
        }
        finally
        {
            await stop.CancelAsync();
            await server.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
