using System.Net;
using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Server;

/// <summary>Tekton's three cancel statuses and pending runs, through the API of a real server.</summary>
public abstract class CancelTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres)
{
    /// <summary>A pipeline: <c>work</c> runs <paramref name="script"/>, <c>next</c> runs after it, <c>fin</c> is a finally task.</summary>
    private static string PipelineYaml(string name, string script) => $"""
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata:
          name: {name}
        spec:
          tasks:
            - name: work
              taskSpec:
                steps:
                  - name: main
                    image: busybox
                    script: {script}
            - name: next
              runAfter: [work]
              taskSpec:
                steps:
                  - name: main
                    image: busybox
                    script: echo next-ran
          finally:
            - name: fin
              taskSpec:
                steps:
                  - name: main
                    image: busybox
                    script: echo finally-ran
        """;

    /// <summary>Starts a run of the pipeline and waits until its first task's TaskRun is running.</summary>
    private async Task<(ServerProcess Server, string Run)> StartRunningAsync(string script)
    {
        var server = await ServerAsync();
        var name = Unique("cancel");
        await ApplyAsync(server, PipelineYaml(name, script));
        var run = await CreateRunAsync(server, PipelineRunYaml(name, name));
        // Running once the step printed its first line: the cancel then hits a live process.
        await WaitForLogAsync(server, run, "started");
        return (server, run);
    }

