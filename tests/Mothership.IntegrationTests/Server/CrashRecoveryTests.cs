using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Mothership.Testing;

namespace Mothership.IntegrationTests.Server;

/// <summary>
/// The durability promise, tested the hard way: a real server is SIGKILLed several times while
/// runs are in flight and started again; every run must still finish exactly once, with no
/// step that had finished run again (beyond the ones in flight at a kill) and no log line lost
/// or doubled.
/// </summary>
public abstract class CrashRecoveryTests : IAsyncLifetime
{
    protected const int Runs = 6;
    private const int StepsPerRun = 3 * 3 + 1;
    private const int Lines = 30;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-crash-");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected string Marks => Path.Combine(_dir.FullName, "marks");

    protected string WorkingDirectory => _dir.FullName;

    /// <summary>The database the servers share.</summary>
    protected abstract Task<string> DatabaseAsync();

    public ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Marks);
        return ValueTask.CompletedTask;
    }

    public virtual ValueTask DisposeAsync()
    {
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    protected static string Definitions(string marks) => $$"""
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: chatty}
        spec:
          params: [{name: label}]
          steps:
        {{string.Concat(new[] { "s1", "s2", "s3" }.Select(s => $$"""
            - name: {{s}}
              image: bash
              script: |
                for i in $(seq 1 {{Lines}}); do echo "$(params.label) {{s}} line $i"; done
                sleep 0.3
                echo "$(context.taskRun.name)/{{s}}" >> {{marks}}/done

        """))}}
        ---
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata: {name: crashy}
        spec:
          tasks:
            - {name: a, taskRef: {name: chatty}, params: [{name: label, value: a}]}
            - {name: b, runAfter: [a], taskRef: {name: chatty}, params: [{name: label, value: b}]}
            - {name: c, taskRef: {name: chatty}, params: [{name: label, value: c}]}
          finally:
            - name: f
              taskSpec:
                steps:
                  - name: report
                    image: bash
                    script: echo "$(context.taskRun.name)/report" >> {{marks}}/done
        """;

    protected int DoneCount() => File.Exists(Path.Combine(Marks, "done")) ? File.ReadAllLines(Path.Combine(Marks, "done")).Length : 0;

    protected static async Task<List<string>> CreateRunsAsync(ServerProcess server, int count)
    {
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var response = await server.Http.PostAsync("api/v1/pipelineruns",
                new StringContent("""{"apiVersion":"tekton.dev/v1","kind":"PipelineRun","metadata":{"generateName":"crashy-"},"spec":{"pipelineRef":{"name":"crashy"}}}""",
                    Encoding.UTF8, "application/json"), Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.IsSuccessStatusCode, body);
            names.Add((string)JsonNode.Parse(body)!["metadata"]!["name"]!);
        }

        return names;
    }

    protected static async Task WaitAsync(Func<bool> condition, TimeSpan limit, string what)
    {
        var deadline = TimeProvider.System.GetUtcNow() + limit;
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"timed out waiting for {what}");
            await Task.Delay(50, Ct);
        }
    }

    protected static async Task<bool> AllFinishedAsync(ServerProcess server, IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            var run = await server.Http.GetFromJsonAsync<JsonObject>($"api/v1/pipelineruns/{name}", Ct);
            if ((string?)run!["status"]?["conditions"]?[0]?["status"] is not ("True" or "False"))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every run succeeded, every step's mark is there (doubled at most for steps in flight at a kill), every log line once.</summary>
    protected async Task AssertCompletedOnceAsync(ServerProcess server, List<string> names, int kills)
    {
        var marks = File.ReadAllLines(Path.Combine(Marks, "done"));
        foreach (var name in names)
        {
            var run = await server.Http.GetFromJsonAsync<JsonObject>($"api/v1/pipelineruns/{name}", Ct);
            var condition = run!["status"]!["conditions"]![0]!;
            Assert.True((string?)condition["reason"] == "Succeeded", $"{name}: {run["status"]!["taskRuns"]?.ToJsonString()}");
            foreach (var task in new[] { "a", "b", "c" })
            {
                foreach (var step in new[] { "s1", "s2", "s3" })
                {
                    Assert.Contains($"{name}-{task}/{step}", marks);
                }
            }

            Assert.Contains($"{name}-f/report", marks);

            var logs = await server.Http.GetStringAsync($"api/v1/pipelineruns/{name}/logs", Ct);
            var lines = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var task in new[] { "a", "b", "c" })
            {
                foreach (var step in new[] { "s1", "s2", "s3" })
                {
                    var expected = Enumerable.Range(1, Lines).Select(i => $"[{task}/{step}] {task} {step} line {i}").ToList();
                    var actual = lines.Where(l => l.StartsWith($"[{task}/{step}] ", StringComparison.Ordinal)).ToList();
                    Assert.True(expected.SequenceEqual(actual), $"{name} {task}/{step}: {actual.Count} lines, expected {Lines} in order\n{string.Join('\n', actual)}");
                }
            }
        }

        var doubled = marks.Length - marks.Distinct().Count();
        // Only a step in flight at a kill runs again: at most one per TaskRun slot per kill.
        Assert.True(doubled <= kills * Environment.ProcessorCount * 2, $"{doubled} steps ran twice over {kills} kills");
        Assert.Equal(Runs * StepsPerRun, marks.Distinct().Count());
    }

    [Fact(Timeout = 240_000)]
    public async Task Server_KilledRepeatedlyDuringRuns_EveryRunCompletesOnceWithItsLogs()
    {
        await using var server = await ServerProcess.StartAsync(WorkingDirectory, await DatabaseAsync(), ["--replica-id", "crashy-replica"], Ct);
        var apply = await server.CliAsync("apply", "-f", await WriteAsync("defs.yaml", Definitions(Marks)));
        Assert.True(apply.ExitCode == 0, apply.Stderr);
        var names = await CreateRunsAsync(server, Runs);

        var kills = 0;
        foreach (var threshold in new[] { 4, 16, 30 })
        {
            await WaitAsync(() => DoneCount() >= threshold, TimeSpan.FromSeconds(90), $"{threshold} finished steps");
            await server.KillAsync();
            kills++;
            await server.StartAgainAsync(Ct);
        }

        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(120);
        while (!await AllFinishedAsync(server, names))
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"runs did not finish after the restarts:\n{server.Output}");
            await Task.Delay(100, Ct);
        }

        await AssertCompletedOnceAsync(server, names, kills);
        var events = await server.Http.GetStringAsync($"api/v1/pipelineruns/{names[0]}/events", Ct);
        Assert.Contains("Resumed", await ResumedAnywhereAsync(server, names), StringComparison.Ordinal);
        Assert.Contains("Started", events, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Server_KilledDuringATaskRunsFirstStep_StepRunsAgainAndLogsOnce()
    {
        // The step holds at its gate until the server was killed: the kill lands mid-step however slow the machine.
        var gate = new StepGate(Marks, "killed");
        await using var server = await ServerProcess.StartAsync(WorkingDirectory, await DatabaseAsync(), ["--replica-id", "taskrun-replica"], Ct);
        using var created = await server.Http.PostAsync("api/v1/taskruns", new StringContent($$"""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: lone}
            spec:
              taskSpec:
                steps:
                  - name: s
                    image: bash
                    script: |
                      for i in $(seq 1 {{Lines}}); do echo "line $i"; done
                      echo started >> {{Marks}}/started
                      {{gate.Wait}}
            """, Encoding.UTF8, "application/yaml"), Ct);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Ct));

        // Killed while its only step runs: nothing is journaled yet, and its first lines are stored.
        await WaitAsync(() => File.Exists(Path.Combine(Marks, "started")), TimeSpan.FromSeconds(60), "the step to start");
        await WaitAsync(() => server.Http.GetStringAsync("api/v1/taskruns/lone/logs", Ct).Result.Contains($"line {Lines}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the step's lines to be stored");
        await server.KillAsync();
        await gate.OpenAsync(Ct);
        await server.StartAgainAsync(Ct);

        JsonObject? run = null;
        await WaitAsync(() => (string?)(run = server.Http.GetFromJsonAsync<JsonObject>("api/v1/taskruns/lone", Ct).Result)!["status"]?["conditions"]?[0]?["status"] is "True" or "False",
            TimeSpan.FromSeconds(60), "the TaskRun to finish");
        Assert.Equal("Succeeded", (string?)run!["status"]!["conditions"]![0]!["reason"]);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(Marks, "started")).Length);
        var logs = (await server.Http.GetStringAsync("api/v1/taskruns/lone/logs", Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(1, Lines).Select(i => $"[lone/s] line {i}"), logs);
    }

    [Fact(Timeout = 120_000)]
    public async Task Server_KilledDuringARerunFromTheFailure_ResumesStillReusingWhatSucceeded()
    {
        var gate = new StepGate(Marks, "rerun-killed");
        await using var server = await ServerProcess.StartAsync(WorkingDirectory, await DatabaseAsync(), ["--replica-id", "rerun-replica"], Ct);
        // a counts its runs; b fails until MARKER exists, then holds at the gate until the server was killed.
        using var created = await server.Http.PostAsync("api/v1/pipelineruns", new StringContent($$"""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: ff}
            spec:
              pipelineSpec:
                tasks:
                  - name: a
                    taskSpec:
                      results: [{name: v}]
                      steps:
                        - name: s
                          image: bash
                          script: |
                            echo a >> {{Marks}}/a-runs
                            printf yes > $(results.v.path)
                  - name: b
                    params: [{name: got, value: "$(tasks.a.results.v)"}]
                    taskSpec:
                      params: [{name: got}]
                      steps:
                        - name: s
                          image: bash
                          script: |
                            test -f {{Marks}}/MARKER
                            echo "b got $(params.got)" >> {{Marks}}/b-started
                            {{gate.Wait}}
            """, Encoding.UTF8, "application/yaml"), Ct);
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(Ct));
        await WaitAsync(() => (string?)server.Http.GetFromJsonAsync<JsonObject>("api/v1/pipelineruns/ff", Ct).Result!["status"]?["conditions"]?[0]?["status"] == "False",
            TimeSpan.FromSeconds(60), "the first run to fail");
        await File.WriteAllTextAsync(Path.Combine(Marks, "MARKER"), "", Ct);

        using var rerun = await server.Http.PostAsync("api/v1/pipelineruns/ff/rerun", new StringContent("""{"fromFailed": true}""", Encoding.UTF8, "application/json"), Ct);
        Assert.True(rerun.IsSuccessStatusCode, await rerun.Content.ReadAsStringAsync(Ct));
        var name = (string)JsonNode.Parse(await rerun.Content.ReadAsStringAsync(Ct))!["metadata"]!["name"]!;
        await WaitAsync(() => File.Exists(Path.Combine(Marks, "b-started")), TimeSpan.FromSeconds(60), "b to start in the rerun");
        await server.KillAsync();
        await gate.OpenAsync(Ct);
        await server.StartAgainAsync(Ct);

        JsonObject? run = null;
        await WaitAsync(() => (string?)(run = server.Http.GetFromJsonAsync<JsonObject>($"api/v1/pipelineruns/{name}", Ct).Result)!["status"]?["conditions"]?[0]?["status"] is "True" or "False",
            TimeSpan.FromSeconds(60), "the rerun to finish");
        Assert.Equal("Succeeded", (string?)run!["status"]!["conditions"]![0]!["reason"]);
        Assert.Single(File.ReadAllLines(Path.Combine(Marks, "a-runs")));
        Assert.Equal(["b got yes", "b got yes"], File.ReadAllLines(Path.Combine(Marks, "b-started")));
        var a = run["status"]!["taskRuns"]![$"{name}-a"]!;
        Assert.Equal("ff-a", (string?)a["metadata"]!["annotations"]!["mothership.io/reused-from"]);
        Assert.Equal("yes", (string?)a["status"]!["results"]![0]!["value"]);
        Assert.Contains("Resumed", await server.Http.GetStringAsync($"api/v1/pipelineruns/{name}/events", Ct), StringComparison.Ordinal);
    }

    private static async Task<string> ResumedAnywhereAsync(ServerProcess server, IEnumerable<string> names)
    {
        var all = new StringBuilder();
        foreach (var name in names)
        {
            all.Append(await server.Http.GetStringAsync($"api/v1/pipelineruns/{name}/events", Ct));
        }

        return all.ToString();
    }

    protected async Task<string> WriteAsync(string name, string text)
    {
        var path = Path.Combine(WorkingDirectory, name);
        await File.WriteAllTextAsync(path, text, Ct);
        return path;
    }
}

