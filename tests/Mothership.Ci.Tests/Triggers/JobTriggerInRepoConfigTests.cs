using Mothership.Ci.Reporting;
using Mothership.Ci.Triggers;
using Mothership.Store;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Triggers;

/// <summary>
/// Prow's in-repo config on the trigger: the fake GitHub serving <c>.prow.yaml</c> at the refs a
/// case sets, GitHub's webhook payloads, and the runs the trigger starts.
/// </summary>
public sealed class JobTriggerInRepoConfigTests
{
    private const string Config = """
        in_repo_config:
          enabled:
            Codertocat/Hello-World: true
            "*": false
          allowed_clusters:
            "*": [default]
        presubmits:
          Codertocat/Hello-World:
          - name: unit
            always_run: true
            spec:
              containers:
              - image: alpine
                command: [sh, -c, "make test"]
        """;

    private const string Head = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    private const string MasterSha = "2222222222222222222222222222222222222222";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A <c>.prow.yaml</c> with one presubmit <paramref name="name"/> (always run unless <paramref name="alwaysRun"/> is false).</summary>
    private static string ProwYaml(string name, bool alwaysRun = true) => $"""
        presubmits:
        - name: {name}
          always_run: {(alwaysRun ? "true" : "false")}
          spec:
            containers:
            - image: alpine
              command: [sh, -c, "make {name}"]
        """;

