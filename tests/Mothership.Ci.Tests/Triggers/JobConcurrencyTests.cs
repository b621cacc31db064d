using Mothership.Ci.Reporting;
using Mothership.Ci.Triggers;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Store;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Triggers;

public sealed class JobConcurrencyTests
{
    private const string Config = """
        presubmits:
          Codertocat/Hello-World:
          - name: unit
            always_run: true
            max_concurrency: 1
            spec:
              containers:
              - image: alpine
                command: [sh, -c, "make test"]
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 30_000)]
    public async Task StartAsync_ThreePullRequestsWithMaxConcurrencyOne_OneRunsAndTwoWaitAsTriggered()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        var (prs, outcomes) = await OpenThreeAsync(h);

        Assert.Contains("started unit", outcomes[0], StringComparison.Ordinal);
        Assert.All(outcomes.Skip(1), o => Assert.Contains("waiting for max_concurrency unit", o, StringComparison.Ordinal));
        Assert.Equal([RunPhase.Queued, RunPhase.Pending, RunPhase.Pending], await PhasesAsync(h));
        var held = Assert.IsType<TaskRun>(h.Started[1]);
        Assert.Equal((SpecStatus.TaskRunPending, "1"), (held.Spec.Status, held.Metadata.Labels[JobLabels.MaxConcurrency]));
        foreach (var pr in prs)
        {
            var status = Assert.Single(h.StatusesOn(pr.HeadSha));
            Assert.Equal(("pending", "Job triggered."), (status.State, status.Description));
        }

        // Nothing ended: a pass releases nothing, and the reporter keeps the waiting ones triggered.
        // Every run of a limited job is created held; the first found a free slot at once.
        Assert.Equal(0, await h.Concurrency.RunOnceAsync(Ct));
        Assert.Equal([h.Started[0].Metadata.Name!], h.Runs.Released);
        await new JobReporter(h.Store, h.Forge, new JobReporterOptions(), h.Time).RunOnceAsync(Ct);
        Assert.All(await h.Store.ListJobResultsAsync(new JobResultQuery(), Ct), r => Assert.Equal(JobStates.Triggered, r.State));
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_RunningOneEnds_ReleasesTheOldestWaitingOnly()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        await OpenThreeAsync(h);

        await h.FinishAsync(h.Started[0].Metadata.Name!);
        Assert.Equal(1, await h.Concurrency.RunOnceAsync(Ct));
        Assert.Equal(0, await h.Concurrency.RunOnceAsync(Ct));

        Assert.Equal([h.Started[0].Metadata.Name!, h.Started[1].Metadata.Name!], h.Runs.Released);
        Assert.Equal([RunPhase.Finished, RunPhase.Queued, RunPhase.Pending], await PhasesAsync(h));

        await h.FinishAsync(h.Started[1].Metadata.Name!);
        Assert.Equal(1, await h.Concurrency.RunOnceAsync(Ct));
        Assert.Equal([.. h.Started.Select(r => r.Metadata.Name!)], h.Runs.Released);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_WaitingRunsPullRequestClosed_AbortsItWithoutEverStartingIt()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        var (prs, _) = await OpenThreeAsync(h);

        prs[1].Closed = true;
        var closed = await h.HandleAsync(h.PullRequest("closed", prs[1]));

        Assert.Contains("1 run(s) aborted", closed, StringComparison.Ordinal);
        var aborted = h.StatusesOn(prs[1].HeadSha)[^1];
        Assert.Equal(("failure", JobTrigger.AbortedByTrigger), (aborted.State, aborted.Description));
        var result = Assert.Single(await h.Store.ListJobResultsAsync(new JobResultQuery { Pull = prs[1].Number }, Ct));
        Assert.Equal((JobStates.Aborted, true), (result.State, result.Done));

        // The slot that frees goes to the third pull request; the aborted run never starts.
        await h.FinishAsync(h.Started[0].Metadata.Name!);
        Assert.Equal(1, await h.Concurrency.RunOnceAsync(Ct));
        Assert.Equal([h.Started[0].Metadata.Name!, h.Started[2].Metadata.Name!], h.Runs.Released);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_NewPushSupersedesWaitingRun_AbortsItAndTheNewRunWaitsBehindTheOlderOnes()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        var (prs, _) = await OpenThreeAsync(h);
        var superseded = h.Started[1].Metadata.Name!;

        prs[1].HeadSha = "2222222222222222222222222222222222222222";
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var pushed = await h.HandleAsync(h.PullRequest("synchronize", prs[1]));

        Assert.Contains("1 superseded run(s) aborted", pushed, StringComparison.Ordinal);
        Assert.Contains("waiting for max_concurrency unit", pushed, StringComparison.Ordinal);
        Assert.Equal([superseded], h.Runs.Cancelled);
        await h.FinishAsync(h.Started[0].Metadata.Name!);
        await h.Concurrency.RunOnceAsync(Ct);
        Assert.Equal([h.Started[0].Metadata.Name!, h.Started[2].Metadata.Name!], h.Runs.Released);
    }

    [Fact]
    public void Held_NoLimit_LeavesTheRunAsBuilt()
    {
        var run = new TaskRun { ApiVersion = TektonLabels.ApiVersion, Kind = "TaskRun", Metadata = new ObjectMeta { Name = "r" }, Spec = new TaskRunSpec() };

        Assert.Same(run, JobConcurrency.Held(run, 0));
        var held = Assert.IsType<TaskRun>(JobConcurrency.Held(run, 3));
        Assert.Equal((SpecStatus.TaskRunPending, "3"), (held.Spec.Status, held.Metadata.Labels[JobLabels.MaxConcurrency]));
    }

    /// <summary>Three trusted pull requests opened one second apart; their pull requests and the trigger's outcomes.</summary>
    private static async Task<(IReadOnlyList<FakeIssue> Prs, IReadOnlyList<string> Outcomes)> OpenThreeAsync(TriggerHarness h)
    {
        h.Repository.AddCollaborator("Codertocat");
        var prs = new List<FakeIssue>();
        var outcomes = new List<string>();
        foreach (var head in new[] { new string('a', 40), new string('b', 40), new string('c', 40) })
        {
            var pr = h.Repository.AddPullRequest("Codertocat", head, "change-" + head[0], "master", files: [new("src/app.go")]);
            prs.Add(pr);
            outcomes.Add(await h.HandleAsync(h.PullRequest("opened", pr)));
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(3, h.Started.Count);
        return (prs, outcomes);
    }

    /// <summary>The phases of the started runs, in the order they were started.</summary>
    private static async Task<IReadOnlyList<RunPhase>> PhasesAsync(TriggerHarness h)
    {
        var phases = new List<RunPhase>();
        foreach (var run in h.Started)
        {
            phases.Add((await h.Store.GetRunAsync(run.Kind, run.Metadata.Name!, Ct))!.Phase);
        }

        return phases;
    }
}