/// <summary>Crash recovery on the default store.</summary>
public sealed class SqliteCrashRecoveryTests : CrashRecoveryTests
{
    protected override Task<string> DatabaseAsync() => Task.FromResult($"sqlite:{Path.Combine(WorkingDirectory, "mothership.db")}");
}

/// <summary>Crash recovery on PostgreSQL, and two replicas sharing it.</summary>
public sealed class PostgresCrashRecoveryTests : CrashRecoveryTests
{
    private PostgresServer? _postgres;

    protected override async Task<string> DatabaseAsync()
    {
        if (!PostgresServer.IsInstalled)
        {
            Prerequisites.Missing(PostgresServer.NotInstalledReason, ".ci/run should have installed it");
        }

        _postgres ??= await PostgresServer.StartAsync(Ct);
        return await _postgres.CreateDatabaseAsync("crash", Ct);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [Fact(Timeout = 240_000)]
    public async Task Replicas_OneKilledMidRun_TheOtherTakesOverAndFinishes()
    {
        var database = await DatabaseAsync();
        var fastLeases = new Dictionary<string, string> { ["Mothership__LeaseDuration"] = "00:00:03", ["Mothership__PollInterval"] = "00:00:00.500" };
        await using var first = await ServerProcess.StartAsync(WorkingDirectory, database, ["--replica-id", "replica-a"], Ct, fastLeases);
        var apply = await first.CliAsync("apply", "-f", await WriteAsync("defs.yaml", Definitions(Marks)));
        Assert.True(apply.ExitCode == 0, apply.Stderr);
        var names = await CreateRunsAsync(first, Runs);
        await WaitAsync(() => DoneCount() >= 3, TimeSpan.FromSeconds(60), "replica-a to make progress");

        // replica-a dies holding its leases; replica-b, started only now, must take its runs over after they expire.
        await first.KillAsync();
        await using var second = await ServerProcess.StartAsync(WorkingDirectory, database, ["--replica-id", "replica-b"], Ct, fastLeases);
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(120);
        while (!await AllFinishedAsync(second, names))
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"replica-b did not finish the runs:\n{second.Output}");
            await Task.Delay(100, Ct);
        }

