using System.Net;
using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Server;

/// <summary>Definitions and runs through the REST API of a real server: apply, create, poll, list, rerun, delete, events, audit.</summary>
public abstract class ApiRoundTripTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres)
{
    [Fact(Timeout = 60000)]
    public async Task Apply_SameBodyTwiceThenChanged_ReportsCreatedUnchangedConfigured()
    {
        var server = await ServerAsync();
        var name = Unique("apply");
        var yaml = TaskAndPipelineYaml(name, "echo one");

        var first = await PostAsync(server, "api/v1/apply", yaml);
        var again = await PostAsync(server, "api/v1/apply", yaml);
        var changed = await PostAsync(server, "api/v1/apply", TaskAndPipelineYaml(name, "echo two"));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(["created", "created"], first.Body!["items"]!.AsArray().Select(i => (string)i!["outcome"]!));
        Assert.Equal(["unchanged", "unchanged"], again.Body!["items"]!.AsArray().Select(i => (string)i!["outcome"]!));
        Assert.Equal("configured", (string)changed.Body!["items"]![0]!["outcome"]!);
        Assert.Equal("unchanged", (string)changed.Body!["items"]![1]!["outcome"]!);
    }

    [Fact(Timeout = 60000)]
    public async Task GetListDelete_AppliedTaskAndPipeline_RoundTripThen404()
    {
        var server = await ServerAsync();
        var name = Unique("defs");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "echo hi"));

        var task = await GetJsonAsync(server, $"api/v1/tasks/{name}");
        Assert.Equal("Task", (string)task["kind"]!);
        Assert.Equal(name, (string)task["name"]!);
        Assert.Contains("echo hi", (string)task["document"]!, StringComparison.Ordinal);
        Assert.Equal(1, (int)task["generation"]!);
        var tasks = await GetJsonAsync(server, "api/v1/tasks");
        Assert.Contains(tasks["items"]!.AsArray(), i => (string)i!["name"]! == name);
        var pipelines = await GetJsonAsync(server, "api/v1/pipelines");
        Assert.Contains(pipelines["items"]!.AsArray(), i => (string)i!["name"]! == name);

        var deleted = await SendAsync(server, HttpMethod.Delete, $"api/v1/pipelines/{name}");
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(server, HttpMethod.Get, $"api/v1/pipelines/{name}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(server, HttpMethod.Delete, $"api/v1/pipelines/{name}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(server, HttpMethod.Get, $"api/v1/tasks/{name}")).Status);
    }

    [Fact(Timeout = 60000)]
    public async Task CreatePipelineRun_YamlBodyReferencingAppliedPipeline_SucceedsWithTektonShape()
    {
        var server = await ServerAsync();
        var name = Unique("shape");
        await ApplyAsync(server, $"""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata:
              name: {name}
            spec:
              results:
                - name: greeting
              steps:
                - name: main
                  image: busybox
                  script: |
                    printf hello > $(results.greeting.path)
            ---
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata:
              name: {name}
            spec:
              results:
                - name: out
                  value: $(tasks.greet.results.greeting)
              tasks:
                - name: greet
                  taskRef:
                    name: {name}
            """);

        var runName = await CreateRunAsync(server, PipelineRunYaml(name + "-run", name));
        var run = await WaitForFinishAsync(server, runName);

        Assert.Equal("tekton.dev/v1", (string)run["apiVersion"]!);
        Assert.Equal("PipelineRun", (string)run["kind"]!);
        Assert.Equal(runName, (string)run["metadata"]!["name"]!);
        Assert.True(Guid.TryParse((string?)run["metadata"]!["uid"], out _), run.ToJsonString());
        Assert.True(DateTimeOffset.TryParse((string?)run["metadata"]!["creationTimestamp"], out _), run.ToJsonString());
        var condition = Condition(run)!;
        Assert.Equal("Succeeded", (string)condition["type"]!);
        Assert.Equal("True", (string)condition["status"]!);
        Assert.Equal("Succeeded", (string)condition["reason"]!);
        var child = Assert.Single(run["status"]!["childReferences"]!.AsArray());
        Assert.Equal("TaskRun", (string)child!["kind"]!);
        Assert.Equal("greet", (string)child["pipelineTaskName"]!);
        var result = Assert.Single(run["status"]!["results"]!.AsArray());
        Assert.Equal("out", (string)result!["name"]!);
        Assert.Equal("hello", (string)result["value"]!);
        Assert.NotNull(run["status"]!["startTime"]);
        Assert.NotNull(run["status"]!["completionTime"]);
    }

    [Fact(Timeout = 60000)]
    public async Task CreatePipelineRun_V1Beta1Definitions_StoredRunAndPrintedAsV1()
    {
        var server = await ServerAsync();
        var name = Unique("beta");
        await ApplyAsync(server, TektonV1Beta1.Copy(TaskAndPipelineYaml(name, "echo beta")));
        var body = $"""
            apiVersion: tekton.dev/v1beta1
            kind: PipelineRun
            metadata:
              name: {name}-run
            spec:
              serviceAccountName: default
              timeout: 10m
              pipelineRef:
                name: {name}
            """;

        var run = await WaitForFinishAsync(server, await CreateRunAsync(server, body));

        Assert.Equal("tekton.dev/v1", (string)run["apiVersion"]!);
        Assert.Equal("Succeeded", Reason(run));
        Assert.Equal("default", (string)run["spec"]!["taskRunTemplate"]!["serviceAccountName"]!);
        Assert.Equal("10m", (string)run["spec"]!["timeouts"]!["pipeline"]!);
    }

    [Fact(Timeout = 60000)]
    public async Task CreatePipelineRun_JsonBody_Succeeds()
    {
        var server = await ServerAsync();
        var name = Unique("json");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "true"));
        var body = new JsonObject
        {
            ["apiVersion"] = "tekton.dev/v1",
            ["kind"] = "PipelineRun",
            ["metadata"] = new JsonObject { ["generateName"] = name + "-" },
            ["spec"] = new JsonObject { ["pipelineRef"] = new JsonObject { ["name"] = name } },
        };

        var runName = await CreateRunAsync(server, body.ToJsonString(), contentType: "application/json");

        Assert.StartsWith(name + "-", runName, StringComparison.Ordinal);
        Assert.Equal("Succeeded", Reason(await WaitForFinishAsync(server, runName)));
    }

    [Fact(Timeout = 60000)]
    public async Task CreatePipelineRun_NameTaken_Returns409()
    {
        var server = await ServerAsync();
        var name = Unique("taken");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "true"));
        await CreateRunAsync(server, PipelineRunYaml(name, name));

        var again = await PostAsync(server, "api/v1/pipelineruns", PipelineRunYaml(name, name));

        Assert.Equal(HttpStatusCode.Conflict, again.Status);
    }

    [Fact(Timeout = 60000)]
    public async Task CreatePipelineRun_StepExits1_Failed()
    {
        var server = await ServerAsync();
        var name = Unique("fail");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "exit 1"));

        var run = await WaitForFinishAsync(server, await CreateRunAsync(server, PipelineRunYaml(name, name)));

        Assert.Equal("False", (string)Condition(run)!["status"]!);
        Assert.Equal("Failed", Reason(run));
    }

    [Fact(Timeout = 60000)]
    public async Task CreateTaskRun_InlineTaskSpec_SucceedsAsTaskRun()
    {
        var server = await ServerAsync();
        var name = Unique("tr");

        var runName = await CreateRunAsync(server, $"""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: {name}
            spec:
              taskSpec:
                steps:
                  - name: hello
                    image: busybox
                    script: echo hello from a taskrun
            """, "taskruns");
        var run = await WaitForFinishAsync(server, runName, "taskruns");

        Assert.Equal("TaskRun", (string)run["kind"]!);
        Assert.Equal("Succeeded", Reason(run));
        var logs = await SendAsync(server, HttpMethod.Get, $"api/v1/taskruns/{name}/logs");
        Assert.Contains($"[{name}/hello] hello from a taskrun", logs.Text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90000)]
    public async Task ListPipelineRuns_Filters_SelectByPipelineStatusLabelAndSince()
    {
        var server = await ServerAsync();
        var good = Unique("lgood");
        var bad = Unique("lbad");
        await ApplyAsync(server, TaskAndPipelineYaml(good, "true"));
        await ApplyAsync(server, TaskAndPipelineYaml(bad, "exit 1"));
        var a = await CreateRunAsync(server, PipelineRunYaml(good + "-a", good, $"team: {good}"));
        var b = await CreateRunAsync(server, PipelineRunYaml(good + "-b", good, "team: other"));
        var c = await CreateRunAsync(server, PipelineRunYaml(bad + "-c", bad, $"team: {good}"));
        foreach (var n in new[] { a, b, c })
        {
            await WaitForFinishAsync(server, n);
        }

        static IEnumerable<string> Names(JsonNode list) => list["items"]!.AsArray().Select(i => (string)i!["name"]!).Order(StringComparer.Ordinal);

        Assert.Equal([a, b], Names(await GetJsonAsync(server, $"api/v1/pipelineruns?pipeline={good}")));
        Assert.Equal([c], Names(await GetJsonAsync(server, $"api/v1/pipelineruns?pipeline={bad}&status=Failed")));
        Assert.Empty(Names(await GetJsonAsync(server, $"api/v1/pipelineruns?pipeline={good}&status=Failed,Cancelled")));
        // The group Succeeded holds every success, as the dashboard's filter does; the reason alone is exact.
        Assert.Equal([a, b], Names(await GetJsonAsync(server, $"api/v1/pipelineruns?pipeline={good}&status=Succeeded")));
        Assert.Equal([a, b], Names(await GetJsonAsync(server, $"api/v1/pipelineruns?pipeline={good}&status={Reason(await GetJsonAsync(server, $"api/v1/pipelineruns/{a}"))}")));
        Assert.Equal([c, a], Names(await GetJsonAsync(server, $"api/v1/pipelineruns?labelSelector=team%3D{good}")).OrderByDescending(n => n.StartsWith(bad, StringComparison.Ordinal)));
        Assert.Equal([b], Names(await GetJsonAsync(server, $"api/v1/pipelineruns?pipeline={good}&labelSelector=team%21%3D{good}")));
        Assert.Equal([a, b], Names(await GetJsonAsync(server, $"api/v1/pipelineruns?pipeline={good}&since=1h&phase=Finished")));
        Assert.Empty(Names(await GetJsonAsync(server, $"api/v1/pipelineruns?pipeline={good}&since={Uri.EscapeDataString(TimeProvider.System.GetUtcNow().AddHours(1).ToString("O"))}")));
        var summary = (await GetJsonAsync(server, $"api/v1/pipelineruns?pipeline={bad}"))["items"]![0]!;
        Assert.Equal("Finished", (string)summary["phase"]!);
        Assert.Equal("False", (string)summary["status"]!);
        Assert.Equal(bad, (string)summary["pipeline"]!);
    }

    [Fact(Timeout = 90000)]
    public async Task ListPipelineRuns_CursorAcrossPages_EachRunExactlyOnce()
    {
        var server = await ServerAsync();
        var name = Unique("page");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "true"));
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            // Pending runs: listed like any other, and no executor time spent.
            created.Add(await CreateRunAsync(server, PipelineRunYaml($"{name}-{i}", name, extraSpec: "  status: PipelineRunPending")));
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await GetJsonAsync(server, $"api/v1/pipelineruns?pipeline={name}&limit=2" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"));
            Assert.True(page["items"]!.AsArray().Count <= 2);
            seen.AddRange(page["items"]!.AsArray().Select(i => (string)i!["name"]!));
            cursor = (string?)page["nextCursor"];
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(created.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        foreach (var n in created)
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(server, HttpMethod.Delete, $"api/v1/pipelineruns/{n}")).Status);
        }
    }

    [Fact(Timeout = 60000)]
    public async Task Rerun_FinishedRun_CreatesNewRunThatSucceeds()
    {
        var server = await ServerAsync();
        var name = Unique("rerun");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "echo again"));
        var first = await CreateRunAsync(server, PipelineRunYaml(name, name));
        await WaitForFinishAsync(server, first);

        var (status, body, text) = await PostAsync(server, $"api/v1/pipelineruns/{first}/rerun", null);

        Assert.True(status == HttpStatusCode.Created, text);
        var second = (string)body!["metadata"]!["name"]!;
        Assert.NotEqual(first, second);
        Assert.Equal(first, (string?)body["metadata"]!["labels"]?["mothership.io/rerun-of"]);
        Assert.Equal("Succeeded", Reason(await WaitForFinishAsync(server, second)));
    }

    [Fact(Timeout = 60000)]
    public async Task Delete_FinishedRun_GoneWithLogsAndEvents()
    {
        var server = await ServerAsync();
        var name = Unique("del");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "echo bye"));
        var run = await CreateRunAsync(server, PipelineRunYaml(name, name));
        await WaitForFinishAsync(server, run);
        var events = await GetJsonAsync(server, $"api/v1/pipelineruns/{run}/events");
        Assert.NotEmpty(events["items"]!.AsArray());
        Assert.All(events["items"]!.AsArray(), e => Assert.False(string.IsNullOrEmpty((string?)e!["reason"])));

        var deleted = await SendAsync(server, HttpMethod.Delete, $"api/v1/pipelineruns/{run}");

        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{run}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{run}/logs")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{run}/events")).Status);
    }

    [Fact(Timeout = 60000)]
    public async Task Audit_ActorHeader_RecordedWithActionAndName()
    {
        var server = await ServerAsync();
        var name = Unique("audit");
        var actor = Unique("alice");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server, "api/v1/apply", TaskAndPipelineYaml(name, "true"), actor: actor)).Status);
        var (status, _, text) = await PostAsync(server, "api/v1/pipelineruns", PipelineRunYaml(name, name, extraSpec: "  status: PipelineRunPending"), actor: actor);
        Assert.True(status == HttpStatusCode.Created, text);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(server, HttpMethod.Delete, $"api/v1/pipelineruns/{name}", actor: actor)).Status);

        var audit = (await GetJsonAsync(server, "api/v1/audit?limit=1000"))["items"]!.AsArray().Where(a => (string?)a!["actor"] == actor).ToList();

        Assert.Contains(audit, a => (string?)a!["kind"] == "Task" && (string?)a["name"] == name);
        Assert.Contains(audit, a => (string?)a!["kind"] == "Pipeline" && (string?)a["name"] == name);
        Assert.True(audit.Count(a => (string?)a!["kind"] == "PipelineRun" && (string?)a["name"] == name) >= 2, string.Join("\n", audit.Select(a => a!.ToJsonString())));
        Assert.All(audit, a => Assert.False(string.IsNullOrEmpty((string?)a!["action"])));
    }
}

public sealed class ApiRoundTripSqliteTests(SharedServer shared, PostgresFixture postgres) : ApiRoundTripTests(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;
}

public sealed class ApiRoundTripPostgresTests(SharedServer shared, PostgresFixture postgres) : ApiRoundTripTests(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Postgres;
}
