using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mothership.Testing.Kubernetes;

namespace Mothership.Executors.Kubernetes.Tests;

/// <summary>
/// <c>mship server</c> (a local one) deploying sites whose <c>site.yaml</c> says their deploys run
/// as pods in their own clusters: two contexts of the server's kubeconfig, two fake API servers.
/// </summary>
public sealed class ServerSiteDeploysOnKubernetesTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-kube-sites-");
    private FakeKubernetesApi _eu = null!;
    private FakeKubernetesApi _us = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Repo => Path.Combine(_dir.FullName, "repo");

    private string Kubeconfigs => Path.Combine(_dir.FullName, "kubeconfigs");

    public async ValueTask InitializeAsync()
    {
        // Pods stay pending a while, so the test sees each one (its account) before it runs and goes.
        var options = new FakeKubernetesApiOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200), SchedulingDelay = TimeSpan.FromMilliseconds(700) };
        _eu = await FakeKubernetesApi.StartAsync(options, Ct);
        _us = await FakeKubernetesApi.StartAsync(options, Ct);
        File.WriteAllText(Path.Combine(_dir.FullName, "kubeconfig"), $"""
            apiVersion: v1
            kind: Config
            clusters:
            - {Cluster("eu", _eu)}
            - {Cluster("us", _us)}
            users: [{"{"}name: fake, user: {"{"}token: fake-token{"}"}{"}"}]
            contexts:
            - {"{"}name: eu, context: {"{"}cluster: eu, user: fake{"}"}{"}"}
            - {"{"}name: us, context: {"{"}cluster: us, user: fake{"}"}{"}"}
            current-context: eu
            """);
        Directory.CreateDirectory(Kubeconfigs);
        Write(Repo, "cloud.yaml", """
            apiVersion: mothership.io/v1
            kind: Cloud
            metadata: {name: test}
            spec:
              services:
                - name: db
                  chart: {repository: "https://charts.example.org/", name: db, version: 1.0.0}
            """);
        Write(Repo, "sites/eu1/site.yaml", Site("eu1", "cluster: {context: eu}", "executor: {kind: kubernetes, namespace: deploys-eu, serviceAccount: eu-deployer}"));
        Write(Repo, "sites/us1/site.yaml", Site("us1", "cluster: {context: us}", "executor: {kind: kubernetes, namespace: deploys-us, serviceAccount: us-deployer}"));
        Write(Repo, "sites/kr1/site.yaml", Site("kr1", "cluster: {context: eu, kubeconfig: ../kubeconfig}", "executor: {kind: kubernetes}"));
        Write(Repo, "sites/loc1/site.yaml", Site("loc1", "cluster: {context: eu}", "executor: {kind: local}"));
        Write(Repo, "values/global/db.yaml", "size: 20Gi\n");
        Write(_dir.FullName, "charts/db/Chart.yaml", "apiVersion: v2\nname: db\nversion: 1.0.0\n");
        Write(_dir.FullName, "charts/db/values.yaml", "dependencies: {static: {}}\nendpoints: {oslo_db: {hosts: {default: db}}}\n");
        await GitCommand.RunAsync(Repo, "init", "-q", "-b", "main");
        await CommitAsync("sites");
    }

    public async ValueTask DisposeAsync()
    {
        await _eu.DisposeAsync();
        await _us.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    private static string Cluster(string name, FakeKubernetesApi api) =>
        $"{{name: {name}, cluster: {{server: \"{api.BaseUri.GetLeftPart(UriPartial.Authority)}\"}}}}";

    private static string Site(string name, string cluster, string executor) => $$"""
        apiVersion: mothership.io/v1
        kind: Site
        metadata: {name: {{name}}}
        spec:
          environment: dev
          region: r1
          {{cluster}}
          {{executor}}
          services: [db]
        """;

    private static void Write(string root, string path, string text)
    {
        var file = Path.Combine(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    private async Task<string> CommitAsync(string message)
    {
        await GitCommand.RunAsync(Repo, "add", "-A");
        await GitCommand.RunAsync(Repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", message);
        return (await GitCommand.RunAsync(Repo, "rev-parse", "HEAD")).Trim();
    }

    private Task<ServerProcess> StartServerAsync(params string[] extraArgs) =>
        ServerProcess.StartAsync(_dir.FullName, extraArgs: ["--replica-id", "deployer", .. extraArgs], cancellationToken: Ct, environment: ServerEnvironment());

    private Dictionary<string, string> ServerEnvironment() => new()
    {
        ["Mothership__Kubeconfig"] = Path.Combine(_dir.FullName, "kubeconfig"),
        ["Mothership__Cloud__Repository"] = Repo,
        ["Mothership__Cloud__Charts"] = Path.Combine(_dir.FullName, "charts"),
        ["Mothership__Cloud__Kubeconfigs"] = Kubeconfigs,
        ["Mothership__Cloud__DriftInterval"] = "0",
    };

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> DeployAsync(ServerProcess server, string site, string? revision = null)
    {
        using var response = await server.Http.PostAsJsonAsync($"api/v1/sites/{site}/deploys", new { revision, dryRun = true }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private async Task<JsonNode> WaitForDeployAsync(ServerProcess server, string site, string deployId)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var history = JsonNode.Parse(await server.Http.GetStringAsync($"api/v1/sites/{site}/history", Ct))!;
            if (history["items"]!.AsArray().FirstOrDefault(d => (string?)d!["id"] == deployId) is { } deploy && deploy["result"] is not null)
            {
                return deploy;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(90))
            {
                var run = history["items"]!.AsArray().FirstOrDefault(d => (string?)d!["id"] == deployId)?["run"]?["name"];
                var status = run is null ? "" : await server.Http.GetStringAsync($"api/v1/pipelineruns/{(string)run!}", Ct);
                var cluster = string.Join("\n", new[] { _eu, _us }.SelectMany(a => a.Pods.Select(p => $"pod {p.Metadata.NamespaceProperty}/{p.Metadata.Name} {p.Status?.Phase}"))
                    .Concat(new[] { _eu, _us }.SelectMany(a => a.Requests.Select(r => $"{r.Method} {r.Path}")))
                    .Concat(new[] { _eu, _us }.SelectMany(a => a.Errors.Select(e => e.ToString()))));
                Assert.Fail($"deploy {deployId} of {site} not recorded in 90 s: {history.ToJsonString()}\nrun: {status}\ncluster:\n{cluster}\nserver:\n{server.Output}");
            }

            await Task.Delay(200, Ct);
        }
    }

    /// <summary>Every pod the API servers held while <paramref name="until"/> ran: namespace/name → service account.</summary>
    private async Task<(T Result, IReadOnlyDictionary<string, string?> Eu, IReadOnlyDictionary<string, string?> Us)> WatchPodsAsync<T>(Func<Task<T>> until)
    {
        var eu = new ConcurrentDictionary<string, string?>(StringComparer.Ordinal);
        var us = new ConcurrentDictionary<string, string?>(StringComparer.Ordinal);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var (api, seen) in new[] { (_eu, eu), (_us, us) })
                {
                    foreach (var pod in api.Pods)
                    {
                        seen[$"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}"] = pod.Spec.ServiceAccountName;
                    }
                }

                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);
        var result = await until();
        await stop.CancelAsync();
        await watcher;
        return (result, eu, us);
    }

    [Fact(Timeout = 240_000)]
    public async Task Deploy_TwoSitesInTwoContexts_PodsInEachSitesClusterNamespaceAndAccount()
    {
        await using var server = await StartServerAsync();

        var (results, eu, us) = await WatchPodsAsync(async () =>
        {
            var done = new List<JsonNode>();
            foreach (var site in new[] { "eu1", "us1" })
            {
                var (status, created) = await DeployAsync(server, site);
                Assert.True(status == HttpStatusCode.Created, created?.ToJsonString() + "\n" + server.Output);
                done.Add(await WaitForDeployAsync(server, site, (string)created!["id"]!));
            }

            return done;
        });

        Assert.All(results, d => Assert.Equal("Succeeded", (string?)d["result"]));
        Assert.NotEmpty(eu);
        Assert.All(eu, p => Assert.StartsWith("deploys-eu/deploy-eu1-", p.Key, StringComparison.Ordinal));
        Assert.All(eu.Values, account => Assert.Equal("eu-deployer", account));
        Assert.NotEmpty(us);
        Assert.All(us, p => Assert.StartsWith("deploys-us/deploy-us1-", p.Key, StringComparison.Ordinal));
        Assert.All(us.Values, account => Assert.Equal("us-deployer", account));
        // Each site's state claim in its own cluster; nothing of one site in the other's.
        Assert.Contains(_eu.PersistentVolumeClaims, c => c.Metadata.Name == "mothership-state-eu1" && c.Metadata.NamespaceProperty == "deploys-eu");
        Assert.Contains(_us.PersistentVolumeClaims, c => c.Metadata.Name == "mothership-state-us1" && c.Metadata.NamespaceProperty == "deploys-us");
        Assert.DoesNotContain(_eu.Requests, r => r.Namespace == "deploys-us");
        Assert.DoesNotContain(_us.Requests, r => r.Namespace == "deploys-eu");

        // The run says where it ran.
        var run = JsonNode.Parse(await server.Http.GetStringAsync($"api/v1/pipelineruns/{(string)results[1]["run"]!["name"]!}", Ct))!;
        var annotations = run["metadata"]!["annotations"]!;
        Assert.Equal("kubernetes", (string?)annotations["mothership.io/executor"]);
        Assert.Equal("us", (string?)annotations["mothership.io/cluster-context"]);
        Assert.Equal("deploys-us", (string?)annotations["mothership.io/cluster-namespace"]);
    }

    [Fact(Timeout = 240_000)]
    public async Task Deploy_ServerKilledMidDeploy_ResumedRunStaysInItsClusterThoughSiteYamlChanged()
    {
        await using var server = await StartServerAsync();
        var (status, created) = await DeployAsync(server, "eu1");
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString() + "\n" + server.Output);
        var clock = Stopwatch.StartNew();
        while (!_eu.Requests.Any(r => r.Method == "POST" && r.Resource == "pods"))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"no pod in the eu cluster in 60 s; server:\n{server.Output}");
            await Task.Delay(20, Ct);
        }

        await server.KillAsync();
        // The site moves to the other cluster meanwhile: the deploy already running is not its business.
        Write(Repo, "sites/eu1/site.yaml", Site("eu1", "cluster: {context: us}", "executor: {kind: kubernetes, namespace: deploys-us, serviceAccount: us-deployer}"));
        await CommitAsync("eu1 moves");
        await server.StartAgainAsync(Ct);

        var done = await WaitForDeployAsync(server, "eu1", (string)created!["id"]!);
        Assert.True((string?)done["result"] == "Succeeded", done.ToJsonString() + "\n" + server.Output);
        Assert.Contains(_eu.Requests, r => r.Method == "POST" && r.Resource == "pods" && r.Namespace == "deploys-eu");
        Assert.DoesNotContain(_us.Requests, r => r.Method == "POST");
    }

    [Fact(Timeout = 240_000)]
    public async Task Restart_UnfinishedDeployInASitesCluster_FirstSweepReachesThatClusterBeforeTheRunResumes()
    {
        // The dead replica's lease outlives the test: the run stays unfinished and unclaimed, so no
        // TaskRun of it makes the eu cluster's executor after the restart; only start-up recovery can.
        var environment = ServerEnvironment();
        environment["Mothership__LeaseDuration"] = "30m";
        await using var first = await ServerProcess.StartAsync(_dir.FullName, extraArgs: ["--replica-id", "deployer"], cancellationToken: Ct, environment: environment);
        var (status, created) = await DeployAsync(first, "eu1");
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString() + "\n" + first.Output);
        var clock = Stopwatch.StartNew();
        while (!_eu.Requests.Any(r => r.Method == "POST" && r.Resource == "pods"))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"no pod in the eu cluster in 60 s; server:\n{first.Output}");
            await Task.Delay(20, Ct);
        }

        await first.KillAsync();
        var live = _eu.Pods.Where(p => p.Metadata.NamespaceProperty == "deploys-eu").Select(p => p.Metadata.Name).ToList();
        Assert.NotEmpty(live);
        // What a run that ended while no server was there to release it left: a Secret of this server's instance.
        var gone = Guid.NewGuid().ToString();
        _eu.Seed(new k8s.Models.V1Secret
        {
            Metadata = new k8s.Models.V1ObjectMeta
            {
                Name = "creds-init-left-behind",
                NamespaceProperty = "deploys-eu",
                Labels = new Dictionary<string, string>
                {
                    ["app.kubernetes.io/managed-by"] = "mothership",
                    ["app.kubernetes.io/instance"] = "mothership",
                    ["mothership.io/run-uid"] = gone,
                },
            },
            StringData = new Dictionary<string, string> { ["token"] = "x" },
        });

        await using var second = await ServerProcess.StartAsync(_dir.FullName, first.Database, ["--replica-id", "successor"], Ct, environment);
        clock.Restart();
        while (_eu.Get<k8s.Models.V1Secret>("creds-init-left-behind", "deploys-eu") is not null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the leftover in the eu cluster was not swept in 60 s; server:\n{second.Output}");
            await Task.Delay(50, Ct);
        }

        // The unfinished run's own pod stays: its run is live in the store, another replica's to resume.
        Assert.All(live, pod => Assert.NotNull(_eu.GetPod(pod, "deploys-eu")));
        Assert.Contains("Sweeping Kubernetes context 'eu'", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(_us.Requests, r => r.Method is "POST" or "DELETE");
    }

    [Fact(Timeout = 240_000)]
    public async Task Deploy_LocalSiteOnAKubernetesServer_RunsOnTheServersMachineNotInItsCluster()
    {
        await using var server = await StartServerAsync("--executor", "kubernetes", "--kube-context", "eu", "--namespace", "default");

        var (status, created) = await DeployAsync(server, "loc1");
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString() + "\n" + server.Output);
        var done = await WaitForDeployAsync(server, "loc1", (string)created!["id"]!);

        Assert.True((string?)done["result"] == "Succeeded", done.ToJsonString() + "\n" + server.Output);
        var run = JsonNode.Parse(await server.Http.GetStringAsync($"api/v1/pipelineruns/{(string)done["run"]!["name"]!}", Ct))!;
        Assert.Equal("local", (string?)run["metadata"]!["annotations"]!["mothership.io/executor"]);
        Assert.DoesNotContain(_eu.Requests, r => r.Method == "POST");
        Assert.DoesNotContain(_us.Requests, r => r.Method == "POST");
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploy_KubeconfigClimbingOutOfTheFolderOrUnknownContext_400NamingIt()
    {
        await using var server = await StartServerAsync();

        var (status, body) = await DeployAsync(server, "kr1");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("sites/kr1/site.yaml:7:", (string?)body!["detail"], StringComparison.Ordinal);
        Assert.Contains("field 'spec.cluster.kubeconfig': '../kubeconfig' climbs out of the server's kubeconfig folder (Mothership__Cloud__Kubeconfigs)", (string?)body["detail"], StringComparison.Ordinal);

        Write(Repo, "sites/kr1/site.yaml", Site("kr1", "cluster: {context: kr}", "executor: {kind: kubernetes}"));
        var revision = await CommitAsync("kr1 in a context the server lacks");
        (status, body) = await DeployAsync(server, "kr1", revision);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("site 'kr1' deploys as pods in Kubernetes context 'kr', namespace 'mothership'", (string?)body!["detail"], StringComparison.Ordinal);
        Assert.Contains("context 'kr'", (string?)body["detail"], StringComparison.Ordinal);
        Assert.DoesNotContain(_eu.Requests, r => r.Method == "POST");
        Assert.DoesNotContain(_us.Requests, r => r.Method == "POST");
    }
}
