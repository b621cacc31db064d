using System.Text.Json.Nodes;
using Mothership.Ci.Tests.Triggers;
using Mothership.Ci.Tide;
using Mothership.Ci.Triggers;
using Mothership.Model.Tekton;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Tide;

public sealed class MergePoolTests
{
    private const string Jobs = """
        presubmits:
          Codertocat/Hello-World:
          - name: unit
            always_run: true
            spec:
              containers:
              - image: alpine
                command: [sh, -c, "make test"]
          - name: lint
            always_run: true
            spec:
              containers:
              - image: alpine
                command: [sh, -c, "make lint"]
          - name: e2e
            optional: true
            always_run: true
            spec:
              containers:
              - image: alpine
                command: [sh, -c, "make e2e"]

        """;

    private const string Config = Jobs + """
        tide:
          queries:
          - repos: [Codertocat/Hello-World]
            labels: [lgtm, approved]
            missingLabels: [do-not-merge/hold]
            includedBranches: [main]
          merge_method:
            Codertocat/Hello-World: squash
          rebase_label: tide/merge-method-rebase
          context_options:
            skip-unknown-contexts: true
        """;

    private static readonly string[] Ready = ["lgtm", "approved"];

    private static string Sha(char c) => new(c, 40);

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_PassedOnCurrentBase_MergesAtTheTestedHeadWithTheConfiguredMethod()
    {
        await using var t = await TideHarness.StartAsync(Config);
        var pr = await t.OpenAsync(Sha('a'), labels: Ready);
        await t.FinishAsync(run => run.Job() != "e2e");

        var sync = await t.SyncAsync();

        Assert.Equal([pr.Number], Assert.Single(sync.Pools).Merged);
        Assert.True(pr.Merged);
        Assert.Equal("squash", pr.MergeMethod);
        var put = Assert.Single(t.H.GitHub.Requests, r => r.Method == "PUT");
        Assert.Equal($"/repos/{TriggerHarness.FullName}/pulls/{pr.Number}/merge", put.Path);
        Assert.Equal(Sha('a'), JsonNode.Parse(put.Body)!["sha"]!.GetValue<string>());
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_OverrideLabel_MergesWithItsMethod()
    {
        await using var t = await TideHarness.StartAsync(Config);
        var pr = await t.OpenAsync(Sha('a'), labels: ["lgtm", "approved", "tide/merge-method-rebase"]);
        await t.FinishAsync();

        await t.SyncAsync();

        Assert.Equal("rebase", pr.MergeMethod);
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_LabelsAndBranchesUnmet_NotInPoolWithProwsTexts()
    {
        await using var t = await TideHarness.StartAsync(Config);
        var bare = await t.OpenAsync(Sha('a'));
        var lgtmOnly = await t.OpenAsync(Sha('b'), labels: ["lgtm"]);
        var held = await t.OpenAsync(Sha('c'), labels: ["lgtm", "approved", "do-not-merge/hold"]);
        var release = await t.OpenAsync(Sha('d'), "release", labels: Ready);
        await t.FinishAsync();

        var sync = await t.SyncAsync();

        Assert.Equal(0, sync.Merged);
        Assert.Equal("pending: Not mergeable. Needs approved, lgtm labels.", t.TideStatusOf(bare));
        Assert.Equal("pending: Not mergeable. Needs approved label.", t.TideStatusOf(lgtmOnly));
        Assert.Equal("pending: Not mergeable. Should not have do-not-merge/hold label.", t.TideStatusOf(held));
        Assert.Equal("pending: Not mergeable. Merging to branch release is forbidden.", t.TideStatusOf(release));
        Assert.DoesNotContain(t.H.GitHub.Requests, r => r.Method == "PUT");
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_HoldRemoved_MergesOnTheNextSync()
    {
        await using var t = await TideHarness.StartAsync(Config);
        var pr = await t.OpenAsync(Sha('c'), labels: ["lgtm", "approved", "do-not-merge/hold"]);
        await t.FinishAsync();
        Assert.Equal(0, (await t.SyncAsync()).Merged);

        await t.H.Forge.RemoveLabelAsync(new(TriggerHarness.Owner, TriggerHarness.Repo), pr.Number, "do-not-merge/hold", TestContext.Current.CancellationToken);
        var sync = await t.SyncAsync();

        Assert.Equal([pr.Number], Assert.Single(sync.Pools).Merged);
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_RequiredJobFailedOrRunning_NotInPoolUnlessRunning()
    {
        await using var t = await TideHarness.StartAsync(Config);
        var failed = await t.OpenAsync(Sha('a'), labels: Ready);
        await t.FinishAsync(run => run.Job() != "lint");
        var running = await t.OpenAsync(Sha('b'), labels: Ready);

        var sync = await t.SyncAsync();

        Assert.Equal("pending: Not mergeable. Job lint has not succeeded.", t.TideStatusOf(failed));
        // Its jobs run on the current base: in the pool, waiting for them.
        Assert.Equal([running.Number], Assert.Single(sync.Pools).InPool);
        Assert.Equal("pending: Not mergeable. Retesting: lint unit", t.TideStatusOf(running));
        Assert.Equal(0, sync.Merged);
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_PassedOnAnOlderBase_RetestsOnTheCurrentBaseBeforeMerging()
    {
        await using var t = await TideHarness.StartAsync(Config);
        var pr = await t.OpenAsync(Sha('a'), labels: Ready);
        await t.FinishAsync();
        var newBase = Sha('e');
        t.Repository.SetBranch("main", newBase);
        var before = t.H.Runs.Started.Count;

        var first = await t.SyncAsync();

        Assert.Equal(0, first.Merged);
        Assert.Equal([pr.Number], Assert.Single(first.Pools).Retested);
        var retests = t.StartedSince(before);
        Assert.Equal(["lint", "unit"], retests.Select(r => r.Job()).Order());
        Assert.All(retests, r =>
        {
            Assert.Equal(newBase, r.Metadata.Labels[JobLabels.BaseSha]);
            Assert.Equal(JobTypes.Presubmit, r.Metadata.Labels[JobLabels.Type]);
            Assert.Equal($"main:{newBase},{pr.Number}:{Sha('a')}", r.Env()["PULL_REFS"]);
        });
        Assert.Equal("pending: Not mergeable. Retesting: lint unit", t.TideStatusOf(pr));

        // While the retest runs, nothing more starts and nothing merges.
        var second = await t.SyncAsync();
        Assert.Equal((0, 0), (second.Merged, t.StartedSince(before + retests.Count).Count));

        await t.FinishAsync();
        var third = await t.SyncAsync();

        Assert.Equal([pr.Number], Assert.Single(third.Pools).Merged);
    }

    [Fact(Timeout = 60_000)]
    public async Task SyncAsync_BatchOfThreeWithOneBadPullRequest_TheTwoGoodOnesMergeThroughSinglePullRequests()
    {
        await using var t = await TideHarness.StartAsync(Config);
        var good1 = await t.OpenAsync(Sha('a'), labels: Ready);
        var good2 = await t.OpenAsync(Sha('b'), labels: Ready);
        var bad = await t.OpenAsync(Sha('c'), labels: Ready);
        await t.FinishAsync();
        t.Repository.SetBranch("main", Sha('e'));
        // The bad pull request breaks whatever tests it on the new base: alone or in a batch.
        bool Passes(Resource run) => !run.Env()["PULL_REFS"].Contains($"{bad.Number}:", StringComparison.Ordinal);

        var before = t.H.Runs.Started.Count;
        var sync = await t.SyncAsync();

        var pool = Assert.Single(sync.Pools);
        Assert.Equal([good1.Number, good2.Number, bad.Number], pool.Batch);
        Assert.Equal([good1.Number], pool.Retested);
        var batch = t.StartedSince(before).Where(r => r.Metadata.Labels[JobLabels.Type] == JobTypes.Batch).ToList();
        Assert.Equal(["lint", "unit"], batch.Select(r => r.Job()).Order());
        Assert.All(batch, r =>
        {
            Assert.Equal($"main:{Sha('e')},{good1.Number}:{Sha('a')},{good2.Number}:{Sha('b')},{bad.Number}:{Sha('c')}", r.Env()["PULL_REFS"]);
            Assert.Equal("batch", r.Env()["JOB_TYPE"]);
            Assert.False(r.Env().ContainsKey("PULL_NUMBER"));
        });

        // Sync until nothing changes: the batch fails, the single pull requests go on.
        for (var i = 0; i < 12; i++)
        {
            await t.FinishAsync(Passes);
            await t.SyncAsync();
        }

        Assert.True(good1.Merged);
        Assert.True(good2.Merged);
        Assert.False(bad.Merged);
        Assert.Equal("pending: Not mergeable. Jobs lint, unit have not succeeded.", t.TideStatusOf(bad));
        // A batch was never merged as a whole: it failed, and the same set was not tried again on its base.
        Assert.Equal(2, t.H.GitHub.Requests.Count(r => r.Method == "PUT"));
    }

    [Fact(Timeout = 60_000)]
    public async Task SyncAsync_BatchPasses_MergesAllOfItInOrder()
    {
        await using var t = await TideHarness.StartAsync(Config);
        var first = await t.OpenAsync(Sha('a'), labels: Ready);
        var second = await t.OpenAsync(Sha('b'), labels: Ready);
        await t.FinishAsync();
        t.Repository.SetBranch("main", Sha('e'));
        await t.SyncAsync();
        // The batch passes; the single retest of the first has not finished.
        await t.FinishAsync(which: run => run.Metadata.Labels[JobLabels.Type] == JobTypes.Batch);

        var sync = await t.SyncAsync();

        Assert.Equal([first.Number, second.Number], Assert.Single(sync.Pools).Merged);
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_BatchSizeLimitMinusOne_TestsOnePullRequestAtATime()
    {
        await using var t = await TideHarness.StartAsync(Config.Replace("  merge_method:", "  batch_size_limit:\n    Codertocat/Hello-World: -1\n  merge_method:", StringComparison.Ordinal));
        await t.OpenAsync(Sha('a'), labels: Ready);
        var second = await t.OpenAsync(Sha('b'), labels: Ready);
        await t.FinishAsync();
        t.Repository.SetBranch("main", Sha('e'));

        var sync = await t.SyncAsync();

        Assert.Empty(Assert.Single(sync.Pools).Batch);
        Assert.Single(Assert.Single(sync.Pools).Retested);
        Assert.Equal("pending: Not mergeable. Retesting: lint unit", t.TideStatusOf(second));
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_HeadMovedBeforeTheMerge_GitHubAnswers409AndThePullRequestGoesBackToThePool()
    {
        FakeIssue? pr = null;
        await using var t = await TideHarness.StartAsync(Config, beforeMerge: _ => pr!.HeadSha = Sha('f'));
        pr = await t.OpenAsync(Sha('a'), labels: Ready);
        await t.FinishAsync();

        var sync = await t.SyncAsync();

        Assert.Equal(0, sync.Merged);
        Assert.False(pr.Merged);
        // The new head has not been tested: out of the pool until it is.
        await t.SyncAsync();
        Assert.Equal("pending: Not mergeable. Jobs lint, unit have not succeeded.", t.TideStatusOf(pr));
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_GitHubRefusesTheMerge_405IsAStatusAndNotRetriedOnTheSameBase()
    {
        await using var t = await TideHarness.StartAsync(Config);
        var pr = await t.OpenAsync(Sha('a'), labels: Ready);
        pr.Mergeable = false;
        await t.FinishAsync();

        await t.SyncAsync();
        await t.SyncAsync();

        Assert.False(pr.Merged);
        Assert.Single(t.H.GitHub.Requests, r => r.Method == "PUT");
        Assert.Equal("error: Not mergeable. PR has a merge conflict.", t.TideStatusOf(pr));
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_NothingChanged_WritesNoStatusAgain()
    {
        await using var t = await TideHarness.StartAsync(Config);
        await t.OpenAsync(Sha('a'));
        await t.OpenAsync(Sha('b'), labels: ["lgtm"]);
        await t.FinishAsync();
        await t.SyncAsync();
        var before = t.H.GitHub.Requests.Count;

        await t.SyncAsync();

        // One page of open pull requests, nothing else: no branch read (nothing in the pool), no status.
        Assert.Equal(["GET /repos/Codertocat/Hello-World/pulls"], t.H.GitHub.Requests.Skip(before).Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_RequiredContextOfAnotherSystem_WaitsForItsSuccess()
    {
        await using var t = await TideHarness.StartAsync(Config.Replace("skip-unknown-contexts: true", "skip-unknown-contexts: true\n    required-contexts: [cla/linuxfoundation]", StringComparison.Ordinal));
        var pr = await t.OpenAsync(Sha('a'), labels: Ready);
        await t.FinishAsync();
        var repo = new Mothership.Ci.Forge.RepositoryName(TriggerHarness.Owner, TriggerHarness.Repo);

        Assert.Equal(0, (await t.SyncAsync()).Merged);
        Assert.Equal("pending: Not mergeable. Job cla/linuxfoundation has not succeeded.", t.TideStatusOf(pr));

        await t.H.Forge.CreateStatusAsync(repo, pr.HeadSha, Mothership.Ci.Forge.CommitState.Success, "cla/linuxfoundation", "signed", null, TestContext.Current.CancellationToken);
        Assert.Equal(1, (await t.SyncAsync()).Merged);
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_ReviewApprovedRequired_ReadsReviewsOnlyWhenAllElseIsMetAndMergesOnceApproved()
    {
        await using var t = await TideHarness.StartAsync(Config.Replace("    includedBranches: [main]", "    includedBranches: [main]\n    reviewApprovedRequired: true", StringComparison.Ordinal));
        var unlabelled = await t.OpenAsync(Sha('a'));
        var pr = await t.OpenAsync(Sha('b'), labels: Ready);
        await t.FinishAsync();
        t.Repository.AddReview(pr.Number, "bob", "APPROVED");
        t.Repository.AddReview(pr.Number, "carol", "CHANGES_REQUESTED");

        Assert.Equal(0, (await t.SyncAsync()).Merged);
        Assert.Equal("pending: Not mergeable. PullRequest is missing sufficient approving GitHub review(s)", t.TideStatusOf(pr));
        Assert.Equal("pending: Not mergeable. Needs approved, lgtm labels.", t.TideStatusOf(unlabelled));
        Assert.Equal([$"/repos/{TriggerHarness.FullName}/pulls/{pr.Number}/reviews"], t.H.GitHub.Requests.Where(r => r.Path.EndsWith("/reviews", StringComparison.Ordinal)).Select(r => r.Path));

        t.Repository.AddReview(pr.Number, "carol", "APPROVED");
        Assert.Equal(1, (await t.SyncAsync()).Merged);
    }

    [Fact(Timeout = 30_000)]
    public async Task SyncAsync_JobsStillRunningForTheFirstTime_NotBatched()
    {
        await using var t = await TideHarness.StartAsync(Config);
        var passed = await t.OpenAsync(Sha('a'), labels: Ready);
        await t.FinishAsync();
        var running = await t.OpenAsync(Sha('b'), labels: Ready);
        t.Repository.SetBranch("main", Sha('e'));

        var pool = Assert.Single((await t.SyncAsync()).Pools);

        Assert.Equal([passed.Number, running.Number], pool.InPool);
        Assert.Empty(pool.Batch);
        Assert.Equal([passed.Number], pool.Retested);
    }
}
