using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mothership.Ci.Hooks;
using Mothership.Testing;
using Mothership.Testing.GitHub;

namespace Mothership.IntegrationTests.Cloud;

/// <summary>
/// GitOps promotion end to end: a real git site repository, the fake GitHub, the server with the
/// deploy plugin, recording helm/kubectl stand-ins. A merged change deploys to dev; the bot opens a
/// deployment pull request per prod site with the range, the notes and the plan; the label deploys
/// only what changed; the pull request is merged, the revision tagged and released.
/// </summary>
public sealed class PromotionTests : IAsyncLifetime
{
    private const string Secret = "promotion-secret";
    private const string Label = "area/small/prod";
    private const string Note = "The database of region a grows to 15Gi.";

    private readonly SiteRepositoryFixture _repo = SiteRepositoryFixture.Small();
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mship-promotion-");
    private FakeGitHub _github = null!;
    private FakeRepository _gh = null!;
    private ServerProcess? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string HelmLog => Path.Combine(_work.FullName, "helm.log");

    /// <summary>While this file exists, the jobs of the service it names (empty: db) fail.</summary>
    private string FailDb => Path.Combine(_work.FullName, "fail-db");

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "bot-token", Login = "mothership-bot" }, Ct);
        _gh = _github.AddRepository("Codertocat", "Hello-World");
        _gh.AddCollaborator("alice");
        _gh.AddLabel(Label);
        _gh.AddLabel("kind/feature");
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Assert.Empty(_github.Errors);
        await _github.DisposeAsync();
        _repo.Dispose();
        _work.Delete(recursive: true);
    }

    /// <summary>The example's cloud.yaml with a promotion dev → prod on the fake GitHub's repository.</summary>
    private string Promote()
    {
        var cloud = File.ReadAllText(Path.Combine(_repo.Root, "cloud.yaml"));
        _repo.Write("cloud.yaml", cloud.TrimEnd() + "\n  promotion:\n    repository: Codertocat/Hello-World\n    environments: [{name: dev}, {name: prod}]\n");
        return _repo.Commit("promotion dev → prod");
    }

    private async Task<ServerProcess> StartServerAsync(string config = "presubmits: {}\n", string plugins = "[deploy]", string? admin = null, string pollInterval = "00:00:01")
    {
        var bin = Path.Combine(_work.FullName, "bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "helm"), $$"""
            #!/usr/bin/env bash
            echo "helm $*" >> '{{HelmLog}}'
            """);
        File.WriteAllText(Path.Combine(bin, "kubectl"), $$"""
            #!/usr/bin/env bash
            if [ -e '{{FailDb}}' ]; then
              failing=$(cat '{{FailDb}}')
              case "$*" in *"get jobs -l release_group=${failing:-db} "*Failed*) echo "${failing:-db}-sync True"; exit 0 ;; esac
            fi
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

        var files = new Dictionary<string, string>
        {
            ["secret"] = Secret + "\n",
            ["token"] = "bot-token\n",
            ["config.yaml"] = config,
            ["plugins.yaml"] = $"plugins:\n  Codertocat/Hello-World: {plugins}\n",
        };
        foreach (var (name, text) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(_work.FullName, name), text, Ct);
        }

        _server = await ServerProcess.StartAsync(_work.FullName, null, ["--replica-id", "promoter", .. admin is null ? [] : new[] { "--token", admin }], Ct, new Dictionary<string, string>
        {
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
            ["Mothership__Cloud__Repository"] = _repo.Root,
            ["Mothership__GitHub__WebhookSecretFile"] = Path.Combine(_work.FullName, "secret"),
            ["Mothership__GitHub__TokenFile"] = Path.Combine(_work.FullName, "token"),
            ["Mothership__GitHub__ApiUrl"] = _github.BaseUri.ToString(),
            ["Mothership__Ci__Config"] = Path.Combine(_work.FullName, "config.yaml"),
            ["Mothership__Ci__Plugins"] = Path.Combine(_work.FullName, "plugins.yaml"),
            ["Mothership__PublicUrl"] = "https://mothership.example",
            ["Mothership__PollInterval"] = pollInterval,
        });
        if (admin is not null)
        {
            // The API calls of the helpers as the bootstrap admin; GitHub users stay what the policy says of github:LOGIN.
            _server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        }

        return _server;
    }

    private static async Task<JsonNode> DeployAsync(ServerProcess server, string site, string revision)
    {
        using var response = await server.Http.PostAsJsonAsync($"api/v1/sites/{site}/deploys", new { revision }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> WaitForDeployAsync(ServerProcess server, string site, Func<JsonNode, bool> which)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var history = JsonNode.Parse(await server.Http.GetStringAsync($"api/v1/sites/{site}/history", Ct))!;
            if (history["items"]!.AsArray().FirstOrDefault(d => which(d!) && d!["result"] is not null) is { } done)
            {
                return done;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"no finished deploy of {site}: {history.ToJsonString()}\n{server.Output}");
            await Task.Delay(200, Ct);
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe, string what, ServerProcess server)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"{what} did not happen; server:\n{server.Output}");
            await Task.Delay(200, Ct);
        }
    }

    private FakeIssue? DeploymentPullRequest(string site) =>
        Enumerable.Range(1, 30).Select(_gh.Issue).FirstOrDefault(i => i is { IsPullRequest: true } && i.HeadRef == $"mothership/deploy/{site}");

    /// <summary>GitHub's labeled payload: <paramref name="sender"/> adds <paramref name="label"/> to <paramref name="pr"/>.</summary>
    private static async Task LabeledAsync(ServerProcess server, FakeIssue pr, string label, string sender)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.GitHubWebhooks(), "pull_request", "labeled.payload.json")))!;
        var p = root["pull_request"]!;
        p["number"] = pr.Number;
        p["head"]!["sha"] = pr.HeadSha;
        p["head"]!["ref"] = pr.HeadRef;
        p["base"]!["ref"] = pr.BaseRef;
        p["state"] = "open";
        root["label"] = new JsonObject { ["name"] = label };
        root["sender"]!["login"] = sender;
        var body = System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "hook") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", "pull_request");
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("X-Hub-Signature-256", WebhookSignature.Sign(Secret, body));
        using var response = await server.Http.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>GitHub's <c>issue_comment</c> payload: <paramref name="author"/> comments <paramref name="comment"/> on the pull request <paramref name="pr"/>.</summary>
    private static async Task CommentedAsync(ServerProcess server, FakeIssue pr, string comment, string author)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.GitHubWebhooks(), "issue_comment", "created.payload.json")))!;
        var issue = root["issue"]!;
        issue["number"] = pr.Number;
        issue["state"] = "open";
        issue["pull_request"] = new JsonObject { ["url"] = $"https://api.github.com/repos/Codertocat/Hello-World/pulls/{pr.Number}" };
        issue["user"]!["login"] = pr.Author;
        issue["body"] = pr.Body;
        root["comment"]!["body"] = comment;
        root["comment"]!["user"]!["login"] = author;
        root["sender"]!["login"] = author;
        var body = System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "hook") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-GitHub-Event", "issue_comment");
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add("X-Hub-Signature-256", WebhookSignature.Sign(Secret, body));
        using var response = await server.Http.SendAsync(request, Ct);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<JsonNode> RolloutAsync(ServerProcess server, string name) =>
        JsonNode.Parse(await server.Http.GetStringAsync($"api/v1/rollouts/{name}", Ct))!;

    /// <summary>
    /// Prod rolls out with a gate before wave-1 that role sre opens; the repository's policy lets
    /// github:bob approve prod's rollouts without the role and makes github:carol an sre. Dev's deploy
    /// starts prod's rollout, which opens its pull request (waves, gate); the gate waiting is said
    /// there; bob's <c>/approve-rollout</c> is refused with a reply and the gate stays closed; carol's
    /// opens it, prod-b deploys, the rollout succeeds and its pull request is merged. Both decisions audited.
    /// </summary>
    [Fact(Timeout = 420_000)]
    public async Task DevDeployed_ProdRolloutWithAGate_PullRequestOpensApproveRolloutRefusedForNonApproverOpensForApprover()
    {
        var cloud = File.ReadAllText(Path.Combine(_repo.Root, "cloud.yaml"));
        _repo.Write("cloud.yaml", cloud.TrimEnd()
            + "\n  promotion:\n    repository: Codertocat/Hello-World\n    environments:\n      - {name: dev}\n"
            + "      - {name: prod, rollout: {canary: {sites: [prod-a]}, gates: [{before: wave-1, approvers: [sre]}]}}\n");
        _repo.Write("policy.csv", """
            p, role:sre, rollouts, approve, prod/*, allow
            g, github:carol, role:sre
            p, github:bob, rollouts, approve, prod/*, allow
            """);
        var a = _repo.Commit("promotion dev → prod by a rollout gated for sre");
        _gh.SetBranch("main", a);
        const string Admin = "promotion-admin-token";
        var server = await StartServerAsync(plugins: "[deploy, approve-rollout]", admin: Admin);

        var deploy = await DeployAsync(server, "dev-a", a);
        await WaitForDeployAsync(server, "dev-a", d => (string?)d["id"] == (string?)deploy["id"]);

        var pr = await WaitForAsync(() => Enumerable.Range(1, 30).Select(_gh.Issue)
            .FirstOrDefault(i => i is { IsPullRequest: true } && i.HeadRef == "mothership/rollout/prod" && (i.Body ?? "").Contains("**waits for approval**", StringComparison.Ordinal)),
            "the rollout pull request showing the gate waiting", server);
        var name = Assert.Single(JsonNode.Parse(await server.Http.GetStringAsync("api/v1/rollouts", Ct))!["items"]!.AsArray(), r => (string?)r!["environment"] == "prod")!["name"]!.GetValue<string>();
        Assert.Equal($"Roll out prod to {a[..12]}", pr.Title);
        Assert.Contains($"<!-- mothership:rollout name={name} environment=prod to={a} -->", pr.Body, StringComparison.Ordinal);
        Assert.Contains("| canary | 1: prod-a | — |", pr.Body, StringComparison.Ordinal);
        Assert.Contains("| wave-1 | 1: prod-b | `before-wave-1`: **waits for approval** by one of: sre |", pr.Body, StringComparison.Ordinal);
        Assert.Contains($"https://mothership.example/ui/rollouts/{name}", pr.Body, StringComparison.Ordinal);
        await WaitForAsync(() => _gh.CommentsOn(pr.Number).FirstOrDefault(c => c.Body.Contains("waits at gate `before-wave-1`", StringComparison.Ordinal)),
            "the comment saying the gate waits", server);

        await CommentedAsync(server, pr, "/approve-rollout", "bob");
        var refused = await WaitForAsync(() => _gh.CommentsOn(pr.Number).FirstOrDefault(c => c.Body.StartsWith("@bob", StringComparison.Ordinal)), "the reply to bob", server);
        Assert.Contains($"github:bob may not approve before-wave-1 of rollout {name}: it takes one of the roles sre (github:bob holds none): the gate stays closed.", refused.Body, StringComparison.Ordinal);
        var waiting = await RolloutAsync(server, name);
        Assert.Null((string?)waiting["gates"]![0]!["approvedBy"]);
        Assert.Equal("WaitingForApproval", (string?)waiting["sites"]!.AsArray().Single(s => (string?)s!["site"] == "prod-b")!["state"]);

        await CommentedAsync(server, pr, "/approve-rollout wave-1", "carol");
        var approved = await WaitForAsync(() => _gh.CommentsOn(pr.Number).FirstOrDefault(c => c.Body.StartsWith("@carol", StringComparison.Ordinal)), "the reply to carol", server);
        Assert.Contains($"github:carol approved before-wave-1 of rollout {name}: its wave starts.", approved.Body, StringComparison.Ordinal);
        await WaitForAsync(() => _gh.Issue(pr.Number) is { Merged: true } merged ? merged : null, "the rollout pull request merged", server);
        var done = await RolloutAsync(server, name);
        Assert.Equal(("Succeeded", "github:carol"), ((string?)done["status"], (string?)done["gates"]![0]!["approvedBy"]));
        Assert.Contains(_gh.CommentsOn(pr.Number), c => c.Body.Contains($"Rollout `{name}` ended **Succeeded**", StringComparison.Ordinal));
        Assert.Equal(a, (string?)JsonNode.Parse(await server.Http.GetStringAsync("api/v1/sites/prod-b", Ct))!["revision"]);

        var audit = JsonNode.Parse(await server.Http.GetStringAsync("api/v1/audit?limit=1000", Ct))!["items"]!.AsArray()
            .Where(e => ((string?)e!["actor"])?.StartsWith("github:", StringComparison.Ordinal) == true)
            .Select(e => ((string?)e!["actor"], (string?)e["action"], (string?)e["name"], (string?)e["detail"])).ToList();
        Assert.Contains(("github:bob", "allow", "approve rollouts prod/*", "source: github; policy.csv@" + a[..12] + ":3: p, github:bob, rollouts, approve, prod/*, allow"), audit);
        Assert.Contains(audit, e => e is ("github:bob", "deny", "approve rollouts prod/*", { } detail) && detail.StartsWith("source: github; gate: github:bob may not approve before-wave-1", StringComparison.Ordinal));
        Assert.Contains(audit, e => e is ("github:carol", "allow", "approve rollouts prod/*", { } detail) && detail.Contains(":1: p, role:sre, rollouts, approve, prod/*, allow", StringComparison.Ordinal));
    }

    /// <summary>
    /// A rollout started from the CLI of an environment the promotion names opens its pull request
    /// too; aborted while its gate waits, the bot says so and closes the pull request unmerged.
    /// </summary>
    [Fact(Timeout = 300_000)]
    public async Task RolloutStartedByTheCli_Aborted_PullRequestOpenedThenClosedWithTheEnd()
    {
        var cloud = File.ReadAllText(Path.Combine(_repo.Root, "cloud.yaml"));
        _repo.Write("cloud.yaml", cloud.TrimEnd()
            + "\n  promotion:\n    repository: Codertocat/Hello-World\n    environments:\n      - {name: dev}\n"
            + "      - {name: prod, rollout: {canary: {sites: [prod-a]}, gates: [{before: canary, approvers: [sre]}]}}\n");
        var a = _repo.Commit("prod by a rollout gated before its canary");
        _gh.SetBranch("main", a);
        var server = await StartServerAsync(plugins: "[deploy, approve-rollout]");

        var started = await server.CliAsync("rollout", "start", "prod");
        Assert.True(started.ExitCode == 0, started.Stderr);
        var name = System.Text.RegularExpressions.Regex.Match(started.Stdout, @"^rollout (\S+) of prod").Groups[1].Value;
        var pr = await WaitForAsync(() => Enumerable.Range(1, 30).Select(_gh.Issue)
            .FirstOrDefault(i => i is { IsPullRequest: true } && i.HeadRef == "mothership/rollout/prod" && (i.Body ?? "").Contains("**waits for approval**", StringComparison.Ordinal)),
            "the rollout pull request showing the canary's gate waiting", server);
        Assert.Contains($"started by {(string?)(await RolloutAsync(server, name))["actor"]}", pr.Body, StringComparison.Ordinal);
        Assert.Equal(a, System.Text.RegularExpressions.Regex.Match(System.Text.Encoding.UTF8.GetString(_gh.FileAt(pr.HeadSha, "environments/prod/deployed.yaml")!), "revision: (\\w+)").Groups[1].Value);

        var aborted = await server.CliAsync("rollout", "abort", name);
        Assert.True(aborted.ExitCode == 0, aborted.Stderr);

        await WaitForAsync(() => _gh.Issue(pr.Number) is { Closed: true } closed ? closed : null, "the rollout pull request closed", server);
        Assert.False(_gh.Issue(pr.Number)!.Merged);
        Assert.Contains(_gh.CommentsOn(pr.Number), c => c.Body.Contains($"Rollout `{name}` ended **Aborted**", StringComparison.Ordinal));
        Assert.Contains("Status: **Aborted**", _gh.Issue(pr.Number)!.Body, StringComparison.Ordinal);
        Assert.Empty(File.Exists(HelmLog) ? File.ReadAllLines(HelmLog).Where(l => l.Contains("--kube-context prod-", StringComparison.Ordinal)) : []);
    }

    /// <summary>
    /// Prod runs A; a merged pull request changes region a's database and dev deploys it (B). The bot
    /// proposes B to both prod sites with the range, the note and the plan; the label deploys prod-a's
    /// database only; both merged; B tagged dev/1 and prod/1 and released as v0.1.0 with the note.
    /// </summary>
    [Fact(Timeout = 420_000)]
    public async Task MergedChange_DevThenLabelledDeploymentPullRequests_DeployOnlyWhatChangedThenTagAndRelease()
    {
        var a = Promote();
        _gh.SetBranch("main", a);
        var change = _gh.AddPullRequest("alice", new string('c', 40), "bigger-db", "main", a, "Bigger database in region a");
        change.Body = $"Region a needs room.\n\n```release-note\n{Note}\n```\n";
        _gh.AddLabelsTo(change.Number, "kind/feature");
        _repo.Write("values/regions/a/db.yaml", "size: 15Gi\n");
        var b = _repo.Commit($"Merge pull request #{change.Number} from alice/bigger-db\n\nBigger database in region a");
        var server = await StartServerAsync();
        foreach (var site in new[] { "prod-a", "prod-b", "dev-a" })
        {
            var first = await DeployAsync(server, site, a);
            await WaitForDeployAsync(server, site, d => (string?)d["id"] == (string?)first["id"]);
        }

        _gh.SetBranch("main", b);
        change.Merged = true;
        change.Closed = true;
        var dev = await DeployAsync(server, "dev-a", b);
        Assert.Equal("Succeeded", (string?)(await WaitForDeployAsync(server, "dev-a", d => (string?)d["id"] == (string?)dev["id"]))["result"]);

        var prA = await WaitForAsync(() => DeploymentPullRequest("prod-a"), "prod-a's deployment pull request", server);
        var prB = await WaitForAsync(() => DeploymentPullRequest("prod-b"), "prod-b's deployment pull request", server);
        Assert.Equal("Deploy prod-a #2", prA.Title);
        Assert.Contains($"/Codertocat/Hello-World/compare/{a}...{b}", prA.Body, StringComparison.Ordinal);
        Assert.Contains($"| #{change.Number} (@alice) | feature | {Note} |", prA.Body, StringComparison.Ordinal);
        Assert.Contains("db", prA.Body!.Split("### Plan")[1], StringComparison.Ordinal);
        Assert.Equal($"revision: {b}", System.Text.Encoding.UTF8.GetString(_gh.FileAt(prA.HeadSha, "sites/prod-a/deployed.yaml")!).Split('\n')[2]);
        Assert.Equal((a, b), (_gh.TagSha("dev/1"), _gh.TagSha("dev/2")));
        var listed = JsonNode.Parse(await server.Http.GetStringAsync("api/v1/sites", Ct))!["items"]!.AsArray().ToDictionary(i => (string)i!["name"]!);
        Assert.Equal((prA.Number, b), ((int)listed["prod-a"]!["deploymentPullRequest"]!["number"]!, (string?)listed["prod-a"]!["deploymentPullRequest"]!["revision"]));
        Assert.EndsWith($"/Codertocat/Hello-World/pull/{prB.Number}", (string?)listed["prod-b"]!["deploymentPullRequest"]!["url"], StringComparison.Ordinal);
        Assert.Null(listed["dev-a"]!["deploymentPullRequest"]);

        File.Delete(HelmLog);
        await LabeledAsync(server, prA, Label, "alice");
        var deployedA = await WaitForDeployAsync(server, "prod-a", d => (string?)d["toRevision"] == b);
        Assert.Equal("Succeeded", (string?)deployedA["result"]);
        Assert.Equal(["db"], File.ReadAllLines(HelmLog).Where(l => l.StartsWith("helm upgrade", StringComparison.Ordinal)).Select(l => l.Split(' ')[3]));
        await WaitForAsync(() => _gh.Issue(prA.Number)!.Merged ? prA : null, "prod-a's pull request merged", server);
        Assert.Equal("success", _gh.Statuses.Last(s => s.Sha == prA.HeadSha && s.Context == "mothership/deploy").State);
        Assert.Contains(_gh.CommentsOn(prA.Number), c => c.Body.Contains("Site **prod-a** runs", StringComparison.Ordinal));
        Assert.Null(_gh.TagSha("prod/2"));

        await LabeledAsync(server, prB, Label, "alice");
        await WaitForAsync(() => _gh.Issue(prB.Number)!.Merged ? prB : null, "prod-b's pull request merged", server);
        var release = await WaitForAsync(() => _gh.Releases.FirstOrDefault(r => r.Tag != "v0.0.1"), "the release", server);

        // A first: prod/1 and v0.0.1 (no notes before it); B: prod/2, a feature → v0.1.0.
        Assert.Equal((a, b), (_gh.TagSha("prod/1"), _gh.TagSha("prod/2")));
        Assert.Equal(a, _gh.TagSha("v0.0.1"));
        Assert.Equal(("v0.1.0", b), (release.Tag, _gh.TagSha("v0.1.0")));
        Assert.Equal($"## Changes by Kind\n\n### Feature\n\n- {Note} (#{change.Number}, @alice)\n", release.Body);
    }

    [Fact(Timeout = 300_000)]
    public async Task DeployEnded_GitHubRefusesItsFollowUpOnce_TakenUpAgainOnceItsClaimPassed()
    {
        var a = Promote();
        _gh.SetBranch("main", a);
        // The tag that marks dev as running a: refused once, as GitHub refuses a token without the permission.
        _github.Faults.FailNext(1, "POST", "/repos/Codertocat/Hello-World/git/refs", GitHubFault.Forbidden);
        // Claims pass after 60 poll intervals: 12 s here, a minute by default.
        var server = await StartServerAsync(pollInterval: "00:00:00.200");

        var dev = await DeployAsync(server, "dev-a", a);
        Assert.Equal("Succeeded", (string?)(await WaitForDeployAsync(server, "dev-a", d => (string?)d["id"] == (string?)dev["id"]))["result"]);
        await WaitForAsync(() => server.Output.Contains("failed (attempt 1 of 5; taken up again after 00:00:12)", StringComparison.Ordinal) ? server : null,
            "the refused follow-up logged", server);
        Assert.Null(_gh.TagSha("dev/1"));

        Assert.Equal(a, await WaitForAsync(() => _gh.TagSha("dev/1"), "dev/1 tagged by the follow-up taken up again", server));
        // Refused, then made: the follow-up did not stop at the first answer, nor did it tag twice.
        Assert.Equal(2, _github.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/git/refs", StringComparison.Ordinal) && r.Body.Contains("refs/tags/dev/", StringComparison.Ordinal)));
    }

    [Fact(Timeout = 420_000)]
    public async Task LabelledDeploy_ServiceFails_PullRequestStaysOpenWithTheExcerptNothingTagged()
    {
        var a = Promote();
        _gh.SetBranch("main", a);
        _repo.Write("values/regions/a/db.yaml", "size: 15Gi\n");
        var b = _repo.Commit("bigger database in region a");
        var server = await StartServerAsync();
        foreach (var site in new[] { "prod-a", "prod-b" })
        {
            var first = await DeployAsync(server, site, a);
            await WaitForDeployAsync(server, site, d => (string?)d["id"] == (string?)first["id"]);
        }

        _gh.SetBranch("main", b);
        var dev = await DeployAsync(server, "dev-a", b);
        await WaitForDeployAsync(server, "dev-a", d => (string?)d["id"] == (string?)dev["id"]);
        var prA = await WaitForAsync(() => DeploymentPullRequest("prod-a"), "prod-a's deployment pull request", server);

        File.WriteAllText(FailDb, "");
        await LabeledAsync(server, prA, Label, "mallory");
        await WaitForAsync(() => _gh.CommentsOn(prA.Number).FirstOrDefault(c => c.Body.Contains("only collaborators", StringComparison.Ordinal)), "the refusal", server);
        await LabeledAsync(server, prA, Label, "alice");
        var failed = await WaitForDeployAsync(server, "prod-a", d => (string?)d["toRevision"] == b);

        Assert.NotEqual("Succeeded", (string?)failed["result"]);
        var comment = await WaitForAsync(() => _gh.CommentsOn(prA.Number).FirstOrDefault(c => c.Body.Contains("The deploy of site **prod-a** ended", StringComparison.Ordinal)), "the failure comment", server);
        Assert.Contains("Service `db`", comment.Body, StringComparison.Ordinal);
        Assert.Equal("failure", _gh.Statuses.Last(s => s.Sha == prA.HeadSha && s.Context == "mothership/deploy").State);
        Assert.False(_gh.Issue(prA.Number)!.Merged);
        Assert.Null(_gh.TagSha("prod/2"));
        Assert.Equal(["v0.0.1"], _gh.Releases.Select(r => r.Tag));
        Assert.Equal(a, (string?)JsonNode.Parse(await server.Http.GetStringAsync("api/v1/sites/prod-a", Ct))!["revision"]);
    }

    [Fact(Timeout = 300_000)]
    public async Task DevDeployed_ProdHasARolloutPolicy_StartsARolloutInsteadOfPullRequests()
    {
        var cloud = File.ReadAllText(Path.Combine(_repo.Root, "cloud.yaml"));
        _repo.Write("cloud.yaml", cloud.TrimEnd()
            + "\n  promotion:\n    repository: Codertocat/Hello-World\n    environments:\n      - {name: dev}\n      - {name: prod, rollout: {canary: {sites: [prod-a]}}}\n");
        var a = _repo.Commit("promotion dev → prod, prod by rollout");
        _gh.SetBranch("main", a);
        var server = await StartServerAsync();

        var deploy = await DeployAsync(server, "dev-a", a);
        await WaitForDeployAsync(server, "dev-a", d => (string?)d["id"] == (string?)deploy["id"]);

        JsonNode? rollout;
        var clock = Stopwatch.StartNew();
        while ((rollout = JsonNode.Parse(await server.Http.GetStringAsync("api/v1/rollouts", Ct))!["items"]!.AsArray()
            .FirstOrDefault(r => (string?)r!["environment"] == "prod" && (string?)r["status"] == "Succeeded")) is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"no prod rollout succeeded; server:\n{server.Output}");
            await Task.Delay(200, Ct);
        }

        Assert.Equal((a, "promotion"), ((string?)rollout["revision"], (string?)rollout["actor"]));
        var shown = JsonNode.Parse(await server.Http.GetStringAsync($"api/v1/rollouts/{rollout["name"]}", Ct))!;
        Assert.Equal(["canary", "wave-1"], shown["waves"]!.AsArray().Select(w => (string?)w!["name"]));
        Assert.Null(DeploymentPullRequest("prod-a"));
        Assert.Null(DeploymentPullRequest("prod-b"));
    }

    [Fact(Timeout = 300_000)]
    public async Task Promote_OlderRevision_OpensARollbackPullRequestFromTheCli()
    {
        var a = Promote();
        _gh.SetBranch("main", a);
        _repo.Write("values/regions/a/db.yaml", "size: 15Gi\n");
        var b = _repo.Commit("bigger database in region a");
        _gh.SetBranch("main", b);
        var server = await StartServerAsync();
        foreach (var revision in new[] { a, b })
        {
            var deploy = await DeployAsync(server, "prod-a", revision);
            await WaitForDeployAsync(server, "prod-a", d => (string?)d["id"] == (string?)deploy["id"]);
        }

        var promoted = await MshipProcess.RunAsync(["promote", "prod-a", "--revision", a, "--server", server.Url], cancellationToken: Ct);
        var unknown = await MshipProcess.RunAsync(["promote", "prod-a", "--revision", "no-such-tag", "--server", server.Url], cancellationToken: Ct);
        var onDemand = await MshipProcess.RunAsync(["promote", "dev-a", "--revision", a, "--server", server.Url], cancellationToken: Ct);

        Assert.True(promoted.ExitCode == 0, promoted.Stdout + promoted.Stderr);
        var pr = DeploymentPullRequest("prod-a")!;
        Assert.Equal($"pull request #{pr.Number} \"Deploy prod-a #3\" (mothership/deploy/prod-a) proposes {a} for site prod-a", promoted.Stdout.Trim());
        Assert.StartsWith($"Rolls back **prod-a** (prod, region a) to `{a[..12]}`, from `{b[..12]}`.", pr.Body, StringComparison.Ordinal);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("revision 'no-such-tag' names no commit of the site repository", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, onDemand.ExitCode);
        Assert.Contains("site 'dev-a' is deployed on demand", onDemand.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task Resume_FailedDeploy_ReusesWhatSucceededAndRunsTheFailedServiceAgain()
    {
        var a = Promote();
        _repo.Write("values/regions/a/db.yaml", "size: 15Gi\n");
        _repo.Write("values/global/image.yaml", "replicas: 3\n");
        var b = _repo.Commit("bigger database, more image replicas");
        var server = await StartServerAsync();
        var first = await DeployAsync(server, "prod-a", a);
        await WaitForDeployAsync(server, "prod-a", d => (string?)d["id"] == (string?)first["id"]);
        File.WriteAllText(FailDb, "image");
        File.Delete(HelmLog);
        var failing = await DeployAsync(server, "prod-a", b);
        var failed = await WaitForDeployAsync(server, "prod-a", d => (string?)d["id"] == (string?)failing["id"]);
        Assert.NotEqual("Succeeded", (string?)failed["result"]);
        Assert.Equal(["db", "image"], Upgrades());

        File.Delete(FailDb);
        File.Delete(HelmLog);
        using var response = await server.Http.PostAsJsonAsync("api/v1/sites/prod-a/deploys", new { resume = true }, Ct);
        var resumed = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.True(response.StatusCode == HttpStatusCode.Created, resumed.ToJsonString());
        var done = await WaitForDeployAsync(server, "prod-a", d => (string?)d["id"] == (string?)resumed["id"]);

        Assert.Equal(("Succeeded", a, b), ((string?)done["result"], (string?)done["fromRevision"], (string?)done["toRevision"]));
        Assert.Equal(["image"], Upgrades());
        Assert.Equal(b, (string?)JsonNode.Parse(await server.Http.GetStringAsync("api/v1/sites/prod-a", Ct))!["revision"]);
        using var again = await server.Http.PostAsJsonAsync("api/v1/sites/prod-a/deploys", new { resume = true }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("succeeded: nothing to resume", await again.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task LabelledDeploy_MergePoolServesTheRepository_LeftToThePool()
    {
        var a = Promote();
        _gh.SetBranch("main", a);
        _repo.Write("values/regions/a/db.yaml", "size: 15Gi\n");
        var b = _repo.Commit("bigger database in region a");
        var server = await StartServerAsync("presubmits: {}\ntide:\n  queries:\n  - repos: [Codertocat/Hello-World]\n    labels: [lgtm, approved]\n");
        var first = await DeployAsync(server, "prod-a", a);
        await WaitForDeployAsync(server, "prod-a", d => (string?)d["id"] == (string?)first["id"]);
        _gh.SetBranch("main", b);
        var dev = await DeployAsync(server, "dev-a", b);
        await WaitForDeployAsync(server, "dev-a", d => (string?)d["id"] == (string?)dev["id"]);
        var prA = await WaitForAsync(() => DeploymentPullRequest("prod-a"), "prod-a's deployment pull request", server);

        await LabeledAsync(server, prA, Label, "alice");
        var comment = await WaitForAsync(() => _gh.CommentsOn(prA.Number).FirstOrDefault(c => c.Body.Contains("Site **prod-a** runs", StringComparison.Ordinal)), "the success comment", server);

        Assert.Contains("The merge pool merges this pull request once it matches its query", comment.Body, StringComparison.Ordinal);
        Assert.Equal("success", _gh.Statuses.Last(s => s.Sha == prA.HeadSha && s.Context == "mothership/deploy").State);
        Assert.False(_gh.Issue(prA.Number)!.Merged);
    }

    private string[] Upgrades() =>
        [.. File.ReadAllLines(HelmLog).Where(l => l.StartsWith("helm upgrade", StringComparison.Ordinal)).Select(l => l.Split(' ')[3])];
}