    private static async Task<(TriggerHarness H, FakeIssue Pr)> PullRequestAsync(string author)
    {
        var h = await TriggerHarness.StartAsync(Config);
        h.Repository.AddCollaborator("Codertocat");
        h.Repository.SetBranch("master", MasterSha);
        var pr = h.Repository.AddPullRequest(author, Head, "changes", "master", files: [new("src/app.go")]);
        return (h, pr);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_TrustedPullRequest_RunsTheJobsOfItsProwYamlBesidesTheCentralOnes()
    {
        var (h, pr) = await PullRequestAsync("Codertocat");
        await using var _ = h;
        h.Repository.SetFile(Head, ".prow.yaml", ProwYaml("in-repo-lint"));

        var outcome = await h.HandleAsync(h.PullRequest("opened", pr));

        Assert.Contains($"in-repo config at {Head}: 1 job(s)", outcome, StringComparison.Ordinal);
        Assert.Equal(["unit", "in-repo-lint"], h.Started.Select(r => r.Job()));
        Assert.Equal(["unit", "in-repo-lint"], h.StatusesOn(Head).Select(s => s.Context));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_ProwDirectory_ReadInsteadOfProwYaml()
    {
        var (h, pr) = await PullRequestAsync("Codertocat");
        await using var _ = h;
        h.Repository.SetFile(Head, ".prow.yaml", ProwYaml("ignored"));
        h.Repository.SetFile(Head, ".prow/a.yaml", ProwYaml("from-a"));
        h.Repository.SetFile(Head, ".prow/more/b.yml", ProwYaml("from-b"));

        await h.HandleAsync(h.PullRequest("opened", pr));

        Assert.Equal(["unit", "from-a", "from-b"], h.Started.Select(r => r.Job()));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_UntrustedPullRequest_ItsOwnProwYamlIsNotUsed_TheBaseBranchsIs()
    {
        var (h, pr) = await PullRequestAsync("outsider");
        await using var _ = h;
        h.Repository.SetFile(Head, ".prow.yaml", ProwYaml("evil"));
        h.Repository.SetFile("master", ".prow.yaml", ProwYaml("base-lint"));

        var opened = await h.HandleAsync(h.PullRequest("opened", pr));
        var outcome = await h.HandleAsync(h.Comment(pr, "Codertocat", "/test all"));

        Assert.Contains("waiting for /ok-to-test", opened, StringComparison.Ordinal);
        Assert.Contains("in-repo config at master: 1 job(s)", outcome, StringComparison.Ordinal);
        Assert.Equal(["unit", "base-lint"], h.Started.Select(r => r.Job()));
        Assert.DoesNotContain(h.Started, r => r.Job() == "evil");
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_OkToTest_ReadsTheProwYamlOfTheCommitAMemberVouchedFor()
    {
        var (h, pr) = await PullRequestAsync("outsider");
        await using var _ = h;
        h.Repository.SetFile(Head, ".prow.yaml", ProwYaml("pr-lint"));
        h.Repository.SetFile("master", ".prow.yaml", ProwYaml("base-lint"));

        await h.HandleAsync(h.Comment(pr, "Codertocat", "/ok-to-test"));

        Assert.Equal(["unit", "pr-lint"], h.Started.Select(r => r.Job()));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_BrokenProwYaml_FailureStatusSaysWhy_AndTheCentralJobsStillRun()
    {
        var (h, pr) = await PullRequestAsync("Codertocat");
        await using var _ = h;
        h.Repository.SetFile(Head, ".prow.yaml", ProwYaml("in-repo-lint") + "\nperiodics: []\n");

        var outcome = await h.HandleAsync(h.PullRequest("opened", pr));

        Assert.Contains("does not load, its jobs not started", outcome, StringComparison.Ordinal);
        Assert.Equal(["unit"], h.Started.Select(r => r.Job()));
        var status = Assert.Single(h.StatusesOn(Head), s => s.Context == JobTrigger.InRepoConfigContext);
        Assert.Equal("failure", status.State);
        Assert.Equal("Unable to get inRepoConfig: .prow.yaml:8:1: error: 'periodics' is not allowed in in-repo config: periodics belong in the central config", status.Description);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_InRepoJobNamedAsACentralOne_FailureStatus_AndOnlyTheCentralJobRuns()
    {
        var (h, pr) = await PullRequestAsync("Codertocat");
        await using var _ = h;
        h.Repository.SetFile(Head, ".prow.yaml", ProwYaml("unit"));

        await h.HandleAsync(h.PullRequest("opened", pr));

        Assert.Equal(["unit"], h.Started.Select(r => r.Job()));
        var status = Assert.Single(h.StatusesOn(Head), s => s.Context == JobTrigger.InRepoConfigContext);
        Assert.StartsWith("Unable to get inRepoConfig: .prow.yaml:2:3: error: duplicate presubmit 'unit': also defined at ", status.Description, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_TestNameRetestAndTheJobList_SeeInRepoJobs()
    {
        var (h, pr) = await PullRequestAsync("Codertocat");
        await using var _ = h;
        h.Repository.SetFile(Head, ".prow.yaml", ProwYaml("in-repo-e2e", alwaysRun: false));

        var test = await h.HandleAsync(h.Comment(pr, "Codertocat", "/test in-repo-e2e"));
        Assert.Contains("started in-repo-e2e", test, StringComparison.Ordinal);
        var result = Assert.Single(await h.Store.ListJobResultsAsync(new JobResultQuery { Repository = TriggerHarness.FullName, Pull = pr.Number }, Ct));
        await h.Store.UpdateJobResultAsync(result.Uid, JobStates.Failure, JobStates.Failure, done: true, h.Time.GetUtcNow(), Ct);

        var retest = await h.HandleAsync(h.Comment(pr, "Codertocat", "/retest"));
        await h.HandleAsync(h.Comment(pr, "Codertocat", "/test ?"));

        // unit never ran and would run on its own; in-repo-e2e failed.
        Assert.Contains("started unit, in-repo-e2e", retest, StringComparison.Ordinal);
        Assert.Equal(["in-repo-e2e", "unit", "in-repo-e2e"], h.Started.Select(r => r.Job()));
        var reply = Assert.Single(h.Repository.CommentsOn(pr.Number)).Body;
        Assert.Contains("```\n/test in-repo-e2e\n```", reply, StringComparison.Ordinal);
        Assert.Contains("```\n/test unit\n```", reply, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_Push_RunsThePostsubmitsOfProwYamlAtThePushedCommit()
    {
        var (h, _) = await PullRequestAsync("Codertocat");
        await using var __ = h;
        const string Pushed = "3333333333333333333333333333333333333333";
        h.Repository.SetFile(Pushed, ".prow.yaml", """
            postsubmits:
            - name: in-repo-publish
              branches: [master]
              spec:
                containers:
                - image: alpine
                  command: [make, publish]
            """);

        var outcome = await h.HandleAsync(h.Push("master", Pushed, "src/app.go"));

        Assert.Contains("started in-repo-publish", outcome, StringComparison.Ordinal);
        var run = Assert.Single(h.Started);
        Assert.Equal(("in-repo-publish", "postsubmit"), (run.Job(), run.Metadata.Labels["prow.k8s.io/type"]));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_InRepoConfigNotEnabled_ProwYamlNotRead()
    {
        await using var h = await TriggerHarness.StartAsync(Config.Replace("Codertocat/Hello-World: true", "Codertocat: false", StringComparison.Ordinal));
        h.Repository.AddCollaborator("Codertocat");
        var pr = h.Repository.AddPullRequest("Codertocat", Head, "changes", "master", files: [new("src/app.go")]);
        h.Repository.SetFile(Head, ".prow.yaml", ProwYaml("in-repo-lint"));

        await h.HandleAsync(h.PullRequest("opened", pr));

        Assert.Equal(["unit"], h.Started.Select(r => r.Job()));
    }
}
