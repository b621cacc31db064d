namespace Mothership.Store.Tests;

/// <summary>CI job results: one per run, synced against the run, listed per pull request, outliving the run.</summary>
public abstract partial class RunStoreContractTests
{
    private static JobResult Result(string name, int pull = 12, string sha = "abc", int second = 0, string job = "unit") => new()
    {
        Uid = "uid-" + name,
        RunKind = "PipelineRun",
        RunName = name,
        Job = job,
        Type = "presubmit",
        Repository = "octo/hello",
        Pull = pull,
        Sha = sha,
        BaseRef = "main",
        Context = job,
        State = "triggered",
        CreatedAt = Start.AddSeconds(second),
        UpdatedAt = Start.AddSeconds(second),
    };

    [Fact(Timeout = 60000)]
    public async Task AddJobResultAsync_OncePerRun_RoundTripsEveryField()
    {
        var result = Result("r1") with { Optional = true, Context = "ci/unit", Reported = "pending" };

        Assert.True(await Store.AddJobResultAsync(result, Ct));
        Assert.False(await Store.AddJobResultAsync(result with { Job = "other" }, Ct));

        Assert.Equal(result, Assert.Single(await Store.ListJobResultsAsync(new JobResultQuery(), Ct)));
        var periodic = Result("p1") with { Type = "periodic", Repository = "", Pull = null, Sha = "", Context = null };
        Assert.True(await Store.AddJobResultAsync(periodic, Ct));
        Assert.Equal(periodic, Assert.Single(await Store.ListJobResultsAsync(new JobResultQuery { Job = "unit", Pull = null, Repository = "" }, Ct)));
        Assert.Equal(periodic, Assert.Single(await Store.ListJobResultsAsync(new JobResultQuery { Job = "unit", Type = "periodic" }, Ct)));
    }

    [Fact(Timeout = 60000)]
    public async Task ListJobResultsToSyncAsync_NotFinalOnesWithTheirRuns_TillDone()
    {
        await Store.CreateRunAsync(Run("r1", phase: RunPhase.Running, reason: "Running"), "ci", Ct);
        await Store.AddJobResultAsync(Result("r1", second: 1), Ct);
        await Store.AddJobResultAsync(Result("gone", second: 2), Ct);

        var pending = await Store.ListJobResultsToSyncAsync(10, Ct);

        Assert.Equal(["r1", "gone"], pending.Select(p => p.Result.RunName));
        Assert.Equal(RunPhase.Running, pending[0].Run!.Phase);
        Assert.Null(pending[1].Run);

        Assert.True(await Store.UpdateJobResultAsync("uid-r1", "pending", "pending", done: false, Start.AddSeconds(5), Ct));
        Assert.True(await Store.UpdateJobResultAsync("uid-gone", "aborted", "aborted", done: true, Start.AddSeconds(5), Ct));
        Assert.False(await Store.UpdateJobResultAsync("uid-nope", "aborted", "aborted", done: true, Start.AddSeconds(5), Ct));

        var left = Assert.Single(await Store.ListJobResultsToSyncAsync(10, Ct));
        Assert.Equal(("pending", "pending", Start.AddSeconds(5)), (left.Result.State, left.Result.Reported, left.Result.UpdatedAt));
    }

    [Fact(Timeout = 60000)]
    public async Task ListJobResultsAsync_ByPullAndSha_NewestFirst_AndOutliveTheirRuns()
    {
        await Store.CreateRunAsync(Finished("old", "p", 1, ok: false), "ci", Ct);
        await Store.AddJobResultAsync(Result("old", sha: "abc", second: 1) with { Uid = "uid-old" }, Ct);
        await Store.AddJobResultAsync(Result("new", sha: "def", second: 2), Ct);
        await Store.AddJobResultAsync(Result("other", pull: 13, second: 3), Ct);
        await Store.UpdateJobResultAsync("uid-old", "failure", "failure", done: true, Start, Ct);
        await Store.PruneAsync(new RetentionPolicy { SucceededStatus = "True", FailedStatus = "False", Default = new RetentionRule { KeepLast = 0 } }, Start.AddDays(1), dryRun: false, Ct);

        Assert.Null(await Store.GetRunAsync("PipelineRun", "old", Ct));
        Assert.Equal(["new", "old"], (await Store.ListJobResultsAsync(new JobResultQuery { Repository = "octo/hello", Pull = 12 }, Ct)).Select(r => r.RunName));
        Assert.Equal(["old"], (await Store.ListJobResultsAsync(new JobResultQuery { Sha = "abc", Pull = 12 }, Ct)).Select(r => r.RunName));
        Assert.Equal(["other"], (await Store.ListJobResultsAsync(new JobResultQuery { Limit = 1 }, Ct)).Select(r => r.RunName));
    }

    [Fact(Timeout = 60000)]
    public async Task PruneAsync_DeliveryMaxAge_DeletesFinalJobResultsOlderThanIt()
    {
        await Store.AddJobResultAsync(Result("old"), Ct);
        await Store.AddJobResultAsync(Result("running"), Ct);
        await Store.UpdateJobResultAsync("uid-old", "success", "success", done: true, Start, Ct);
        var policy = new RetentionPolicy { SucceededStatus = "True", FailedStatus = "False", DeliveryMaxAge = TimeSpan.FromDays(30) };

        var dry = await Store.PruneAsync(policy, Start.AddDays(40), dryRun: true, Ct);
        var done = await Store.PruneAsync(policy, Start.AddDays(40), dryRun: false, Ct);

        Assert.Equal((1, 1), (dry.JobResults, done.JobResults));
        Assert.Equal(["running"], (await Store.ListJobResultsAsync(new JobResultQuery(), Ct)).Select(r => r.RunName));
    }
}
