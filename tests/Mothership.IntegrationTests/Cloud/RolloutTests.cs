using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Mothership.IntegrationTests.Dashboard;
using Mothership.Testing;
using static Microsoft.Playwright.Assertions;

namespace Mothership.IntegrationTests.Cloud;

/// <summary>
/// Rollouts run by the server (<c>/api/v1/rollouts</c>, <c>mship rollout</c>) over a real git site
/// repository with recording helm and kubectl stand-ins: prod's canary prod-a, then wave-1
/// (prod-b, prod-c), deploys run for real; the dashboard's rollout page in headless Chromium.
/// </summary>
public sealed class RolloutTests(SharedBrowser browser) : IAsyncDisposable, IClassFixture<SharedBrowser>
{
    private const string Admin = "rollout-admin-token";

    private readonly SiteRepositoryFixture _repo = SiteRepositoryFixture.Small();
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mship-rollout-");
    private ServerProcess? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string HelmLog => Path.Combine(_work.FullName, "helm.log");

    /// <summary>While this file exists, <c>helm upgrade</c> of the sites it lists waits (after writing <see cref="Started"/>).</summary>
    private string Hold => Path.Combine(_work.FullName, "hold");

    private string Started => Path.Combine(_work.FullName, "helm-started");

    /// <summary>Sites (one a line) whose helm upgrades fail.</summary>
    private string Failing => Path.Combine(_work.FullName, "failing");

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
            // A stand-in the killed server left running may still hold a file; the OS cleans temp.
        }
    }

    /// <summary>Adds prod-c (region b) and prod's rollout policy (canary prod-a, then the others) to the repository.</summary>
    private string Policy(string rollout)
    {
        _repo.Write("sites/prod-c/site.yaml", """
            apiVersion: mothership.io/v1
            kind: Site
            metadata: {name: prod-c}
            spec:
              environment: prod
              region: b
              cluster: {context: prod-c, namespace: openstack}
              services: [db, ident, image]
            """);
        var cloud = File.ReadAllText(Path.Combine(_repo.Root, "cloud.yaml")).TrimEnd();
        _repo.Write("cloud.yaml", cloud + "\n  promotion:\n    environments:\n      - {name: dev}\n      - name: prod\n        rollout:\n"
            + string.Join("\n", rollout.Split('\n').Select(l => "          " + l)) + "\n");
        return _repo.Commit("prod rolls out");
    }

    private async Task<ServerProcess> StartServerAsync(bool auth = false)
    {
        var bin = Path.Combine(_work.FullName, "bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "helm"), $$"""
            #!/usr/bin/env bash
            echo "helm $*" >> '{{HelmLog}}'
            if [ "$1" = upgrade ]; then
              if [ -e '{{Failing}}' ]; then
                for s in $(cat '{{Failing}}'); do case "$* " in *"--kube-context $s "*) echo "boom on $s" >&2; exit 1 ;; esac; done
              fi
              if [ -e '{{Hold}}' ]; then
                for s in $(cat '{{Hold}}'); do case "$* " in *"--kube-context $s "*)
                  touch '{{Started}}'
                  while [ -e '{{Hold}}' ]; do sleep 0.1; done ;;
                esac; done
              fi
            fi
            """);
        File.WriteAllText(Path.Combine(bin, "kubectl"), $$"""
            #!/usr/bin/env bash
            case "$*" in
              *"get jobs"*Failed*) echo "db-init " ;;
              *"get jobs"*) echo "db-init 1" ;;
              *"get pods"*) echo "api-0 ReplicaSet True" ;;
            esac
            """);
        if (!OperatingSystem.IsWindows())
        {
            foreach (var tool in new[] { "helm", "kubectl" })
            {
                File.SetUnixFileMode(Path.Combine(bin, tool), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        _server = await ServerProcess.StartAsync(_work.FullName, null, ["--replica-id", "roller", .. auth ? new[] { "--token", Admin } : []], Ct, new Dictionary<string, string>
        {
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
            ["Mothership__Cloud__Repository"] = _repo.Root,
        });
        return _server;
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(ServerProcess server, string path, object? body, string? token = null)
    {
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await server.Http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private static async Task<string> StartRolloutAsync(ServerProcess server, string? token = null)
    {
        var (status, body) = await SendAsync(server, "api/v1/rollouts", new { environment = "prod" }, token);
        Assert.True(status == HttpStatusCode.Created, $"{status}: {body?.ToJsonString()}\n{server.Output}");
        return (string)body!["name"]!;
    }

    /// <summary>Polls the rollout until <paramref name="done"/> holds.</summary>
    private static async Task<JsonNode> WaitForAsync(ServerProcess server, string name, Func<JsonNode, bool> done, string what, string? token = null, int seconds = 120)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var (_, rollout) = await SendAsync(server, $"api/v1/rollouts/{name}", null, token);
            if (rollout is not null && done(rollout))
            {
                return rollout;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                Assert.Fail($"rollout {name}: not {what} in {seconds} s: {rollout?.ToJsonString()}\nserver:\n{server.Output}");
            }

            await Task.Delay(250, Ct);
        }
    }

    private static string? State(JsonNode rollout, string site) => (string?)rollout["sites"]!.AsArray().Single(s => (string?)s!["site"] == site)!["state"];

    private string[] Upgrades(string site, string service = "") =>
        File.Exists(HelmLog) ? [.. File.ReadAllLines(HelmLog).Where(l => l.StartsWith($"helm upgrade --install {service}", StringComparison.Ordinal) && (l + " ").Contains($"--kube-context {site} ", StringComparison.Ordinal))] : [];

    [Fact(Timeout = 300_000)]
    public async Task Rollout_CanaryFails_HaltsBeforeWave1ThenRetrySucceeds()
    {
        Policy("canary: {sites: [prod-a]}");
        File.WriteAllText(Failing, "prod-a\n");
        var server = await StartServerAsync();

        var name = await StartRolloutAsync(server);
        var halted = await WaitForAsync(server, name, r => (string?)r["status"] == "Halted", "halted");

        Assert.Equal("Failed", State(halted, "prod-a"));
        Assert.Equal(("Halted", "Halted"), (State(halted, "prod-b"), State(halted, "prod-c")));
        Assert.Contains("canary site prod-a failed", (string?)halted["reason"], StringComparison.Ordinal);
        Assert.Empty(Upgrades("prod-b"));
        Assert.Empty(Upgrades("prod-c"));
        var events = halted["events"]!.AsArray();
        Assert.Contains(events, e => (string?)e!["site"] == "prod-b" && (string?)e["to"] == "Halted" && (string?)e["reason"] == "CanaryFailed");
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(server, "api/v1/rollouts", new { environment = "prod" })).Status);

        File.Delete(Failing);
        var retry = await server.CliAsync("rollout", "retry", name, "--site", "prod-a");
        Assert.True(retry.ExitCode == 0, retry.Stderr);
        var done = await WaitForAsync(server, name, r => (string?)r["status"] == "Succeeded", "succeeded");
        Assert.Equal(2, done["sites"]!.AsArray().Single(s => (string?)s!["site"] == "prod-a")!["attempt"]!.GetValue<int>());
        Assert.Single(Upgrades("prod-b", "image "));
        Assert.Single(Upgrades("prod-c", "image "));

        var table = await server.CliAsync("rollout", "get", name);
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Contains($"rollout {name} of prod to", table.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"wave-1\s+prod-c\s+b\s+Succeeded\s+1", table.Stdout);
    }

    [Fact(Timeout = 300_000)]
    public async Task Rollout_Gate_WaitsRefusesNonApproverOpensForApprover()
    {
        Policy("canary: {sites: [prod-a]}\ngates: [{before: wave-1, approvers: [admin]}]");
        var server = await StartServerAsync(auth: true);
        var alice = await server.CliAsync("auth", "token", "create", "--owner", "alice", "--description", "ci", "--expires-in", "30d", "--token", Admin);
        Assert.True(alice.ExitCode == 0, alice.Stderr);
        var token = alice.Stdout.Trim();

        var name = await StartRolloutAsync(server, token);
        var waiting = await WaitForAsync(server, name, r => State(r, "prod-b") == "WaitingForApproval", "waiting for approval", Admin);
        Assert.Equal("Succeeded", State(waiting, "prod-a"));
        var gate = waiting["gates"]!.AsArray().Single()!;
        Assert.Equal(("wave-1", true, "admin"), ((string?)gate["wave"], (bool?)gate["waiting"], (string?)gate["roles"]![0]));
        var shown = await server.CliAsync("rollout", "get", name, "--token", token);
        Assert.Contains($"wave-1 waits for approval (before-wave-1) by one of: admin", shown.Stdout, StringComparison.Ordinal);

        var refused = await server.CliAsync("rollout", "approve", name, "--token", token);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("alice may not approve before-wave-1", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("it takes one of the roles admin", refused.Stderr, StringComparison.Ordinal);
        var (status, _) = await SendAsync(server, $"api/v1/rollouts/{name}/approve", new { }, token);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Empty(Upgrades("prod-b"));

        var approved = await server.CliAsync("rollout", "approve", name, "--gate", "wave-1", "--token", Admin);
        Assert.True(approved.ExitCode == 0, approved.Stderr);
        var done = await WaitForAsync(server, name, r => (string?)r["status"] == "Succeeded", "succeeded", Admin);
        gate = done["gates"]!.AsArray().Single()!;
        Assert.Equal("admin", (string?)gate["approvedBy"]);
        Assert.Contains(done["events"]!.AsArray(), e => (string?)e!["reason"] == "Approve" && (string?)e["actor"] == "admin");
        Assert.Single(Upgrades("prod-b", "image "));
    }

    [Fact(Timeout = 300_000)]
    public async Task Rollout_PolicyAllowsApproveButNotTheGatesRole_RefusedAndAuditedAsADenyOfTheGate()
    {
        // alice may do anything to prod's rollouts, but holds no role the gate takes.
        _repo.Write("policy.csv", "p, alice, rollouts, *, prod/*, allow\n");
        Policy("canary: {sites: [prod-a]}\ngates: [{before: wave-1, approvers: [sre]}]");
        var server = await StartServerAsync(auth: true);
        var alice = await server.CliAsync("auth", "token", "create", "--owner", "alice", "--description", "ci", "--expires-in", "30d", "--token", Admin);
        Assert.True(alice.ExitCode == 0, alice.Stderr);
        var token = alice.Stdout.Trim();
        var name = await StartRolloutAsync(server, token);
        await WaitForAsync(server, name, r => State(r, "prod-b") == "WaitingForApproval", "waiting for approval", token);

        var (status, problem) = await SendAsync(server, $"api/v1/rollouts/{name}/approve", new { gate = "wave-1" }, token);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains($"alice may not approve before-wave-1 of rollout {name}: it takes one of the roles sre (alice holds none)", (string?)problem!["detail"], StringComparison.Ordinal);
        var (_, audit) = await SendAsync(server, "api/v1/audit?limit=1000", null, Admin);
        var approvals = audit!["items"]!.AsArray().Where(e => (string?)e!["actor"] == "alice" && (string?)e["name"] == "approve rollouts prod/*")
            .Select(e => ((string?)e!["action"], (string?)e["detail"])).ToList();
        Assert.Contains(approvals, e => e is ("allow", { } d) && d.StartsWith("source: api; policy.csv@", StringComparison.Ordinal));
        Assert.Contains(approvals, e => e is ("deny", { } d) && d.StartsWith($"source: api; gate: alice may not approve before-wave-1 of rollout {name}", StringComparison.Ordinal));
        Assert.Null((string?)(await WaitForAsync(server, name, _ => true, "read", token))["gates"]![0]!["approvedBy"]);
    }

    [Fact(Timeout = 300_000)]
    public async Task RolloutPage_GateWaiting_GridGateHiddenForReaderApproveOpensItForAdmin()
    {
        // alice may only read (role:readonly): she sees the rollout but none of its buttons.
        _repo.Write("policy.csv", "g, alice, role:readonly\n");
        Policy("canary: {sites: [prod-a]}\ngates: [{before: wave-1, approvers: [admin]}]");
        var server = await StartServerAsync(auth: true);
        var alice = await server.CliAsync("auth", "token", "create", "--owner", "alice", "--description", "ui", "--expires-in", "30d", "--token", Admin);
        Assert.True(alice.ExitCode == 0, alice.Stderr);
        var name = await StartRolloutAsync(server, Admin);
        var waiting = await WaitForAsync(server, name, r => State(r, "prod-b") == "WaitingForApproval", "waiting for approval", Admin);
        var run = (string?)waiting["sites"]!.AsArray().Single(s => (string?)s!["site"] == "prod-a")!["run"];
        Assert.NotNull(run);
        var context = await (await browser.GetAsync(Ct)).NewContextAsync(new() { BaseURL = server.Url, ViewportSize = new() { Width = 1400, Height = 900 } });
        await context.AddInitScriptAsync($"sessionStorage.setItem('mothership.token', '{Admin}')");
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        var screenshots = Path.Combine(Fixtures.RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(screenshots);

        var readerContext = await (await browser.GetAsync(Ct)).NewContextAsync(new() { BaseURL = server.Url });
        await readerContext.AddInitScriptAsync($"sessionStorage.setItem('mothership.token', '{alice.Stdout.Trim()}')");
        var reader = await readerContext.NewPageAsync();
        await reader.GotoAsync($"/ui/rollouts/{name}");
        await Expect(reader.Locator("tr[data-wave='wave-1'] [data-site='prod-b']")).ToHaveAttributeAsync("data-state", "WaitingForApproval", new() { Timeout = 20_000 });
        await Expect(reader.Locator("li.gate[data-gate='before-wave-1'] .gate-roles")).ToContainTextAsync("one of admin");
        foreach (var button in new[] { "Approve", "Pause", "Abort" })
        {
            await Expect(reader.GetByRole(AriaRole.Button, new() { Name = button })).ToBeHiddenAsync();
        }

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Rollouts" }).ClickAsync();
        var row = page.Locator($"table.rollouts tr[data-rollout='{name}']");
        await Expect(row).ToContainTextAsync("prod", new() { Timeout = 20_000 });
        await Expect(row).ToContainTextAsync("1/3 succeeded");
        await row.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/ui/rollouts/{name}$"));

        await Expect(page.Locator("table.rollout-grid tbody th")).ToHaveTextAsync(["canary", "wave-1"], new() { Timeout = 20_000 });
        await Expect(page.Locator("table.rollout-grid thead th")).ToHaveTextAsync(["Wave", "a", "b"]);
        var canary = page.Locator("tr[data-wave='canary'] [data-site='prod-a']");
        await Expect(canary).ToHaveAttributeAsync("data-state", "Succeeded");
        await Expect(canary.GetByRole(AriaRole.Link, new() { Name = "Deploy run" })).ToHaveAttributeAsync("href", $"/ui/pipelineruns/{run}");
        var prodB = page.Locator("tr[data-wave='wave-1'] [data-site='prod-b']");
        var prodC = page.Locator("tr[data-wave='wave-1'] [data-site='prod-c']");
        await Expect(prodB).ToHaveAttributeAsync("data-state", "WaitingForApproval");
        await Expect(prodB).ToContainTextAsync("Waiting for approval");
        await Expect(prodC).ToHaveAttributeAsync("data-state", "WaitingForApproval");
        var gate = page.Locator("li.gate[data-gate='before-wave-1']");
        await Expect(gate).ToHaveAttributeAsync("data-waiting", "true");
        await Expect(gate.Locator(".gate-roles")).ToContainTextAsync("one of admin");
        await Expect(page.Locator("[data-window]")).ToHaveTextAsync("open");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Pause" })).ToBeVisibleAsync();
        await Expect(page.Locator("ol.timeline li").Filter(new() { HasText = "prod-b" }).First).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "rollout-gate.png"), FullPage = true });

        await gate.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(page.Locator("#gates-title")).ToBeVisibleAsync();
        await Expect(page.Locator(".notice")).Not.ToContainTextAsync("⚠");
        await Expect(prodB).Not.ToHaveAttributeAsync("data-state", "WaitingForApproval", new() { Timeout = 30_000 });
        await Expect(gate).ToContainTextAsync("by admin");
        await Expect(gate.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToBeHiddenAsync();
        var after = await WaitForAsync(server, name, r => (string?)r["gates"]![0]!["approvedBy"] is not null, "approved", Admin);
        Assert.Equal("admin", (string?)after["gates"]![0]!["approvedBy"]);
        Assert.Contains(after["events"]!.AsArray(), e => (string?)e!["reason"] == "Approve" && (string?)e["actor"] == "admin");
        await Expect(page.Locator("ol.timeline")).ToContainTextAsync("Approve");
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "rollout-approved.png"), FullPage = true });
        Assert.True(errors.Count == 0, "script errors in the page:\n" + string.Join("\n", errors));
    }

    [Fact(Timeout = 300_000)]
    public async Task RolloutPage_RetryPauseResumeAbortButtons_ChangeTheRolloutAndThePageShowsIt()
    {
        // The canary fails first (Retry), then wave-1 waits at its gate: a rollout that stands still for Pause, Resume and Abort.
        Policy("canary: {sites: [prod-a]}\ngates: [{before: wave-1, approvers: [admin]}]");
        File.WriteAllText(Failing, "prod-a\n");
        var server = await StartServerAsync(auth: true);
        var name = await StartRolloutAsync(server, Admin);
        await WaitForAsync(server, name, r => (string?)r["status"] == "Halted", "halted", Admin);
        var context = await (await browser.GetAsync(Ct)).NewContextAsync(new() { BaseURL = server.Url, ViewportSize = new() { Width = 1400, Height = 900 } });
        await context.AddInitScriptAsync($"sessionStorage.setItem('mothership.token', '{Admin}')");
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync($"/ui/rollouts/{name}");
        var status = page.Locator("h1 [data-state]");
        var prodA = page.Locator("tr[data-wave='canary'] [data-site='prod-a']");
        var prodB = page.Locator("tr[data-wave='wave-1'] [data-site='prod-b']");
        await Expect(status).ToHaveAttributeAsync("data-state", "Halted", new() { Timeout = 20_000 });
        await Expect(prodA).ToHaveAttributeAsync("data-state", "Failed");

        // Retry on the failed site: a second attempt, which passes now.
        File.Delete(Failing);
        await prodA.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        var retried = await WaitForAsync(server, name, r => State(r, "prod-b") == "WaitingForApproval", "past the retried canary", Admin);
        var canary = retried["sites"]!.AsArray().Single(s => (string?)s!["site"] == "prod-a")!;
        Assert.Equal(("Succeeded", 2), ((string?)canary["state"], canary["attempt"]!.GetValue<int>()));
        Assert.Contains(retried["events"]!.AsArray(), e => (string?)e!["reason"] == "Retry" && (string?)e["actor"] == "admin");
        // The first attempt failed at its first service (db), the retry deployed them all.
        Assert.Equal((2, 1), (Upgrades("prod-a", "db ").Length, Upgrades("prod-a", "image ").Length));
        await Expect(prodA).ToHaveAttributeAsync("data-state", "Succeeded", new() { Timeout = 20_000 });
        await Expect(prodA).ToContainTextAsync("attempt 2");
        await Expect(prodB).ToHaveAttributeAsync("data-state", "WaitingForApproval");
        await Expect(prodA.GetByRole(AriaRole.Button, new() { Name = "Retry" })).ToHaveCountAsync(0);

        // Pause, then Resume: each an event by admin; the buttons swap.
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        var paused = await WaitForAsync(server, name, r => (string?)r["status"] == "Paused", "paused", Admin);
        Assert.Contains(paused["events"]!.AsArray(), e => (string?)e!["reason"] == "Pause" && (string?)e["actor"] == "admin");
        await Expect(status).ToHaveAttributeAsync("data-state", "Paused", new() { Timeout = 20_000 });
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Pause" })).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        var resumed = await WaitForAsync(server, name, r => (string?)r["status"] == "Running", "running again", Admin);
        Assert.Contains(resumed["events"]!.AsArray(), e => (string?)e!["reason"] == "Resume" && (string?)e["actor"] == "admin");
        Assert.Equal("WaitingForApproval", State(resumed, "prod-b"));
        await Expect(status).ToHaveAttributeAsync("data-state", "Running", new() { Timeout = 20_000 });
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resume" })).ToBeHiddenAsync();
        await Expect(page.Locator("ol.timeline")).ToContainTextAsync("Resume");

        // Abort asks first in a dialog; confirming ends the rollout.
        await page.GetByRole(AriaRole.Button, new() { Name = "Abort" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync($"Abort rollout {name}?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Abort" }).ClickAsync();
        var aborted = await WaitForAsync(server, name, r => (bool?)r["active"] == false, "over", Admin);
        Assert.Equal("Aborted", (string?)aborted["status"]);
        Assert.Equal(("Skipped", "Skipped"), (State(aborted, "prod-b"), State(aborted, "prod-c")));
        Assert.Contains(aborted["events"]!.AsArray(), e => (string?)e!["reason"] == "Abort" && (string?)e["actor"] == "admin");
        await Expect(status).ToHaveAttributeAsync("data-state", "Aborted", new() { Timeout = 20_000 });
        await Expect(prodB).ToHaveAttributeAsync("data-state", "Skipped");
        foreach (var button in new[] { "Pause", "Resume", "Abort", "Approve" })
        {
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = button })).ToBeHiddenAsync();
        }

        Assert.Empty(Upgrades("prod-b"));
        Assert.True(errors.Count == 0, "script errors in the page:\n" + string.Join("\n", errors));
    }

    [Fact(Timeout = 180_000)]
    public async Task Rollout_WindowClosed_WaveWaitsForTheNextOpening()
    {
        // Frozen today and tomorrow (UTC): the windows open the day after.
        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
        Policy($"windows: {{freeze: [{today:yyyy-MM-dd}..{today.AddDays(1):yyyy-MM-dd}]}}");
        var server = await StartServerAsync();

        var started = await server.CliAsync("rollout", "start", "prod");
        Assert.True(started.ExitCode == 0, started.Stderr);
        var name = started.Stdout.Split(' ')[1];
        Assert.Contains($"rollout {name} of prod to", started.Stdout, StringComparison.Ordinal);
        var waiting = await WaitForAsync(server, name, r => State(r, "prod-a") == "WaitingForWindow", "waiting for the window");

        Assert.All(waiting["sites"]!.AsArray(), s => Assert.Equal("WaitingForWindow", (string?)s!["state"]));
        Assert.False((bool)waiting["window"]!["open"]!);
        Assert.Equal(today.AddDays(2).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), waiting["window"]!["nextOpening"]!.GetValue<DateTimeOffset>().UtcDateTime);
        Assert.Contains("the change windows are closed until", (string?)waiting["sites"]![0]!["message"], StringComparison.Ordinal);
        Assert.False(File.Exists(HelmLog) && File.ReadAllText(HelmLog).Contains("upgrade", StringComparison.Ordinal));

        var shown = await server.CliAsync("rollout", "get", name);
        Assert.Contains($"change windows closed; next opening {today.AddDays(2):yyyy-MM-dd}", shown.Stdout, StringComparison.Ordinal);
        var paused = await server.CliAsync("rollout", "pause", name);
        Assert.True(paused.ExitCode == 0, paused.Stderr);
        Assert.Contains("Paused (paused by ", paused.Stdout, StringComparison.Ordinal);
        var again = await server.CliAsync("rollout", "pause", name);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("the rollout is paused already", again.Stderr, StringComparison.Ordinal);
        var resumed = await server.CliAsync("rollout", "resume", name);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains(": Running", resumed.Stdout, StringComparison.Ordinal);

        var aborted = await server.CliAsync("rollout", "abort", name);
        Assert.True(aborted.ExitCode == 0, aborted.Stderr);
        var over = await WaitForAsync(server, name, r => (bool?)r["active"] == false, "over");
        Assert.Equal("Aborted", (string?)over["status"]);
        Assert.All(over["sites"]!.AsArray(), s => Assert.Equal("Skipped", (string?)s!["state"]));
    }

    [Fact(Timeout = 300_000)]
    public async Task Rollout_ServerKilledMidWave_RestartsAndFinishesDeployingEachSiteOnce()
    {
        Policy("canary: {sites: [prod-a]}");
        var server = await StartServerAsync();

        // Wave-1's upgrades hold from the start: the canary passes and wave-1 starts within a second,
        // faster than a hold placed once the canary is seen to pass.
        File.WriteAllText(Hold, "prod-b prod-c");
        var name = await StartRolloutAsync(server);
        await WaitForAsync(server, name, r => State(r, "prod-a") == "Succeeded", "past the canary");
        await WaitForAsync(server, name, r => State(r, "prod-b") == "Deploying" && State(r, "prod-c") == "Deploying", "deploying wave-1");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Started))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"no helm upgrade in wave-1; server:\n{server.Output}");
            await Task.Delay(100, Ct);
        }

        await server.KillAsync();
        File.Delete(Hold);
        await server.StartAgainAsync(Ct);

        var done = await WaitForAsync(server, name, r => (string?)r["status"] == "Succeeded", "succeeded");
        Assert.All(done["sites"]!.AsArray(), s => Assert.Equal(1, s!["attempt"]!.GetValue<int>()));
        foreach (var site in new[] { "prod-a", "prod-b", "prod-c" })
        {
            var history = (await SendAsync(server, $"api/v1/sites/{site}/history", null)).Body!["items"]!.AsArray();
            Assert.True(history.Count == 1, $"{site} deployed {history.Count} times: {history.ToJsonString()}");

            // One deploy per site. Within it, a helm upgrade the kill interrupted may run again when
            // the deploy resumes (the step had not finished; `helm upgrade --install` is idempotent),
            // so wave-1's sites show one or two invocations; the canary, done before the kill, one.
            var upgrades = Upgrades(site, "image ").Length;
            Assert.True(site == "prod-a" ? upgrades == 1 : upgrades is 1 or 2, $"{site}: {upgrades} helm upgrades of image");
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task Rollout_BakeCheckFails_HaltsBeforeTheNextWave()
    {
        // The check, a Pipeline file of the site repository, fails for prod-a only.
        _repo.Write("checks/health.yaml", """
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: health}
            spec:
              params: [{name: site, type: string}]
              tasks:
                - name: probe
                  params: [{name: site, value: $(params.site)}]
                  taskSpec:
                    params: [{name: site, type: string}]
                    steps:
                      - name: probe
                        image: busybox
                        script: |
                          echo "probing $(params.site)"
                          test "$(params.site)" != prod-a
            """);
        Policy("canary: {sites: [prod-a]}\nbake: {duration: 1s, pipeline: checks/health.yaml}");
        var server = await StartServerAsync();

        var name = await StartRolloutAsync(server);
        var halted = await WaitForAsync(server, name, r => (string?)r["status"] == "Halted", "halted");

        Assert.Equal("Failed", State(halted, "prod-a"));
        Assert.Equal(("Halted", "Halted"), (State(halted, "prod-b"), State(halted, "prod-c")));
        Assert.Contains("bake check failed", (string?)halted["reason"], StringComparison.Ordinal);
        var check = (string?)halted["sites"]!.AsArray().Single(s => (string?)s!["site"] == "prod-a")!["check"];
        Assert.StartsWith("bake-prod-a-", check, StringComparison.Ordinal);
        Assert.Contains(halted["events"]!.AsArray(), e => (string?)e!["site"] == "prod-a" && (string?)e["reason"] == "BakeFailed");
        Assert.Single(Upgrades("prod-a", "image "));
        Assert.Empty(Upgrades("prod-b"));
    }
}
