using Mothership.Ci.Flakes;
using Mothership.Ci.Reporting;
using Mothership.Ci.Tests.Triggers;
using Mothership.Store;

namespace Mothership.Ci.Tests.Flakes;

/// <summary>flake_retries through the reporter: the trigger starts a job, its run fails, the reporter retries it.</summary>
public sealed class FlakeRetrierTests
{
    private const string Head = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

    private static string Config(int retries, bool optional = false) => $$"""
        presubmits:
          Codertocat/Hello-World:
          - name: unit
            always_run: true
            optional: {{(optional ? "true" : "false")}}
            flake_retries: {{retries}}
            spec:
              containers:
              - image: alpine
                command: [sh, -c, "make test"]
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JobReporter Reporter(TriggerHarness h) =>
        new(h.Store, h.Forge, new JobReporterOptions(), h.Time, retrier: new FlakeRetrier(h.Config, h.Forge, h.Store, h.Starter, h.Time));

    /// <summary>Ends the newest run as the engine would, and lets a minute pass.</summary>
    private static async Task FinishNewestAsync(TriggerHarness h, bool passed)
    {
        await h.FinishAsync(h.Started[^1].Metadata.Name!, passed);
        h.Time.Advance(TimeSpan.FromMinutes(1));
    }

    private static async Task<TriggerHarness> OpenedAsync(string config)
    {
        var h = await TriggerHarness.StartAsync(config);
        h.Repository.AddCollaborator("Codertocat");
        var pr = h.Repository.AddPullRequest("Codertocat", Head, "changes", "master", files: [new("src/app.go")]);
        await h.HandleAsync(h.PullRequest("opened", pr));
        Assert.Single(h.Started);
        return h;
    }

    [Fact(Timeout = 30_000)]
    public async Task Report_RequiredJobFails_RetriedUpToTheBudgetNeverMore()
    {
        await using var h = await OpenedAsync(Config(retries: 2));
        var reporter = Reporter(h);
        var pull = h.Repository.Issue(1)!.Number;

        await FinishNewestAsync(h, passed: false);
        await reporter.RunOnceAsync(Ct);
        Assert.Equal(2, h.Started.Count);
        Assert.Equal(FlakeRetrier.RunName("unit", TriggerHarness.FullName, pull, Head, 1), h.Started[^1].Metadata.Name);
        Assert.Contains("unit was retried automatically once on this commit (`flake_retries`).", Assert.Single(h.Repository.CommentsOn(pull)).Body, StringComparison.Ordinal);

        await FinishNewestAsync(h, passed: false);
        await reporter.RunOnceAsync(Ct);
        Assert.Equal(3, h.Started.Count);

        await FinishNewestAsync(h, passed: false);
        await reporter.RunOnceAsync(Ct);
        await reporter.RunOnceAsync(Ct);
        Assert.Equal(3, h.Started.Count);
        var comment = Assert.Single(h.Repository.CommentsOn(pull)).Body;
        Assert.Contains("unit was retried automatically 2 times on this commit", comment, StringComparison.Ordinal);
        Assert.Contains("unit | ec26c3e |", comment, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Report_RetryPasses_FailureCommentGoneAndAFlakeIsCounted()
    {
        await using var h = await OpenedAsync(Config(retries: 1));
        var reporter = Reporter(h);

        await FinishNewestAsync(h, passed: false);
        await reporter.RunOnceAsync(Ct);
        await FinishNewestAsync(h, passed: true);
        await reporter.RunOnceAsync(Ct);

        Assert.Empty(h.Repository.CommentsOn(1));
        Assert.Equal("success", h.StatusesOn(Head).Last(s => s.Context == "unit").State);
        var flake = Assert.Single(FlakeLedger.Find(await h.Store.ListJobResultsAsync(new JobResultQuery { Repository = TriggerHarness.FullName }, Ct)));
        Assert.Equal(("unit", Head), (flake.Job, flake.Sha));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(0, false)]
    [InlineData(2, true)]
    public async Task Report_NoBudgetOrOptionalJob_NotRetried(int retries, bool optional)
    {
        await using var h = await OpenedAsync(Config(retries, optional));

        await FinishNewestAsync(h, passed: false);
        await Reporter(h).RunOnceAsync(Ct);

        Assert.Single(h.Started);
    }

    [Fact(Timeout = 30_000)]
    public async Task Report_PullRequestMovedOn_NotRetried()
    {
        await using var h = await OpenedAsync(Config(retries: 2));
        h.Repository.Issue(1)!.HeadSha = "2222222222222222222222222222222222222222";

        await FinishNewestAsync(h, passed: false);
        await Reporter(h).RunOnceAsync(Ct);

        Assert.Single(h.Started);
    }
}