    private static async Task WaitForLogAsync(ServerProcess server, string run, string text)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var logs = await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{run}/logs");
            if (logs.Text.Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"'{text}' not in the logs of {run} after 30 s:\n{logs.Text}\n{server.Output}");
            await Task.Delay(100, Ct);
        }
    }

    private static async Task CancelAsync(ServerProcess server, string run, string status)
    {
        var (code, body, text) = await PostAsync(server, $"api/v1/pipelineruns/{run}/cancel", new JsonObject { ["status"] = status }.ToJsonString(), "application/json");
        Assert.True(code == HttpStatusCode.Accepted, text);
        Assert.Equal(status, (string?)body!["status"]);
    }

    private static IEnumerable<string> Children(JsonNode run) =>
        run["status"]?["childReferences"]?.AsArray().Select(c => (string)c!["pipelineTaskName"]!) ?? [];

    [Fact(Timeout = 60000)]
    public async Task Cancel_Cancelled_StopsAtOnceWithoutFinally()
    {
        var (server, run) = await StartRunningAsync("echo started; sleep 30");

        await CancelAsync(server, run, "Cancelled");
        var done = await WaitForFinishAsync(server, run, seconds: 20);

        Assert.Equal("Cancelled", Reason(done));
        Assert.Equal("False", (string)Condition(done)!["status"]!);
        var logs = (await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{run}/logs")).Text;
        Assert.DoesNotContain("finally-ran", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("next-ran", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("fin", Children(done));
    }

    [Fact(Timeout = 60000)]
    public async Task Cancel_CancelledRunFinally_RunsFinallyTasks()
    {
        var (server, run) = await StartRunningAsync("echo started; sleep 30");

        await CancelAsync(server, run, "CancelledRunFinally");
        var done = await WaitForFinishAsync(server, run, seconds: 20);

        Assert.Equal("Cancelled", Reason(done));
        var logs = (await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{run}/logs")).Text;
        Assert.Contains("[fin/main] finally-ran", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("next-ran", logs, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task Cancel_StoppedRunFinally_RunningTaskFinishesNoNewTaskFinallyRuns()
    {
        // The step ends only when the test opens its gate, after the server accepted the cancel:
        // the cancel is in the run's event queue before the task can finish, however slow the machine.
        var gate = new StepGate((await ServerAsync()).WorkingDirectory, "stopped");
        var (server, run) = await StartRunningAsync($"echo started; {gate.Wait}; echo work-finished");

        await CancelAsync(server, run, "StoppedRunFinally");
        await gate.OpenAsync(Ct);
        var done = await WaitForFinishAsync(server, run, seconds: 20);

        Assert.Equal("Cancelled", Reason(done));
        var logs = (await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{run}/logs")).Text;
        Assert.Contains("[work/main] work-finished", logs, StringComparison.Ordinal);
        Assert.Contains("[fin/main] finally-ran", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("next-ran", logs, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task Cancel_FinishedRun_Returns409AndUnknownStatus400()
    {
        var server = await ServerAsync();
        var name = Unique("cancelled-late");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "true"));
        var run = await CreateRunAsync(server, PipelineRunYaml(name, name));
        await WaitForFinishAsync(server, run);

        var late = await PostAsync(server, $"api/v1/pipelineruns/{run}/cancel", """{"status":"Cancelled"}""", "application/json");
        var bad = await PostAsync(server, $"api/v1/pipelineruns/{run}/cancel", """{"status":"Nope"}""", "application/json");
        var notText = await PostAsync(server, $"api/v1/pipelineruns/{run}/cancel", """{"status":1}""", "application/json");

        Assert.Equal(HttpStatusCode.Conflict, late.Status);
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal(HttpStatusCode.BadRequest, notText.Status);
    }

    [Fact(Timeout = 60000)]
    public async Task Cancel_PendingRun_EndsCancelledWithoutRunningATask()
    {
        var server = await ServerAsync();
        var name = Unique("pending-cancel");
        await ApplyAsync(server, PipelineYaml(name, "echo work-ran"));
        var run = await CreateRunAsync(server, PipelineRunYaml(name, name, extraSpec: "  status: PipelineRunPending"));

        await CancelAsync(server, run, "Cancelled");
        var done = await WaitForFinishAsync(server, run, seconds: 20);

        Assert.Equal("Cancelled", Reason(done));
        Assert.Empty(Children(done));
        Assert.Empty((await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{run}/logs")).Text);
    }

    [Fact(Timeout = 60000)]
    public async Task Delete_RunningRun_409()
    {
        var (server, run) = await StartRunningAsync("echo started; sleep 30");

        var deleted = await SendAsync(server, HttpMethod.Delete, $"api/v1/pipelineruns/{run}");

        Assert.Equal(HttpStatusCode.Conflict, deleted.Status);
        await CancelAsync(server, run, "Cancelled");
        await WaitForFinishAsync(server, run, seconds: 20);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(server, HttpMethod.Delete, $"api/v1/pipelineruns/{run}")).Status);
    }

    [Fact(Timeout = 60000)]
    public async Task Start_PendingRun_StaysPendingUntilStartedThenSucceeds()
    {
        var server = await ServerAsync();
        var name = Unique("pending");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "echo released"));
        var run = await CreateRunAsync(server, PipelineRunYaml(name, name, extraSpec: "  status: PipelineRunPending"));

        // Pending must hold across the controller's looks for work, not just the first read: wait
        // until it has claimed runs three more times (at least two of those began after this run
        // was stored), whatever the machine's speed, and then it must not have taken this one.
        var claims = await StoreOperationsAsync(server, "claim_runs");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await StoreOperationsAsync(server, "claim_runs") < claims + 3)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the controller did not look for work 3 times in 30 s:\n{server.Output}");
            await Task.Delay(100, Ct);
        }

        var pending = await GetJsonAsync(server, $"api/v1/pipelineruns/{run}");
        Assert.Equal("PipelineRunPending", Reason(pending));
        Assert.Equal("Unknown", (string)Condition(pending)!["status"]!);
        var listed = await GetJsonAsync(server, $"api/v1/pipelineruns?pipeline={name}&phase=Pending");
        Assert.Single(listed["items"]!.AsArray());

        var started = await PostAsync(server, $"api/v1/pipelineruns/{run}/start", null);
        Assert.Equal(HttpStatusCode.Accepted, started.Status);
        Assert.Equal("Succeeded", Reason(await WaitForFinishAsync(server, run)));
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(server, $"api/v1/pipelineruns/{run}/start", null)).Status);
    }
}

public sealed class CancelSqliteTests(SharedServer shared, PostgresFixture postgres) : CancelTests(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;
}

public sealed class CancelPostgresTests(SharedServer shared, PostgresFixture postgres) : CancelTests(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Postgres;
}
