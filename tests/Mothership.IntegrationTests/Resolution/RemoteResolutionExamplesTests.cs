using System.Text;
using System.Text.Json.Nodes;
using Mothership.Testing;

namespace Mothership.IntegrationTests.Resolution;

/// <summary>
/// Tekton's remote resolver examples, run through <c>mship run</c> against <see cref="ResolverStandIns"/>:
/// each fetched Task, Pipeline or StepAction really runs. The cluster examples get the resources
/// they name from a second file (the "cluster" of <c>mship run</c> is the files given); the
/// token examples get the Secret the cluster would hold.
/// </summary>
public sealed class RemoteResolutionExamplesTests(ResolverStandIns standIns) : IClassFixture<ResolverStandIns>
{
    private const string SomeTask = """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata:
          name: some-task
        spec:
          steps:
            - name: hello
              image: alpine
              script: echo "some-task, found by the cluster resolver"
        """;

    private const string SomePipeline = """
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata:
          name: some-pipeline
        spec:
          tasks:
            - name: hello
              taskRef:
                name: some-task
        """;

    private const string TokenSecret = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: my-secret-token
        stringData:
          token: not-a-real-token
        """;

    /// <summary>What each example needs beside itself: the other files given to mship run.</summary>
    private static readonly Dictionary<string, string[]> Cases = new()
    {
        ["pipelineruns/beta/git-resolver.yaml"] = [],
        ["pipelineruns/beta/http-resolver.yaml"] = [],
        ["pipelineruns/beta/http-resolver-credentials.yaml"] = [],
        ["pipelineruns/no-ci/cluster-resolver.yaml"] = [SomePipeline, SomeTask],
        ["pipelineruns/no-ci/git-resolver.yaml"] = [],
        ["pipelineruns/no-ci/git-resolver-custom-apiurl.yaml"] = [TokenSecret],
        ["pipelineruns/no-ci/git-resolver-custom-secret.yaml"] = [TokenSecret],
        ["pipelineruns/no-ci/hub-resolver.yaml"] = [],
        ["taskruns/beta/git-resolver.yaml"] = [],
        ["taskruns/beta/hub-resolver.yaml"] = [],
        ["taskruns/beta/stepaction-git-resolver.yaml"] = [],
        ["taskruns/beta/bundles-resolver.yaml"] = [],
        ["taskruns/no-ci/cluster-resolver.yaml"] = [SomeTask],
    };

    /// <summary>
    /// The bundles example names the published git-clone bundle by digest; the stand-in registry
    /// can only serve a bundle of its own, of another digest, so the example runs with that digest
    /// in place of the published one (and the published one is asked for in a test below).
    /// </summary>
    private const string PublishedGitCloneBundle = "sha256:65e61544c5870c8828233406689d812391735fd4100cb444bbd81531cb958bb3";

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var e in TektonExamples.Resolvers())
        {
            data.Add(e);
        }

        if (data.Count == 0)
        {
            data.Add(TektonExamples.Absent);
        }

        return data;
    }

    [Theory(Timeout = 240_000)]
    [MemberData(nameof(Examples))]
    public async Task Run_ResolverExample_Succeeds(string example)
    {
        var result = await RunAsync(example, Cases.GetValueOrDefault(example) ?? []);
        Assert.True(result.ExitCode == 0, $"{example} exited {result.ExitCode}\n{result.Stderr}\n{result.Stdout}");
        var document = JsonNode.Parse(result.Stdout)!;
        var items = document["kind"]!.GetValue<string>() == "List" ? document["items"]!.AsArray().Select(i => i!) : [document];
        foreach (var run in items)
        {
            Assert.Equal("True", run["status"]!["conditions"]![0]!["status"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Cases_CoverEveryResolverExample()
    {
        Fixtures.TektonV1();
        var all = TektonExamples.Resolvers().ToList();
        Assert.NotEmpty(all);
        Assert.All(all, e => Assert.True(Cases.ContainsKey(e), $"{e} has no case here"));
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_HttpResolverWithCredentials_SendsBasicAuthFromTheSecret()
    {
        var result = await RunAsync("pipelineruns/beta/http-resolver-credentials.yaml", []);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("git:token")), standIns.Authorizations);
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_GitResolvedTask_RunsTheFetchedStepsAndResult()
    {
        var result = await RunAsync("taskruns/beta/git-resolver.yaml", [], json: false);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("stand-in clone of https://github.com/kelseyhightower/nocode at 'master'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("result commit = stand-in", result.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Validate_BundlesExampleAsPublished_NamesTheResolverParamsAndTheRegistrysAnswer()
    {
        var path = TektonExamples.PathOf("taskruns/beta/bundles-resolver.yaml");
        var offline = await MshipProcess.RunAsync(["validate", "-f", path], environment: standIns.Environment, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(offline.ExitCode == 0, offline.Stderr);
        var resolved = await MshipProcess.RunAsync(["validate", "--resolve", "-f", path], environment: standIns.Environment, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, resolved.ExitCode);
        Assert.Contains($"bundles resolver (bundle=ghcr.io/tektoncd/catalog/upstream/tasks/git-clone@{PublishedGitCloneBundle}, kind=task, name=git-clone): cannot retrieve the oci image:", resolved.Stderr, StringComparison.Ordinal);
        Assert.Contains($"/v2/tektoncd/catalog/upstream/tasks/git-clone/manifests/{PublishedGitCloneBundle} answered 404", resolved.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", resolved.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_BundleResolvedTask_RunsTheLayersTaskAndResult()
    {
        var result = await RunAsync("taskruns/beta/bundles-resolver.yaml", [], json: false);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("stand-in clone of https://github.com/kelseyhightower/nocode at 'master'", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("result commit = stand-in", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"GET /v2/tektoncd/catalog/upstream/tasks/git-clone/manifests/{standIns.GitCloneBundle}", standIns.Registry.Requests);
    }

    [Fact(Timeout = 120_000)]
    public async Task Validate_Resolve_KeepsTheLoadersWarnings()
    {
        var file = Path.Combine(standIns.Root, "with-service.yaml");
        await File.WriteAllTextAsync(file, File.ReadAllText(TektonExamples.PathOf("taskruns/beta/git-resolver.yaml"))
            + "\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n", TestContext.Current.CancellationToken);
        var result = await MshipProcess.RunAsync(["validate", "--resolve", "-f", file], environment: standIns.Environment, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("Service 'web' (v1) is not a Tekton resource", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Validate_ResolveWithUnknownPath_NamesResolverParamsAndLine()
    {
        var file = Path.Combine(standIns.Root, "missing-path.yaml");
        await File.WriteAllTextAsync(file, File.ReadAllText(TektonExamples.PathOf("taskruns/beta/git-resolver.yaml")).Replace("task/git-clone/0.10/", "task/nope/", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        var offline = await MshipProcess.RunAsync(["validate", "-f", file], environment: standIns.Environment, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, offline.ExitCode);
        var result = await MshipProcess.RunAsync(["validate", "--resolve", "-f", file], environment: standIns.Environment, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}:18:5: error: git resolver (pathInRepo=task/nope/git-clone.yaml, revision=main, url=https://github.com/tektoncd/catalog.git): no file 'task/nope/git-clone.yaml' at commit", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Validate_ResolvedTaskWithError_ReportsItAtTheGitSource()
    {
        var commit = await standIns.CommitAsync("task/broken/0.1/broken.yaml", """
            apiVersion: tekton.dev/v1
            kind: Task
            metadata:
              name: broken
            spec:
              steps:
                - name: s
                  image: alpine
                  onError: sometimes
                  script: echo hi
            """);
        var file = Path.Combine(standIns.Root, "broken.yaml");
        await File.WriteAllTextAsync(file, $"""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: broken
            spec:
              taskRef:
                resolver: git
                params:
                  - name: url
                    value: https://github.com/tektoncd/catalog.git
                  - name: revision
                    value: {commit}
                  - name: pathInRepo
                    value: task/broken/0.1/broken.yaml
            """, TestContext.Current.CancellationToken);
        var result = await MshipProcess.RunAsync(["validate", "--resolve", "-f", file], environment: standIns.Environment, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"git:https://github.com/tektoncd/catalog.git@{commit}:task/broken/0.1/broken.yaml:9:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("sometimes", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_TwoRefsToTasksOfOneName_RunEachTheirOwn()
    {
        var other = GitCloneVariant("other clone");
        var commit = await standIns.CommitAsync("task/git-clone/0.9/git-clone.yaml", other);
        var file = Path.Combine(standIns.Root, "two.yaml");
        await File.WriteAllTextAsync(file, $$"""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: two
            spec:
              workspaces:
                - name: output
                  emptyDir: {}
              pipelineSpec:
                workspaces:
                  - name: output
                tasks:
                  - name: new
                    workspaces: [{name: output}]
                    params: [{name: url, value: a}]
                    taskRef:
                      resolver: git
                      params:
                        - {name: url, value: https://github.com/tektoncd/catalog.git}
                        - {name: pathInRepo, value: task/git-clone/0.10/git-clone.yaml}
                  - name: old
                    workspaces: [{name: output}]
                    params: [{name: url, value: b}]
                    taskRef:
                      resolver: git
                      params:
                        - {name: url, value: https://github.com/tektoncd/catalog.git}
                        - {name: revision, value: {{commit}}}
                        - {name: pathInRepo, value: task/git-clone/0.9/git-clone.yaml}
            """, TestContext.Current.CancellationToken);
        var result = await MshipProcess.RunAsync(["run", "-f", file, "--workdir", Path.Combine(standIns.Root, "runs")], workingDirectory: standIns.Root,
            environment: standIns.Environment, timeout: TimeSpan.FromMinutes(2), cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        Assert.Contains("stand-in clone of a", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("other clone of b", result.Stdout, StringComparison.Ordinal);
    }

    private static string GitCloneVariant(string words) => ResolverStandIns.GitCloneTask.Replace("stand-in clone", words, StringComparison.Ordinal);

    private async Task<MshipResult> RunAsync(string example, string[] extraFiles, bool json = true)
    {
        var path = TektonExamples.PathOf(example);
        var work = Path.Combine(standIns.Root, "run-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        if (File.ReadAllText(path) is var text && text.Contains(PublishedGitCloneBundle, StringComparison.Ordinal))
        {
            path = Path.Combine(work, Path.GetFileName(path));
            await File.WriteAllTextAsync(path, text.Replace(PublishedGitCloneBundle, standIns.GitCloneBundle, StringComparison.Ordinal), TestContext.Current.CancellationToken);
        }

        var args = new List<string> { "run", "-f", path, "--workdir", Path.Combine(work, "runs") };
        for (var i = 0; i < extraFiles.Length; i++)
        {
            var extra = Path.Combine(work, $"extra-{i}.yaml");
            await File.WriteAllTextAsync(extra, extraFiles[i], TestContext.Current.CancellationToken);
            args.AddRange(["-f", extra]);
        }

        if (json)
        {
            args.AddRange(["-o", "json"]);
        }

        // The working directory holds what persistentVolumeClaim workspaces leave (.mothership/volumes).
        return await MshipProcess.RunAsync(args, workingDirectory: work, environment: standIns.Environment,
            timeout: TimeSpan.FromMinutes(3), cancellationToken: TestContext.Current.CancellationToken);
    }
}
