using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Server;

/// <summary>Which database a server test class runs against.</summary>
public enum StoreBackend
{
    Sqlite,
    Postgres,
}

/// <summary>
/// One <c>mship server</c> shared by the tests of a class (an <see cref="IClassFixture{T}"/>),
/// started by the first test that asks for it, on the database that test's class names.
/// </summary>
public sealed class SharedServer : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-server-");
    private ServerProcess? _server;

    public async Task<ServerProcess> GetAsync(Func<CancellationToken, Task<string?>> database, IEnumerable<string> extraArgs, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _server ??= await ServerProcess.StartAsync(_dir.FullName, await database(cancellationToken), extraArgs, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _gate.Dispose();
        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A step the killed server left running may still hold a file; the OS cleans temp.
        }
    }
}

/// <summary>Helpers for tests against a real server: requests, run creation, polling with a deadline.</summary>
public abstract class ServerTestBase(SharedServer shared, PostgresFixture postgres)
{
    protected abstract StoreBackend Backend { get; }

    /// <summary>Flags for the class's server beyond database, URL and workdir.</summary>
    protected virtual IEnumerable<string> ExtraArgs => [];

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected PostgresFixture Postgres => postgres;

    /// <summary>The class's server (skips, or fails on CI, the PostgreSQL variant when PostgreSQL is missing).</summary>
    protected Task<ServerProcess> ServerAsync() => shared.GetAsync(DatabaseAsync, ExtraArgs, Ct);

    protected async Task<string?> DatabaseAsync(CancellationToken cancellationToken) => Backend == StoreBackend.Postgres
        ? await (await postgres.ServerAsync(cancellationToken)).CreateDatabaseAsync("server", cancellationToken)
        : null;

    /// <summary>A name unique to this test run, so tests sharing a server do not see each other's runs.</summary>
    protected static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    protected static async Task<(HttpStatusCode Status, JsonNode? Body, string Text)> SendAsync(ServerProcess server, HttpMethod method, string path,
        string? body = null, string contentType = "application/yaml", string? actor = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }
        else if (method == HttpMethod.Post)
        {
            // As the CLI and the dashboard do: the server refuses changes that do not say they are JSON or YAML.
            request.Content = new StringContent("", Encoding.UTF8, "application/json");
        }

        if (actor is not null)
        {
            request.Headers.Add("X-Mothership-Actor", actor);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await server.Http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        JsonNode? json = null;
        if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true && text.Length > 0)
        {
            json = JsonNode.Parse(text);
        }

        return (response.StatusCode, json, text);
    }

    protected static Task<(HttpStatusCode Status, JsonNode? Body, string Text)> PostAsync(ServerProcess server, string path, string? body,
        string contentType = "application/yaml", string? actor = null) =>
        SendAsync(server, HttpMethod.Post, path, body, contentType, actor);

    protected static async Task<JsonNode> GetJsonAsync(ServerProcess server, string path)
    {
        var (status, body, text) = await SendAsync(server, HttpMethod.Get, path);
        Assert.True(status == HttpStatusCode.OK, $"GET {path}: {(int)status} {text}");
        return body!;
    }

    protected static async Task ApplyAsync(ServerProcess server, string yaml)
    {
        var (status, _, text) = await PostAsync(server, "api/v1/apply", yaml);
        Assert.True(status == HttpStatusCode.OK, $"apply: {(int)status} {text}");
    }

    /// <summary>Creates a run and returns its name.</summary>
    protected static async Task<string> CreateRunAsync(ServerProcess server, string body, string kinds = "pipelineruns", string contentType = "application/yaml")
    {
        var (status, json, text) = await PostAsync(server, $"api/v1/{kinds}", body, contentType);
        Assert.True(status == HttpStatusCode.Created, $"create: {(int)status} {text}");
        return (string)json!["metadata"]!["name"]!;
    }

    protected static JsonNode? Condition(JsonNode run) => run["status"]?["conditions"]?[0];

    /// <summary>
    /// How many times the server's store has finished <paramref name="operation"/>, from its
    /// <c>/metrics</c>: an event count to wait on (the controller's looks for work are <c>claim_runs</c>).
    /// </summary>
    protected static async Task<long> StoreOperationsAsync(ServerProcess server, string operation)
    {
        var prefix = $"mothership_store_operation_duration_seconds_count{{operation=\"{operation}\"}} ";
        var line = (await server.Http.GetStringAsync("metrics", Ct)).Split('\n').SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line is null ? 0 : (long)double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Polls the run until <paramref name="done"/> holds or the deadline passes.</summary>
    protected static async Task<JsonNode> WaitForAsync(ServerProcess server, string name, Func<JsonNode, bool> done, string kinds = "pipelineruns",
        int seconds = 30)
    {
        var clock = Stopwatch.StartNew();
        JsonNode run;
        while (true)
        {
            run = await GetJsonAsync(server, $"api/v1/{kinds}/{name}");
            if (done(run))
            {
                return run;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                Assert.Fail($"{kinds}/{name} did not reach the expected state in {seconds} s; last:\n{run.ToJsonString()}\nserver:\n{server.Output}");
            }

            await Task.Delay(100, Ct);
        }
    }

    /// <summary>Polls until the run's Succeeded condition is True or False.</summary>
    protected static Task<JsonNode> WaitForFinishAsync(ServerProcess server, string name, string kinds = "pipelineruns", int seconds = 30) =>
        WaitForAsync(server, name, r => (string?)Condition(r)?["status"] is "True" or "False", kinds, seconds);

    protected static string Reason(JsonNode run) => (string?)Condition(run)?["reason"] ?? "";

    /// <summary>A PipelineRun of <paramref name="pipeline"/> with optional labels (YAML).</summary>
    protected static string PipelineRunYaml(string name, string pipeline, string? labels = null, string extraSpec = "") => $"""
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata:
          name: {name}
        {(labels is null ? "" : "  labels:\n    " + labels)}
        spec:
          pipelineRef:
            name: {pipeline}
        {extraSpec}
        """;

    /// <summary>A Task with one script step and a Pipeline of that one task.</summary>
    protected static string TaskAndPipelineYaml(string name, string script) => $"""
        apiVersion: tekton.dev/v1
        kind: Task
        metadata:
          name: {name}
        spec:
          steps:
            - name: main
              image: busybox
              script: |
                {script}
        ---
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata:
          name: {name}
        spec:
          tasks:
            - name: only
              taskRef:
                name: {name}
        """;
}
