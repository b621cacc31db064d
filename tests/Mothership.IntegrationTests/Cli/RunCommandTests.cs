using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Cli;

/// <summary><c>mship run</c> and <c>mship validate</c> as a user calls them: real processes, real files.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mship-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string yaml, string name = "p.yaml")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private Task<MshipResult> Run(params string[] args) =>
        MshipProcess.RunAsync(["run", .. args, "--workdir", Path.Combine(_dir, "work")], cancellationToken: TestContext.Current.CancellationToken);

    private static JsonNode Json(MshipResult r) => JsonNode.Parse(r.Stdout) ?? throw new InvalidOperationException(r.Stderr);

    private static string Reason(JsonNode run) => run["status"]!["conditions"]![0]!["reason"]!.GetValue<string>();

    [Fact(Timeout = 60_000)]
    public async Task Run_Example_SucceedsWithLogsAndSummary()
    {
        var r = await Run("-f", Path.Combine(Fixtures.RepositoryRoot(), "examples", "hello-pipeline.yaml"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("[greet-first/say] hello, alice", r.Stdout);
        Assert.Contains("[combine/write] hello alice and hello bob", r.Stdout);
        Assert.Matches(@"deploy\s+Skipped\s+When Expressions evaluated to false", r.Stdout);
        Assert.Contains("result summary = hello alice & hello bob", r.Stdout);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_Example_LeavesNoRunFolderBehind()
    {
        var r = await Run("-f", Path.Combine(Fixtures.RepositoryRoot(), "examples", "hello-pipeline.yaml"));

        Assert.Equal(0, r.ExitCode);
        var work = Path.Combine(_dir, "work");
        Assert.True(!Directory.Exists(work) || Directory.GetFileSystemEntries(work).Length == 0,
            $"left in {work}: {string.Join(", ", Directory.Exists(work) ? Directory.GetFileSystemEntries(work) : [])}");
    }

    public static TheoryData<string> Examples() =>
        [.. Directory.EnumerateFiles(Path.Combine(Fixtures.RepositoryRoot(), "examples"), "*.yaml").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Examples))]
    public async Task Run_EveryExample_Succeeds(string example)
    {
        var r = await Run("-f", Path.Combine(Fixtures.RepositoryRoot(), "examples", example), "-o", "json");
        Assert.True(r.ExitCode == 0, $"{example} exited {r.ExitCode}\n{r.Stderr}");
        Assert.Equal("True", Json(r)["status"]!["conditions"]![0]!["status"]!.GetValue<string>());
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_FailingTask_ExitsOneAndJsonShowsTektonStatus()
    {
        var file = Write("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: fails}
            spec:
              pipelineSpec:
                tasks:
                  - name: bad
                    retries: 1
                    taskSpec:
                      steps:
                        - {name: first, image: bash, script: "echo attempt $(context.task.retry-count); exit 3"}
                        - {name: never, image: bash, script: "echo never"}
                  - name: after
                    runAfter: [bad]
                    taskSpec: {steps: [{name: s, image: bash, script: "true"}]}
                finally:
                  - name: report
                    params: [{name: s, value: "$(tasks.bad.status)"}]
                    taskSpec:
                      params: [{name: s}]
                      steps: [{name: s, image: bash, script: 'test "$(params.s)" = Failed'}]
            """);
        var r = await Run("-f", file, "-o", "json");
        Assert.Equal(1, r.ExitCode);
        var run = Json(r);
        Assert.Equal("Failed", Reason(run));
        var bad = run["status"]!["taskRuns"]!["fails-bad"]!["status"]!;
        Assert.Equal("Failed", bad["conditions"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal("\"step-first\" exited with code 3", bad["conditions"]![0]!["message"]!.GetValue<string>());
        Assert.Equal(3, bad["steps"]![0]!["terminated"]!["exitCode"]!.GetValue<int>());
        Assert.Single(bad["retriesStatus"]!.AsArray());
        var skipped = Assert.Single(run["status"]!["skippedTasks"]!.AsArray())!;
        Assert.Equal("after", skipped["name"]!.GetValue<string>());
        Assert.Equal("PipelineRun was stopping", skipped["reason"]!.GetValue<string>());
        Assert.Equal("Succeeded", run["status"]!["taskRuns"]!["fails-report"]!["status"]!["conditions"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_TaskTimeout_KillsProcessTreeAndReportsTaskRunTimeout()
    {
        var pidFile = Path.Combine(_dir, "child.pid");
        var file = Write($$"""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: slow}
            spec:
              pipelineSpec:
                tasks:
                  - name: sleeper
                    timeout: 1s
                    taskSpec:
                      steps:
                        - name: s
                          image: bash
                          script: |
                            sleep 300 &
                            echo $! > {{pidFile}}
                            wait
            """);
        var watch = Stopwatch.StartNew();
        var r = await Run("-f", file, "-o", "json");
        Assert.Equal(1, r.ExitCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        var tr = Json(r)["status"]!["taskRuns"]!["slow-sleeper"]!["status"]!;
        Assert.Equal("TaskRunTimeout", tr["conditions"]![0]!["reason"]!.GetValue<string>());
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), "the background child survived");
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_PipelineTimeout_EndsWithPipelineRunTimeout()
    {
        var file = Write("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: pt}
            spec:
              timeouts: {pipeline: 2s}
              pipelineSpec:
                tasks:
                  - name: s
                    taskSpec: {steps: [{name: s, image: bash, script: "sleep 60"}]}
            """);
        var r = await Run("-f", file, "-o", "json");
        Assert.Equal(1, r.ExitCode);
        var run = Json(r);
        Assert.Equal("PipelineRunTimeout", Reason(run));
        Assert.Equal("TaskRunCancelled", run["status"]!["taskRuns"]!["pt-s"]!["status"]!["conditions"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_Interrupt_CancelsRunningTaskAndStillRunsFinally()
    {
        var marker = Path.Combine(_dir, "started");
        var file = Write($$"""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: ctrlc}
            spec:
              pipelineSpec:
                tasks:
                  - name: long
                    taskSpec: {steps: [{name: s, image: bash, script: "touch {{marker}}; sleep 300"}]}
                finally:
                  - name: cleanup
                    params: [{name: s, value: "$(tasks.long.status)"}]
                    taskSpec:
                      params: [{name: s}]
                      steps: [{name: s, image: bash, script: "echo cleanup sees $(params.s)"}]
            """);
        var r = await MshipProcess.RunAsync(["run", "-f", file, "--workdir", Path.Combine(_dir, "work")], onStarted: p =>
        {
            var waited = Stopwatch.StartNew();
            while (!File.Exists(marker) && waited.Elapsed < TimeSpan.FromSeconds(20))
            {
                Thread.Sleep(50);
            }

            Process.Start("kill", ["-INT", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("[cleanup/s] cleanup sees Failed", r.Stdout);
        Assert.Contains("PipelineRun ctrlc: Cancelled", r.Stdout);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_ParamsAndWorkspaceFlags_ReachTheSteps()
    {
        var host = Directory.CreateDirectory(Path.Combine(_dir, "host")).FullName;
        var file = Write("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              params:
                - {name: words, type: array}
                - {name: cfg, type: object, properties: {mode: {}, level: {}}}
              workspaces: [{name: out}]
              steps:
                - name: s
                  image: bash
                  command: [bash, -c, 'printf "%s," "$@" > $(workspaces.out.path)/words; echo $(params.cfg.mode) >> $(workspaces.out.path)/words', --]
                  args: ["$(params.words[*])"]
            """);
        var r = await Run("-f", file, "--task", "t", "-p", "words=[\"a b\",\"c\"]", "-p", "cfg={\"mode\":\"fast\",\"level\":\"1\"}", "-w", $"out={host}");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Equal("a b,c,fast\n", File.ReadAllText(Path.Combine(host, "words")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_CelWhenExpressions_GateTasksOnParamsAndResults()
    {
        var file = Write("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              params: [{name: branch}]
              tasks:
                - name: build
                  taskSpec:
                    results: [{name: version}]
                    steps: [{name: s, image: bash, script: 'printf v1.2.0 > $(results.version.path)'}]
                - name: deploy
                  when: [{cel: "'$(params.branch)' == 'main' && '$(tasks.build.results.version)'.startsWith('v')"}]
                  taskSpec: {steps: [{name: s, image: bash, script: "echo deploying"}]}
                - name: preview
                  when: [{cel: "'$(params.branch)' != 'main'"}]
                  taskSpec: {steps: [{name: s, image: bash, script: "echo previewing"}]}
            """);
        var r = await Run("-f", file, "--pipeline", "p", "-p", "branch=main", "-o", "json");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var run = Json(r);
        Assert.Equal("Completed", Reason(run));
        var deploy = run["status"]!["taskRuns"]!.AsObject().Single(kv => kv.Key.EndsWith("-deploy", StringComparison.Ordinal)).Value!;
        Assert.Equal("Succeeded", deploy["status"]!["conditions"]![0]!["reason"]!.GetValue<string>());
        var skipped = Assert.Single(run["status"]!["skippedTasks"]!.AsArray())!;
        Assert.Equal("preview", skipped["name"]!.GetValue<string>());
        Assert.Equal("When Expressions evaluated to false", skipped["reason"]!.GetValue<string>());
        Assert.Equal("'main' != 'main'", skipped["whenExpressions"]![0]!["cel"]!.GetValue<string>());
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_CelWhenError_FailsWithCelEvaluationFailedAndValidateRejectsBadSyntax()
    {
        var file = Write("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: cel}
            spec:
              pipelineSpec:
                params: [{name: n, default: "0"}]
                tasks:
                  - name: divide
                    when: [{cel: "1 / $(params.n) == 1"}]
                    taskSpec: {steps: [{name: s, image: bash, script: "echo never"}]}
            """);
        var r = await Run("-f", file, "-o", "json");
        Assert.Equal(1, r.ExitCode);
        var condition = Json(r)["status"]!["conditions"]![0]!;
        Assert.Equal("CELEvaluationFailed", condition["reason"]!.GetValue<string>());
        var message = condition["message"]!.GetValue<string>();
        Assert.Contains("1 / 0 == 1", message, StringComparison.Ordinal);
        Assert.Contains("pipeline task divide", message, StringComparison.Ordinal);

        var bad = Write("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  when: [{cel: "'a' =="}]
                  taskSpec: {steps: [{name: s, image: bash, script: "true"}]}
            """, "bad.yaml");
        var v = await MshipProcess.RunAsync(["validate", "-f", bad], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, v.ExitCode);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(bad)}:7:\d+: error: invalid CEL expression", v.Stderr);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(HostileNames))]
    public async Task ValidateAndRun_HostileYaml_ExitTwoWithTheLimitAtItsLine(string name)
    {
        var (yaml, line, column, message) = HostileYaml.Get(name);
        var file = Write(yaml, $"{name}.yaml");

        var validate = await MshipProcess.RunAsync(["validate", "-f", file], cancellationToken: TestContext.Current.CancellationToken);
        var run = await Run("-f", file);

        foreach (var r in new[] { validate, run })
        {
            Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.Stderr[..Math.Min(2000, r.Stderr.Length)]}");
            Assert.Contains($"{file}:{line}:{column}: error: ", r.Stderr, StringComparison.Ordinal);
            Assert.Contains(message, r.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> HostileNames => HostileYaml.Names;

    [Fact(Timeout = 60_000)]
    public async Task Run_InvalidFile_ExitsTwoWithFileLineColumn()
    {
        var file = Write("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  runAfter: [missing]
                  taskSpec: {steps: [{name: s, image: bash, script: "true"}]}
            """);
        var r = await MshipProcess.RunAsync(["validate", "-f", file], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, r.ExitCode);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(file)}:7:\d+: error: .*missing", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        var run = await Run("-f", file, "--pipeline", "p");
        Assert.Equal(2, run.ExitCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_MalformedYamlAndUsageErrors_ExitTwoWithoutStackTrace()
    {
        var file = Write("apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t\nspec: [");
        var r = await Run("-f", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{file}:", r.Stderr);
        Assert.Contains("malformed YAML", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        var usage = await MshipProcess.RunAsync(["run", "--no-such-flag"], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, usage.ExitCode);
        var missing = await Run("-f", Path.Combine(_dir, "nope.yaml"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("file not found", missing.Stderr);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_RequiredWorkspaceNotBound_ExitsTwoUnlessTheFlagBindsIt()
    {
        var file = Write("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              workspaces: [{name: src}, {name: cache, optional: true}]
              tasks:
                - name: a
                  workspaces: [{name: w, workspace: src}]
                  taskSpec: {workspaces: [{name: w}], steps: [{name: s, image: bash, script: "ls $(workspaces.w.path)"}]}
            ---
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: unbound}
            spec:
              pipelineRef: {name: p}
            """);
        var r = await Run("-f", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Matches(@"p\.yaml:\d+:\d+: error: PipelineRun 'unbound' does not bind the required workspace 'src'", r.Stderr);
        var host = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        var ok = await Run("-f", file, "-w", $"src={host}");
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_MissingRequiredParam_ExitsTwoNamingTheParam()
    {
        var file = Write("""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              params: [{name: target}]
              tasks:
                - name: a
                  params: [{name: t, value: $(params.target)}]
                  taskSpec: {params: [{name: t}], steps: [{name: s, image: bash, script: "echo $(params.t)"}]}
            """);
        var r = await Run("-f", file, "--pipeline", "p");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("target", r.Stderr);
        var ok = await Run("-f", file, "--pipeline", "p", "-p", "target=prod");
        Assert.Equal(0, ok.ExitCode);
        Assert.Contains("[a/s] prod", ok.Stdout);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("-R")]
    [InlineData("--recursive")]
    public async Task ValidateAndRun_DirectoryRecursive_ReadsSubDirectoriesOnlyWhenAsked(string flag)
    {
        // A Catalog-like tree: the task one level down, the run in tests/, a JSON file beside them.
        Directory.CreateDirectory(Path.Combine(_dir, "tree", "task", "tests"));
        Directory.CreateDirectory(Path.Combine(_dir, "tree", ".hidden"));
        Write("apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: hello}\nspec:\n  params: [{name: who}]\n  steps: [{name: s, image: bash, script: 'echo hello $(params.who)'}]\n",
            Path.Combine("tree", "task", "hello.yaml"));
        Write("""{"apiVersion": "tekton.dev/v1", "kind": "TaskRun", "metadata": {"name": "hello-run"}, "spec": {"taskRef": {"name": "hello"}, "params": [{"name": "who", "value": "tree"}]}}""",
            Path.Combine("tree", "task", "tests", "run.json"));
        Write("not: [valid", Path.Combine("tree", ".hidden", "broken.yaml"));
        var tree = Path.Combine(_dir, "tree");

        var flat = await MshipProcess.RunAsync(["validate", "-f", tree], cancellationToken: TestContext.Current.CancellationToken);
        var validate = await MshipProcess.RunAsync(["validate", "-f", tree, flag], cancellationToken: TestContext.Current.CancellationToken);
        var run = await Run("-f", tree, flag);

        Assert.True(flat.ExitCode == 0, flat.Stderr);
        Assert.Contains("0 file(s), 0 resource(s): valid", flat.Stdout);
        Assert.True(validate.ExitCode == 0, validate.Stderr);
        Assert.Contains("2 file(s), 2 resource(s): valid", validate.Stdout);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("[hello-run/s] hello tree", run.Stdout);
    }

    [Fact(Timeout = 60_000)]
    public async Task ValidateAndRun_NonTektonObjectsBeside_WarnAndExitAsIfAbsent()
    {
        var file = Write("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: registry}
            spec: {replicas: 1}
            ---
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: tr}
            spec:
              params:
                - name: unset
              taskSpec:
                params: [{name: unset}]
                steps: [{name: s, image: bash, script: 'echo "[$(params.unset)]"'}]
            """);

        var validate = await MshipProcess.RunAsync(["validate", "-f", file], cancellationToken: TestContext.Current.CancellationToken);
        var run = await Run("-f", file);

        Assert.True(validate.ExitCode == 0, validate.Stderr);
        Assert.Contains($"{file}:2:1: warning: Deployment 'registry' (apps/v1) is not a Tekton resource: ignored by the local executor", validate.Stderr);
        Assert.Contains($"{file}:11:7: warning: param 'spec.params[0]' has no 'value'", validate.Stderr);
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("is not a Tekton resource", run.Stderr);
        Assert.Contains("[tr/s] []", run.Stdout);
    }
}
