using Mothership.Ci.Reporting;
using Mothership.Ci.Triggers;
using Mothership.Model.Tekton;
using Mothership.Store;

namespace Mothership.Ci.Tests.Triggers;

public sealed class JobTriggerTests
{
    private const string Config = """
        presubmits:
          Codertocat/Hello-World:
          - name: unit
            always_run: true
            spec:
              containers:
              - image: alpine
                command: [sh, -c, "make test"]
          - name: docs
            run_if_changed: '^docs/'
            spec:
              containers:
              - image: alpine
                command: [sh, -c, "make docs"]
          - name: e2e
            optional: true
            spec:
              containers:
              - image: alpine
                command: [sh, -c, "make e2e"]
        postsubmits:
          Codertocat/Hello-World:
          - name: publish
            branches: [master]
            spec:
              containers:
              - image: alpine
                command: [sh, -c, "make publish"]
        """;

    private const string Head = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    private const string NewHead = "1111111111111111111111111111111111111111";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_TrustedPullRequestOpened_StartsItsJobsWithProwsLabelsAndEnvironment()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        h.Repository.AddCollaborator("Codertocat");
        var pr = h.Repository.AddPullRequest("Codertocat", Head, "changes", "master", files: [new("src/app.go")]);

        var outcome = await h.HandleAsync(h.PullRequest("opened", pr, id: "d-1"));

