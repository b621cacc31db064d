using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Mothership.Ci.Hooks;
using Mothership.IntegrationTests.Dashboard;
using Mothership.Testing;
using Mothership.Testing.GitHub;

namespace Mothership.IntegrationTests.Server;

/// <summary>
/// CI from GitHub end to end on a real <c>mship server</c>: GitHub's pull_request payload, signed,
/// starts the Prow config's presubmit; the run checks out the pull request merged onto its base
/// from a real git repository (as Prow's clonerefs) and runs on the local executor; its status and
/// failure comment go to the fake GitHub, linking the run's dashboard page.
/// </summary>
public sealed class CiJobsTests(SharedBrowser browser) : IAsyncLifetime, IClassFixture<SharedBrowser>
{
    private const string Secret = "hook-secret";
    private const string PublicUrl = "https://ci.example.com";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-ci-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>A bare repository with <c>master</c> (base.txt) and pull request <paramref name="number"/> (pr.txt) as GitHub serves it: <c>refs/pull/N/head</c>.</summary>
    private (string Bare, string BaseSha, string HeadSha) Repository(int number)
    {
        var work = Path.Combine(_dir.FullName, "work");
        var bare = Path.Combine(_dir.FullName, "hello.git");
        Directory.CreateDirectory(work);
        GitCommand.Run(_dir.FullName, "init", "-q", "--bare", "-b", "master", bare);
        GitCommand.Run(work, "init", "-q", "-b", "master");
        File.WriteAllText(Path.Combine(work, "base.txt"), "base\n");
        GitCommand.Run(work, "add", ".");
        GitCommand.Run(work, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "base");
        var baseSha = GitCommand.Run(work, "rev-parse", "HEAD").Trim();
        GitCommand.Run(work, "checkout", "-q", "-b", "changes");
        File.WriteAllText(Path.Combine(work, "pr.txt"), "change\n");
        GitCommand.Run(work, "add", ".");
        GitCommand.Run(work, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "change");
        var headSha = GitCommand.Run(work, "rev-parse", "HEAD").Trim();
        GitCommand.Run(work, "push", "-q", bare, "master:refs/heads/master", $"changes:refs/pull/{number}/head");
        return (bare, baseSha, headSha);
    }

    private async Task<ServerProcess> StartAsync(FakeGitHub github, string config, string? plugins = null)
    {
        var secretFile = Path.Combine(_dir.FullName, "secret");
        var tokenFile = Path.Combine(_dir.FullName, "token");
        var configFile = Path.Combine(_dir.FullName, "config.yaml");
        await File.WriteAllTextAsync(secretFile, Secret + "\n", Ct);
        await File.WriteAllTextAsync(tokenFile, "bot-token\n", Ct);
        await File.WriteAllTextAsync(configFile, config, Ct);
        var environment = new Dictionary<string, string>
        {
            ["Mothership__GitHub__WebhookSecretFile"] = secretFile,
            ["Mothership__GitHub__TokenFile"] = tokenFile,
            ["Mothership__GitHub__ApiUrl"] = github.BaseUri.ToString(),
            ["Mothership__Ci__Config"] = configFile,
            ["Mothership__PublicUrl"] = PublicUrl,
        };
        if (plugins is not null)
        {
            var pluginsFile = Path.Combine(_dir.FullName, "plugins.yaml");
            await File.WriteAllTextAsync(pluginsFile, plugins, Ct);
            environment["Mothership__Ci__Plugins"] = pluginsFile;
        }

        return await ServerProcess.StartAsync(_dir.FullName, cancellationToken: Ct, environment: environment);
    }

