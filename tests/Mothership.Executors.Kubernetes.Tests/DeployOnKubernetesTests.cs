using Mothership.Testing.Kubernetes;

namespace Mothership.Executors.Kubernetes.Tests;

/// <summary>
/// <c>mship deploy</c> of a site whose <c>site.yaml</c> says its deploy runs as pods in its own
/// cluster (kubeconfig, context, executor namespace and account), against the fake API server.
/// </summary>
public sealed class DeployOnKubernetesTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-kube-deploy-");
    private FakeKubernetesApi _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Repo => Path.Combine(_dir.FullName, "repo");

    private string Charts => Path.Combine(_dir.FullName, "charts");

    public async ValueTask InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync(new FakeKubernetesApiOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) }, Ct);
        Write(Repo, "cloud.yaml", """
            apiVersion: mothership.io/v1
            kind: Cloud
            metadata: {name: test}
            spec:
              services:
                - name: db
                  chart: {repository: "https://charts.example.org/", name: db, version: 1.0.0}
                - name: ident
                  chart: {path: charts/ident}
            """);
        Write(Repo, "sites/dev/site.yaml", $$"""
            apiVersion: mothership.io/v1
            kind: Site
            metadata: {name: dev}
            spec:
              environment: dev
              region: r1
              cluster: {context: fake, kubeconfig: {{_api.KubeconfigPath}}, namespace: openstack}
              executor: {kind: kubernetes, namespace: deploys, serviceAccount: dev-deployer}
              services: [db]
            """);
        Write(Repo, "values/global/db.yaml", "size: 20Gi\nnote: 'pa$$w0rd $(HOME)'\n");
        Write(Repo, "charts/ident/Chart.yaml", "apiVersion: v2\nname: ident\nversion: 1.0.0\n");
        Write(Repo, "charts/ident/values.yaml", "dependencies: {static: {}}\n");
        Write(Charts, "db/Chart.yaml", "apiVersion: v2\nname: db\nversion: 1.0.0\n");
        Write(Charts, "db/values.yaml", "dependencies: {static: {}}\nendpoints: {oslo_db: {hosts: {default: db}}}\n");
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    private static void Write(string root, string path, string text)
    {
        var file = Path.Combine(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    private Task<MshipResult> Deploy(params string[] extra) =>
        MshipProcess.RunAsync(["deploy", "--repo", Repo, "--site", "dev", "--charts", Charts, .. extra], _dir.FullName, cancellationToken: Ct);

    [Fact(Timeout = 120_000)]
    public async Task Deploy_SiteExecutorKubernetes_RunsAsPodsInTheSitesNamespaceWithItsAccountAndClaim()
    {
        var r = await Deploy("--dry-run");

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.True(r.Stdout.Contains("[db/diff] db: first deploy to site dev; every value is new:", StringComparison.Ordinal), r.Stdout);
        // $$ and $(NAME) are what Kubernetes would expand in an env var: the values reach the pod intact.
        Assert.Contains("[db/diff] + note: \"pa$$w0rd $(HOME)\"", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("created in namespace deploys: PersistentVolumeClaim/mothership-state-dev", r.Stdout, StringComparison.Ordinal);
        var pods = _api.Requests.Where(q => q.Method == "POST" && q.Resource == "pods").ToList();
        Assert.NotEmpty(pods);
        Assert.All(pods, q => Assert.Equal("deploys", q.Namespace));
        Assert.Contains(_api.PersistentVolumeClaims, c => c.Metadata.Name == "mothership-state-dev" && c.Metadata.NamespaceProperty == "deploys");
        Assert.Empty(_api.Pods);
    }

    [Fact(Timeout = 60_000)]
    public async Task Deploy_PathChartAsPods_IsAClearUsageError()
    {
        File.WriteAllText(Path.Combine(Repo, "sites/dev/site.yaml"), File.ReadAllText(Path.Combine(Repo, "sites/dev/site.yaml")).Replace("services: [db]", "services: [db, ident]", StringComparison.Ordinal));

        var r = await Deploy();

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("charts given by path in the site repository cannot be installed by pods in the cluster: ident (charts/ident)", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(_api.Requests, q => q.Method == "POST");
    }

    [Fact(Timeout = 60_000)]
    public async Task Deploy_ExecutorFlagLocal_OverridesTheSite()
    {
        var r = await Deploy("--dry-run", "--executor", "local", "--state", Path.Combine(_dir.FullName, "state"));

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.DoesNotContain(_api.Requests, q => q.Method == "POST");
    }
}