        await AssertCompletedOnceAsync(second, names, kills: 1);
        Assert.Contains("resumed by replica-b", await ResumedEventsAsync(second, names), StringComparison.Ordinal);
    }

    [Fact(Timeout = 240_000)]
    public async Task Replicas_TwoAtOnce_ShareTheRunsAndRunEachOnce()
    {
        var database = await DatabaseAsync();
        await using var first = await ServerProcess.StartAsync(WorkingDirectory, database, ["--replica-id", "replica-a"], Ct);
        await using var second = await ServerProcess.StartAsync(WorkingDirectory, database, ["--replica-id", "replica-b"], Ct);
        var apply = await first.CliAsync("apply", "-f", await WriteAsync("defs.yaml", Definitions(Marks)));
        Assert.True(apply.ExitCode == 0, apply.Stderr);
        var names = await CreateRunsAsync(first, Runs);
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(120);
        while (!await AllFinishedAsync(second, names))
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"the runs did not finish:\n{first.Output}\n{second.Output}");
            await Task.Delay(100, Ct);
        }

        await AssertCompletedOnceAsync(second, names, kills: 0);
    }

    private static async Task<string> ResumedEventsAsync(ServerProcess server, IEnumerable<string> names)
    {
        var all = new StringBuilder();
        foreach (var name in names)
        {
            all.Append(await server.Http.GetStringAsync($"api/v1/pipelineruns/{name}/events", Ct));
        }

        return all.ToString();
    }
}
