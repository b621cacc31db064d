namespace Mothership.IntegrationTests.Server;

/// <summary><c>/metrics</c> of a server that ran something: run counts, durations, queue depth, store timings.</summary>
public sealed class MetricsTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;

    [Fact(Timeout = 60000)]
    public async Task Metrics_AfterASucceededRun_ExposesRunTaskRunAndStoreMetrics()
    {
        var server = await ServerAsync();
        var name = Unique("metrics");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "true"));
        Assert.Equal("Succeeded", Reason(await WaitForFinishAsync(server, await CreateRunAsync(server, PipelineRunYaml(name, name)))));

        using var response = await server.Http.GetAsync("metrics", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.True(response.IsSuccessStatusCode, text);
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("mothership_runs{", StringComparison.Ordinal) && l.Contains("reason=\"Succeeded\"", StringComparison.Ordinal)
            && l.Contains("kind=\"PipelineRun\"", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("mothership_taskrun_duration_seconds", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("mothership_taskrun_queue_depth", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("mothership_store_operation_duration_seconds", StringComparison.Ordinal));
    }
}
