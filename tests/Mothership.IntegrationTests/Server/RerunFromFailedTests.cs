using System.Net;
using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Server;

/// <summary>Rerun from the failure against a real server: <c>POST …/rerun {"fromFailed": true}</c> and <c>mship rerun --from-failed</c>.</summary>
public sealed class RerunFromFailedTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;

    /// <summary>
    /// a makes a result and counts its runs in a file; b fails until <c>MARKER</c> exists; c needs b
    /// and runs only when a's result is "yes"; f is a finally task.
    /// </summary>
    private static string Pipeline(string name, string dir) => $$"""
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata: {name: {{name}}}
        spec:
          tasks:
            - name: a
              taskSpec:
                results: [{name: v}]
                steps:
                  - name: s
                    image: bash
                    script: |
                      echo ran-a >> {{dir}}/a-runs
                      echo "a says hello"
                      printf yes > $(results.v.path)
            - name: b
              runAfter: [a]
              params: [{name: got, value: "$(tasks.a.results.v)"}]
              taskSpec:
                params: [{name: got}]
                steps:
                  - name: s
                    image: bash
                    script: |
                      echo "b got $(params.got)"
                      test -f {{dir}}/MARKER
            - name: c
              runAfter: [b]
              when: [{input: "$(tasks.a.results.v)", operator: in, values: ["yes"]}]
              taskSpec: {steps: [{name: s, image: bash, script: 'echo c ran'}]}
          finally:
            - name: f
              taskSpec: {steps: [{name: s, image: bash, script: 'echo f ran'}]}
        """;

    private async Task<(ServerProcess Server, string Run, string Dir)> FailedRunAsync(string prefix)
    {
        var server = await ServerAsync();
        var name = Unique(prefix);
        var dir = Path.Combine(server.WorkingDirectory, name);
        Directory.CreateDirectory(dir);
        await ApplyAsync(server, Pipeline(name, dir));
        var run = await CreateRunAsync(server, PipelineRunYaml(name + "-run", name));
        var failed = await WaitForFinishAsync(server, run, seconds: 60);
        Assert.Equal("Failed", Reason(failed));
        await File.WriteAllTextAsync(Path.Combine(dir, "MARKER"), "", Ct);
        return (server, run, dir);
    }

    private static Task<(HttpStatusCode Status, JsonNode? Body, string Text)> RerunAsync(ServerProcess server, string run, string body, string kinds = "pipelineruns") =>
        PostAsync(server, $"api/v1/{kinds}/{run}/rerun", body, "application/json");

    [Fact(Timeout = 120_000)]
    public async Task Rerun_FromFailed_ReusesSucceededTasksAndRunsTheRestAgain()
    {
        var (server, run, dir) = await FailedRunAsync("ff");

        var (status, created, text) = await RerunAsync(server, run, """{"fromFailed": true}""");

        Assert.True(status == HttpStatusCode.Created, $"{(int)status} {text}");
        var name = (string)created!["metadata"]!["name"]!;
        Assert.Equal(run, (string?)created["metadata"]!["labels"]!["mothership.io/rerun-from-failed"]);
        var done = await WaitForFinishAsync(server, name, seconds: 60);
        Assert.Equal("Succeeded", Reason(done));
        Assert.Equal(run, (string?)done["metadata"]!["labels"]!["mothership.io/rerun-from-failed"]);

        // a did not run again: it ran once, in the first run; its TaskRun in the new run carries that status.
        Assert.Single(await File.ReadAllLinesAsync(Path.Combine(dir, "a-runs"), Ct));
        var taskRuns = done["status"]!["taskRuns"]!.AsObject();
        var a = taskRuns[$"{name}-a"]!;
        Assert.Equal($"{run}-a", (string?)a["metadata"]!["annotations"]!["mothership.io/reused-from"]);
        Assert.Equal(run, (string?)a["metadata"]!["annotations"]!["mothership.io/reused-from-pipelinerun"]);
        Assert.Equal("yes", (string?)a["status"]!["results"]![0]!["value"]);
        Assert.StartsWith($"Reused from TaskRun \"{run}-a\"", (string?)a["status"]!["conditions"]![0]!["message"], StringComparison.Ordinal);
        Assert.Contains(done["status"]!["childReferences"]!.AsArray(), c => (string?)c!["name"] == $"{name}-a");
        foreach (var task in new[] { "b", "c", "f" })
        {
            Assert.Null(taskRuns[$"{name}-{task}"]!["metadata"]);
        }

        // Its TaskRun is found by name with the annotation; its logs stay with the first run.
        var child = await GetJsonAsync(server, $"api/v1/taskruns/{name}-a");
        Assert.Equal($"{run}-a", (string?)child["metadata"]!["annotations"]!["mothership.io/reused-from"]);
        var logs = await server.Http.GetStringAsync($"api/v1/pipelineruns/{name}/logs", Ct);
        Assert.Contains("[b/s] b got yes", logs, StringComparison.Ordinal);
        Assert.Contains("[c/s] c ran", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("[a/", logs, StringComparison.Ordinal);
        Assert.Contains("[a/s] a says hello", await server.Http.GetStringAsync($"api/v1/pipelineruns/{run}/logs", Ct), StringComparison.Ordinal);

        // The graph shows it reused.
        var graph = await GetJsonAsync(server, $"api/v1/pipelineruns/{name}/graph");
        var node = graph["nodes"]!.AsArray().Single(n => (string?)n!["name"] == "a")!;
        Assert.Equal("Reused", (string?)node["state"]);
        Assert.Equal(run, (string?)node["reusedFrom"]!["pipelineRun"]);

        // The new run succeeded: nothing failed to rerun from.
        var (again, problem, _) = await RerunAsync(server, name, """{"fromFailed": true}""");
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Contains("nothing failed", (string?)problem!["detail"], StringComparison.Ordinal);

        // A plain rerun of the rerun runs every task.
        var (plain, whole, plainText) = await RerunAsync(server, name, "");
        Assert.True(plain == HttpStatusCode.Created, plainText);
        var wholeRun = await WaitForFinishAsync(server, (string)whole!["metadata"]!["name"]!, seconds: 60);
        Assert.Equal("Succeeded", Reason(wholeRun));
        Assert.Equal(2, (await File.ReadAllLinesAsync(Path.Combine(dir, "a-runs"), Ct)).Length);
        Assert.Null(wholeRun["status"]!["taskRuns"]!.AsObject().Select(kv => kv.Value!["metadata"]).FirstOrDefault(m => m is not null));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("""{"fromFailed": "yes"}""", "fromFailed: '\"yes\"' is not true or false")]
    [InlineData("""{"fromFailed": true, "other": 1}""", "body: 'other' is not a field of a rerun request")]
    [InlineData("[true]", "body: not a JSON object")]
    [InlineData("{", "body: not JSON")]
    public async Task Rerun_BadBody_Is400NamingTheField(string body, string expected)
    {
        var server = await ServerAsync();
        var name = Unique("badbody");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "true"));
        var run = await CreateRunAsync(server, PipelineRunYaml(name + "-run", name));

        var (status, problem, text) = await RerunAsync(server, run, body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status} {text}");
        Assert.StartsWith(expected, (string?)problem!["detail"], StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Rerun_FromFailedOfATaskRunOrARunningRun_IsRefused()
    {
        var server = await ServerAsync();
        var name = Unique("refuse");
        var dir = Path.Combine(server.WorkingDirectory, name);
        Directory.CreateDirectory(dir);
        var taskRun = await CreateRunAsync(server, $$$"""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: {{{name}}}-tr}
            spec: {taskSpec: {steps: [{name: s, image: bash, script: 'exit 1'}]}}
            """, "taskruns");
        await WaitForFinishAsync(server, taskRun, "taskruns");
        var (trStatus, trProblem, _) = await RerunAsync(server, taskRun, """{"fromFailed": true}""", "taskruns");
        Assert.Equal(HttpStatusCode.BadRequest, trStatus);
        Assert.Contains("only a PipelineRun can be rerun from its failure", (string?)trProblem!["detail"], StringComparison.Ordinal);

        // A run held by its step until the test lets it go.
        await ApplyAsync(server, TaskAndPipelineYaml(name, $"while [ ! -f {dir}/go ]; do sleep 0.1; done"));
        var running = await CreateRunAsync(server, PipelineRunYaml(name + "-run", name));
        await WaitForAsync(server, running, r => (string?)r["status"]?["taskRuns"]?[$"{running}-only"]?["status"]?["conditions"]?[0]?["reason"] == "Running");
        var (status, problem, _) = await RerunAsync(server, running, """{"fromFailed": true}""");
        await File.WriteAllTextAsync(Path.Combine(dir, "go"), "", Ct);
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("has not finished", (string?)problem!["detail"], StringComparison.Ordinal);
        await WaitForFinishAsync(server, running);
    }

    [Fact(Timeout = 120_000)]
    public async Task Cli_RerunFromFailedFollowing_RunsOnlyWhatFailedAndShowsReusedInDescribe()
    {
        var (server, run, dir) = await FailedRunAsync("ffcli");

        var rerun = await server.CliAsync("rerun", run, "--from-failed", "-F");

        Assert.True(rerun.ExitCode == 0, $"exit {rerun.ExitCode}\n{rerun.Stdout}\n{rerun.Stderr}");
        Assert.Contains("[b/s] b got yes", rerun.Stdout, StringComparison.Ordinal);
        Assert.Contains("[f/s] f ran", rerun.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("[a/", rerun.Stdout, StringComparison.Ordinal);
        Assert.Single(await File.ReadAllLinesAsync(Path.Combine(dir, "a-runs"), Ct));
        var created = rerun.Stdout.Split('\n')[0];
        var name = created["pipelinerun.tekton.dev/".Length..created.IndexOf(' ', StringComparison.Ordinal)];

        var described = await server.CliAsync("describe", "pr", name);
        Assert.Equal(0, described.ExitCode);
        Assert.Contains($"Succeeded (reused from {run}-a)", described.Stdout, StringComparison.Ordinal);
    }
}
