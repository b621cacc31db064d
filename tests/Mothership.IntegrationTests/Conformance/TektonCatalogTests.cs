using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Conformance;

/// <summary>
/// The eleven Tekton Catalog tasks of the fixtures (tektoncd/catalog, as published: most are
/// tekton.dev/v1beta1) run unchanged through <c>mship run</c>, with their own <c>tests/</c> files
/// where they have them. The network they reach is stood in for locally: a web site by a proxy
/// given to the steps as <c>http_proxy</c>, GitHub repositories by local ones through git's
/// <c>url.X.insteadOf</c>, and both handed to every step the way a Tekton operator hands them, by
/// the <c>default-pod-template</c> of a <c>config-defaults</c> ConfigMap. What the Catalog's own
/// test harness does in a <c>pre-apply-task-hook.sh</c> (create a Secret, install git-clone) the
/// test does with a file of its own beside the unchanged ones.
/// </summary>
public sealed class TektonCatalogTests : IDisposable
{
    // In /var/tmp: --sandbox gives steps a private /tmp (where a CI clone may live) and git-cli a
    // private /root, and the local repositories must stay visible to git in there.
    private readonly string _dir = Directory.CreateDirectory(Path.Combine("/var/tmp", "mship-catalog-" + Guid.NewGuid().ToString("N"))).FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The folder of the one published version of <paramref name="task"/> in the fixtures.</summary>
    private static string Catalog(string task) => Assert.Single(Directory.GetDirectories(Path.Combine(Fixtures.TektonCatalog(), task)));

    private static string TaskFile(string task) => Path.Combine(Catalog(task), task + ".yaml");

    private static string Tests(string task) => Path.Combine(Catalog(task), "tests");

    /// <summary>Writes <paramref name="yaml"/> to a file of the test's own and returns its path.</summary>
    private string Own(string name, string yaml)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>A config-defaults ConfigMap whose default pod template gives every step <paramref name="env"/>.</summary>
    private string ConfigDefaults(params (string Name, string Value)[] env) => Own("config-defaults.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-defaults}\ndata:\n  default-pod-template: |\n    env:\n"
        + string.Concat(env.Select(e => $"      - {{name: {e.Name}, value: {JsonValue.Create(e.Value).ToJsonString()}}}\n")));

    /// <summary>Git config for every step that sends <paramref name="url"/> to the local <paramref name="repository"/>.</summary>
    private static (string, string)[] GitRedirect(string url, string repository) =>
        [("GIT_CONFIG_COUNT", "1"), ("GIT_CONFIG_KEY_0", $"url.{repository}.insteadOf"), ("GIT_CONFIG_VALUE_0", url)];

    /// <summary>Runs the files with <c>mship run</c> and returns every run object, each of which must have succeeded.</summary>
    private async Task<List<JsonNode>> RunAsync(IEnumerable<string> files, params string[] extra)
    {
        var r = await MshipProcess.RunAsync(
            ["run", .. files.SelectMany(f => new[] { "-f", f }), "-o", "json", "--workdir", Path.Combine(_dir, "work"), .. extra],
            _dir, TimeSpan.FromMinutes(3), cancellationToken: Ct);
        var runs = TektonExamples.SucceededRuns(r, string.Join(" ", files.Select(Path.GetFileName)));
        Assert.All(runs, run => Assert.Equal("tekton.dev/v1", (string)run["apiVersion"]!));
        return runs;
    }

    private static string Result(JsonNode taskRun, string name) =>
        (string)taskRun["status"]!["results"]!.AsArray().Single(r => (string)r!["name"]! == name)!["value"]!;