    /// <summary>GitHub's opened pull_request payload, for this repository's pull request.</summary>
    private static byte[] Opened(FakeIssue pr, string bare)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.GitHubWebhooks(), "pull_request", "opened.payload.json")))!;
        var p = root["pull_request"]!;
        p["number"] = pr.Number;
        p["head"]!["sha"] = pr.HeadSha;
        p["base"]!["sha"] = pr.BaseSha;
        p["base"]!["repo"]!["clone_url"] = "file://" + bare;
        return System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static async Task PostAsync(ServerProcess server, byte[] body, string delivery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "hook") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", "pull_request");
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add("X-Hub-Signature-256", WebhookSignature.Sign(Secret, body));
        using var response = await server.Http.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<FakeStatus> FinalStatusAsync(FakeRepository repo, ServerProcess server, string sha, string context)
    {
        for (var i = 0; i < 1200; i++)
        {
            if (repo.Statuses.LastOrDefault(s => s.Sha == sha && s.Context == context) is { State: not "pending" } status)
            {
                return status;
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"no final status for {context}:\n{string.Join("\n", repo.Statuses)}\n{server.Output}");
    }

    /// <summary>The run's log, for a failure's message.</summary>
    private static async Task<string> LogsAsync(ServerProcess server, FakeStatus status) =>
        await server.Http.GetStringAsync($"api/v1/taskruns/{status.TargetUrl!.Split('/')[^1]}/logs", Ct);

    private const string Config = """
        presubmits:
          Codertocat/Hello-World:
          - name: merged
            always_run: true
            spec:
              containers:
              - image: alpine
                command: [sh, -c]
                args:
                - 'test -f base.txt && test -f pr.txt && git log -1 --format=%s | grep -q "Merge pull request #$PULL_NUMBER" && test "$JOB_TYPE" = presubmit'
          - name: broken
            always_run: true
            optional: true
            spec:
              containers:
              - image: alpine
                command: [sh, -c, "exit 3"]
        """;

    [Fact(Timeout = 300_000)]
    public async Task PullRequestOpened_PresubmitsRunOnTheMergedCheckout_StatusesAndFailureCommentBack()
    {
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "bot-token" }, Ct);
        var repo = github.AddRepository("Codertocat", "Hello-World");
        repo.AddCollaborator("Codertocat");
        var (bare, baseSha, headSha) = Repository(1);
        var pr = repo.AddPullRequest("Codertocat", headSha, "changes", "master", baseSha);
        Assert.Equal(1, pr.Number);
        await using var server = await StartAsync(github, Config);

        await PostAsync(server, Opened(pr, bare), "a2d1e0e0-0000-4000-8000-000000000001");

        var merged = await FinalStatusAsync(repo, server, headSha, "merged");
        var broken = await FinalStatusAsync(repo, server, headSha, "broken");
        Assert.True(merged.State == "success", await LogsAsync(server, merged));
        Assert.Equal(("success", "Job succeeded."), (merged.State, merged.Description));
        Assert.Equal(("failure", "Job failed."), (broken.State, broken.Description));
        Assert.Contains(repo.Statuses, s => s.Context == "merged" && s is { State: "pending", Description: "Job triggered." });

        // The runs carry Prow's labels: a pull request's runs are one selector away.
        var runs = await server.Http.GetFromJsonAsync<JsonObject>("api/v1/taskruns?labelSelector=prow.k8s.io/refs.pull%3D1", Ct);
        var names = runs!["items"]!.AsArray().Select(r => (string)r!["name"]!).ToList();
        Assert.Equal(2, names.Count);
        Assert.Contains($"{PublicUrl}/ui/taskruns/{merged.TargetUrl!.Split('/')[^1]}", merged.TargetUrl, StringComparison.Ordinal);
        Assert.Contains(merged.TargetUrl.Split('/')[^1], names);

        // One failure comment with Prow's table.
        for (var i = 0; i < 100 && repo.CommentsOn(1).Count == 0; i++)
        {
            await Task.Delay(100, Ct);
        }

        var comment = Assert.Single(repo.CommentsOn(1)).Body;
        Assert.StartsWith("@Codertocat: The following test **failed**", comment, StringComparison.Ordinal);
        Assert.Contains($"broken | {headSha[..7]} | [link]({broken.TargetUrl}) | false | `/test broken`", comment, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task MergePool_PresubmitPassedOnTheBranchHead_TideMergesWithTheConfiguredMethod()
    {
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "bot-token" }, Ct);
        var repo = github.AddRepository("Codertocat", "Hello-World");
        repo.AddCollaborator("Codertocat");
        var (bare, baseSha, headSha) = Repository(1);
        repo.SetBranch("master", baseSha);
        var pr = repo.AddPullRequest("Codertocat", headSha, "changes", "master", baseSha);
        repo.AddLabel("lgtm");
        var config = Config + """

            tide:
              sync_period: 1s
              queries:
              - repos: [Codertocat/Hello-World]
                labels: [lgtm]
              merge_method:
                Codertocat: squash
            """;
        await using var server = await StartAsync(github, config);

        await PostAsync(server, Opened(pr, bare), "a2d1e0e0-0000-4000-8000-000000000002");
        var merged = await FinalStatusAsync(repo, server, headSha, "merged");
        Assert.True(merged.State == "success", await LogsAsync(server, merged));

        // Without lgtm the pool says what is missing, and merges nothing.
        for (var i = 0; i < 100 && !repo.Statuses.Any(s => s.Sha == headSha && s.Context == "tide"); i++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.Equal("Not mergeable. Needs lgtm label.", repo.Statuses.Last(s => s.Sha == headSha && s.Context == "tide").Description);
        Assert.False(pr.Merged);

        // The dashboard's merge pool page says why it waits.
        var context = await (await browser.GetAsync(Ct)).NewContextAsync(new() { BaseURL = server.Url });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Merge pool" }).ClickAsync();
        var row = page.Locator("section[data-pool='Codertocat/Hello-World:master'] tr[data-pull='1']");
        await Assertions.Expect(row).ToContainTextAsync("Not mergeable. Needs lgtm label.", new() { Timeout = 20_000 });
        await Assertions.Expect(row).ToContainTextAsync("waiting");
        await context.CloseAsync();

        await GitHubLabelAsync(github, pr.Number, "lgtm");
        for (var i = 0; i < 100 && !pr.Merged; i++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.True(pr.Merged, server.Output);
        Assert.Equal("squash", pr.MergeMethod);
        Assert.NotEqual(baseSha, repo.BranchSha("master"));
    }

    /// <summary>Puts a label on the pull request through GitHub's API, as a reviewer's tool would.</summary>
    private static async Task GitHubLabelAsync(FakeGitHub github, int number, string label)
    {
        using var http = new HttpClient { BaseAddress = github.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"repos/Codertocat/Hello-World/issues/{number}/labels")
        {
            Content = new StringContent($$"""{"labels":["{{label}}"]}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Authorization", "token bot-token");
        request.Headers.UserAgent.ParseAdd("test");
        using var response = await http.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
    }

    [Fact(Timeout = 300_000)]
    public async Task PullRequestOpened_ReviewPluginsEnabled_LabelItThroughTheServer()
    {
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "bot-token" }, Ct);
        var repo = github.AddRepository("Codertocat", "Hello-World");
        var pr = repo.AddPullRequest("Codertocat", new string('a', 40), "changes", "master", new string('b', 40), files: [new FakePullRequestFile("main.go", Additions: 12, Deletions: 3)]);
        await using var server = await StartAsync(github, "presubmits: {}\n", """
            plugins:
              Codertocat: [size, release-note, lgtm, label, assign, hold, help]
            """);

        await PostAsync(server, Opened(pr, "/nowhere.git"), "a2d1e0e0-0000-4000-8000-000000000002");

        for (var i = 0; i < 200 && repo.LabelsOn(1).Count < 2; i++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.Equal(["size/S", "do-not-merge/release-note-label-needed"], repo.LabelsOn(1));
    }
}
