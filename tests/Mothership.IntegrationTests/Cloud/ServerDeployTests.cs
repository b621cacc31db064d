using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Mothership.IntegrationTests.Dashboard;
using Mothership.Testing;
using static Microsoft.Playwright.Assertions;

namespace Mothership.IntegrationTests.Cloud;

/// <summary>
/// Deploys run by the server (<c>POST /api/v1/sites/SITE/deploys</c>, <c>mship deploy --server</c>)
/// from a real git site repository, with recording helm and kubectl stand-ins on the server's PATH.
/// </summary>
public sealed class ServerDeployTests(SharedBrowser browser) : IAsyncLifetime, IClassFixture<SharedBrowser>
{
    private readonly SiteRepositoryFixture _repo = SiteRepositoryFixture.Small();
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mship-server-deploy-");
    private ServerProcess? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string HelmLog => Path.Combine(_work.FullName, "helm.log");

    /// <summary>While this file exists, <c>helm upgrade</c> waits (after writing <see cref="Started"/>).</summary>
    private string Hold => Path.Combine(_work.FullName, "hold");

    private string Started => Path.Combine(_work.FullName, "helm-started");

    /// <summary>What the stand-in answers to <c>helm list</c> (the drift check's releases).</summary>
    private string Releases => Path.Combine(_work.FullName, "releases.json");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

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

