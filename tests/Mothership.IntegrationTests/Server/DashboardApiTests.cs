using System.Net;
using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Server;

/// <summary>What the dashboard reads: the DAG with states, log pages, log search, log download.</summary>
public sealed class DashboardApiTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;

    private static string Pipeline(string name) => $$$"""
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata: {name: {{{name}}}}
        spec:
          pipelineSpec:
            tasks:
              - name: produce
                taskSpec:
                  results: [{name: out}]
                  steps:
                    - name: chatty
                      image: bash
                      script: |
                        for i in $(seq 0 2999); do echo "line $i"; done
                        echo "ERROR: something to find"
                        printf done > $(results.out.path)
              - name: consume
                params: [{name: v, value: $(tasks.produce.results.out)}]
                taskSpec:
                  params: [{name: v}]
                  steps: [{name: s, image: bash, script: "echo got $(params.v)"}]
              - name: after
                runAfter: [consume]
                taskSpec: {steps: [{name: s, image: bash, script: "true"}]}
              - name: never
                when: [{input: a, operator: in, values: [b]}]
                taskSpec: {steps: [{name: s, image: bash, script: "true"}]}
            finally:
              - name: report
                taskSpec: {steps: [{name: s, image: bash, script: "true"}]}
        """;

    [Fact(Timeout = 60000)]
    public async Task Graph_FinishedRun_HasStatesEdgesAndCriticalPath()
    {
        var server = await ServerAsync();
        var name = await CreateRunAsync(server, Pipeline(Unique("graph")));
        Assert.Equal("Completed", Reason(await WaitForFinishAsync(server, name)));

        var graph = await GetJsonAsync(server, $"api/v1/pipelineruns/{name}/graph");

        var nodes = graph["nodes"]!.AsArray().ToDictionary(n => (string)n!["name"]!, n => n!);
        Assert.Equal("Succeeded", (string?)nodes["produce"]["state"]);
        Assert.Equal("Skipped", (string?)nodes["never"]["state"]);
        Assert.NotNull((string?)nodes["never"]["skipReason"]);
        Assert.True((bool)nodes["report"]["finally"]!);
        Assert.Equal($"{name}-produce", (string?)nodes["produce"]["taskRun"]);
        var edges = graph["edges"]!.AsArray().Select(e => $"{e!["from"]}>{e["to"]}:{e["kind"]}").Order();
        Assert.Equal(["consume>after:runAfter", "produce>consume:result"], edges);
        Assert.Equal(["produce", "consume", "after"], graph["criticalPath"]!.AsArray().Select(n => (string)n!));
        var (status, _, _) = await SendAsync(server, HttpMethod.Get, "api/v1/pipelineruns/nope/graph");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact(Timeout = 60000)]
    public async Task Logs_JsonPagesSearchAndDownload_CoverTheWholeLogOnce()
    {
        var server = await ServerAsync();
        var name = await CreateRunAsync(server, Pipeline(Unique("logs")));
        await WaitForFinishAsync(server, name);
        var taskRun = $"{name}-produce";
        var filter = $"taskRun={taskRun}&container=step-chatty";

        // Page through with small pages, as the viewer does while scrolling.
        var lines = new List<(long Line, string Text)>();
        long after = 0;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 5000, "paging does not end");
            var page = await GetJsonAsync(server, $"api/v1/pipelineruns/{name}/logs?format=json&{filter}&afterId={after}&limit=1000&maxLines=400");
            var sizes = page["chunks"]!.AsArray().Select(c => c!["lines"]!.AsArray().Count).ToList();
            Assert.True(sizes.Count <= 1 || sizes.SkipLast(1).Sum() < 400, $"a page of {sizes.Sum()} lines for maxLines=400");
            foreach (var chunk in page["chunks"]!.AsArray())
            {
                var first = (long)chunk!["firstLine"]!;
                lines.AddRange(chunk["lines"]!.AsArray().Select((l, i) => (first + i, (string)l!)));
                Assert.Equal("produce", (string?)chunk["pipelineTask"]);
                Assert.Equal("chatty", (string?)chunk["step"]);
            }

            after = (long)page["nextAfterId"]!;
            if ((bool)page["finished"]!)
            {
                break;
            }
        }

        Assert.Equal(3001, lines.Count);
        Assert.Equal(Enumerable.Range(0, 3001).Select(i => (long)i), lines.Select(l => l.Line));
        Assert.Equal("line 1234", lines[1234].Text);

        var search = await GetJsonAsync(server, $"api/v1/pipelineruns/{name}/logs/search?{filter}&q=line%2029");
        Assert.Equal([29L, .. Enumerable.Range(290, 10).Select(i => (long)i), .. Enumerable.Range(2900, 100).Select(i => (long)i)],
            search["matches"]!.AsArray().Select(m => (long)m!["line"]!));
        var errors = await GetJsonAsync(server, $"api/v1/pipelineruns/{name}/logs/search?{filter}&regex=true&q=(%3Fi)(error%7Cfail)");
        Assert.Equal(3000, (long)errors["matches"]![0]!["line"]!);
        var (badStatus, _, _) = await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{name}/logs/search?{filter}&regex=true&q=(");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);

        using var download = await server.Http.GetAsync($"api/v1/pipelineruns/{name}/logs?{filter}&download=true", TestContext.Current.CancellationToken);
        Assert.Contains("attachment", download.Content.Headers.ContentDisposition?.ToString() ?? download.Headers.ToString(), StringComparison.Ordinal);
        var text = await download.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(3001, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("[produce/chatty] line 0\n", text, StringComparison.Ordinal);
    }
}
