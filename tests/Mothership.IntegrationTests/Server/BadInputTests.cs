using System.Net;
using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Server;

/// <summary>
/// What the server refuses, and how: diagnostics for invalid resources, 400 for bad queries, 413,
/// 404, bearer tokens, and settings that stop it from starting. The store plays no part: SQLite only.
/// </summary>
public sealed class BadInputTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;

    protected override IEnumerable<string> ExtraArgs => ["--token", Token];

    private const string Token = "s3cret-test-token";

    private static async Task<(HttpStatusCode Status, JsonNode? Body, string Text)> AuthorizedPostAsync(ServerProcess server, string path, string? body,
        string contentType = "application/yaml") =>
        await SendAsync(server, HttpMethod.Post, path, body, contentType, token: Token);

    private static JsonObject SingleDiagnostic(JsonNode? problem)
    {
        Assert.NotNull(problem);
        var diagnostics = problem["diagnostics"]!.AsArray();
        Assert.NotEmpty(diagnostics);
        return diagnostics[0]!.AsObject();
    }

    [Fact(Timeout = 60000)]
    public async Task Apply_MalformedYaml_422WithLineAndColumn()
    {
        var server = await ServerAsync();
        const string yaml = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: broken\nspec:\n  steps:\n    - name: a\n     image: x\n";

        var (status, body, text) = await AuthorizedPostAsync(server, "api/v1/apply", yaml);

        Assert.True(status == HttpStatusCode.UnprocessableEntity, text);
        var d = SingleDiagnostic(body);
        Assert.Equal("body", (string?)d["file"]);
        Assert.Equal("error", (string?)d["severity"]);
        Assert.InRange((int)d["line"]!, 7, 8);
        Assert.True((int)d["column"]! >= 1, text);
        Assert.False(string.IsNullOrEmpty((string?)d["message"]));
        Assert.StartsWith("body:", (string?)d["text"], StringComparison.Ordinal);
    }

    [Theory(Timeout = 60000)]
    [InlineData("application/yaml")]
    [InlineData("application/json")]
    public async Task CreatePipelineRun_SeveralUnknownFields_EveryDiagnosticAsMshipValidatePrintsIt(string contentType)
    {
        // Issue 20, 5: the 422 lists every problem, each item's text the very line `mship validate` prints.
        var server = await ServerAsync();
        var yaml = $$"""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: {{Unique("fields")}}
            spec:
              foo: 1
              bar: 2
              pipelineSpec:
                tasks:
                  - name: a
                    baz: 3
                    taskSpec:
                      steps: [{name: s, image: x, script: "true"}]
            """;
        var body = contentType == "application/json"
            ? System.Text.Json.JsonSerializer.Serialize(new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(yaml))
            : yaml;
        var dir = Directory.CreateTempSubdirectory("mship-422-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "body"), body, Ct);
            var validate = await MshipProcess.RunAsync(["validate", "-f", "body"], dir, TimeSpan.FromSeconds(60), cancellationToken: Ct);

            var (status, problem, text) = await AuthorizedPostAsync(server, "api/v1/pipelineruns", body, contentType);

            Assert.True(status == HttpStatusCode.UnprocessableEntity, text);
            Assert.Equal(2, validate.ExitCode);
            var printed = validate.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(3, printed.Length);
            Assert.Equal(printed, problem!["diagnostics"]!.AsArray().Select(d => (string)d!["text"]!));
            Assert.All(problem["diagnostics"]!.AsArray(), d => Assert.Equal(
                $"{d!["file"]}:{d["line"]}:{d["column"]}: {d["severity"]}: {d["message"]}", (string)d["text"]!));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact(Timeout = 60000)]
    public async Task CreatePipelineRun_UnknownPipelineOrTaskRef_422()
    {
        var server = await ServerAsync();
        var name = Unique("noref");

        var missingPipeline = await AuthorizedPostAsync(server, "api/v1/pipelineruns", PipelineRunYaml(name, "no-such-pipeline"));
        var missingTask = await AuthorizedPostAsync(server, "api/v1/apply", $"""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata:
              name: {name}
            spec:
              tasks:
                - name: t
                  taskRef:
                    name: no-such-task
            """);

        Assert.True(missingPipeline.Status == HttpStatusCode.UnprocessableEntity, missingPipeline.Text);
        Assert.Contains("no-such-pipeline", missingPipeline.Text, StringComparison.Ordinal);
        Assert.True(missingTask.Status == HttpStatusCode.UnprocessableEntity, missingTask.Text);
        var d = SingleDiagnostic(missingTask.Body);
        Assert.Contains("no-such-task", (string?)d["message"], StringComparison.Ordinal);
        Assert.Equal(9, (int)d["line"]!);
    }

    [Fact(Timeout = 60000)]
    public async Task CreatePipelineRun_RequiredWorkspaceUnbound_422NamingIt()
    {
        var server = await ServerAsync();
        var name = Unique("ws");
        var (status, _, text) = await AuthorizedPostAsync(server, "api/v1/apply", $"""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata:
              name: {name}
            spec:
              workspaces:
                - name: source
              tasks:
                - name: t
                  workspaces:
                    - name: source
                      workspace: source
                  taskSpec:
                    workspaces:
                      - name: source
                    steps:
                      - name: s
                        image: busybox
                        script: ls $(workspaces.source.path)
            """);
        Assert.True(status == HttpStatusCode.OK, text);

        var created = await AuthorizedPostAsync(server, "api/v1/pipelineruns", PipelineRunYaml(name, name));

        Assert.True(created.Status == HttpStatusCode.UnprocessableEntity, created.Text);
        Assert.Contains("source", (string?)SingleDiagnostic(created.Body)["message"], StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task Endpoints_UnknownRun_404Problem()
    {
        var server = await ServerAsync();

        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, "api/v1/pipelineruns/nope"), (HttpMethod.Get, "api/v1/taskruns/nope"), (HttpMethod.Get, "api/v1/pipelineruns/nope/logs"),
            (HttpMethod.Get, "api/v1/pipelineruns/nope/events"), (HttpMethod.Post, "api/v1/pipelineruns/nope/cancel"), (HttpMethod.Post, "api/v1/pipelineruns/nope/rerun"),
            (HttpMethod.Post, "api/v1/pipelineruns/nope/start"), (HttpMethod.Delete, "api/v1/pipelineruns/nope"), (HttpMethod.Get, "api/v1/tasks/nope"),
            // No route at all (issue 20, 6: an empty body): routing's own 404 is a problem document too.
            (HttpMethod.Get, "api/v1/nosuch"), (HttpMethod.Get, "nosuch"),
        })
        {
            var (status, body, text) = await SendAsync(server, method, path, token: Token);
            Assert.True(status == HttpStatusCode.NotFound, $"{method} {path}: {(int)status} {text}");
            Assert.Equal(404, (int?)body?["status"]);
        }
    }

    [Theory(Timeout = 60000)]
    [MemberData(nameof(HostileNames))]
    public async Task ApplyAndCreate_HostileYaml_422AtTheLimitAndTheServerStaysUp(string name)
    {
        var server = await ServerAsync();
        var (yaml, line, column, message) = HostileYaml.Get(name);

        // A limit the YAML reader enforces answers on both; a pipeline's limits only where that kind is taken
        // (the other says it holds none of what it takes, and stores nothing).
        var kind = HostileYaml.RefusedAs(name);
        foreach (var (path, takes, otherwise) in new[] { ("api/v1/apply", "Pipeline", "the body holds no Task, Pipeline or StepAction"), ("api/v1/pipelineruns", "PipelineRun", "the body holds no PipelineRun") })
        {
            var (status, body, text) = await AuthorizedPostAsync(server, path, yaml);

            Assert.True(status == HttpStatusCode.UnprocessableEntity, $"{path}: {(int)status} {text[..Math.Min(2000, text.Length)]}");
            var d = SingleDiagnostic(body);
            var limitApplies = kind is null || kind == takes;
            Assert.Equal(limitApplies ? (line, column) : (1, 1), ((int)d["line"]!, (int)d["column"]!));
            Assert.Contains(limitApplies ? message : otherwise, (string?)d["message"], StringComparison.Ordinal);
        }

        var health = await SendAsync(server, HttpMethod.Get, "healthz");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        var list = await SendAsync(server, HttpMethod.Get, "api/v1/pipelineruns?limit=1");
        Assert.Equal(HttpStatusCode.OK, list.Status);
    }

    public static TheoryData<string> HostileNames => HostileYaml.Names;

    [Theory(Timeout = 60000)]
    [InlineData("labelSelector=a%20in%20()")]
    [InlineData("labelSelector=a%20notin%20()")]
    [InlineData("labelSelector=a%3E1")]
    [InlineData("labelSelector=a%2C%2Cb")]
    [InlineData("labelSelector=a%3D%24x")]
    public async Task ListPipelineRuns_BadSelector_400SayingWhatIsWrongWithoutInternals(string query)
    {
        var server = await ServerAsync();

        var (status, body, text) = await SendAsync(server, HttpMethod.Get, "api/v1/pipelineruns?" + query);

        Assert.True(status == HttpStatusCode.BadRequest, $"{query}: {(int)status} {text}");
        var detail = (string?)body?["detail"] ?? "";
        Assert.StartsWith("labelSelector: ", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("label requirement", detail, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60000)]
    [InlineData("labelSelector=a%20in%20(")]
    [InlineData("labelSelector=%3D%3Dx")]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    [InlineData("limit=ten")]
    [InlineData("cursor=not-a-cursor")]
    [InlineData("since=yesterday")]
    [InlineData("phase=Sleeping")]
    [InlineData("phase=Running,Queued")]
    [InlineData("phase=1")]
    [InlineData("status=bogus")]
    [InlineData("status=Succeeded,Sucess")]
    public async Task ListPipelineRuns_BadQuery_400Problem(string query)
    {
        var server = await ServerAsync();

        var (status, body, text) = await SendAsync(server, HttpMethod.Get, "api/v1/pipelineruns?" + query);

        Assert.True(status == HttpStatusCode.BadRequest, $"{query}: {(int)status} {text}");
        Assert.Equal(400, (int?)body?["status"]);
    }

    [Fact(Timeout = 60000)]
    public async Task Apply_BodyOverLimit_413()
    {
        var server = await ServerAsync();
        var huge = "# " + new string('x', 5 * 1024 * 1024) + "\n";

        // Expect: 100-continue, as curl sends for large bodies: the server answers before the body
        // is sent, instead of closing the connection under a client still writing it.
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/apply") { Content = new StringContent(huge, System.Text.Encoding.UTF8, "application/yaml") };
        request.Headers.ExpectContinue = true;
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        using var response = await server.Http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode} {text[..Math.Min(500, text.Length)]}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(413, (int?)JsonNode.Parse(text)?["status"]);
        // An answer the server means to give is one warning line, not an unhandled exception's stack (issue 20, 11).
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
        while (!server.Output.Contains("POST /api/v1/apply answered 413", StringComparison.Ordinal) && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.Contains("POST /api/v1/apply answered 413", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("unhandled", server.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task Token_MissingOrWrong_401ButGetsStayOpen()
    {
        var server = await ServerAsync();
        var name = Unique("token");
        var yaml = TaskAndPipelineYaml(name, "true");

        var without = await SendAsync(server, HttpMethod.Post, "api/v1/apply", yaml);
        var wrong = await SendAsync(server, HttpMethod.Post, "api/v1/apply", yaml, token: "wrong");
        var deleteWithout = await SendAsync(server, HttpMethod.Delete, $"api/v1/tasks/{name}");
        var right = await SendAsync(server, HttpMethod.Post, "api/v1/apply", yaml, token: Token);
        var get = await SendAsync(server, HttpMethod.Get, $"api/v1/tasks/{name}");

        Assert.Equal(HttpStatusCode.Unauthorized, without.Status);
        Assert.Equal(401, (int?)without.Body?["status"]);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, deleteWithout.Status);
        Assert.True(right.Status == HttpStatusCode.OK, right.Text);
        Assert.Equal(HttpStatusCode.OK, get.Status);
        var cliWithout = await server.CliAsync("delete", "task", name);
        Assert.NotEqual(0, cliWithout.ExitCode);
        Assert.Contains("token", cliWithout.Stderr, StringComparison.OrdinalIgnoreCase);
        var cliWith = await server.CliAsync("delete", "task", name, "--token", Token);
        Assert.True(cliWith.ExitCode == 0, cliWith.Stderr);
    }

    [Fact(Timeout = 60000)]
    public async Task Server_NonLoopbackUrlWithoutToken_Exit2NamingToken()
    {
        using var dir = new TempDirectory();

        var result = await MshipProcess.RunAsync(["server", "--db", $"sqlite:{dir.Path}/m.db", "--urls", "http://0.0.0.0:0"], dir.Path,
            TimeSpan.FromSeconds(30), cancellationToken: Ct);

        Assert.True(result.ExitCode == 2, result.Stdout + result.Stderr);
        Assert.Contains("Token", result.Stderr, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60000)]
    [InlineData("mysql://root@localhost/db")]
    [InlineData("Host=127.0.0.1;Port=notaport")]
    public async Task Server_InvalidDatabase_Exit2ClearMessage(string database)
    {
        using var dir = new TempDirectory();

        var result = await MshipProcess.RunAsync(["server", "--db", database, "--urls", "http://127.0.0.1:0"], dir.Path, TimeSpan.FromSeconds(30), cancellationToken: Ct);

        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}\n{result.Stdout}{result.Stderr}");
        Assert.Contains("mship server:", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Asserts a 400 problem document: the status, its type, a detail, never an empty body.</summary>
    private static void BadRequestProblem((HttpStatusCode Status, JsonNode? Body, string Text) response, string what)
    {
        Assert.True(response.Status == HttpStatusCode.BadRequest, $"{what}: {(int)response.Status} {response.Text}");
        Assert.Equal(400, (int?)response.Body?["status"]);
        Assert.False(string.IsNullOrEmpty((string?)response.Body?["detail"]), $"{what}: {response.Text}");
    }

    /// <summary>A PipelineRun created pending (it never runs), so the endpoints that need a run reach the input they check.</summary>
    private static async Task<string> PendingRunAsync(ServerProcess server)
    {
        var name = Unique("pending");
        var created = await AuthorizedPostAsync(server, "api/v1/pipelineruns", $"""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata:
              name: {name}
            spec:
              status: PipelineRunPending
              pipelineSpec:
                tasks:
                  - name: t
                    taskSpec:
                      steps:
                        - name: s
                          image: busybox
                          script: "true"
            """);
        Assert.True(created.Status == HttpStatusCode.Created, created.Text);
        return name;
    }

    [Theory(Timeout = 60000)]
    [InlineData("""{"status":5}""")]
    [InlineData("[1,2]")]
    [InlineData("\"Cancelled\"")]
    [InlineData("""{"status":"Cancelled","status":"Cancelled"}""")]
    [InlineData("""{"status":"Canceled"}""")]
    [InlineData("{")]
    public async Task Cancel_BodyOfAnotherShape_400Problem(string body)
    {
        var server = await ServerAsync();
        var name = await PendingRunAsync(server);

        var response = await AuthorizedPostAsync(server, $"api/v1/pipelineruns/{name}/cancel", body, "application/json");

        BadRequestProblem(response, body);
    }

    [Theory(Timeout = 60000)]
    [InlineData("""{"pipelines":{"x":null}}""")]
    [InlineData("""{"pipelines":[1]}""")]
    [InlineData("""{"keepLast":"five"}""")]
    [InlineData("""{"keepLast":1,"keepLast":2}""")]
    [InlineData("""{"maxAge":{}}""")]
    [InlineData("null")]
    public async Task Prune_BodyOfAnotherShape_400Problem(string body)
    {
        var server = await ServerAsync();

        var response = await AuthorizedPostAsync(server, "api/v1/prune?dryRun=true", body, "application/json");

        BadRequestProblem(response, body);
    }

    [Theory(Timeout = 60000)]
    [InlineData("api/v1/audit?limit=abc")]
    [InlineData("api/v1/audit?limit=0")]
    [InlineData("api/v1/pipelineruns/nope/logs?follow=yes")]
    [InlineData("api/v1/pipelineruns/nope/logs?download=1")]
    [InlineData("api/v1/pipelineruns/nope/logs?format=xml")]
    [InlineData("api/v1/pipelineruns/nope/logs?format=json&afterId=-1")]
    [InlineData("api/v1/pipelineruns/nope/logs?format=json&limit=x")]
    [InlineData("api/v1/pipelineruns/nope/logs?format=json&maxLines=0")]
    [InlineData("api/v1/pipelineruns/nope/logs?task=Build")]
    [InlineData("api/v1/pipelineruns/nope/logs/search?q=x&regex=maybe")]
    [InlineData("api/v1/pipelineruns/nope/logs?download=true&step=a%0d%0aX-Evil:%201")]
    [InlineData("api/v1/pipelineruns/nope/logs?download=true&container=step-a%0d%0aX-Evil:%201")]
    public async Task Get_BadQuery_400ProblemNotEmptyOrServerError(string path)
    {
        var server = await ServerAsync();

        var response = await SendAsync(server, HttpMethod.Get, path);

        BadRequestProblem(response, path);
    }

    [Fact(Timeout = 60000)]
    public async Task Prune_DryRunNotABool_400Problem()
    {
        var server = await ServerAsync();

        BadRequestProblem(await AuthorizedPostAsync(server, "api/v1/prune?dryRun=maybe", null, "application/json"), "dryRun=maybe");
    }

    [Fact(Timeout = 60000)]
    public async Task Logs_Download_FileNameAsRfc6266()
    {
        var server = await ServerAsync();
        var name = await PendingRunAsync(server);

        using var response = await server.Http.GetAsync($"api/v1/pipelineruns/{name}/logs?download=true&task=t&step=s", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var disposition = response.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal($"{name}-t-step-s.log", disposition.FileName);
        Assert.Equal($"{name}-t-step-s.log", disposition.FileNameStar);
    }

    [Theory(Timeout = 60000)]
    [InlineData("\"\"")]
    [InlineData("../../etc")]
    [InlineData("a/b")]
    [InlineData("Upper")]
    [InlineData("\"line\\nbreak\"")]
    [InlineData("\"esc\\e[31mred\"")]
    [InlineData("ünï")]
    public async Task CreateRun_NameNoObjectCanHave_422AtTheName(string name)
    {
        var server = await ServerAsync();

        var (status, body, text) = await AuthorizedPostAsync(server, "api/v1/taskruns", $"""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: {name}
            spec:
              taskSpec:
                steps:
                  - name: s
                    image: busybox
                    script: "true"
            """);

        Assert.True(status == HttpStatusCode.UnprocessableEntity, text);
        var d = SingleDiagnostic(body);
        Assert.Equal((4, 3), ((int)d["line"]!, (int)d["column"]!));
        Assert.StartsWith("TaskRun name '", (string?)d["message"], StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', text);
    }

    [Fact(Timeout = 60000)]
    public async Task CreateRun_Name300Characters_422()
    {
        var server = await ServerAsync();

        var (status, body, text) = await AuthorizedPostAsync(server, "api/v1/pipelineruns", PipelineRunYaml(new string('a', 300), "p"));

        Assert.True(status == HttpStatusCode.UnprocessableEntity, text);
        Assert.Contains("(300 characters) is invalid", (string?)SingleDiagnostic(body)["message"], StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task Apply_BadStepAndPipelineTaskNames_422WithEachPosition()
    {
        var server = await ServerAsync();

        var (status, body, text) = await AuthorizedPostAsync(server, "api/v1/apply", """
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata:
              name: names
            spec:
              tasks:
                - name: Build_It
                  taskSpec:
                    steps:
                      - name: "step\u001b[2J"
                        image: busybox
            """);

        Assert.True(status == HttpStatusCode.UnprocessableEntity, text);
        var lines = body!["diagnostics"]!.AsArray().Select(d => (int)d!["line"]!).ToList();
        Assert.Equal([7, 10], lines);
        Assert.DoesNotContain('\u001b', text);
    }

    [Theory(Timeout = 60000)]
    [InlineData("a%2Fb")]
    [InlineData("UPPER")]
    [InlineData("a%0Ab")]
    [InlineData("a%1B%5B31m")]
    [InlineData("%C3%BCn%C3%AF")]
    [InlineData("a_b")]
    public async Task Endpoints_NameNoObjectCanHave_400Problem(string name)
    {
        var server = await ServerAsync();
        var long300 = new string('a', 300);

        foreach (var n in new[] { name, long300 })
        {
            foreach (var (method, path) in new[]
            {
                (HttpMethod.Get, $"api/v1/pipelineruns/{n}"), (HttpMethod.Get, $"api/v1/taskruns/{n}/logs?download=true"), (HttpMethod.Get, $"api/v1/pipelineruns/{n}/events"),
                (HttpMethod.Get, $"api/v1/pipelineruns/{n}/graph"), (HttpMethod.Get, $"api/v1/pipelineruns/{n}/logs/search?q=x"), (HttpMethod.Post, $"api/v1/pipelineruns/{n}/cancel"),
                (HttpMethod.Post, $"api/v1/taskruns/{n}/rerun"), (HttpMethod.Post, $"api/v1/taskruns/{n}/start"), (HttpMethod.Delete, $"api/v1/pipelineruns/{n}"),
                (HttpMethod.Get, $"api/v1/tasks/{n}"), (HttpMethod.Delete, $"api/v1/pipelines/{n}"),
            })
            {
                var response = await SendAsync(server, method, path, token: Token);
                BadRequestProblem(response, $"{method} {path}");
            }
        }
    }

    [Fact(Timeout = 60000)]
    public async Task Token_LowerCaseBearerScheme_Accepted()
    {
        var server = await ServerAsync();
        var name = Unique("bearer");

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/apply")
        {
            Content = new System.Net.Http.StringContent(TaskAndPipelineYaml(name, "true"), System.Text.Encoding.UTF8, "application/yaml"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", $"bearer {Token}");
        using var response = await server.Http.SendAsync(request, Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>A temp folder removed on dispose.</summary>
    private sealed class TempDirectory : IDisposable
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-bad-");

        public string Path => _dir.FullName;

        public void Dispose() => _dir.Delete(recursive: true);
    }
}
