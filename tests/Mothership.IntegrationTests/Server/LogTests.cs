using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Server;

/// <summary>Run logs through the API (plain text and server-sent events) and <c>mship logs -f</c>.</summary>
public abstract class LogTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres)
{
    [Fact(Timeout = 60000)]
    public async Task Logs_ChattyStepFinished_EveryLineOnceInOrder()
    {
        var server = await ServerAsync();
        var name = Unique("chatty");
        await ApplyAsync(server, TaskAndPipelineYaml(name, "seq 1 5000"));
        var run = await CreateRunAsync(server, PipelineRunYaml(name, name));
        Assert.Equal("Succeeded", Reason(await WaitForFinishAsync(server, run)));

        var (status, _, text) = await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{run}/logs");

        Assert.Equal(HttpStatusCode.OK, status);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(1, 5000).Select(i => $"[only/main] {i}"), lines);
        var filtered = await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{run}/logs?task=only&step=main");
        Assert.Equal(text, filtered.Text);
        Assert.Empty((await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{run}/logs?task=other")).Text);
    }

    [Fact(Timeout = 60000)]
    public async Task Logs_FollowWhileRunning_StreamsLinesThenEnd()
    {
        var server = await ServerAsync();
        var name = Unique("follow");
        // The step waits for a file the test writes once it saw the first line: proof lines stream while the run is running.
        var gate = new StepGate(server.WorkingDirectory, name);
        await ApplyAsync(server, TaskAndPipelineYaml(name, $"echo first; {gate.Wait}; echo second"));
        var run = await CreateRunAsync(server, PipelineRunYaml(name, name));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/pipelineruns/{run}/logs?follow=true");
        using var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct), Encoding.UTF8);
        var events = new List<(string Event, JsonNode Data)>();
        string? eventName = null;
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = JsonNode.Parse(line[6..])!;
                events.Add((eventName!, data));
                if (eventName == "log" && data["lines"]!.AsArray().Any(l => (string?)l == "first"))
                {
                    var now = await GetJsonAsync(server, $"api/v1/pipelineruns/{run}");
                    Assert.Equal("Unknown", (string)Condition(now)!["status"]!);
                    await gate.OpenAsync(Ct);
                }

                if (eventName == "end")
                {
                    break;
                }
            }
        }

        var logLines = events.Where(e => e.Event == "log").SelectMany(e => e.Data["lines"]!.AsArray().Select(l => (string)l!)).ToList();
        Assert.Equal(["first", "second"], logLines);
        Assert.All(events.Where(e => e.Event == "log"), e => Assert.Equal("only", (string?)e.Data["pipelineTask"]));
        var end = events[^1];
        Assert.Equal("end", end.Event);
        Assert.Equal("True", (string?)end.Data["status"]);
        Assert.Equal("Succeeded", (string?)end.Data["reason"]);
    }

    [Fact(Timeout = 60000)]
    public async Task Logs_FollowTaskJustStarted_ChunksNameTheirPipelineTask()
    {
        var server = await ServerAsync();
        var name = Unique("newtask");
        // "second" prints at once, then holds: its first lines reach the follower well before the
        // run object, written at most once a second, names its TaskRun.
        var gate = new StepGate(server.WorkingDirectory, name);
        await ApplyAsync(server, $"""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata:
              name: {name}
            spec:
              tasks:
                - name: first
                  taskSpec:
                    steps:
                      - name: main
                        image: busybox
                        script: echo one
                - name: second
                  runAfter: [first]
                  taskSpec:
                    steps:
                      - name: main
                        image: busybox
                        script: |
                          echo two
                          {gate.Wait}
                          echo three
            """);
        var run = await CreateRunAsync(server, PipelineRunYaml(name, name));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/pipelineruns/{run}/logs?follow=true");
        using var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct), Encoding.UTF8);
        var lines = new List<(string? Task, string Line)>();
        string? eventName = null;
        while (await reader.ReadLineAsync(Ct) is { } line && eventName != "end")
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "log")
            {
                var data = JsonNode.Parse(line[6..])!;
                foreach (var text in data["lines"]!.AsArray())
                {
                    lines.Add(((string?)data["pipelineTask"], (string)text!));
                    if ((string?)text == "two")
                    {
                        await gate.OpenAsync(Ct);
                    }
                }
            }
        }

        Assert.Equal([("first", "one"), ("second", "two"), ("second", "three")], lines);
        Assert.Equal("end", eventName);
        var (_, _, plain) = await SendAsync(server, HttpMethod.Get, $"api/v1/pipelineruns/{run}/logs");
        Assert.Equal("[first/main] one\n[second/main] two\n[second/main] three\n", plain);
    }

    [Fact(Timeout = 60000)]
    public async Task CliLogsFollow_RunOutcome_ExitCode0Or1()
    {
        var server = await ServerAsync();
        var good = Unique("clilog-ok");
        var bad = Unique("clilog-bad");
        await ApplyAsync(server, TaskAndPipelineYaml(good, "echo good-line"));
        await ApplyAsync(server, TaskAndPipelineYaml(bad, "echo bad-line; exit 1"));
        var goodRun = await CreateRunAsync(server, PipelineRunYaml(good, good));
        var badRun = await CreateRunAsync(server, PipelineRunYaml(bad, bad));

        var ok = await server.CliAsync("logs", goodRun, "-f");
        var failed = await server.CliAsync("logs", badRun, "-f");

        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Contains("[only/main] good-line", ok.Stdout, StringComparison.Ordinal);
        Assert.True(failed.ExitCode == 1, failed.Stdout + failed.Stderr);
        Assert.Contains("[only/main] bad-line", failed.Stdout, StringComparison.Ordinal);
        Assert.Contains("Failed", failed.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90000)]
    public async Task StandaloneTaskRun_LogsRunAndLogsFollow_OnePrefix()
    {
        // Issue 20, 11: `mship run` printed [run/step], `mship logs` [step], for the same TaskRun.
        var server = await ServerAsync();
        var name = Unique("lone");
        var yaml = $"apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {{name: {name}}}\nspec:\n  taskSpec:\n    steps:\n      - {{name: say, image: bash, script: echo hello}}\n";
        var file = Path.Combine(server.WorkingDirectory, name + ".yaml");
        await File.WriteAllTextAsync(file, yaml, Ct);
        await CreateRunAsync(server, yaml, "taskruns");
        await WaitForFinishAsync(server, name, "taskruns");

        var local = await MshipProcess.RunAsync(["run", "-f", file, "--workdir", Path.Combine(server.WorkingDirectory, name)], server.WorkingDirectory, TimeSpan.FromSeconds(60), cancellationToken: Ct);
        var logs = await server.CliAsync("logs", name);
        var follow = await server.CliAsync("logs", name, "-f");
        var text = (await SendAsync(server, HttpMethod.Get, $"api/v1/taskruns/{name}/logs")).Text;

        var expected = $"[{name}/say] hello";
        Assert.Contains(expected + "\n", local.Stdout, StringComparison.Ordinal);
        Assert.Equal(expected + "\n", logs.Stdout);
        Assert.Equal(expected + "\n", follow.Stdout);
        Assert.Equal(expected + "\n", text);
    }
}

public sealed class LogSqliteTests(SharedServer shared, PostgresFixture postgres) : LogTests(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;
}

public sealed class LogPostgresTests(SharedServer shared, PostgresFixture postgres) : LogTests(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Postgres;
}
