using System.Net;
using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Server;

/// <summary>A run's changes pushed as server-sent events (<c>GET …/watch</c>), and <c>mship get -w</c> reading them.</summary>
public sealed class WatchTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres), IClassFixture<SharedServer>, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-watch-");

    protected override StoreBackend Backend => StoreBackend.Sqlite;

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>A pipeline whose first task waits for <paramref name="gate"/> to exist, then a second task after it.</summary>
    private static string GatedPipeline(string name, string gate) => $$"""
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata: {name: {{name}}}
        spec:
          pipelineSpec:
            tasks:
              - name: gated
                taskSpec:
                  steps:
                    - name: wait
                      image: bash
                      script: "while [ ! -e {{gate}} ]; do sleep 0.05; done"
              - name: after
                runAfter: [gated]
                taskSpec: {steps: [{name: s, image: bash, script: "true"}]}
        """;

    /// <summary>Reads SSE frames (event name, data) from a stream, one at a time.</summary>
    private sealed class Frames(StreamReader reader)
    {
        public async Task<(string Event, JsonNode Data)?> NextAsync()
        {
            string? name = null;
            while (await reader.ReadLineAsync(Ct) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
                {
                    return (name, JsonNode.Parse(line[6..])!);
                }
            }

            return null;
        }

        /// <summary>Frames until one matches (the ones before are returned too).</summary>
        public async Task<List<(string Event, JsonNode Data)>> UntilAsync(Func<(string Event, JsonNode Data), bool> match)
        {
            var seen = new List<(string, JsonNode)>();
            while (await NextAsync() is { } frame)
            {
                seen.Add(frame);
                if (match(frame))
                {
                    return seen;
                }
            }

            Assert.Fail("the stream ended before the expected frame; frames: " + string.Join("; ", seen.Select(f => $"{f.Item1} {f.Item2.ToJsonString()}")));
            return seen;
        }
    }

    private static string? StateOf(JsonNode data, string task) =>
        data["nodes"]!.AsArray().FirstOrDefault(n => (string?)n!["name"] == task)?["state"]?.GetValue<string>();

    [Fact(Timeout = 90_000)]
    public async Task Watch_RunningPipeline_PushesEachTaskChangeThenEnds()
    {
        var server = await ServerAsync();
        var gate = Path.Combine(_dir.FullName, "gate");
        var name = await CreateRunAsync(server, GatedPipeline(Unique("watch"), gate));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/pipelineruns/{name}/watch");
        using var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var frames = new Frames(new StreamReader(await response.Content.ReadAsStreamAsync(Ct)));

        // The current state first: the run and the whole graph, with edges.
        var first = await frames.UntilAsync(f => f.Event == "graph");
        Assert.Equal("run", first[0].Event);
        Assert.Equal(name, (string?)first[0].Data["name"]);
        Assert.Equal("gated>after:runAfter", string.Join(",", first[^1].Data["edges"]!.AsArray().Select(e => $"{e!["from"]}>{e["to"]}:{e["kind"]}")));

        // Pushed, not asked for: the gated task is seen running, then (once the gate opens) done, then the run ends.
        if (StateOf(first[^1].Data, "gated") != "Running")
        {
            await frames.UntilAsync(f => f.Event == "tasks" && StateOf(f.Data, "gated") == "Running");
        }

        await File.WriteAllTextAsync(gate, "", Ct);
        var rest = await frames.UntilAsync(f => f.Event == "end");
        var tasks = rest.Where(f => f.Event == "tasks").ToList();
        Assert.Contains(tasks, f => StateOf(f.Data, "gated") == "Succeeded");
        Assert.Contains(tasks, f => StateOf(f.Data, "after") == "Succeeded");
        // A changes frame holds only what changed: never a node that is the same as in the frame before.
        Assert.All(tasks, f => Assert.True(f.Data["nodes"]!.AsArray().Count <= 2));
        Assert.Equal("Finished", (string?)rest[^1].Data["phase"]);
        Assert.Equal("Succeeded", (string?)rest[^1].Data["reason"]);
        Assert.Contains(rest, f => f.Event == "run" && (string?)f.Data["reason"] == "Succeeded");
        Assert.Null(await frames.NextAsync());
    }

    [Fact(Timeout = 90_000)]
    public async Task Watch_SecondViewerJoinsRunningRun_StartsFromTheCurrentGraphThenGetsTheSameChanges()
    {
        var server = await ServerAsync();
        var gate = Path.Combine(_dir.FullName, "late-gate");
        var name = await CreateRunAsync(server, GatedPipeline(Unique("late"), gate));
        using var firstResponse = await server.Http.GetAsync($"api/v1/pipelineruns/{name}/watch", HttpCompletionOption.ResponseHeadersRead, Ct);
        var first = new Frames(new StreamReader(await firstResponse.Content.ReadAsStreamAsync(Ct)));
        var seen = await first.UntilAsync(f => f.Event == "graph");
        if (StateOf(seen[^1].Data, "gated") != "Running")
        {
            await first.UntilAsync(f => f.Event == "tasks" && StateOf(f.Data, "gated") == "Running");
        }

        // The second viewer joins the same watch: its first frames are the run and the whole graph as it is now.
        using var secondResponse = await server.Http.GetAsync($"api/v1/pipelineruns/{name}/watch", HttpCompletionOption.ResponseHeadersRead, Ct);
        var second = new Frames(new StreamReader(await secondResponse.Content.ReadAsStreamAsync(Ct)));
        var start = await second.UntilAsync(f => f.Event == "graph");
        Assert.Equal(["run", "graph"], start.Select(f => f.Event));
        Assert.Equal("Running", StateOf(start[1].Data, "gated"));
        Assert.Equal("gated>after:runAfter", string.Join(",", start[1].Data["edges"]!.AsArray().Select(e => $"{e!["from"]}>{e["to"]}:{e["kind"]}")));

        await File.WriteAllTextAsync(gate, "", Ct);
        var firstRest = await first.UntilAsync(f => f.Event == "end");
        var secondRest = await second.UntilAsync(f => f.Event == "end");
        foreach (var rest in (List<(string Event, JsonNode Data)>[])[firstRest, secondRest])
        {
            Assert.Contains(rest, f => f.Event == "tasks" && StateOf(f.Data, "after") == "Succeeded");
            Assert.Equal("Succeeded", (string?)rest[^1].Data["reason"]);
        }

        // From the moment both watch, they are sent the same frames.
        Assert.Equal(firstRest.TakeLast(secondRest.Count).Select(f => f.Data.ToJsonString()), secondRest.Select(f => f.Data.ToJsonString()));
    }

    [Fact(Timeout = 60_000)]
    public async Task Watch_FinishedOrMissingRun_CurrentStateAndEndOr404()
    {
        var server = await ServerAsync();
        var gate = Path.Combine(_dir.FullName, "open");
        await File.WriteAllTextAsync(gate, "", Ct);
        var name = await CreateRunAsync(server, GatedPipeline(Unique("done"), gate));
        await WaitForFinishAsync(server, name);

        var text = await server.Http.GetStringAsync($"api/v1/pipelineruns/{name}/watch", Ct);

        Assert.Contains("event: run\n", text, StringComparison.Ordinal);
        Assert.Contains("event: graph\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\n\n", text, StringComparison.Ordinal);
        Assert.Contains("event: end\n", text, StringComparison.Ordinal);
        var (status, _, _) = await SendAsync(server, HttpMethod.Get, "api/v1/pipelineruns/no-such-run/watch");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact(Timeout = 90_000)]
    public async Task GetWatch_RunningPipeline_PrintsARowPerChangeUntilItEnds()
    {
        var server = await ServerAsync();
        var gate = Path.Combine(_dir.FullName, "cli-gate");
        var name = await CreateRunAsync(server, GatedPipeline(Unique("cli"), gate));
        await WaitForAsync(server, name, r => r["status"]?["taskRuns"]?.AsObject().Count > 0);

        // The gate opens once the command has printed the run running (a row per change it is pushed).
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watching = MshipProcess.RunAsync(["get", "pr", name, "-w", "--server", server.Url], server.WorkingDirectory, onStarted: p => p.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Running", StringComparison.Ordinal) == true)
            {
                running.TrySetResult();
            }
        }, cancellationToken: Ct);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        await File.WriteAllTextAsync(gate, "", Ct);
        var result = await watching;

        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains("Running", StringComparison.Ordinal));
        Assert.Matches($"^{name} +True +Succeeded ", lines[^1]);
        // One line per change: never the same line twice in a row.
        Assert.All(lines.Zip(lines.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));

        var json = await server.CliAsync("get", "pr", name, "-w", "-o", "json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        Assert.Equal("Succeeded", (string?)JsonNode.Parse(json.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1])!["reason"]);
        var refused = await server.CliAsync("get", "pr", "-w");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--watch needs", refused.Stderr, StringComparison.Ordinal);
    }
}
