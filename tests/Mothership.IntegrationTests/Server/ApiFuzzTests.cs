using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace Mothership.IntegrationTests.Server;

/// <summary>
/// Generated requests against a real server: paths naming anything, queries with any value,
/// bodies of any shape and type, foreign origins. Whatever comes in, the answer is never a 5xx,
/// and every error is a problem document. Seeded (<see cref="PropertyRun"/>): a few hundred requests in a
/// normal run, more with <c>MSHIP_FUZZ_ITERATIONS</c>. Label selectors are left out: their
/// parser is tested on its own. Runs the bodies make stay harmless: their one script is <c>true</c>.
/// </summary>
public sealed class ApiFuzzTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;

    /// <summary>A generated request, printed as a replayable line when the property fails.</summary>
    public sealed record FuzzRequest(string Method, string Path, string? Body, string? ContentType, string? Origin)
    {
        public override string ToString() => $"{Method} {Path} [{ContentType ?? "no type"}] origin={Origin ?? "none"} body={Body?.Length ?? 0} chars: {Body?[..Math.Min(Body.Length, 300)]}";
    }

    /// <summary>Text biased to what trips parsers and headers: separators, quotes, escapes, line breaks, non-ASCII.</summary>
    private static readonly Gen<string> Garbage = Gen.Frequency(
        (5, Gen.String[Gen.Char["ab-._/%:;,=\"'\\{}[]()<> \r\n\t\u001b\u0000üÿ\u202e0123456789-+eE"], 0, 24]),
        (1, Gen.String[Gen.Char['a', 'z'], 250, 320]),
        (1, Gen.String));

    /// <summary>Names for paths. Not NUL: Kestrel refuses a path with one itself (an empty 400, before any of the server's code).</summary>
    private static readonly Gen<string> Names = Gen.Frequency(
        (3, Gen.OneOf("a", "nope", "fuzz-run", "fuzz-task", "demo.pipeline", "..", ".", "UPPER", "ünï", "a_b", "")),
        (3, Garbage.Select(g => g.Replace("\0", "", StringComparison.Ordinal))));

    private static readonly Gen<string> Paths = Gen.Frequency(
        (6, Gen.Select(Gen.OneOf("pipelineruns", "taskruns"), Names,
            Gen.OneOf("", "/cancel", "/start", "/rerun", "/events", "/graph", "/logs", "/logs/search", "/nope"))
            .Select((kinds, name, suffix) => $"api/v1/{kinds}/{Uri.EscapeDataString(name)}{suffix}")),
        (2, Gen.Select(Gen.OneOf("tasks", "pipelines", "stepactions"), Names).Select((kinds, name) => $"api/v1/{kinds}/{Uri.EscapeDataString(name)}")),
        (3, Gen.OneOf("api/v1/pipelineruns", "api/v1/taskruns", "api/v1/tasks", "api/v1/apply", "api/v1/prune", "api/v1/audit", "api/v1", "api/v2/x", "ui/x", "assets/nope.js")),
        (1, Names.Select(g => "api/v1/" + Uri.EscapeDataString(g))));

    private static readonly Gen<string> QueryValues = Gen.Frequency(
        (2, Gen.OneOf("true", "false", "0", "1", "-1", "500", "501", "99999999999999999999", "24h", "2026-01-01T00:00:00Z", "json", "text", "Running", "Running,Queued", "a", "step-a")),
        (1, Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (3, Garbage));

    private static readonly Gen<string> Queries = Gen.Select(
            Gen.OneOf("pipeline", "status", "phase", "since", "until", "limit", "cursor", "follow", "format", "download", "task", "taskRun", "step",
                "container", "afterId", "maxLines", "q", "regex", "dryRun", "x"), QueryValues)
        .Select((key, value) => $"{key}={Uri.EscapeDataString(value)}")
        .Array[0, 4]
        .Select(pairs => pairs.Length == 0 ? "" : "?" + string.Join('&', pairs));

    /// <summary>A valid pending TaskRun (script <c>true</c>) with one field replaced by generated text, or not.</summary>
    private static readonly Gen<string> RunBodies = Gen.Select(
            Gen.OneOf("fuzz-run", "Fuzz", "a/b", "x"), Gen.OneOf("TaskRun", "PipelineRun", "Task", "Nope"),
            Gen.OneOf("TaskRunPending", "PipelineRunPending", "Garbage"), Gen.OneOf("s", "S!", ""), Garbage)
        .Select((name, kind, status, step, garbage) => $$"""
            apiVersion: tekton.dev/v1
            kind: {{kind}}
            metadata:
              name: {{name}}
              labels: {app: "{{garbage.Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal)}}"}
            spec:
              status: {{status}}
              taskSpec:
                params: [{name: "{{garbage.Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal)}}"}]
                steps:
                  - name: {{step}}
                    image: busybox
                    script: "true"
            """);

    private static readonly Gen<string> JsonBodies = Gen.Frequency(
        (3, Gen.OneOf("""{"status":"Cancelled"}""", """{"status":5}""", "[1,2]", "\"Cancelled\"", "null", "{}", """{"keepLast":-1}""", """{"pipelines":{"x":null}}""",
            """{"keepLast":1,"keepLast":2}""", """{"maxAge":"720h","pipelines":{"p":{"keepLast":"x"}}}""", "{", """{"a":""" + new string('[', 100) + "}")),
        (2, Garbage.Select(g => $$"""{"status":"{{g.Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal)}}","keepLast":{{g.Length}}}""")));

    private static readonly Gen<FuzzRequest> Requests = Gen.Select(
            Gen.Frequency((5, Gen.Const("GET")), (4, Gen.Const("POST")), (2, Gen.Const("DELETE")), (1, Gen.OneOf("PUT", "PATCH", "HEAD", "OPTIONS"))),
            Paths, Queries,
            Gen.Frequency((2, Gen.Const(() => (string?)null)), (3, RunBodies.Select(b => (string?)b)), (3, JsonBodies.Select(b => (string?)b)), (1, Garbage.Select(b => (string?)b))),
            Gen.Frequency((4, Gen.OneOf<string?>("application/json", "application/yaml")), (1, Gen.OneOf<string?>("text/plain", "application/x-www-form-urlencoded", null, "application/json; charset=latin1", "a/b/c"))),
            Gen.Frequency((6, Gen.Const(() => (string?)null)), (1, Gen.OneOf<string?>("http://evil.example", "null", "http://127.0.0.1"))))
        .Select((method, path, query, body, type, origin) => new FuzzRequest(method, path + query, body, type, origin));

    [Fact(Timeout = 600000)]
    public async Task Api_GeneratedRequests_NeverServerErrorAndEveryErrorAProblem()
    {
        var server = await ServerAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Url + "/"), Timeout = TimeSpan.FromSeconds(30) };

        await PropertyRun.CheckAsync(Requests, async request =>
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
            if (request.Method is "POST" or "PUT" or "PATCH" or "DELETE")
            {
                message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body ?? ""));
            }

            if (message.Content is not null && request.ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
            }

            if (request.Origin is not null)
            {
                message.Headers.TryAddWithoutValidation("Origin", request.Origin);
            }

            // Headers first: a log stream of a run that never ends (follow=true on a pending run)
            // is a 200 whose body is not read.
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, Ct);
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{status} for {request}\nserver:\n{Tail(server.Output)}");
            if (status >= 400 && request.Method != "HEAD")
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{status} without a problem document for {request}");
                var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
                Assert.Equal(status, (int?)problem["status"]);
                Assert.False(string.IsNullOrEmpty((string?)problem["detail"]), $"{status} without a detail for {request}");
            }
        }, normalIterations: 300, seed: 31, print: r => r.ToString());

        // The server is still up and answering.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("readyz", Ct)).StatusCode);
    }

    private static string Tail(string output) => output.Length > 4000 ? output[^4000..] : output;
}
