using System.Net;

namespace Mothership.IntegrationTests.Server;

/// <summary>A pending TaskRun that is cancelled ends TaskRunCancelled without running a step.</summary>
public sealed class PendingTaskRunTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;

    [Fact(Timeout = 60000)]
    public async Task Cancel_PendingTaskRun_EndsCancelledWithoutRunningAStep()
    {
        var server = await ServerAsync();
        var marker = Path.Combine(server.WorkingDirectory, Unique("ran"));
        var name = Unique("pending-tr");
        await CreateRunAsync(server, $$$"""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: {{{name}}}}
            spec:
              status: TaskRunPending
              taskSpec:
                steps: [{name: s, image: bash, script: "touch {{{marker}}}"}]
            """, "taskruns");
        Assert.Equal("TaskRunPending", Reason(await GetJsonAsync(server, $"api/v1/taskruns/{name}")));

        var (status, _, text) = await PostAsync(server, $"api/v1/taskruns/{name}/cancel", """{"status": "Cancelled"}""", "application/json");
        Assert.True(status == HttpStatusCode.Accepted, text);

        var run = await WaitForFinishAsync(server, name, "taskruns");
        Assert.Equal("TaskRunCancelled", Reason(run));
        Assert.DoesNotContain("0001-01-01", (string?)Condition(run)!["lastTransitionTime"] ?? "", StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }
}
