using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Cli;

/// <summary>
/// Flags the CLI refuses (exit 2, one line naming the flag, no stack trace), and what it prints
/// from a server: control characters in names and messages are shown as escapes, never sent to
/// the terminal.
/// </summary>
public sealed class CommandInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mship-input-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<MshipResult> Mship(params string[] args) => MshipProcess.RunAsync(args, _dir, TimeSpan.FromSeconds(60), cancellationToken: Ct);

    /// <summary>Exit 2 and a single line on stderr that names <paramref name="flag"/>.</summary>
    private static void OneLineNaming(MshipResult r, string flag)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.Stderr);
        Assert.Contains(flag, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", r.Stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string[]> KubernetesCommands => new()
    {
        { new[] { "run", "--executor", "kubernetes", "-f", "EXAMPLE" } },
        { new[] { "run", "--executor", "kubernetes", "--kubeconfig", "KUBECONFIG", "-f", "EXAMPLE" } },
        { new[] { "server", "--executor", "kubernetes", "--urls", "http://127.0.0.1:0", "--db", "sqlite:DIR/m.db" } },
        { new[] { "deploy", "--executor", "kubernetes", "--repo", "CLOUD", "--site", "dev-kr1", "--dry-run", "--charts", "CHARTS" } },
    };

    [Theory(Timeout = 60000)]
    [MemberData(nameof(KubernetesCommands))]
    public async Task Kubernetes_NoUsableKubeconfig_Exit2OnOneLineNotAnInternalError(string[] args)
    {
        // Issue 20, 3: a missing or unreadable kubeconfig was "internal error: KubeConfigException", exit 70.
        var broken = Path.Combine(_dir, "kubeconfig");
        await File.WriteAllTextAsync(broken, "clusters: [", Ct);
        var example = Path.Combine(Fixtures.RepositoryRoot(), "examples", "hello-pipeline.yaml");
        var charts = args.Contains("CHARTS") ? Fixtures.OpenStackHelm() : "";
        var r = await MshipProcess.RunAsync([.. args.Select(a => a.Replace("EXAMPLE", example, StringComparison.Ordinal)
                .Replace("KUBECONFIG", broken, StringComparison.Ordinal).Replace("DIR", _dir, StringComparison.Ordinal)
                .Replace("CLOUD", Path.Combine(Fixtures.RepositoryRoot(), "examples", "cloud"), StringComparison.Ordinal)
                .Replace("CHARTS", charts, StringComparison.Ordinal))],
            _dir, TimeSpan.FromSeconds(60), cancellationToken: Ct, environment: new Dictionary<string, string> { ["KUBECONFIG"] = Path.Combine(_dir, "missing") });

        OneLineNaming(r, "no Kubernetes credentials from " + (args.Contains("--kubeconfig") ? broken : Path.Combine(_dir, "missing")));
        Assert.DoesNotContain("listening", r.Stderr, StringComparison.Ordinal);
        // Before a deploy's plan too: nothing printed, then the error.
        Assert.Equal("", r.Stdout);
    }

    [Theory(Timeout = 60000)]
    [InlineData("notaurl")]
    [InlineData("http://")]
    [InlineData("ftp://127.0.0.1")]
    [InlineData("localhost:8080")]
    [InlineData("http://127.0.0.1:1/?x=1")]
    public async Task Client_ServerNotAnHttpUrl_Exit2NamingServer(string server)
    {
        OneLineNaming(await Mship("get", "pr", "--server", server), "--server");
    }

    [Fact(Timeout = 60000)]
    public async Task Client_ServerFromEnvironmentNotAUrl_Exit2NamingServer()
    {
        var r = await MshipProcess.RunAsync(["get", "pr"], _dir, TimeSpan.FromSeconds(60), cancellationToken: Ct,
            environment: new Dictionary<string, string> { ["MSHIP_SERVER"] = "notaurl" });

        OneLineNaming(r, "MSHIP_SERVER");
    }

    [Theory(Timeout = 60000)]
    [InlineData("0")]
    [InlineData("-1")]
    public async Task Run_ParallelBelowOne_Exit2NamingParallel(string parallel)
    {
        var r = await Mship("run", "--parallel", parallel, "-f", Path.Combine(Fixtures.RepositoryRoot(), "examples", "hello-pipeline.yaml"), "--workdir", Path.Combine(_dir, "w"));

        OneLineNaming(r, "--parallel");
        Assert.Empty(r.Stdout);
    }

    [Theory(Timeout = 60000)]
    [InlineData("0")]
    [InlineData("-1")]
    public async Task Deploy_ParallelBelowOne_Exit2NamingParallel(string parallel)
    {
        OneLineNaming(await Mship("deploy", "--site", "x", "--parallel", parallel), "--parallel");
    }

    [Theory(Timeout = 60000)]
    [InlineData("validate")]
    [InlineData("run")]
    public async Task ValidateAndRun_BadNames_Exit2WithFileLineColumnAndNothingRuns(string verb)
    {
        var marker = Path.Combine(_dir, "ran");
        var file = Path.Combine(_dir, "bad.yaml");
        await File.WriteAllTextAsync(file, $"""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata:
              name: "../../etc\e[31m"
            spec:
              taskSpec:
                steps:
                  - name: Step_One
                    image: busybox
                    script: touch {marker}
            """, Ct);

        var r = verb == "run" ? await Mship("run", "-f", file, "--workdir", Path.Combine(_dir, "w")) : await Mship("validate", "-f", file);

        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        Assert.Contains($"{file}:4:3: error: TaskRun name '../../etc\\x1b[31m' is invalid", r.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{file}:8:9: error: step name 'Step_One' is invalid", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', r.Stderr);
        Assert.False(File.Exists(marker));
    }

    [Fact(Timeout = 60000)]
    public async Task Run_ManyFilesWithoutRuns_ShortMessageNamingCountAndFirstFiles()
    {
        var files = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var f = Path.Combine(_dir, $"task-{i:D2}.yaml");
            await File.WriteAllTextAsync(f, $"apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {{name: t{i}}}\nspec:\n  steps:\n    - {{name: s, image: busybox, script: 'true'}}\n", Ct);
            files.Add(f);
        }

        var r = await Mship(["run", .. files.SelectMany(f => new[] { "-f", f }), "--workdir", Path.Combine(_dir, "w")]);

        OneLineNaming(r, "no PipelineRun or TaskRun");
        Assert.Contains("12 files", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("task-00.yaml", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("task-11.yaml", r.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task Server_PortInUse_Exit2OneLineNamingUrlsWithoutListening()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var r = await Mship("server", "--urls", $"http://127.0.0.1:{port}", "--db", $"sqlite:{Path.Combine(_dir, "m.db")}", "--workdir", Path.Combine(_dir, "runs"));

        OneLineNaming(r, "--urls");
        Assert.DoesNotContain("listening on", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60000)]
    public async Task GetDescribeLogs_ControlCharactersFromTheServer_PrintedAsEscapes()
    {
        const string evil = "evil\u001b]0;pwned\u0007\u001b[2J\r\u202etxt.exe";
        using var server = new FakeServer();
        var condition = new JsonObject { ["type"] = "Succeeded", ["status"] = "False", ["reason"] = evil, ["message"] = "failed:\n" + evil };
        server.Reply("/api/v1/pipelineruns/x", new JsonObject
        {
            ["apiVersion"] = "tekton.dev/v1",
            ["kind"] = "PipelineRun",
            ["metadata"] = new JsonObject { ["name"] = evil, ["uid"] = "u" },
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(condition),
                ["results"] = new JsonArray(new JsonObject { ["name"] = evil, ["value"] = evil }),
                ["taskRuns"] = new JsonObject { ["tr"] = new JsonObject { ["pipelineTaskName"] = evil, ["status"] = new JsonObject { ["conditions"] = new JsonArray(condition.DeepClone()) } } },
            },
        }.ToJsonString());
        server.Reply("/api/v1/pipelineruns/x/events",
            new JsonObject { ["items"] = new JsonArray(new JsonObject { ["time"] = "t", ["type"] = "Warning", ["reason"] = "Failed", ["message"] = evil }) }.ToJsonString());
        server.Reply("/api/v1/pipelineruns",
            new JsonObject { ["items"] = new JsonArray(new JsonObject { ["name"] = evil, ["status"] = "True", ["reason"] = evil }), ["nextCursor"] = evil }.ToJsonString());
        server.Reply("/api/v1/pipelineruns/x/logs", $"[{evil}/step] \u001b[32mgreen\u001b[0m\n", "text/plain");

        var get = await Mship("get", "pr", "x", "--server", server.Url);
        var list = await Mship("get", "pr", "--server", server.Url);
        var describe = await Mship("describe", "pr", "x", "--server", server.Url);
        var logs = await Mship("logs", "x", "--server", server.Url);

        foreach (var (what, r) in new[] { ("get", get), ("get list", list), ("describe", describe) })
        {
            Assert.True(r.ExitCode == 0, $"{what}: exit {r.ExitCode}\n{r.Stderr}");
            Assert.DoesNotContain('\u001b', r.Stdout);
            Assert.DoesNotContain('\u0007', r.Stdout);
            Assert.DoesNotContain('\r', r.Stdout);
            Assert.DoesNotContain('\u202e', r.Stdout);
            Assert.Contains(@"evil\x1b]0;pwned\x07\x1b[2J\r\u202etxt.exe", r.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains(@"failed:\nevil", describe.Stdout, StringComparison.Ordinal);
        Assert.True(logs.ExitCode == 0, logs.Stderr);
        // The prefix (names from the server) is escaped; the step's own output keeps its colours.
        Assert.StartsWith(@"[evil\x1b]0;pwned\x07\x1b[2J\r\u202etxt.exe/step] ", logs.Stdout, StringComparison.Ordinal);
        Assert.Contains("\u001b[32mgreen\u001b[0m", logs.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// An HTTP server on loopback answering fixed bodies by path, for what a real server no longer
    /// lets in. On <see cref="StandInHttpServer"/>, which binds port 0: an HttpListener on a port
    /// picked beforehand raced other tests for it ("Address already in use").
    /// </summary>
    private sealed class FakeServer : IDisposable
    {
        private readonly Dictionary<string, (string Body, string Type)> _replies = new(StringComparer.Ordinal);
        private readonly StandInHttpServer _server;

        public FakeServer() => _server = StandInHttpServer.Start(Answer);

        public string Url => _server.Url;

        public void Reply(string path, string body, string type = "application/json")
        {
            lock (_replies)
            {
                _replies[path] = (body, type);
            }
        }

        private StandInResponse Answer(StandInRequest request)
        {
            var path = request.Target.Split('?')[0];
            lock (_replies)
            {
                return _replies.TryGetValue(path, out var reply)
                    ? new StandInResponse(200, reply.Body, reply.Type)
                    : new StandInResponse(404, """{"status":404,"detail":"not found"}""", "application/problem+json");
            }
        }

        public void Dispose() => _server.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
    }
}