        Assert.Contains("started unit", outcome, StringComparison.Ordinal);
        var run = Assert.IsType<TaskRun>(Assert.Single(h.Started));
        Assert.Equal("unit", run.Job());
        Assert.Equal("presubmit", run.Metadata.Labels["prow.k8s.io/type"]);
        Assert.Equal(("Codertocat", "Hello-World", pr.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), "master", "d-1", Head),
            (run.Metadata.Labels["prow.k8s.io/refs.org"], run.Metadata.Labels["prow.k8s.io/refs.repo"], run.Metadata.Labels["prow.k8s.io/refs.pull"],
             run.Metadata.Labels["prow.k8s.io/refs.base_ref"], run.Metadata.Labels["mothership.io/delivery"], run.Metadata.Labels["mothership.io/sha"]));
        var env = run.Env();
        Assert.Equal($"master:{pr.BaseSha},{pr.Number}:{Head}", env["PULL_REFS"]);
        Assert.Equal((Head, "unit", "presubmit", run.Metadata.Name), (env["PULL_PULL_SHA"], env["JOB_NAME"], env["JOB_TYPE"], env["PROW_JOB_ID"]));
        Assert.Contains("\"pulls\":[{\"number\":" + pr.Number, env["JOB_SPEC"], StringComparison.Ordinal);
        Assert.Equal(CloneRefs.Name, run.Spec.TaskSpec!.Steps[0].Name);
        Assert.Equal("$(workspaces.source.path)", run.Spec.TaskSpec.Steps[1].WorkingDir);
        Assert.Contains(run.Spec.Workspaces, w => w.Name == "source" && w.Source.EmptyDir);

        // unit is reported as triggered at once; docs is required and path-filtered: reported as
        // passing so a required check does not wait forever.
        Assert.Equal(
            [("unit", "pending", "Job triggered."), ("docs", "success", JobTrigger.SkippedNoChanges)],
            h.StatusesOn(Head).Select(s => (s.Context, s.State, s.Description)));
        var result = Assert.Single(await h.Store.ListJobResultsAsync(new JobResultQuery { Repository = TriggerHarness.FullName, Pull = pr.Number }, Ct));
        Assert.Equal(("unit", JobStates.Triggered, "unit", Head), (result.Job, result.State, result.Context, result.Sha));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_SameDeliveryTwice_StartsNothingTwice()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        h.Repository.AddCollaborator("Codertocat");
        var pr = h.Repository.AddPullRequest("Codertocat", Head, "changes", "master", files: [new("docs/a.md")]);
        var delivery = h.PullRequest("opened", pr, id: "same");

        await h.HandleAsync(delivery);
        var again = await h.HandleAsync(delivery);

        Assert.Equal(["docs", "unit"], h.Started.Select(r => r.Job()).Order(StringComparer.Ordinal));
        Assert.Contains("already started", again, StringComparison.Ordinal);
        Assert.Equal(2, (await h.Store.ListJobResultsAsync(new JobResultQuery(), Ct)).Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_UntrustedAuthor_LabelsAndGreets_ThenOkToTestRunsTheJobs()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        h.GitHub.Organization("Codertocat").AddMember("maintainer");
        var pr = h.Repository.AddPullRequest("outsider", Head, "changes", "master", files: [new("src/app.go")]);

        var opened = await h.HandleAsync(h.PullRequest("opened", pr));

        Assert.Contains("waiting for /ok-to-test", opened, StringComparison.Ordinal);
        Assert.Empty(h.Started);
        Assert.Equal([JobTrigger.NeedsOkToTest], h.Repository.LabelsOn(pr.Number));
        Assert.StartsWith("Hi @outsider. Thanks for your PR.\n\nI'm waiting for a [Codertocat](https://github.com/orgs/Codertocat/people) member",
            Assert.Single(h.Repository.CommentsOn(pr.Number)).Body, StringComparison.Ordinal);

        // The outsider cannot vouch for themselves; a member can.
        await h.HandleAsync(h.Comment(pr, "outsider", "/ok-to-test"));
        Assert.Empty(h.Started);
        await h.HandleAsync(h.Comment(pr, "maintainer", "/ok-to-test"));

        Assert.Equal(["unit"], h.Started.Select(r => r.Job()));
        Assert.Equal([JobTrigger.OkToTest], h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_UntrustedAuthorPushesAgain_TrustIsPinnedToTheCommitAMemberRead()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        h.GitHub.Organization("Codertocat").AddMember("maintainer");
        var pr = h.Repository.AddPullRequest("outsider", Head, "changes", "master", files: [new("src/app.go")]);
        await h.HandleAsync(h.Comment(pr, "maintainer", "/ok-to-test"));
        Assert.Single(h.Started);

        pr.HeadSha = NewHead;
        var pushed = await h.HandleAsync(h.PullRequest("synchronize", pr));

        Assert.Contains("ok-to-test taken off", pushed, StringComparison.Ordinal);
        Assert.Single(h.Started);
        Assert.Equal([JobTrigger.NeedsOkToTest], h.Repository.LabelsOn(pr.Number));
        // The superseded run of the old commit is aborted all the same.
        Assert.Single(h.Runs.Cancelled);

        await h.HandleAsync(h.Comment(pr, "maintainer", "/ok-to-test"));
        Assert.Equal([Head, NewHead], h.Started.Select(r => r.Metadata.Labels["mothership.io/sha"]));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_OkToTestPersists_KeepsProwsBehaviour()
    {
        await using var h = await TriggerHarness.StartAsync(Config, """
            triggers:
            - repos: [Codertocat]
              ok_to_test_persists: true
            """);
        h.GitHub.Organization("Codertocat").AddMember("maintainer");
        var pr = h.Repository.AddPullRequest("outsider", Head, "changes", "master", files: [new("src/app.go")]);
        await h.HandleAsync(h.Comment(pr, "maintainer", "/ok-to-test"));

        pr.HeadSha = NewHead;
        await h.HandleAsync(h.PullRequest("synchronize", pr));

        Assert.Equal([Head, NewHead], h.Started.Select(r => r.Metadata.Labels["mothership.io/sha"]));
        Assert.Equal([JobTrigger.OkToTest], h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_PushToPullRequest_AbortsSupersededRunsWithProwsDescription()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        h.Repository.AddCollaborator("Codertocat");
        var pr = h.Repository.AddPullRequest("Codertocat", Head, "changes", "master", files: [new("src/app.go")]);
        await h.HandleAsync(h.PullRequest("opened", pr));
        var first = h.Started[0].Metadata.Name!;

        pr.HeadSha = NewHead;
        var outcome = await h.HandleAsync(h.PullRequest("synchronize", pr));

        Assert.Contains("1 superseded run(s) aborted", outcome, StringComparison.Ordinal);
        Assert.Equal([first], h.Runs.Cancelled);
        var aborted = h.StatusesOn(Head).Last(s => s.Context == "unit");
        Assert.Equal(("failure", JobTrigger.AbortedByTrigger), (aborted.State, aborted.Description));
        Assert.Equal(2, h.Started.Count);

        await h.HandleAsync(h.PullRequest("closed", pr));
        Assert.Equal(2, h.Runs.Cancelled.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_DraftOrConflicting_StartsNothing()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        h.Repository.AddCollaborator("Codertocat");
        var draft = h.Repository.AddPullRequest("Codertocat", Head, "changes", "master");
        draft.Draft = true;

        Assert.Contains("draft: nothing started", await h.HandleAsync(h.PullRequest("opened", draft)), StringComparison.Ordinal);

        var conflicting = h.Repository.AddPullRequest("Codertocat", NewHead, "other", "master");
        conflicting.Mergeable = false;
        Assert.Contains("merge conflicts", await h.HandleAsync(h.Comment(conflicting, "Codertocat", "/test unit")), StringComparison.Ordinal);
        Assert.Empty(h.Started);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_TestCommands_ForceAJob_AndAnswerWithTheJobList()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        h.Repository.AddCollaborator("Codertocat");
        var pr = h.Repository.AddPullRequest("Codertocat", Head, "changes", "master", files: [new("src/app.go")]);

        await h.HandleAsync(h.Comment(pr, "Codertocat", "/test docs"));
        await h.HandleAsync(h.Comment(pr, "Codertocat", "/test e2e"));
        var help = await h.HandleAsync(h.Comment(pr, "Codertocat", "/test ?"));

        Assert.Equal(["docs", "e2e"], h.Started.Select(r => r.Job()));
        Assert.Equal("true", h.Started[1].Metadata.Annotations["mothership.io/optional"]);
        Assert.Contains("replied with the job list", help, StringComparison.Ordinal);
        var reply = Assert.Single(h.Repository.CommentsOn(pr.Number)).Body;
        Assert.StartsWith("@Codertocat: The following commands are available to trigger required jobs:", reply, StringComparison.Ordinal);
        Assert.Contains("```\n/test e2e\n```", reply, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_Retest_RunsFailedAndNeverRunJobsFromTheStore_AfterTheirRunsWerePruned()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        h.Repository.AddCollaborator("Codertocat");
        var pr = h.Repository.AddPullRequest("Codertocat", Head, "changes", "master", files: [new("docs/a.md")]);
        await h.HandleAsync(h.Comment(pr, "Codertocat", "/test unit"));
        await h.HandleAsync(h.Comment(pr, "Codertocat", "/test e2e"));
        var results = await h.Store.ListJobResultsAsync(new JobResultQuery(), Ct);
        await h.Store.UpdateJobResultAsync(results.Single(r => r.Job == "unit").Uid, JobStates.Failure, JobStates.Failure, done: true, h.Time.GetUtcNow(), Ct);
        await h.Store.UpdateJobResultAsync(results.Single(r => r.Job == "e2e").Uid, JobStates.Success, JobStates.Success, done: true, h.Time.GetUtcNow(), Ct);
        foreach (var run in h.Started)
        {
            var stored = await h.Store.GetRunAsync(run.Kind, run.Metadata.Name!, Ct);
            await h.Store.DeleteRunAsync(stored!.Uid, "retention", Ct);
        }

        var outcome = await h.HandleAsync(h.Comment(pr, "Codertocat", "/retest"));

        // unit failed; docs applies to these changes and never ran; e2e passed.
        Assert.Contains("started unit, docs", outcome, StringComparison.Ordinal);
        Assert.Equal(["unit", "e2e", "unit", "docs"], h.Started.Select(r => r.Job()));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_Cancel_AbortsThePullRequestsRuns()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        h.Repository.AddCollaborator("Codertocat");
        var pr = h.Repository.AddPullRequest("Codertocat", Head, "changes", "master", files: [new("docs/a.md")]);
        await h.HandleAsync(h.PullRequest("opened", pr));

        var outcome = await h.HandleAsync(h.Comment(pr, "Codertocat", "/cancel docs"));

        Assert.Contains("1 run(s) aborted", outcome, StringComparison.Ordinal);
        Assert.Equal("Aborted by /cancel from Codertocat.", h.StatusesOn(Head).Last(s => s.Context == "docs").Description);
        Assert.Contains("1 run(s) aborted", await h.HandleAsync(h.Comment(pr, "Codertocat", "/cancel")), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_PushToABranch_StartsItsPostsubmits()
    {
        await using var h = await TriggerHarness.StartAsync(Config);

        var outcome = await h.HandleAsync(h.Push("master", NewHead, "src/app.go"));
        await h.HandleAsync(h.Push("feature", Head, "src/app.go"));

        Assert.Contains("started publish", outcome, StringComparison.Ordinal);
        var run = Assert.Single(h.Started);
        Assert.Equal(("postsubmit", NewHead), (run.Metadata.Labels["prow.k8s.io/type"], run.Env()["PULL_BASE_SHA"]));
        Assert.False(run.Env().ContainsKey("PULL_NUMBER"));
        Assert.Equal("master:" + NewHead, run.Env()["PULL_REFS"]);
    }

    [Fact(Timeout = 30_000)]
    public async Task StartAsync_CloneToken_TheRunCarriesTheBotsCredentialsInASecretOfItsOwn()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        var starter = new JobStarter(h.Forge, h.Store, h.Runs, h.Concurrency, new JobTriggerOptions { CloneToken = (_, _) => Task.FromResult<string?>("ghp_token") }, h.Time);
        var job = h.Config.Current.PresubmitsFor(TriggerHarness.FullName).Single(j => j.Name == "unit");
        var refs = new JobRefs("Codertocat", "Hello-World", "master", Head, "https://github.com/Codertocat/Hello-World.git", "");

        await starter.StartAsync(new JobRequest { Type = JobTypes.Presubmit, Job = job, Refs = refs, RunName = "unit-1", BuildId = "1" }, "ci:test", Ct);
        await starter.StartAsync(new JobRequest { Type = JobTypes.Presubmit, Job = job, Refs = refs with { CloneUri = "https://elsewhere.example.com/r.git" }, RunName = "unit-2", BuildId = "2" }, "ci:test", Ct);

        var secret = Assert.Single(h.Runs.Secrets["unit-1"]);
        Assert.Equal(("unit-1-clone", Convert.ToBase64String("x-access-token:ghp_token"u8)), (secret.Metadata.Name, secret.Data[CloneCredentials.AuthorizationKey]));
        Assert.Equal("unit-1-clone", ((TaskRun)h.Started[0]).Spec.TaskSpec!.Steps[0].Env.Single(e => e.Name == "CLONE_AUTHORIZATION").SecretKeyRef!.Name);
        Assert.Empty(h.Runs.Secrets["unit-2"]);
        Assert.DoesNotContain(((TaskRun)h.Started[1]).Spec.TaskSpec!.Steps[0].Env, e => e.Name == "CLONE_AUTHORIZATION");
    }
}
