using Mothership.Cloud.Charts;
using Mothership.Cloud.Drift;
using Mothership.Cloud.Planning;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Tests.Drift;

/// <summary>
/// <see cref="DriftChecker"/> through the real <see cref="HelmProcessRunner"/> against a stand-in
/// <c>helm</c> script that answers <c>helm list</c> and <c>helm get values</c> from files and
/// records its arguments, as the deploy tests stand in for helm.
/// </summary>
public sealed class DriftCheckerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mship-drift-").FullName;

    public DriftCheckerTests()
    {
        var script = Path.Combine(_dir, "helm");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            echo "$*" >> '{{_dir}}/calls'
            if [ -f '{{_dir}}/fail' ]; then echo "Error: Kubernetes cluster unreachable" >&2; exit 1; fi
            case "$1 $2" in
              "list -n") cat '{{_dir}}/list.json' ;;
              "get values") cat "{{_dir}}/values-$3.json" ;;
              *) echo "unexpected: $*" >&2; exit 3 ;;
            esac
            """.Replace("\r", "", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Runner = new HelmProcessRunner(new HelmProcessRunnerOptions { Executable = script, Timeout = TimeSpan.FromSeconds(20) }, TimeProvider.System);
    }

    private HelmProcessRunner Runner { get; }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LoadedSite Site()
    {
        var files = new Dictionary<string, string>();
        MemoryFiles.Chart(files, "db", endpoints: [("oslo_db", "db")]);
        MemoryFiles.Chart(files, "ident", services: ["oslo_db"], endpoints: [("identity", "ident")]);
        files["cloud.yaml"] = MemoryFiles.Catalog(("db", ""), ("ident", "      release: keystone\n"));
        files["sites/lab/site.yaml"] = MemoryFiles.Site("lab", "dev", "r1", "db", "ident")
            .Replace("  services:", "  cluster: {context: lab-ctx, kubeconfig: /etc/lab.conf, namespace: openstack}\n  services:", StringComparison.Ordinal);
        files["values/global/db.yaml"] = "size: 10Gi\nreplicas: 3\n";
        files["values/global/ident.yaml"] = "conf:\n  debug: false\n  admin_password: hunter2\nendpoints: [a, b]\n";
        var bag = new DiagnosticBag();
        var site = RepositoryPlanner.Load(new MemoryFiles(files), "lab", "", new ChartStore(null), bag);
        Assert.True(site is not null, string.Join("\n", bag.Items));
        return site;
    }

    private void Answer(string list, string db, string keystone)
    {
        File.WriteAllText(Path.Combine(_dir, "list.json"), list);
        File.WriteAllText(Path.Combine(_dir, "values-db.json"), db);
        File.WriteAllText(Path.Combine(_dir, "values-keystone.json"), keystone);
    }

    private const string BothReleases = """[{"name":"db","namespace":"openstack","chart":"db-1.0.0"},{"name":"keystone","namespace":"openstack","chart":"ident-1.0.0"}]""";

    private const string KeystoneValues = """{"conf":{"debug":false,"admin_password":"hunter2"},"endpoints":["a","b"]}""";

    [Fact(Timeout = 60_000)]
    public async Task CheckAsync_ReleasesAsDesired_InSync()
    {
        Answer(BothReleases, """{"replicas":3,"size":"10Gi"}""", KeystoneValues);

        var drift = await new DriftChecker(Runner).CheckAsync(Site(), "abc123", TestContext.Current.CancellationToken);

        Assert.Equal(DriftState.InSync, drift.State);
        Assert.All(drift.Services, s => Assert.Empty(s.Differences));
        var calls = File.ReadAllLines(Path.Combine(_dir, "calls"));
        Assert.Equal("list -n openstack -o json --kube-context lab-ctx --kubeconfig /etc/lab.conf", calls[0]);
        Assert.Contains("get values keystone -n openstack -o json --kube-context lab-ctx --kubeconfig /etc/lab.conf", calls);
        Assert.Single(calls, c => c.StartsWith("list", StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task CheckAsync_ValueChangedByHand_OutOfSyncNamingThatKey()
    {
        Answer(BothReleases, """{"replicas":5,"size":"10Gi","extra":{"token":"t0p"}}""", """{"conf":{"debug":false,"admin_password":"changed"},"endpoints":["a","b"]}""");

        var drift = await new DriftChecker(Runner).CheckAsync(Site(), "abc123", TestContext.Current.CancellationToken);

        Assert.Equal(DriftState.OutOfSync, drift.State);
        var db = drift.Services.Single(s => s.Service == "db");
        Assert.Equal(DriftState.OutOfSync, db.State);
        Assert.Equal(
            [new ValueDifference("extra.token", DifferenceKind.Added, null, "********"), new ValueDifference("replicas", DifferenceKind.Changed, "3", "5")],
            db.Differences.OrderBy(d => d.Path, StringComparer.Ordinal));
        var ident = drift.Services.Single(s => s.Service == "ident");
        Assert.Equal([new ValueDifference("conf.admin_password", DifferenceKind.Changed, "********", "********")], ident.Differences);
    }

    [Fact(Timeout = 60_000)]
    public async Task CheckAsync_ReleaseMissingAndChartOlder_OutOfSync()
    {
        Answer("""[{"name":"db","namespace":"openstack","chart":"db-0.9.0"}]""", """{"replicas":3,"size":"10Gi"}""", KeystoneValues);

        var drift = await new DriftChecker(Runner).CheckAsync(Site(), "abc123", TestContext.Current.CancellationToken);

        Assert.Equal(DriftState.OutOfSync, drift.State);
        var db = drift.Services.Single(s => s.Service == "db");
        Assert.True(db.ChartMismatch);
        Assert.Equal(("db-1.0.0", "db-0.9.0"), (db.DesiredChart, db.DeployedChart));
        Assert.True(drift.Services.Single(s => s.Service == "ident").Missing);
    }

    [Fact(Timeout = 60_000)]
    public async Task CheckAsync_HelmFails_UnknownWithTheError()
    {
        File.WriteAllText(Path.Combine(_dir, "fail"), "");

        var drift = await new DriftChecker(Runner).CheckAsync(Site(), "abc123", TestContext.Current.CancellationToken);

        Assert.Equal(DriftState.Unknown, drift.State);
        Assert.All(drift.Services, s => Assert.Contains("Kubernetes cluster unreachable", s.Error, StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_HelmNotInstalled_FailureNotException()
    {
        var runner = new HelmProcessRunner(new HelmProcessRunnerOptions { Executable = Path.Combine(_dir, "no-such-helm") }, TimeProvider.System);

        var result = await runner.RunAsync(["list"], TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Contains("no-such-helm", result.Error, StringComparison.Ordinal);
    }
}
