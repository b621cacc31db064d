using Microsoft.Extensions.Logging.Abstractions;
using Mothership.Ci.Periodics;
using Mothership.Ci.Tests.Triggers;
using Mothership.Ci.Triggers;
using Mothership.Model.Tekton;
using Mothership.Store;

namespace Mothership.Ci.Tests.Periodics;

/// <summary>Prow's horologium rules on a fake clock, a SQLite store and the fake GitHub (the harness's clock starts 2026-12-01 10:00 UTC).</summary>
public sealed class PeriodicSchedulerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Config(string schedule, string extra = "") => $$"""
        periodics:
        - name: nightly
          {{schedule}}
        {{extra}}
          spec:
            containers:
            - image: alpine
              command: [sh, -c, "make nightly"]
        """;

    private static PeriodicScheduler Scheduler(TriggerHarness h) =>
        new(h.Config, h.Forge, h.Store, h.Starter, h.Time, NullLogger<PeriodicScheduler>.Instance);

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_IntervalNeverRan_StartsAtOnceThenAfterTheInterval()
    {
        await using var h = await TriggerHarness.StartAsync(Config("interval: 1h"));
        var scheduler = Scheduler(h);

        Assert.Equal(1, await scheduler.RunOnceAsync(Ct));
        Assert.Equal(0, await scheduler.RunOnceAsync(Ct));
        h.Time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, await scheduler.RunOnceAsync(Ct));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await scheduler.RunOnceAsync(Ct));

        Assert.Equal(2, h.Started.Count);
        Assert.NotEqual(h.Started[0].Metadata.Name, h.Started[1].Metadata.Name);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_Started_PeriodicRunReportingNowhere()
    {
        await using var h = await TriggerHarness.StartAsync(Config("interval: 1h"));

        await Scheduler(h).RunOnceAsync(Ct);

        var run = Assert.IsType<TaskRun>(Assert.Single(h.Started));
        Assert.Equal(("nightly", "periodic"), (run.Job(), run.Metadata.Labels["prow.k8s.io/type"]));
        Assert.DoesNotContain("prow.k8s.io/context", run.Metadata.Annotations.Keys);
        Assert.Equal("periodic", run.Env()["JOB_TYPE"]);
        Assert.DoesNotContain("REPO_OWNER", run.Env().Keys);
        Assert.DoesNotContain(run.Spec.TaskSpec!.Steps, s => s.Name == CloneRefs.Name);
        var result = Assert.Single(await h.Store.ListJobResultsAsync(new JobResultQuery(), Ct));
        Assert.Equal(("periodic", null, "", run.Metadata.Name), (result.Type, result.Context, result.Repository, result.RunName));
        Assert.Empty(h.Repository.Statuses);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_CronNeverRan_WaitsForItsTickAfterFirstSeen()
    {
        await using var h = await TriggerHarness.StartAsync(Config("cron: '30 10 * * *'"));
        var scheduler = Scheduler(h);

        Assert.Equal(0, await scheduler.RunOnceAsync(Ct));
        h.Time.Advance(TimeSpan.FromMinutes(29) + TimeSpan.FromSeconds(59));
        Assert.Equal(0, await scheduler.RunOnceAsync(Ct));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await scheduler.RunOnceAsync(Ct));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await scheduler.RunOnceAsync(Ct));
        h.Time.Advance(new TimeSpan(23, 58, 59));
        Assert.Equal(0, await scheduler.RunOnceAsync(Ct));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await scheduler.RunOnceAsync(Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_CronTicksMissedWhileDown_CaughtUpOnce()
    {
        await using var h = await TriggerHarness.StartAsync(Config("cron: '0 * * * *'"));
        var first = Scheduler(h);
        Assert.Equal(0, await first.RunOnceAsync(Ct));
        h.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await first.RunOnceAsync(Ct));

        h.Time.Advance(TimeSpan.FromHours(5));
        var restarted = Scheduler(h);

        Assert.Equal(1, await restarted.RunOnceAsync(Ct));
        Assert.Equal(0, await restarted.RunOnceAsync(Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_MinimumInterval_WaitsForThePreviousRunToFinish()
    {
        await using var h = await TriggerHarness.StartAsync(Config("minimum_interval: 30m"));
        var scheduler = Scheduler(h);

        Assert.Equal(1, await scheduler.RunOnceAsync(Ct));
        h.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(0, await scheduler.RunOnceAsync(Ct));

        await h.FinishAsync(h.Started[0].Metadata.Name!);
        h.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await scheduler.RunOnceAsync(Ct));
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await scheduler.RunOnceAsync(Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_MinimumIntervalRunPruned_CountsFromTheFinalResult()
    {
        await using var h = await TriggerHarness.StartAsync(Config("minimum_interval: 30m"));
        var scheduler = Scheduler(h);
        await scheduler.RunOnceAsync(Ct);
        var result = Assert.Single(await h.Store.ListJobResultsAsync(new JobResultQuery(), Ct));
        var run = (await h.Store.GetRunAsync(result.RunKind, result.RunName, Ct))!;

        h.Time.Advance(TimeSpan.FromHours(1));
        Assert.True(await h.Store.DeleteRunAsync(run.Uid, "test", Ct));
        Assert.Equal(0, await scheduler.RunOnceAsync(Ct));
        await h.Store.UpdateJobResultAsync(result.Uid, "aborted", "aborted", done: true, h.Time.GetUtcNow(), Ct);
        h.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, await scheduler.RunOnceAsync(Ct));
        h.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, await scheduler.RunOnceAsync(Ct));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("interval: 1h", 0)]
    [InlineData("minimum_interval: 1h", 0)]
    [InlineData("cron: '0 11 * * *'", 1)]
    public async Task RunOnceAsync_TwoReplicasOnOneStore_StartOneRun(string schedule, int hours)
    {
        await using var h = await TriggerHarness.StartAsync(Config(schedule));
        var (one, two) = (Scheduler(h), Scheduler(h));
        await Task.WhenAll(one.RunOnceAsync(Ct), two.RunOnceAsync(Ct));
        h.Time.Advance(TimeSpan.FromHours(hours));

        var started = await Task.WhenAll(one.RunOnceAsync(Ct), two.RunOnceAsync(Ct), Scheduler(h).RunOnceAsync(Ct));

        Assert.Single(h.Started);
        Assert.Single(await h.Store.ListJobResultsAsync(new JobResultQuery(), Ct));
        Assert.Equal(hours == 0 ? 0 : 1, started.Sum());
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_JobRemovedByReload_NotStartedAgain()
    {
        await using var h = await TriggerHarness.StartAsync(Config("interval: 1h"));
        var scheduler = Scheduler(h);
        Assert.Equal(1, await scheduler.RunOnceAsync(Ct));

        h.ReloadConfig(Config("interval: 1h").Replace("nightly", "weekly", StringComparison.Ordinal));
        h.Time.Advance(TimeSpan.FromHours(3));
        await scheduler.RunOnceAsync(Ct);

        Assert.Equal(["nightly", "weekly"], h.Started.Select(r => r.Job()));
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_ExtraRefs_ChecksOutTheFirstAtTheBranchHeadTheForgeTells()
    {
        const string head = "2222222222222222222222222222222222222222";
        await using var h = await TriggerHarness.StartAsync(Config("interval: 1h", $"""
              extra_refs:
              - org: {TriggerHarness.Owner}
                repo: {TriggerHarness.Repo}
                base_ref: release
              - org: other
                repo: tools
                base_ref: main
            """));
        h.Repository.SetBranch("release", head);

        await Scheduler(h).RunOnceAsync(Ct);

        var run = Assert.IsType<TaskRun>(Assert.Single(h.Started));
        Assert.Equal((TriggerHarness.Owner, TriggerHarness.Repo, "release", head, $"release:{head}"),
            (run.Env()["REPO_OWNER"], run.Env()["REPO_NAME"], run.Env()["PULL_BASE_REF"], run.Env()["PULL_BASE_SHA"], run.Env()["PULL_REFS"]));
        var clone = run.Spec.TaskSpec!.Steps[0];
        Assert.Equal(CloneRefs.Name, clone.Name);
        Assert.Contains(clone.Env, e => e is { Name: "CLONE_URI", Value: $"https://github.com/{TriggerHarness.FullName}.git" });
        Assert.Equal((TriggerHarness.FullName, head, "release"), Assert.Single(await h.Store.ListJobResultsAsync(new JobResultQuery(), Ct)) is var r ? (r.Repository, r.Sha, r.BaseRef) : default);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_ExtraRefsOnABranchTheForgeDoesNotKnow_CheckoutTakesTheFetchedHead()
    {
        await using var h = await TriggerHarness.StartAsync(Config("interval: 1h", """
              extra_refs:
              - {org: elsewhere, repo: tools, base_ref: main, clone_uri: 'https://git.example.com/tools.git'}
            """));

        await Scheduler(h).RunOnceAsync(Ct);

        var run = Assert.IsType<TaskRun>(Assert.Single(h.Started));
        Assert.Equal(("", "main"), (run.Env()["PULL_BASE_SHA"], run.Env()["PULL_REFS"]));
        Assert.Contains(run.Spec.TaskSpec!.Steps[0].Env, e => e is { Name: "CLONE_URI", Value: "https://git.example.com/tools.git" });
        Assert.Contains("${PULL_BASE_SHA:-FETCH_HEAD}", run.Spec.TaskSpec!.Steps[0].Script, StringComparison.Ordinal);
    }

    [Fact]
    public void DueAt_NeverRanInterval_StartOfTheCurrentInterval()
    {
        var job = Jobs.ProwYaml.Periodic("name: x\ninterval: 2h\nspec: {containers: [{image: alpine}]}\n");
        var now = new DateTimeOffset(2026, 12, 1, 11, 17, 3, TimeSpan.Zero);

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), PeriodicScheduler.DueAt(job, null, now, now));
    }
}
