using System.Net;
using System.Text;

namespace Mothership.IntegrationTests.Server;

/// <summary>
/// The default server (loopback, no token) against what a web page can make a browser send:
/// cross-site "simple" requests (text/plain, forms) and DNS rebinding (a foreign Host). Each is
/// refused with a problem document and nothing runs; the server's own pages and the CLI still work.
/// </summary>
public sealed class BrowserSafetyTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres), IClassFixture<SharedServer>
{
    protected override StoreBackend Backend => StoreBackend.Sqlite;

    /// <summary>A TaskRun whose step would leave <paramref name="marker"/> behind if it ever ran.</summary>
    private static string MarkerTaskRun(string name, string marker) => $"""
        apiVersion: tekton.dev/v1
        kind: TaskRun
        metadata:
          name: {name}
        spec:
          taskSpec:
            steps:
              - name: s
                image: busybox
                script: touch {marker}
        """;

    private static async Task<(HttpStatusCode Status, string? ContentType, string Text)> RawAsync(ServerProcess server, HttpMethod method, string path,
        string? body, string? contentType, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        foreach (var (key, value) in headers ?? new Dictionary<string, string>())
        {
            if (key == "Host")
            {
                request.Headers.Host = value;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(key, value);
            }
        }

        using var response = await server.Http.SendAsync(request, Ct);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>The run was never stored, so it cannot have run; and its step's marker is not there.</summary>
    private static async Task AssertNothingRanAsync(ServerProcess server, string name, string marker)
    {
        var (status, _, text) = await SendAsync(server, HttpMethod.Get, $"api/v1/taskruns/{name}");
        Assert.True(status == HttpStatusCode.NotFound, $"the refused TaskRun exists: {text}");
        var audit = await GetJsonAsync(server, "api/v1/audit?limit=1000");
        Assert.DoesNotContain(audit["items"]!.AsArray(), a => (string?)a!["name"] == name);
        Assert.False(File.Exists(marker), "the refused TaskRun's step ran");
    }

    [Fact(Timeout = 60000)]
    public async Task CrossSitePlainTextPost_403AndNothingRuns()
    {
        var server = await ServerAsync();
        var name = Unique("csrf");
        var marker = Path.Combine(server.WorkingDirectory, name);

        var (status, type, text) = await RawAsync(server, HttpMethod.Post, "api/v1/taskruns", MarkerTaskRun(name, marker), "text/plain",
            new Dictionary<string, string> { ["Origin"] = "http://evil.example", ["Sec-Fetch-Site"] = "cross-site" });

        Assert.True(status == HttpStatusCode.Forbidden, $"{(int)status} {text}");
        Assert.Equal("application/problem+json", type);
        await AssertNothingRanAsync(server, name, marker);
    }

    [Theory(Timeout = 60000)]
    [InlineData("text/plain")]
    [InlineData("text/plain;charset=UTF-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData(null)]
    public async Task PostOfASimpleRequestType_415AndNothingRuns(string? contentType)
    {
        var server = await ServerAsync();
        var name = Unique("simple");
        var marker = Path.Combine(server.WorkingDirectory, name);

        var (status, type, text) = await RawAsync(server, HttpMethod.Post, "api/v1/taskruns", MarkerTaskRun(name, marker), contentType);

        Assert.True(status == HttpStatusCode.UnsupportedMediaType, $"{(int)status} {text}");
        Assert.Equal("application/problem+json", type);
        await AssertNothingRanAsync(server, name, marker);
    }

    [Theory(Timeout = 60000)]
    [InlineData("null")]
    [InlineData("http://localhost.evil.example")]
    [InlineData("http://127.0.0.1:1")]
    public async Task YamlPostFromAnotherOrigin_403AndNothingRuns(string origin)
    {
        var server = await ServerAsync();
        var name = Unique("origin");
        var marker = Path.Combine(server.WorkingDirectory, name);

        var (status, _, text) = await RawAsync(server, HttpMethod.Post, "api/v1/taskruns", MarkerTaskRun(name, marker), "application/yaml",
            new Dictionary<string, string> { ["Origin"] = origin });

        Assert.True(status == HttpStatusCode.Forbidden, $"{(int)status} {text}");
        await AssertNothingRanAsync(server, name, marker);
    }

    [Fact(Timeout = 60000)]
    public async Task RebindingHost_400ForReadsAndChanges_NothingRuns()
    {
        var server = await ServerAsync();
        var name = Unique("rebind");
        var marker = Path.Combine(server.WorkingDirectory, name);
        var evil = new Dictionary<string, string> { ["Host"] = $"evil.example:{server.Port}", ["Origin"] = $"http://evil.example:{server.Port}" };

        var read = await RawAsync(server, HttpMethod.Get, "api/v1/pipelineruns", null, null, evil);
        var page = await RawAsync(server, HttpMethod.Get, "/", null, null, evil);
        var change = await RawAsync(server, HttpMethod.Post, "api/v1/taskruns", MarkerTaskRun(name, marker), "application/yaml", evil);

        Assert.True(read.Status == HttpStatusCode.BadRequest, $"{(int)read.Status} {read.Text}");
        Assert.Equal("application/problem+json", read.ContentType);
        Assert.Contains("AllowedHosts", read.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, page.Status);
        Assert.True(change.Status == HttpStatusCode.BadRequest, $"{(int)change.Status} {change.Text}");
        await AssertNothingRanAsync(server, name, marker);
    }

    [Fact(Timeout = 60000)]
    public async Task SameOriginYamlPost_Created()
    {
        var server = await ServerAsync();
        var name = Unique("same");
        var marker = Path.Combine(server.WorkingDirectory, name);

        var (status, _, text) = await RawAsync(server, HttpMethod.Post, "api/v1/taskruns",
            MarkerTaskRun(name, marker).Replace("spec:\n", "spec:\n  status: TaskRunPending\n", StringComparison.Ordinal), "application/yaml; charset=utf-8",
            new Dictionary<string, string> { ["Origin"] = server.Url, ["Sec-Fetch-Site"] = "same-origin", ["Host"] = $"localhost:{server.Port}" });

        Assert.True(status == HttpStatusCode.Forbidden, $"Origin {server.Url} with Host localhost is cross-origin: {(int)status} {text}");
        (status, _, text) = await RawAsync(server, HttpMethod.Post, "api/v1/taskruns",
            MarkerTaskRun(name, marker).Replace("spec:\n", "spec:\n  status: TaskRunPending\n", StringComparison.Ordinal), "application/yaml; charset=utf-8",
            new Dictionary<string, string> { ["Origin"] = server.Url, ["Sec-Fetch-Site"] = "same-origin" });
        Assert.True(status == HttpStatusCode.Created, $"{(int)status} {text}");
    }

    [Fact(Timeout = 60000)]
    public async Task BodylessPost_NeedsAJsonType()
    {
        var server = await ServerAsync();

        var without = await RawAsync(server, HttpMethod.Post, "api/v1/pipelineruns/nope/rerun", null, null);
        var json = await SendAsync(server, HttpMethod.Post, "api/v1/pipelineruns/nope/rerun");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, without.Status);
        Assert.Equal(HttpStatusCode.NotFound, json.Status);
    }

    [Fact(Timeout = 90000)]
    public async Task AllowedHosts_ListedNameServed_OthersStillRefused()
    {
        using var dir = new TempDirectory();
        await using var server = await ServerProcess.StartAsync(dir.Path, extraArgs: ["--allowed-hosts", "mothership.test;ci.test:1"], cancellationToken: Ct);
        var listed = new Dictionary<string, string> { ["Host"] = $"mothership.test:{server.Port}", ["Origin"] = $"http://mothership.test:{server.Port}" };

        var read = await RawAsync(server, HttpMethod.Get, "api/v1/pipelineruns", null, null, listed);
        var change = await RawAsync(server, HttpMethod.Post, "api/v1/prune?dryRun=true", "{}", "application/json", listed);
        var wrongPort = await RawAsync(server, HttpMethod.Get, "api/v1/pipelineruns", null, null, new Dictionary<string, string> { ["Host"] = $"ci.test:{server.Port}" });

        Assert.True(read.Status == HttpStatusCode.OK, read.Text);
        Assert.True(change.Status == HttpStatusCode.OK, change.Text);
        Assert.Equal(HttpStatusCode.BadRequest, wrongPort.Status);
    }

    [Fact(Timeout = 60000)]
    public async Task Server_NonLoopbackWithoutAllowedHosts_Exit2NamingIt()
    {
        using var dir = new TempDirectory();

        var result = await MshipProcess.RunAsync(["server", "--db", $"sqlite:{dir.Path}/m.db", "--urls", "http://0.0.0.0:0", "--token", "t"], dir.Path,
            TimeSpan.FromSeconds(30), cancellationToken: Ct);

        Assert.True(result.ExitCode == 2, result.Stdout + result.Stderr);
        Assert.Contains("AllowedHosts: required when the server listens on a non-loopback address", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A temp folder removed on dispose.</summary>
    private sealed class TempDirectory : IDisposable
    {
        private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-browser-");

        public string Path => _dir.FullName;

        public void Dispose()
        {
            try
            {
                _dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A server's files may still be closing; the OS cleans temp.
            }
        }
    }
}