    /// <summary>A git repository at <paramref name="path"/> holding <paramref name="files"/> in one commit on main; returns the commit.</summary>
    private static string Repository(string path, params (string Path, string Content)[] files)
    {
        Directory.CreateDirectory(path);
        Git(path, "init", "-q", "-b", "main");
        foreach (var (file, content) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(path, file))!);
            File.WriteAllText(Path.Combine(path, file), content);
        }

        Git(path, "add", "-A");
        Git(path, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "initial");
        return Git(path, "rev-parse", "HEAD").Trim();
    }

    private static string Git(string directory, params string[] args) => GitCommand.Run(directory, args);

    [Fact(Timeout = 180_000)]
    public async Task GenerateBuildId_ItsOwnTest_BuildIdFromTheBaseVersionAndTimestamp()
    {
        var runs = await RunAsync([TaskFile("generate-build-id"), Tests("generate-build-id")]);

        var run = Assert.Single(runs);
        Assert.Equal($"1.0.0-{Result(run, "timestamp")}", Result(run, "build-id"));
    }

    [Fact(Timeout = 180_000)]
    public async Task WriteFile_ItsOwnTest_WritesTheFileTheNextTaskReads()
    {
        var runs = await RunAsync([TaskFile("write-file"), Tests("write-file")]);

        Assert.Equal("write-file-pipeline-run", (string)Assert.Single(runs)["metadata"]!["name"]!);
    }

    [Fact(Timeout = 180_000)]
    public async Task Jq_ItsOwnTests_EveryFilterSucceeds()
    {
        var runs = await RunAsync([TaskFile("jq"), Tests("jq")]);

        var children = Assert.Single(runs)["status"]!["childReferences"]!.AsArray();
        Assert.Equal(4, children.Count);
    }

    [Fact(Timeout = 180_000)]
    public async Task Curl_ItsOwnTest_FetchesTheSiteFromTheStandIn()
    {
        await using var web = StandInHttpServer.Start(_ => new StandInResponse(200, "<html>stand-in for the web</html>", "text/html"));
        var defaults = ConfigDefaults(("http_proxy", web.Url));

        var runs = await RunAsync([TaskFile("curl"), Tests("curl"), defaults]);

        Assert.Equal(2, runs.Count);
        Assert.All(web.Requests, r => Assert.Equal("http://www.google.com/", r.Target));
        Assert.Equal(2, web.Requests.Count);
    }

    [Fact(Timeout = 180_000)]
    public async Task Wget_ItsOwnTest_SavesTheStandInsPageInTheWorkspace()
    {
        await using var web = StandInHttpServer.Start(_ => new StandInResponse(200, "<html>stand-in for the web</html>", "text/html"));
        var defaults = ConfigDefaults(("http_proxy", web.Url));

        await RunAsync([TaskFile("wget"), Tests("wget"), defaults]);

        var request = Assert.Single(web.Requests);
        Assert.Equal("http://www.google.com/", request.Target);
    }

    [Fact(Timeout = 180_000)]
    public async Task GithubSetStatus_ItsOwnTest_PostsTheStatusToTheStandInOnPort8080()
    {
        // The test's run.yaml names http://localhost:8080, where the Catalog's harness runs its fake GitHub.
        var response = await File.ReadAllTextAsync(Path.Combine(Tests("github-set-status"), "fixtures", "github-set-status-response.json"), Ct);
        await using var github = StandInHttpServer.Start(_ => new StandInResponse(201, response, "application/json"), port: 8080);
        // What its pre-apply-task-hook.sh creates with kubectl.
        var secret = Own("github-secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: github-secret}\nstringData: {token: secret}\n");

        await RunAsync([TaskFile("github-set-status"), Path.Combine(Tests("github-set-status"), "run.yaml"), secret]);

        // Its Secret is mounted at /etc/github-set-status, which the host lacks: made for the step only.
        Assert.False(Directory.Exists("/etc/github-set-status"), "the mount point was left on the host");

        var request = Assert.Single(github.Requests);
        Assert.Equal(("POST", "/repos/tektoncd/catalog/statuses/1234567890abcdef"), (request.Method, request.Target));
        Assert.Equal("Bearer secret", request.Headers["Authorization"]);
        var status = JsonNode.Parse(request.Body)!;
        Assert.Equal("success", (string)status["state"]!);
        Assert.Equal("http://localhost:8080/this-could-be-your-pipeline-dashboard", (string)status["target_url"]!);
    }

    [Theory(Timeout = 180_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GitCli_ItsOwnTest_PullsTheLocalStandInAndLeavesTheHostsHomeAlone(bool sandbox)
    {
        // Its test pulls github.com/kelseyhightower/nocode and expects that repository's commit:
        // the stand-in's commit is given at start instead (-p commit=…), the only value changed.
        var commit = Repository(Path.Combine(_dir, "nocode"), ("README.md", "no code\n"));
        Git(Path.Combine(_dir, "nocode"), "branch", "-m", "main", "master");
        var defaults = ConfigDefaults(GitRedirect("https://github.com/kelseyhightower/nocode", Path.Combine(_dir, "nocode")));
        // The task sets HOME=/root and runs `git config --global`: a pod writes its image's /root, never the host's.
        var hostConfig = new FileInfo("/root/.gitconfig");
        var before = hostConfig.Exists ? (hostConfig.LastWriteTimeUtc, hostConfig.Length) : default;

        var runs = await RunAsync([TaskFile("git-cli"), Tests("git-cli"), defaults], ["-p", $"commit={commit}", .. sandbox ? new[] { "--sandbox" } : []]);

        Assert.Equal("Succeeded", (string)Assert.Single(runs)["status"]!["conditions"]![0]!["reason"]!);
        hostConfig.Refresh();
        Assert.Equal(before, hostConfig.Exists ? (hostConfig.LastWriteTimeUtc, hostConfig.Length) : default);
    }

    /// <summary>
    /// A Task named git-clone with the interface of the Catalog's (params url, revision,
    /// subdirectory, deleteExisting; workspace output; results commit and url): the Catalog's
    /// harness installs git-clone for the npm and yq tests, and the fixtures do not hold it.
    /// </summary>
    private const string GitCloneStandIn = """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: git-clone}
        spec:
          params:
            - {name: url}
            - {name: revision, default: ""}
            - {name: subdirectory, default: ""}
            - {name: deleteExisting, default: "true"}
          workspaces:
            - name: output
          results:
            - name: commit
            - name: url
          steps:
            - name: clone
              image: cgr.dev/chainguard/git
              script: |
                #!/usr/bin/env bash
                set -eu
                dest="$(workspaces.output.path)/$(params.subdirectory)"
                if [ "$(params.deleteExisting)" = "true" ]; then find "$dest" -mindepth 1 -delete 2>/dev/null || true; fi
                git clone -q "$(params.url)" "$dest"
                if [ -n "$(params.revision)" ]; then git -C "$dest" checkout -q "$(params.revision)"; fi
                printf %s "$(git -C "$dest" rev-parse HEAD)" > $(results.commit.path)
                printf %s "$(params.url)" > $(results.url.path)
        """;

    [Fact(Timeout = 180_000)]
    public async Task Npm_ItsOwnTest_InstallsAndTestsTheStandInProject()
    {
        Repository(Path.Combine(_dir, "sonartest"),
            ("app/package.json", """{"name": "app", "version": "1.0.0", "scripts": {"test": "node -e \"console.log('stand-in tests pass')\""}}"""),
            ("app/package-lock.json", """{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {"": {"name": "app", "version": "1.0.0"}}}"""));
        var defaults = ConfigDefaults([.. GitRedirect("https://github.com/vinamra28/sonartest", Path.Combine(_dir, "sonartest")), ("npm_config_offline", "true")]);

        var runs = await RunAsync([TaskFile("npm"), Tests("npm"), Own("git-clone.yaml", GitCloneStandIn), defaults]);

        var children = Assert.Single(runs)["status"]!["childReferences"]!.AsArray().Select(c => (string)c!["pipelineTaskName"]!);
        Assert.Equal(["fetch-repository", "install-dependencies", "run-test"], children.Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 180_000)]
    public async Task GitRebase_LocalRemote_RebasesTheBranchAndForcePushesIt()
    {
        // No tests/ of its own: a TaskRun of ours, with a clone whose origin is a local bare repository.
        var origin = Path.Combine(_dir, "origin.git");
        var seed = Path.Combine(_dir, "seed");
        Repository(seed, ("a.txt", "a\n"));
        Git(_dir, "clone", "-q", "--bare", seed, origin);
        var clone = Path.Combine(_dir, "clone");
        Git(_dir, "clone", "-q", origin, clone);
        Git(clone, "checkout", "-q", "-b", "feature");
        File.WriteAllText(Path.Combine(clone, "b.txt"), "b\n");
        Git(clone, "add", "-A");
        Git(clone, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "feature");
        File.WriteAllText(Path.Combine(seed, "c.txt"), "c\n");
        Git(seed, "add", "-A");
        Git(seed, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "main moved");
        Git(seed, "push", "-q", origin, "main");
        var run = Own("rebase-run.yaml", $"""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {"{"}name: rebase-run{"}"}
            spec:
              taskRef: {"{"}name: git-rebase{"}"}
              params:
                - {"{"}name: GIT_USER_NAME, value: tekton{"}"}
                - {"{"}name: GIT_USER_EMAIL, value: tekton@example.com{"}"}
                - {"{"}name: PULL_REMOTE_URL, value: {origin}{"}"}
                - {"{"}name: PULL_BRANCH_NAME, value: main{"}"}
                - {"{"}name: PUSH_REMOTE_URL, value: {origin}{"}"}
                - {"{"}name: PUSH_BRANCH_NAME, value: feature{"}"}
              workspaces:
                - name: source
                  persistentVolumeClaim: {"{"}claimName: rebase-source{"}"}
            """);
        var workdir = Path.Combine(_dir, "work");

        var runs = await MshipProcess.RunAsync(["run", "-f", TaskFile("git-rebase"), "-f", run, "-o", "json", "--workdir", workdir, "-w", $"source={clone}"], _dir, TimeSpan.FromMinutes(2), cancellationToken: Ct);

        Assert.True(runs.ExitCode == 0, runs.Stderr + runs.Stdout);
        var pushed = Git(_dir, "--git-dir", origin, "rev-parse", "feature").Trim();
        Assert.Equal(pushed, Result(JsonNode.Parse(runs.Stdout)!, "commit"));
        Assert.Contains("main moved", Git(_dir, "--git-dir", origin, "log", "--format=%s", "feature"), StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task SendToWebhookSlack_StandInWebhook_ReceivesTheMessage()
    {
        // No tests/ of its own: a TaskRun and the webhook Secret of ours, the webhook a local stand-in.
        await using var slack = StandInHttpServer.Start(_ => new StandInResponse(200, "ok"));
        var run = Own("slack-run.yaml", $$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: webhook-secret}
            stringData: {url: "{{slack.Url}}/services/T000/B000/XXXX"}
            ---
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: slack-run}
            spec:
              taskRef: {name: send-to-webhook-slack}
              params:
                - {name: webhook-secret, value: webhook-secret}
                - {name: message, value: 'Deploy of stage finished'}
            """);

        await RunAsync([TaskFile("send-to-webhook-slack"), run]);

        var request = Assert.Single(slack.Requests);
        Assert.Equal(("POST", "/services/T000/B000/XXXX"), (request.Method, request.Target));
        Assert.Equal("Deploy of stage finished", (string)JsonNode.Parse(request.Body)!["text"]!);
    }

    [Fact(Timeout = 180_000)]
    public async Task Yq_ItsOwnTest_Validates()
    {
        // Its steps call /usr/bin/yq, Mike Farah's yq v4 (`yq eval -i`), which Debian does not
        // package (Debian's yq is a different program): validated, not run.
        var r = await MshipProcess.RunAsync(["validate", "-f", TaskFile("yq"), "-f", Tests("yq"), "-f", Own("git-clone.yaml", GitCloneStandIn)],
            _dir, TimeSpan.FromMinutes(1), cancellationToken: Ct);

        Assert.True(r.ExitCode == 0, r.Stderr);
    }
}
