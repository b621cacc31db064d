using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Server;

/// <summary>The client commands of <c>mship</c> against a real server: output and exit codes.</summary>
public sealed class ServerCliTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;

    private static void Ok(MshipResult r) => Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");

    private static async Task<string> WriteAsync(ServerProcess server, string file, string text)
    {
        var path = Path.Combine(server.WorkingDirectory, file);
        await File.WriteAllTextAsync(path, text, Ct);
        return path;
    }

    [Fact(Timeout = 60000)]
    public async Task Apply_FileWithARunAndASecret_SkippedWithWhyAndNoTrailingDashName()
    {
        var server = await ServerAsync();
        var name = Unique("skip");
        var file = await WriteAsync(server, name + ".yaml", TaskAndPipelineYaml(name, "true") + $$$"""

            ---
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {generateName: {{{name}}}-run-}
            spec: {pipelineRef: {name: {{{name}}}}}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: {{{name}}}}
            stringData: {a: b}
            """);

        var applied = await server.CliAsync("apply", "-f", file);

        Ok(applied);
        Assert.Contains($"pipelinerun.tekton.dev/{name}-run-… skipped (apply stores definitions; start a run with mship start -f FILE", applied.Stdout, StringComparison.Ordinal);
        Assert.Contains($"secret/{name} skipped (apply stores Tasks, Pipelines and StepActions", applied.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90000)]
    public async Task ApplyStartGetDescribeRerunDelete_Pipeline_WorkEndToEnd()
    {
        var server = await ServerAsync();
        var name = Unique("cli");
        var file = await WriteAsync(server, name + ".yaml", TaskAndPipelineYaml(name, "echo from-cli $(params.who)").Replace(
            "spec:\n  steps:", "spec:\n  params:\n    - name: who\n      default: nobody\n  steps:", StringComparison.Ordinal).Replace(
            "      taskRef:", "      params:\n        - name: who\n          value: $(params.who)\n      taskRef:", StringComparison.Ordinal).Replace(
            "spec:\n  tasks:", "spec:\n  params:\n    - name: who\n  tasks:", StringComparison.Ordinal));

        var applied = await server.CliAsync("apply", "-f", file);
        Ok(applied);
        Assert.Contains($"task.tekton.dev/{name} created", applied.Stdout, StringComparison.Ordinal);
        Assert.Contains($"pipeline.tekton.dev/{name} created", applied.Stdout, StringComparison.Ordinal);
        Assert.Contains($"task.tekton.dev/{name} unchanged", (await server.CliAsync("apply", "-f", file)).Stdout, StringComparison.Ordinal);

        var started = await server.CliAsync("start", name, "-p", "who=alice", "-l", $"suite={name}", "-F");
        Ok(started);
        Assert.Contains("[only/main] from-cli alice", started.Stdout, StringComparison.Ordinal);
        var run = System.Text.RegularExpressions.Regex.Match(started.Stdout, @"pipelinerun\.tekton\.dev/(\S+) created").Groups[1].Value;
        Assert.StartsWith(name + "-run-", run, StringComparison.Ordinal);

        var table = await server.CliAsync("get", "pr", "-l", $"suite={name}");
        Ok(table);
        Assert.Contains("NAME", table.Stdout, StringComparison.Ordinal);
        Assert.Contains(run, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Succeeded", table.Stdout, StringComparison.Ordinal);
        var json = await server.CliAsync("get", "pr", run, "-o", "json");
        Ok(json);
        Assert.Equal(run, (string?)JsonNode.Parse(json.Stdout)!["metadata"]!["name"]);
        var failedOnly = await server.CliAsync("get", "pr", "--pipeline", name, "--status", "Failed", "-o", "json");
        Ok(failedOnly);
        Assert.Empty(JsonNode.Parse(failedOnly.Stdout)!["items"]!.AsArray());
        var pipelines = await server.CliAsync("get", "pipelines");
        Ok(pipelines);
        Assert.Contains(name, pipelines.Stdout, StringComparison.Ordinal);
        var tasks = await server.CliAsync("get", "tasks", name, "-o", "yaml");
        Ok(tasks);
        Assert.Contains("from-cli", tasks.Stdout, StringComparison.Ordinal);

        var described = await server.CliAsync("describe", "pr", run);
        Ok(described);
        Assert.Contains(run, described.Stdout, StringComparison.Ordinal);
        Assert.Contains("Succeeded", described.Stdout, StringComparison.Ordinal);
        Assert.Contains("only", described.Stdout, StringComparison.Ordinal);

        var rerun = await server.CliAsync("rerun", run, "-F");
        Ok(rerun);
        Assert.Contains("[only/main] from-cli alice", rerun.Stdout, StringComparison.Ordinal);

        var deleted = await server.CliAsync("delete", "pr", run);
        Ok(deleted);
        Assert.Contains($"pipelinerun.tekton.dev/{run} deleted", deleted.Stdout, StringComparison.Ordinal);
        var gone = await server.CliAsync("describe", "pr", run);
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains(run, gone.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", gone.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90000)]
    public async Task GetTaskRuns_PipelineRunsChildren_ListedWithTheirPipelineRunAndFoundByName()
    {
        var server = await ServerAsync();
        var name = Unique("child");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "echo child"));
        var run = await CreateRunAsync(server, PipelineRunYaml(name + "-run", name, labels: $"suite: {name}"));
        await WaitForFinishAsync(server, run);
        var child = $"{run}-only";

        // As `kubectl get taskruns` shows them: the PipelineRun's TaskRuns, labelled with their PipelineRun.
        var list = await server.CliAsync("get", "tr", "-l", $"suite={name}", "-o", "json");
        Ok(list);
        var item = Assert.Single(JsonNode.Parse(list.Stdout)!["items"]!.AsArray());
        Assert.Equal(child, (string?)item!["name"]);
        Assert.Equal("TaskRun", (string?)item["kind"]);
        Assert.Equal(run, (string?)item["pipelineRun"]);
        Assert.Equal(run, (string?)item["labels"]!["tekton.dev/pipelineRun"]);
        Assert.Equal("Succeeded", (string?)item["reason"]);
        var table = await server.CliAsync("get", "tr", "-l", $"suite={name}");
        Ok(table);
        Assert.Contains("PIPELINERUN", table.Stdout, StringComparison.Ordinal);
        Assert.Matches($@"{child}\s+{run}\s+True\s+Succeeded", table.Stdout);
        var onlyFailed = await server.CliAsync("get", "tr", "-l", $"suite={name}", "--status", "Failed", "-o", "json");
        Ok(onlyFailed);
        Assert.Empty(JsonNode.Parse(onlyFailed.Stdout)!["items"]!.AsArray());

        var one = await server.CliAsync("get", "tr", child, "-o", "json");
        Ok(one);
        var taskRun = JsonNode.Parse(one.Stdout)!;
        Assert.Equal("TaskRun", (string?)taskRun["kind"]);
        Assert.Equal(child, (string?)taskRun["metadata"]!["name"]);
        Assert.Equal(run, (string?)taskRun["metadata"]!["labels"]!["tekton.dev/pipelineRun"]);
        Assert.Equal("only", (string?)taskRun["metadata"]!["labels"]!["tekton.dev/pipelineTask"]);
        Assert.Equal("Succeeded", (string?)taskRun["status"]!["conditions"]![0]!["reason"]);
        var missing = await server.CliAsync("get", "tr", run + "-nosuch");
        Assert.Equal(2, missing.ExitCode);

        // -o yaml is YAML as kubectl prints it, for one run and for lists alike (issue 20, 4: JSON was printed).
        foreach (var (args, start) in new (string[], string)[]
        {
            (["get", "tr", child, "-o", "yaml"], "apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata:\n  name: " + child + "\n"),
            (["get", "pr", run, "-o", "yaml"], "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: " + run + "\n"),
            (["get", "tr", "-l", $"suite={name}", "-o", "yaml"], "items:\n- kind: TaskRun\n  name: " + child + "\n"),
            (["get", "pr", "-l", $"suite={name}", "-o", "yaml"], "items:\n- kind: PipelineRun\n  name: " + run + "\n"),
        })
        {
            var yaml = await server.CliAsync(args);
            Ok(yaml);
            Assert.StartsWith(start, yaml.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 60000)]
    public async Task StartFollow_FailingPipeline_Exit1()
    {
        var server = await ServerAsync();
        var name = Unique("clifail");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "echo doomed; exit 1"));

        var result = await server.CliAsync("start", name, "-F");

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        Assert.Contains("[only/main] doomed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task StartPendingThenRun_Pipeline_SucceedsOnlyAfterStart()
    {
        var server = await ServerAsync();
        var name = Unique("clipend");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "echo released"));

        var created = await server.CliAsync("start", name, "--pending");
        Ok(created);
        var run = System.Text.RegularExpressions.Regex.Match(created.Stdout, @"pipelinerun\.tekton\.dev/(\S+) created").Groups[1].Value;
        Assert.Equal("PipelineRunPending", Reason(await GetJsonAsync(server, $"api/v1/pipelineruns/{run}")));

        var started = await server.CliAsync("start", "--run", run, "-F");

        Ok(started);
        Assert.Contains("[only/main] released", started.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task StartFromFile_RunYaml_CreatesRun()
    {
        var server = await ServerAsync();
        var name = Unique("clifile");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "echo from-file"));
        var file = await WriteAsync(server, name + "-run.yaml", PipelineRunYaml(name, name));

        var result = await server.CliAsync("start", "-f", file, "-F");

        Ok(result);
        Assert.Contains($"pipelinerun.tekton.dev/{name} created", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[only/main] from-file", result.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task StartFromFile_PipelineRunMentioningKindTaskRun_CreatedAsAPipelineRun()
    {
        var server = await ServerAsync();
        var name = Unique("clikind");
        // The text "kind: TaskRun" in a script once sent this file to the TaskRun endpoint.
        var file = await WriteAsync(server, name + ".yaml", $$"""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: {{name}}}
            spec:
              pipelineSpec:
                tasks:
                  - name: only
                    taskSpec:
                      steps:
                        - name: main
                          image: alpine
                          script: |
                            echo "kind: TaskRun"
            """);

        var result = await server.CliAsync("start", "-f", file, "-F");

        Ok(result);
        Assert.Contains($"pipelinerun.tekton.dev/{name} created", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("[only/main] kind: TaskRun", result.Stdout, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60000)]
    [InlineData("who", "'who' is not NAME=VALUE")]
    [InlineData("list=[1,", "param 'list': value looks like JSON but is not valid")]
    public async Task Start_MalformedParam_Exit2AsMshipRunSays(string param, string message)
    {
        var server = await ServerAsync();

        var result = await server.CliAsync("start", "anything", "-p", param);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"-p: error: {message}", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task Cancel_RunningRun_PrintsStatusAndRunEndsCancelled()
    {
        var server = await ServerAsync();
        var name = Unique("clicancel");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "sleep 30"));
        var run = await CreateRunAsync(server, PipelineRunYaml(name, name));
        await WaitForAsync(server, run, r => Reason(r) == "Running");

        var result = await server.CliAsync("cancel", run, "--finally");

        Ok(result);
        Assert.Contains($"pipelinerun.tekton.dev/{run} CancelledRunFinally", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("Cancelled", Reason(await WaitForFinishAsync(server, run, seconds: 20)));
        var again = await server.CliAsync("cancel", run);
        Assert.NotEqual(0, again.ExitCode);
        Assert.DoesNotContain("   at ", again.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task Apply_InvalidFile_Exit2WithFileLineColumn()
    {
        var server = await ServerAsync();
        var file = await WriteAsync(server, "bad.yaml", "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: bad\nspec:\n  tasks:\n    - name: t\n      taskRef:\n        name: missing-task\n");

        var result = await server.CliAsync("apply", "-f", file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{file}:9:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("missing-task", result.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task Get_UnreachableServer_Exit2NamingUrlWithoutStackTrace()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var url = $"http://127.0.0.1:{port}";
        var result = await MshipProcess.RunAsync(["get", "pr", "--server", url], timeout: TimeSpan.FromSeconds(30), cancellationToken: Ct);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"127.0.0.1:{port}", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
    }
}
