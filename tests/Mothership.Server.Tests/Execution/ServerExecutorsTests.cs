using Mothership.Cloud.Sites;
using Mothership.Model.Diagnostics;
using Mothership.Server.Execution;
using Mothership.Server.Hosting;

namespace Mothership.Server.Tests.Execution;

/// <summary>A site's route derived from its site.yaml, and the kubeconfig a site repository may name.</summary>
public sealed class ServerExecutorsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-routes-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static SiteDefinition Site(string kind, string? context = "prod-eu", string? kubeconfig = null) => new()
    {
        Name = "prod-eu",
        Environment = "prod",
        Region = "eu",
        Cluster = new ClusterTarget
        {
            Context = context,
            Kubeconfig = kubeconfig,
            Location = new SourceLocation("sites/prod-eu/site.yaml", 7, 12),
            FieldLocations = new Dictionary<string, SourceLocation> { ["kubeconfig"] = new("sites/prod-eu/site.yaml", 7, 40) },
        },
        Executor = new SiteExecutor { Kind = kind, Namespace = "deploys", ServiceAccount = "deployer" },
    };

    [Fact]
    public void RouteOf_KubernetesSite_ItsContextAndExecutorNamespace()
    {
        var route = ServerExecutors.RouteOf(Site("kubernetes"), new ServerOptions(), out var error);

        Assert.Null(error);
        Assert.Equal(new ExecutorRoute(ExecutorRoute.Kubernetes, null, "prod-eu", "deploys"), route);
    }

    [Fact]
    public void RouteOf_LocalSite_TheLocalExecutorWhateverItsCluster()
    {
        var route = ServerExecutors.RouteOf(Site("local", kubeconfig: "/etc/shadow"), new ServerOptions { Executor = "kubernetes" }, out var error);

        Assert.Null(error);
        Assert.Equal(new ExecutorRoute(ExecutorRoute.Local), route);
    }

    [Fact]
    public void RouteOf_KubeconfigInsideTheFolder_KeptAsTheSiteNamesIt()
    {
        var options = new ServerOptions { Cloud = { Kubeconfigs = _dir.FullName } };

        var route = ServerExecutors.RouteOf(Site("kubernetes", kubeconfig: "eu/config"), options, out var error);

        Assert.Null(error);
        Assert.Equal("eu/config", route!.Kubeconfig);
        Assert.Equal(Path.Combine(_dir.FullName, "eu", "config"), ServerExecutors.ResolveKubeconfig(_dir.FullName, "eu/config", out _));
    }

    [Theory]
    [InlineData("../../etc/passwd", "'../../etc/passwd' climbs out of the server's kubeconfig folder (Mothership__Cloud__Kubeconfigs); name a file inside it")]
    [InlineData("eu/../../x", "'eu/../../x' climbs out of the server's kubeconfig folder")]
    [InlineData("/root/.kube/config", "'/root/.kube/config' is an absolute path; name a file relative to the server's kubeconfig folder")]
    public void RouteOf_KubeconfigOutsideTheFolder_RefusedNamingTheFieldAndWhere(string kubeconfig, string expected)
    {
        var options = new ServerOptions { Cloud = { Kubeconfigs = _dir.FullName } };

        var route = ServerExecutors.RouteOf(Site("kubernetes", kubeconfig: kubeconfig), options, out var error);

        Assert.Null(route);
        Assert.StartsWith("sites/prod-eu/site.yaml:7:40: site 'prod-eu': field 'spec.cluster.kubeconfig': ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void RouteOf_KubeconfigWithoutTheFolderSetting_RefusedSayingWhatToSet()
    {
        var route = ServerExecutors.RouteOf(Site("kubernetes", kubeconfig: "eu/config"), new ServerOptions(), out var error);

        Assert.Null(route);
        Assert.Contains("the server reads a site's kubeconfig only from its kubeconfig folder (Mothership__Cloud__Kubeconfigs), which is not set", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task Create_KubernetesRouteOnALocalServer_MadeFromTheServersKubeconfigAndUnknownContextRefused()
    {
        var kubeconfig = Path.Combine(_dir.FullName, "config");
        File.WriteAllText(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters: [{name: eu, cluster: {server: "http://127.0.0.1:1"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: prod-eu, context: {cluster: eu, user: u}}]
            current-context: prod-eu
            """);
        await using var router = ServerExecutors.Create(new ServerOptions { Kubeconfig = kubeconfig, Workdir = _dir.FullName }, TimeProvider.System);

        var executor = router.For(new ExecutorRoute(ExecutorRoute.Kubernetes, Context: "prod-eu", Namespace: "deploys"));
        var e = Assert.Throws<Mothership.Executors.Kubernetes.KubernetesConfigException>(() => router.For(new ExecutorRoute(ExecutorRoute.Kubernetes, Context: "prod-us", Namespace: "deploys")));

        Assert.IsType<Mothership.Executors.Kubernetes.KubernetesTaskExecutor>(executor);
        Assert.IsType<Mothership.Executors.Local.LocalTaskExecutor>(router.Home);
        Assert.Contains("prod-us", e.Message, StringComparison.Ordinal);
    }
}
