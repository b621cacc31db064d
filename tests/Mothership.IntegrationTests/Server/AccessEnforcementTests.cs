using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Mothership.IntegrationTests.Cloud;
using Mothership.IntegrationTests.Dashboard;
using static Microsoft.Playwright.Assertions;

namespace Mothership.IntegrationTests.Server;

/// <summary>
/// The access policy enforced by a real server (README, "Permissions"): the server's policy file
/// merged with the site repository's <c>policy.csv</c>, personal tokens as the users, every answer
/// through the REST API — roles × resources × actions × scopes, allowed and denied, deny wins,
/// lists filtered — and the audit entry of each decision on a change. One server per test class.
/// </summary>
public sealed class AccessEnforcementTests(SharedBrowser browser) : IAsyncLifetime, IClassFixture<SharedBrowser>
{
    private const string Admin = "access-bootstrap-token";

    // Lines are counted by the audit assertions: keep them where they are.
    private const string ServerPolicy = """
        # the server's own policy
        p, role:team-a, runs, get, prod/*, allow
        p, role:runner, runs, *, -/*, allow
        p, role:runner, pipelines, create, -/*, allow
        p, role:runner, tasks, create, -/*, allow
        p, mixed, runs, get, prod/*, deny
        p, role:deployer, deploys, create, dev/*, allow
        g, team-a, role:team-a
        g, runner, role:runner
        g, viewer, role:readonly
        g, mixed, role:readonly
        g, deployer, role:deployer
        """;

    private readonly SiteRepositoryFixture _repo = SiteRepositoryFixture.Small();
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mship-access-");
    private readonly Dictionary<string, string> _tokens = [];
    private ServerProcess? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string PolicyPath => Path.Combine(_work.FullName, "server-policy.csv");