    private async Task<ServerProcess> StartServerAsync()
    {
        var bin = Path.Combine(_work.FullName, "bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "helm"), $$"""
            #!/usr/bin/env bash
            echo "helm $*" >> '{{HelmLog}}'
            if [ "$1" = upgrade ]; then
              touch '{{Started}}'
              while [ -e '{{Hold}}' ]; do sleep 0.1; done
            fi
            # The cluster as the drift check reads it, once the test has written it.
            if [ "$1 $2" = "list -n" ] && [ -e '{{Releases}}' ]; then cat '{{Releases}}'; fi
            if [ "$1 $2" = "get values" ] && [ -e '{{_work.FullName}}/values-'"$3"'.json' ]; then cat '{{_work.FullName}}/values-'"$3"'.json'; fi
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

        _server = await ServerProcess.StartAsync(_work.FullName, null, ["--replica-id", "deployer"], Ct, new Dictionary<string, string>
        {
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
            ["Mothership__Cloud__Repository"] = _repo.Root,
        });
        return _server;
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> DeployAsync(ServerProcess server, string site, string? revision = null)
    {
        using var response = await server.Http.PostAsJsonAsync($"api/v1/sites/{site}/deploys", new { revision }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private static async Task<JsonNode> GetAsync(ServerProcess server, string path) =>
        JsonNode.Parse(await server.Http.GetStringAsync(path, Ct))!;

    /// <summary>Polls the site until its latest deploy is <paramref name="deployId"/> and recorded.</summary>
    private static async Task<JsonNode> WaitForDeployAsync(ServerProcess server, string site, string deployId, int seconds = 90)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var history = await GetAsync(server, $"api/v1/sites/{site}/history");
            var deploy = history["items"]!.AsArray().FirstOrDefault(d => (string?)d!["id"] == deployId);
            if (deploy?["result"] is not null)
            {
                return deploy;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                Assert.Fail($"deploy {deployId} of {site} not recorded in {seconds} s: {history.ToJsonString()}\nserver:\n{server.Output}");
            }

            await Task.Delay(200, Ct);
        }
    }

    private async Task WaitForFileAsync(string path, int seconds = 60)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"{path} did not appear; server:\n{_server?.Output}");
            await Task.Delay(100, Ct);
        }
    }

    private string[] Upgrades() => [.. File.ReadAllLines(HelmLog).Where(l => l.StartsWith("helm upgrade", StringComparison.Ordinal))];

    [Fact(Timeout = 240_000)]
    public async Task Deploy_ThenAChangedValue_RecordsTheSiteAndRunsOnlyTheChangedService()
    {
        var server = await StartServerAsync();
        var first = _repo.Git("rev-parse", "HEAD").Trim();

        var (status, created) = await DeployAsync(server, "prod-a");

        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        Assert.Null((string?)created!["fromRevision"]);
        Assert.Equal(first, (string?)created["toRevision"]);
        var done = await WaitForDeployAsync(server, "prod-a", (string)created["id"]!);
        Assert.Equal("Succeeded", (string?)done["result"]);
        var run = await GetAsync(server, $"api/v1/pipelineruns/{(string)created["run"]!["name"]!}");
        Assert.Equal("prod-a", (string?)run["metadata"]!["labels"]!["mothership.io/site"]);
        Assert.Equal(first, (string?)run["metadata"]!["labels"]!["mothership.io/site-revision"]);
        Assert.Equal(3, Upgrades().Length);
        var site = await GetAsync(server, "api/v1/sites/prod-a");
        Assert.Equal((first, "Succeeded", "prod", "a"), ((string?)site["revision"], (string?)site["lastResult"], (string?)site["environment"], (string?)site["region"]));
        Assert.Equal(["db", "ident", "image"], site["services"]!.AsArray().Select(s => (string)s!["name"]!));
        Assert.StartsWith("sha256:", (string?)site["services"]![0]!["valuesDigest"], StringComparison.Ordinal);

        _repo.Write("values/global/image.yaml", "replicas: 7\n");
        var second = _repo.Commit("more image replicas");
        var (again, next) = await DeployAsync(server, "prod-a", second);

        Assert.True(again == HttpStatusCode.Created, next?.ToJsonString());
        Assert.Equal((first, second), ((string?)next!["fromRevision"], (string?)next["toRevision"]));
        Assert.Equal(["image"], next["services"]!.AsArray().Select(s => (string)s!["name"]!));
        Assert.Equal("Succeeded", (string?)(await WaitForDeployAsync(server, "prod-a", (string)next["id"]!))["result"]);
        var upgrades = Upgrades();
        Assert.Equal(4, upgrades.Length);
        Assert.StartsWith("helm upgrade --install image ", upgrades[3], StringComparison.Ordinal);
        site = await GetAsync(server, "api/v1/sites/prod-a");
        Assert.Equal(second, (string?)site["revision"]);
        Assert.Equal(second, (string?)site["services"]!.AsArray().Single(s => (string?)s!["name"] == "image")!["revision"]);
        Assert.Equal(first, (string?)site["services"]!.AsArray().Single(s => (string?)s!["name"] == "db")!["revision"]);
        var sites = await GetAsync(server, "api/v1/sites");
        Assert.Equal(["dev-a", "prod-a", "prod-b"], sites["items"]!.AsArray().Select(s => (string)s!["name"]!));
        Assert.Null((string?)sites["items"]![0]!["revision"]);
    }

    [Fact(Timeout = 240_000)]
    public async Task Deploy_TwoAtOnce_OneRunsTheOtherIsRefusedNamingIt()
    {
        var server = await StartServerAsync();
        File.WriteAllText(Hold, "");

        var answers = await Task.WhenAll(DeployAsync(server, "dev-a"), DeployAsync(server, "dev-a"));

        var started = Assert.Single(answers, a => a.Status == HttpStatusCode.Created).Body!;
        var refused = Assert.Single(answers, a => a.Status == HttpStatusCode.Conflict).Body!;
        Assert.Contains((string)started["run"]!["name"]!, (string?)refused["detail"], StringComparison.Ordinal);
        var listed = await GetAsync(server, "api/v1/sites");
        Assert.Equal((string?)started["id"], (string?)listed["items"]!.AsArray().Single(s => (string?)s!["name"] == "dev-a")!["runningDeploy"]!["id"]);

        File.Delete(Hold);
        Assert.Equal("Succeeded", (string?)(await WaitForDeployAsync(server, "dev-a", (string)started["id"]!))["result"]);
        var (status, _) = await DeployAsync(server, "dev-a");
        Assert.Equal(HttpStatusCode.Created, status);
    }

    [Fact(Timeout = 240_000)]
    public async Task Deploy_ServerKilledMidDeploy_ResumesAndRecordsTheSiteOnce()
    {
        var server = await StartServerAsync();
        File.WriteAllText(Hold, "");
        var (status, created) = await DeployAsync(server, "prod-b");
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        await WaitForFileAsync(Started);

        await server.KillAsync();
        File.Delete(Hold);
        await server.StartAgainAsync(Ct);

        var done = await WaitForDeployAsync(server, "prod-b", (string)created!["id"]!);
        Assert.Equal("Succeeded", (string?)done["result"]);
        Assert.Single((await GetAsync(server, "api/v1/sites/prod-b/history"))["items"]!.AsArray());
        var site = await GetAsync(server, "api/v1/sites/prod-b");
        Assert.Equal((string?)created["toRevision"], (string?)site["revision"]);
        Assert.Null(site["runningDeploy"]);
        Assert.Equal(3, site["services"]!.AsArray().Count);
        Assert.Contains(Upgrades(), u => u.StartsWith("helm upgrade --install image ", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploy_UnknownSiteOrRevision_404And400()
    {
        var server = await StartServerAsync();

        Assert.Equal(HttpStatusCode.NotFound, (await DeployAsync(server, "nowhere")).Status);
        var (status, body) = await DeployAsync(server, "dev-a", "no-such-branch");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("no-such-branch", (string?)body!["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync("api/v1/sites/nowhere", Ct)).StatusCode);

        // A kubeconfig named by the repository is a file of the server: refused while no kubeconfig folder is set.
        var siteYaml = File.ReadAllText(Path.Combine(_repo.Root, "sites/prod-b/site.yaml"))
            .Replace("cluster: {context: prod-b,", "cluster: {context: prod-b, kubeconfig: ../../root/.kube/config,", StringComparison.Ordinal);
        _repo.Write("sites/prod-b/site.yaml", siteYaml + "\n  executor: {kind: kubernetes}\n");
        var pods = _repo.Commit("prod-b deploys as pods");
        (status, body) = await DeployAsync(server, "prod-b", pods);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Matches(@"sites/prod-b/site\.yaml:\d+:\d+: site 'prod-b': field 'spec\.cluster\.kubeconfig': '\.\./\.\./root/\.kube/config': the server reads a site's kubeconfig only from its kubeconfig folder \(Mothership__Cloud__Kubeconfigs\), which is not set",
            (string?)body!["detail"]);
    }

    [Fact(Timeout = 240_000)]
    public async Task Cli_DeployWithServerFollowed_ThenSitesAndHistory()
    {
        var server = await StartServerAsync();
        var head = _repo.Git("rev-parse", "HEAD").Trim();

        var deploy = await MshipProcess.RunAsync(["deploy", "--server", server.Url, "--site", "dev-a", "-F"], _work.FullName, cancellationToken: Ct);

        Assert.True(deploy.ExitCode == 0, deploy.Stdout + deploy.Stderr);
        Assert.Contains($"of site dev-a: nothing deployed → {head[..12]}, pipelinerun.tekton.dev/deploy-dev-a-", deploy.Stdout, StringComparison.Ordinal);
        Assert.Contains("services: db, ident, image", deploy.Stdout, StringComparison.Ordinal);
        // The whole output on failure: xunit's Assert.Contains shows only its first line.
        Assert.True(deploy.Stdout.Contains("[summary/print] site dev-a: Succeeded", StringComparison.Ordinal), deploy.Stdout);
        var id = (string)(await GetAsync(server, "api/v1/sites/dev-a/history"))["items"]![0]!["id"]!;
        await WaitForDeployAsync(server, "dev-a", id);

        var sites = await server.CliAsync("sites");
        Assert.True(sites.ExitCode == 0, sites.Stderr);
        var row = sites.Stdout.Split('\n').Single(l => l.StartsWith("dev-a ", StringComparison.Ordinal));
        Assert.Contains(head[..12], row, StringComparison.Ordinal);
        Assert.Contains("Succeeded", row, StringComparison.Ordinal);
        var history = await server.CliAsync("sites", "history", "dev-a", "-o", "json");
        var entry = JsonNode.Parse(history.Stdout)!.AsArray().Single()!;
        Assert.Equal(("cli", "Succeeded", head), ((string?)entry["source"], (string?)entry["result"], (string?)entry["toRevision"]));

        var local = await MshipProcess.RunAsync(["deploy", "--server", server.Url, "--site", "dev-a", "--from", "HEAD"], _work.FullName, cancellationToken: Ct);
        Assert.Equal(2, local.ExitCode);
        Assert.Contains("--from is for a deploy on this machine", local.Stderr, StringComparison.Ordinal);
    }

    private async Task<JsonNode> CheckDriftAsync(ServerProcess server, string site)
    {
        using var response = await server.Http.PostAsJsonAsync($"api/v1/sites/{site}/drift", new { }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text + "\nserver:\n" + server.Output);
        return JsonNode.Parse(text)!;
    }

    /// <summary>What the cluster answers for prod-a's releases: the deployed values, ident's debug as given.</summary>
    private void Cluster(bool debug)
    {
        File.WriteAllText(Releases, """
            [{"name":"db","namespace":"infra","chart":"db-0.1.0"},{"name":"ident","namespace":"openstack","chart":"ident-0.1.0"},
             {"name":"image","namespace":"openstack","chart":"image-0.1.0"}]
            """);
        File.WriteAllText(Path.Combine(_work.FullName, "values-db.json"), """{"size":"10Gi"}""");
        File.WriteAllText(Path.Combine(_work.FullName, "values-image.json"), """{"replicas":2}""");
        File.WriteAllText(Path.Combine(_work.FullName, "values-ident.json"), $$$"""{"conf":{"debug":{{{(debug ? "true" : "false")}}},"admin_password":"hunter2"}}""");
    }

    [Fact(Timeout = 240_000)]
    public async Task SitesPage_DeployedSiteOutOfSync_MatrixSitePageHistoryAndCheckNow()
    {
        var server = await StartServerAsync();
        var (status, created) = await DeployAsync(server, "prod-a");
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        Assert.Equal("Succeeded", (string?)(await WaitForDeployAsync(server, "prod-a", (string)created!["id"]!))["result"]);
        Cluster(debug: true);
        Assert.Equal("OutOfSync", (string?)(await CheckDriftAsync(server, "prod-a"))["state"]);
        var run = (string)created["run"]!["name"]!;
        var revision = (string)created["toRevision"]!;
        var context = await (await browser.GetAsync(Ct)).NewContextAsync(new() { BaseURL = server.Url, ViewportSize = new() { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        var screenshots = Path.Combine(Fixtures.RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(screenshots);

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Sites" }).ClickAsync();

        var card = page.Locator("[data-site='prod-a']");
        await Expect(card).ToHaveAttributeAsync("data-drift", "OutOfSync", new() { Timeout = 20_000 });
        await Expect(card).ToContainTextAsync(revision[..12]);
        await Expect(card).ToContainTextAsync("Succeeded");
        await Expect(card).ToContainTextAsync("Out of sync");
        await Expect(card.GetByRole(AriaRole.Link, new() { Name = "Last deploy run" })).ToHaveAttributeAsync("href", $"/ui/pipelineruns/{run}");
        await Expect(page.Locator("[data-site='dev-a']")).ToContainTextAsync("not deployed");
        await Expect(page.Locator("table.sites tbody th")).ToHaveTextAsync(["dev", "prod"]);
        await Expect(page.Locator("table.sites thead th")).ToHaveTextAsync(["Environment", "a", "b"]);
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "sites.png"), FullPage = true });

        await card.GetByRole(AriaRole.Link, new() { Name = "prod-a" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/ui/sites/prod-a$"));
        var ident = page.Locator("table.drift tr[data-service='ident']");
        await Expect(ident).ToContainTextAsync("Out of sync");
        await Expect(ident.Locator("[data-path='conf.debug']")).ToContainTextAsync("false → true");
        await Expect(page.Locator("table.drift")).Not.ToContainTextAsync("hunter2");
        await Expect(page.Locator("table.history tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("table.history").GetByRole(AriaRole.Link, new() { Name = run })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(screenshots, "site-drift.png"), FullPage = true });

        Cluster(debug: false);
        await page.GetByRole(AriaRole.Button, new() { Name = "Check now" }).ClickAsync();
        await Expect(page.Locator("#drift-title")).ToContainTextAsync("In sync");
        await Expect(ident).ToContainTextAsync("In sync");
        Assert.True(errors.Count == 0, "script errors in the page:\n" + string.Join("\n", errors));
    }

    [Fact(Timeout = 240_000)]
    public async Task Drift_AfterDeployAValueChangedInTheCluster_OutOfSyncNamingTheKeyThenInSyncWhenUnchanged()
    {
        var server = await StartServerAsync();
        var (status, created) = await DeployAsync(server, "prod-a");
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        Assert.Equal("Succeeded", (string?)(await WaitForDeployAsync(server, "prod-a", (string)created!["id"]!))["result"]);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.PostAsJsonAsync("api/v1/sites/prod-b/drift", new { }, Ct)).StatusCode);
        File.WriteAllText(Releases, """
            [{"name":"db","namespace":"infra","chart":"db-0.1.0"},{"name":"ident","namespace":"openstack","chart":"ident-0.1.0"},
             {"name":"image","namespace":"openstack","chart":"image-0.1.0"}]
            """);
        File.WriteAllText(Path.Combine(_work.FullName, "values-db.json"), """{"size":"10Gi"}""");
        File.WriteAllText(Path.Combine(_work.FullName, "values-image.json"), """{"replicas":2}""");
        File.WriteAllText(Path.Combine(_work.FullName, "values-ident.json"), """{"conf":{"debug":true,"admin_password":"hunter3"}}""");

        var drift = await CheckDriftAsync(server, "prod-a");

        Assert.Equal("OutOfSync", (string?)drift["state"]);
        Assert.Equal((string?)created["toRevision"], (string?)drift["revision"]);
        var ident = drift["services"]!.AsArray().Single(s => (string?)s!["name"] == "ident")!;
        Assert.Equal("OutOfSync", (string?)ident["state"]);
        var differences = ident["differences"]!.AsArray().ToDictionary(d => (string)d!["path"]!);
        Assert.Equal(["conf.admin_password", "conf.debug"], differences.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("Changed", "false", "true"), ((string?)differences["conf.debug"]!["kind"], (string?)differences["conf.debug"]!["desired"], (string?)differences["conf.debug"]!["deployed"]));
        Assert.DoesNotContain("hunter", drift.ToJsonString(), StringComparison.Ordinal);
        Assert.All(drift["services"]!.AsArray().Where(s => (string?)s!["name"] != "ident"), s => Assert.Equal("InSync", (string?)s!["state"]));
        var listed = (await GetAsync(server, "api/v1/sites"))["items"]!.AsArray();
        Assert.Equal("OutOfSync", (string?)listed.Single(s => (string?)s!["name"] == "prod-a")!["drift"]!["state"]);
        Assert.Null(listed.Single(s => (string?)s!["name"] == "prod-b")!["drift"]);
        Assert.Contains("conf.debug", (await GetAsync(server, "api/v1/sites/prod-a/drift"))["services"]!.AsArray()
            .Single(s => (string?)s!["name"] == "ident")!["differences"]!.AsArray().Select(d => (string?)d!["path"]));
        var metrics = await server.Http.GetStringAsync("metrics", Ct);
        Assert.Contains("mothership_site_drift{site=\"prod-a\",state=\"OutOfSync\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("mothership_site_drift{site=\"prod-a\",state=\"InSync\"} 0", metrics, StringComparison.Ordinal);
        var sites = await server.CliAsync("sites");
        Assert.Contains("OutOfSync (ident)", sites.Stdout.Split('\n').Single(l => l.StartsWith("prod-a ", StringComparison.Ordinal)), StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_work.FullName, "values-ident.json"), """{"conf":{"debug":false,"admin_password":"hunter2"}}""");
        drift = await CheckDriftAsync(server, "prod-a");

        Assert.Equal("InSync", (string?)drift["state"]);
        Assert.Equal("InSync", (string?)(await GetAsync(server, "api/v1/sites/prod-a"))["drift"]!["state"]);
        metrics = await server.Http.GetStringAsync("metrics", Ct);
        Assert.Contains("mothership_site_drift{site=\"prod-a\",state=\"InSync\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("mothership_site_drift{site=\"prod-a\",state=\"OutOfSync\"} 0", metrics, StringComparison.Ordinal);
    }
}
