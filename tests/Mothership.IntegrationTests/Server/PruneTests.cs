using System.Net;
using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Server;

/// <summary>Retention through <c>POST /prune</c> and <c>mship prune</c>: what goes, what stays, dry runs.</summary>
public abstract class PruneTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres)
{
    /// <summary>A pipeline whose only step exits with the <c>code</c> param.</summary>
    private static string ExitPipelineYaml(string name) => $"""
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata:
          name: {name}
        spec:
          params:
            - name: code
              default: "0"
          tasks:
            - name: only
              params:
                - name: code
                  value: $(params.code)
              taskSpec:
                params:
                  - name: code
                steps:
                  - name: main
                    image: busybox
                    script: echo line; exit $(params.code)
        """;

    /// <summary>Runs the pipeline once per code, one after another (so their order is their age), and returns the run names.</summary>
    private static async Task<List<string>> RunAllAsync(ServerProcess server, string pipeline, params int[] codes)
    {
        var names = new List<string>();
        for (var i = 0; i < codes.Length; i++)
        {
            var name = await CreateRunAsync(server, PipelineRunYaml($"{pipeline}-{i}", pipeline, extraSpec: $"  params:\n    - name: code\n      value: \"{codes[i]}\""));
            Assert.Equal(codes[i] == 0 ? "Succeeded" : "Failed", Reason(await WaitForFinishAsync(server, name)));
            names.Add(name);
        }

        return names;
    }

    private static async Task<List<string>> RemainingAsync(ServerProcess server, string pipeline) =>
        [.. (await GetJsonAsync(server, $"api/v1/pipelineruns?pipeline={pipeline}"))["items"]!.AsArray().Select(i => (string)i!["name"]!).Order(StringComparer.Ordinal)];

    [Fact(Timeout = 90000)]
    public async Task Prune_KeepLastPerPipeline_DeletesOlderRunsAndTheirLogsKeepsFailed()
    {
        var server = await ServerAsync();
        var name = Unique("prune");
        await ApplyAsync(server, ExitPipelineYaml(name));
        var runs = await RunAllAsync(server, name, 0, 1, 0, 1, 0);
        var policy = new JsonObject { ["pipelines"] = new JsonObject { [name] = new JsonObject { ["keepLast"] = 1, ["keepLastFailed"] = 2 } } };

        var (status, body, text) = await PostAsync(server, "api/v1/prune", policy.ToJsonString(), "application/json");

        Assert.True(status == HttpStatusCode.OK, text);
        Assert.False((bool)body!["dryRun"]!);
        Assert.Equal([runs[0], runs[2]], body["deleted"]!.AsArray().Select(d => (string)d!["name"]!).Order(StringComparer.Ordinal));
        Assert.True((long)body["logChunks"]! >= 2, text);
        Assert.Equal([runs[1], runs[3], runs[4]], await RemainingAsync(server, name));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{runs[0]}/logs")).Status);
        Assert.Contains("line", (await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{runs[4]}/logs")).Text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90000)]
    public async Task Prune_DryRun_ListsButDeletesNothing()
    {
        var server = await ServerAsync();
        var name = Unique("dry");
        await ApplyAsync(server, ExitPipelineYaml(name));
        var runs = await RunAllAsync(server, name, 0, 0);
        var policy = new JsonObject { ["pipelines"] = new JsonObject { [name] = new JsonObject { ["keepLast"] = 0 } } };

        var (status, body, text) = await PostAsync(server, "api/v1/prune?dryRun=true", policy.ToJsonString(), "application/json");

        Assert.True(status == HttpStatusCode.OK, text);
        Assert.True((bool)body!["dryRun"]!);
        Assert.Equal(runs, body["deleted"]!.AsArray().Select(d => (string)d!["name"]!).Order(StringComparer.Ordinal));
        Assert.Equal(runs, await RemainingAsync(server, name));
        Assert.Contains("line", (await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{runs[0]}/logs")).Text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90000)]
    public async Task Prune_BadPolicy_400()
    {
        var server = await ServerAsync();

        var negative = await PostAsync(server, "api/v1/prune", """{"keepLast": -1}""", "application/json");
        var age = await PostAsync(server, "api/v1/prune", """{"maxAge": "a while"}""", "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, negative.Status);
        Assert.Equal(HttpStatusCode.BadRequest, age.Status);
    }

    [Fact(Timeout = 90000)]
    public async Task MshipPrune_KeepLast_DryRunThenDeletes()
    {
        var server = await ServerAsync();
        var name = Unique("cliprune");
        await ApplyAsync(server, ExitPipelineYaml(name));
        var runs = await RunAllAsync(server, name, 0, 0, 1, 1);

        var dry = await server.CliAsync("prune", "--dry-run", "--keep-last", "1", "--keep-last-failed", "1");
        Assert.True(dry.ExitCode == 0, dry.Stderr);
        Assert.Contains($"pipelinerun.tekton.dev/{runs[0]} would be deleted", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains($"pipelinerun.tekton.dev/{runs[2]} would be deleted", dry.Stdout, StringComparison.Ordinal);
        Assert.Equal(runs, await RemainingAsync(server, name));

        var real = await server.CliAsync("prune", "--keep-last", "1", "--keep-last-failed", "1");

        Assert.True(real.ExitCode == 0, real.Stderr);
        Assert.Contains($"pipelinerun.tekton.dev/{runs[0]} deleted", real.Stdout, StringComparison.Ordinal);
        Assert.Equal([runs[1], runs[3]], await RemainingAsync(server, name));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{runs[2]}/logs")).Status);
    }
}

public sealed class PruneSqliteTests(SharedServer shared, PostgresFixture postgres) : PruneTests(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;
}

public sealed class PrunePostgresTests(SharedServer shared, PostgresFixture postgres) : PruneTests(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Postgres;
}