    public async ValueTask InitializeAsync()
    {
        File.WriteAllText(PolicyPath, ServerPolicy);
        _server = await ServerProcess.StartAsync(_work.FullName, null, ["--token", Admin], Ct, new Dictionary<string, string>
        {
            ["Mothership__Cloud__Repository"] = _repo.Root,
            ["Mothership__Auth__PolicyFile"] = PolicyPath,
        });
        foreach (var user in new[] { "team-a", "runner", "viewer", "mixed", "deployer", "nobody", "repo-user" })
        {
            var created = await _server.CliAsync("auth", "token", "create", "--owner", user, "--token", Admin);
            Assert.True(created.ExitCode == 0, created.Stderr);
            _tokens[user] = created.Stdout.Trim();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _repo.Dispose();
        try
        {
            _work.Delete(recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp.
        }
    }

    private ServerProcess Server => _server!;

    private async Task<(HttpStatusCode Status, JsonNode? Body, string Text)> SendAsync(string? user, HttpMethod method, string path, string? body = null,
        string contentType = "application/yaml")
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null || method != HttpMethod.Get)
        {
            request.Content = new StringContent(body ?? "", System.Text.Encoding.UTF8, body is null ? "application/json" : contentType);
        }

        if (user is not null)
        {
            request.Headers.Authorization = new("Bearer", user == "admin" ? Admin : _tokens[user]);
        }

        using var response = await Server.Http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.StartsWith('{') ? JsonNode.Parse(text) : null, text);
    }

    /// <summary>A pending PipelineRun (it never runs), with the site label when <paramref name="site"/> is given.</summary>
    private static string PendingRun(string name, string? site = null) => $$"""
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata:
          name: {{name}}
        {{(site is null ? "" : $"  labels:\n    mothership.io/site: {site}")}}
        spec:
          status: PipelineRunPending
          pipelineSpec:
            tasks:
              - name: t
                taskSpec:
                  steps:
                    - name: s
                      image: busybox
                      script: echo hi
        """;

    private async Task<string> CreateAsAdminAsync(string name, string? site = null)
    {
        var (status, _, text) = await SendAsync("admin", HttpMethod.Post, "api/v1/pipelineruns", PendingRun(name, site));
        Assert.True(status == HttpStatusCode.Created, text);
        return name;
    }

    private async Task<JsonArray> AuditAsync() => (await SendAsync("admin", HttpMethod.Get, "api/v1/audit?limit=1000")).Body!["items"]!.AsArray();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    [Fact(Timeout = 180_000)]
    public async Task Api_RolesResourcesActionsScopes_AllowedAndDeniedAndEachChangeAudited()
    {
        var prod = await CreateAsAdminAsync(Unique("prod-run"), "prod-a");
        var plain = await CreateAsAdminAsync(Unique("plain-run"));
        var task = Unique("t");
        var taskYaml = $"apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: {task}\nspec:\n  steps:\n    - name: a\n      image: x\n      script: echo\n";

        // (user, method, path, body, allowed, the policy line that decides, or null for no rule)
        var table = new (string? User, HttpMethod Method, string Path, string? Body, bool Allowed, string? Line)[]
        {
            ("team-a", HttpMethod.Get, $"api/v1/pipelineruns/{prod}", null, true, null),
            ("team-a", HttpMethod.Get, $"api/v1/pipelineruns/{plain}", null, false, null),
            ("team-a", HttpMethod.Get, $"api/v1/pipelineruns/{prod}/events", null, true, null),
            // The pushed changes of a run are as readable as the run (the allowed stream is WatchTests' subject).
            ("team-a", HttpMethod.Get, $"api/v1/pipelineruns/{plain}/watch", null, false, null),
            ("team-a", HttpMethod.Post, $"api/v1/pipelineruns/{prod}/cancel", null, false, null),
            ("team-a", HttpMethod.Get, "api/v1/audit", null, false, null),
            ("viewer", HttpMethod.Get, $"api/v1/pipelineruns/{plain}", null, true, null),
            ("viewer", HttpMethod.Get, "api/v1/audit", null, true, null),
            ("viewer", HttpMethod.Post, $"api/v1/pipelineruns/{plain}/cancel", null, false, null),
            ("viewer", HttpMethod.Post, "api/v1/apply", taskYaml, false, null),
            ("mixed", HttpMethod.Get, $"api/v1/pipelineruns/{plain}", null, true, null),
            ("mixed", HttpMethod.Get, $"api/v1/pipelineruns/{prod}", null, false, "server-policy.csv:6: p, mixed, runs, get, prod/*, deny"),
            ("runner", HttpMethod.Post, "api/v1/apply", taskYaml, true, "server-policy.csv:5: p, role:runner, tasks, create, -/*, allow"),
            ("runner", HttpMethod.Post, "api/v1/pipelineruns", PendingRun(Unique("mine")), true, "server-policy.csv:3: p, role:runner, runs, *, -/*, allow"),
            ("runner", HttpMethod.Post, "api/v1/pipelineruns", PendingRun(Unique("sneaky"), "prod-b"), false, null),
            ("runner", HttpMethod.Post, $"api/v1/pipelineruns/{plain}/rerun", null, true, "server-policy.csv:3: p, role:runner, runs, *, -/*, allow"),
            ("runner", HttpMethod.Get, $"api/v1/pipelineruns/{prod}", null, false, null),
            ("runner", HttpMethod.Post, "api/v1/prune?dryRun=true", null, false, null),
            ("deployer", HttpMethod.Post, "api/v1/sites/prod-a/deploys", "{}", false, null),
            ("deployer", HttpMethod.Post, "api/v1/sites/prod-a/drift", "{}", false, null),
            ("deployer", HttpMethod.Post, "api/v1/rollouts", "{\"environment\": \"prod\"}", false, null),
            ("viewer", HttpMethod.Post, "api/v1/rollouts/no-such-rollout/approve", "{}", false, null),
            ("nobody", HttpMethod.Get, $"api/v1/pipelineruns/{plain}", null, false, null),
            (null, HttpMethod.Get, $"api/v1/pipelineruns/{plain}", null, false, null),
            ("admin", HttpMethod.Post, "api/v1/prune?dryRun=true", null, true, "<built-in>: p, role:admin, *, *, *, allow"),
        };

        foreach (var (user, method, path, body, allowed, line) in table)
        {
            var (status, json, text) = await SendAsync(user, method, path, body, body?.StartsWith('{') == true ? "application/json" : "application/yaml");
            var what = $"{user ?? "anonymous"} {method} {path}";
            if (!allowed)
            {
                Assert.True(status == HttpStatusCode.Forbidden, $"{what}: expected 403, got {(int)status} {text}");
                // The server's file is named by its path: the line is the end of "denied by PATH:LINE: TEXT".
                Assert.Contains(line is null ? "no rule allows it" : "denied by ", (string?)json!["detail"], StringComparison.Ordinal);
                Assert.EndsWith(line ?? "no rule allows it", (string?)json["detail"], StringComparison.Ordinal);
                Assert.NotNull((string?)json["object"]);
            }
            else
            {
                Assert.True(status != HttpStatusCode.Forbidden && (int)status < 400, $"{what}: expected success, got {(int)status} {text}");
            }

            if (method != HttpMethod.Get && user is not null)
            {
                // Every decision on a change is in the audit log: who, allowed or denied, the source and the deciding line.
                var actor = user;
                var audit = await AuditAsync();
                Assert.Contains(audit, a => (string?)a!["kind"] == "Access" && (string?)a["actor"] == actor && (string?)a["action"] == (allowed ? "allow" : "deny")
                    && ((string?)a["detail"])!.StartsWith("source: api; ", StringComparison.Ordinal)
                    && ((string?)a["detail"])!.EndsWith(line ?? "no rule matched (denied)", StringComparison.Ordinal));
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task List_TeamWithGetOnProdOnly_SeesOnlyProdRunsAndSites()
    {
        var prod = await CreateAsAdminAsync(Unique("prod-run"), "prod-a");
        var plain = await CreateAsAdminAsync(Unique("plain-run"));

        var runs = (await SendAsync("team-a", HttpMethod.Get, "api/v1/pipelineruns?limit=500")).Body!["items"]!.AsArray().Select(r => (string?)r!["name"]).ToList();
        var all = (await SendAsync("viewer", HttpMethod.Get, "api/v1/pipelineruns?limit=500")).Body!["items"]!.AsArray().Select(r => (string?)r!["name"]).ToList();

        Assert.Contains(prod, runs);
        Assert.DoesNotContain(plain, runs);
        Assert.Contains(plain, all);
        Assert.Contains(prod, all);
        var sites = (await SendAsync("viewer", HttpMethod.Get, "api/v1/sites")).Body!["items"]!.AsArray();
        Assert.Equal(3, sites.Count);
        var none = (await SendAsync("team-a", HttpMethod.Get, "api/v1/sites")).Body!["items"]!.AsArray();
        Assert.Empty(none);
    }

    [Fact(Timeout = 120_000)]
    public async Task RepositoryPolicy_MergedThenABadOne_LastGoodStaysAndTheErrorIsShown()
    {
        var plain = await CreateAsAdminAsync(Unique("plain-run"));
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync("repo-user", HttpMethod.Get, $"api/v1/pipelineruns/{plain}")).Status);

        _repo.Write("policy.csv", "g, repo-user, role:readonly\n");
        _repo.Commit("policy");
        await WaitUntilAsync(async () => (await SendAsync("repo-user", HttpMethod.Get, $"api/v1/pipelineruns/{plain}")).Status == HttpStatusCode.OK);

        _repo.Write("policy.csv", "g, repo-user, role:readonly\np, repo-user, runs, deploy, *, allow\n");
        _repo.Commit("bad policy");
        await WaitUntilAsync(async () => (await SendAsync("admin", HttpMethod.Get, "api/v1/auth/policy")).Body!["repositoryError"] is not null);

        var policy = (await SendAsync("admin", HttpMethod.Get, "api/v1/auth/policy")).Body!;
        Assert.Matches(@"^policy\.csv@[0-9a-f]{12}:2:21: error: action: 'deploy' is not one of", (string?)policy["repositoryError"]);
        Assert.True((bool?)policy["enforced"]);
        // The last good policy of the repository stays in force.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync("repo-user", HttpMethod.Get, $"api/v1/pipelineruns/{plain}")).Status);
        Assert.Contains("has mistakes and is not used", Server.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task CanI_Server_AnswersAsTheOfflineFormForTheCallerAndAsAnAdmin()
    {
        var no = await Server.CliAsync("auth", "can-i", "cancel", "runs", "-/x", "--token", _tokens["viewer"]);
        Assert.Equal(1, no.ExitCode);
        Assert.Equal("no", no.Stdout.Trim());
        Assert.Contains("no rule matched", no.Stderr, StringComparison.Ordinal);

        var yes = await Server.CliAsync("auth", "can-i", "create", "runs", "-/x", "--token", _tokens["runner"]);
        Assert.True(yes.ExitCode == 0, yes.Stderr);
        Assert.Equal("yes", yes.Stdout.Trim());
        Assert.Contains("server-policy.csv:3: p, role:runner, runs, *, -/*, allow", yes.Stderr, StringComparison.Ordinal);

        var asOther = await Server.CliAsync("auth", "can-i", "get", "runs", "prod/prod-a", "--as", "mixed", "--token", Admin);
        Assert.Equal(1, asOther.ExitCode);
        Assert.Contains("server-policy.csv:6: p, mixed, runs, get, prod/*, deny", asOther.Stderr, StringComparison.Ordinal);

        var notAdmin = await Server.CliAsync("auth", "can-i", "get", "runs", "prod/prod-a", "--as", "mixed", "--token", _tokens["viewer"]);
        Assert.Equal(2, notAdmin.ExitCode);
        Assert.Contains("only an admin", notAdmin.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Dashboard_ReadOnlyUser_SeesNoCancelButtonAndTheApiRefusesThePost()
    {
        var run = await CreateAsAdminAsync(Unique("dash-run"));
        var b = await browser.GetAsync(Ct);
        await using var context = await b.NewContextAsync(new() { BaseURL = Server.Url });
        await context.AddInitScriptAsync($"sessionStorage.setItem('mothership.token', '{_tokens["viewer"]}')");
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20000);

        await page.GotoAsync($"/ui/pipelineruns/{run}");
        await Expect(page.Locator("h1")).ToContainTextAsync(run);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "⊘ Cancel…" })).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "↻ Rerun…" })).ToBeHiddenAsync();

        // The API refuses the POST anyway, and the audit log names the dashboard as the source.
        var status = await page.EvaluateAsync<int>($$"""
            async () => (await fetch("/api/v1/pipelineruns/{{run}}/cancel", { method: "POST",
              headers: { "Content-Type": "application/json", "X-Mothership-Client": "dashboard", Authorization: "Bearer " + sessionStorage.getItem("mothership.token") } })).status
            """);
        Assert.Equal(403, status);
        Assert.Contains(await AuditAsync(), a => (string?)a!["actor"] == "viewer" && (string?)a["action"] == "deny"
            && (string?)a["name"] == $"cancel runs -/{run}" && ((string?)a["detail"])!.StartsWith("source: dashboard; ", StringComparison.Ordinal));

        // An admin sees the button.
        await using var adminContext = await b.NewContextAsync(new() { BaseURL = Server.Url });
        await adminContext.AddInitScriptAsync($"sessionStorage.setItem('mothership.token', '{Admin}')");
        var adminPage = await adminContext.NewPageAsync();
        await adminPage.GotoAsync($"/ui/pipelineruns/{run}");
        await Expect(adminPage.GetByRole(AriaRole.Button, new() { Name = "⊘ Cancel…" })).ToBeVisibleAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds = 40)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"not true within {seconds} s");
            await Task.Delay(250, Ct);
        }
    }
}
