using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Tests.Planning;

public sealed class DeployPlannerTests
{
    /// <summary>db ← ident ← (compute ↔ net); the shape of OpenStack's core, in miniature.</summary>
    private static Dictionary<string, string> Cloud(string computeExtra = "", string identExtra = "")
    {
        var files = new Dictionary<string, string>
        {
            ["cloud.yaml"] = MemoryFiles.Catalog(("db", ""), ("cache", ""), ("ident", identExtra), ("compute", computeExtra), ("net", ""), ("baremetal", "")),
            ["sites/dev/site.yaml"] = MemoryFiles.Site("dev", "dev", "r1", "db", "cache", "ident", "compute", "net"),
        };
        MemoryFiles.Chart(files, "db", services: ["oslo_db"], endpoints: [("oslo_db", "db")]);
        MemoryFiles.Chart(files, "cache", endpoints: [("oslo_cache", "cache")]);
        MemoryFiles.Chart(files, "ident", services: ["oslo_db", "oslo_cache", "identity"], endpoints: [("oslo_db", "db"), ("oslo_cache", "cache"), ("identity", "ident")], jobs: ["ident-db-sync"]);
        MemoryFiles.Chart(files, "compute", services: ["identity", "network", "baremetal", "compute"], endpoints: [("identity", "ident"), ("network", "net-server"), ("baremetal", "baremetal-api"), ("compute", "compute-api")]);
        MemoryFiles.Chart(files, "net", services: ["identity", "compute"], endpoints: [("identity", "ident"), ("compute", "compute-api"), ("network", "net-server")]);
        MemoryFiles.Chart(files, "baremetal", services: ["identity"], endpoints: [("identity", "ident"), ("baremetal", "baremetal-api")]);
        return files;
    }

    [Fact]
    public void Plan_ChartWaits_BecomeEdgesToTheServicesThatProvideThem()
    {
        var (plan, bag) = MemoryFiles.Plan(Cloud(), "dev");

        Assert.NotNull(plan);
        Assert.Equal(["cache", "db"], plan.Find("ident")!.DependsOn);
        Assert.Empty(plan.Find("db")!.DependsOn);
        Assert.Equal(["compute", "ident"], plan.Find("net")!.DependsOn);
        Assert.Contains(plan.Find("ident")!.Edges, e => e.To == "db" && e.Origin.Contains("oslo_db", StringComparison.Ordinal));
        Assert.False(bag.HasErrors);
    }

    [Fact]
    public void Plan_MutualWaits_FormOneGroupInOneWave()
    {
        var (plan, _) = MemoryFiles.Plan(Cloud(), "dev");

        Assert.Equal("compute+net", plan!.Find("compute")!.Group);
        Assert.Equal("compute+net", plan.Find("net")!.Group);
        Assert.Equal(plan.Find("compute")!.Wave, plan.Find("net")!.Wave);
        Assert.Equal([["cache", "db"], ["ident"], ["compute", "net"]], plan.Waves.Select(w => w.ToArray()).ToArray());
        Assert.Null(plan.Find("ident")!.Group);
    }

    [Fact]
    public void Plan_SelfReferences_AreDropped()
    {
        var (plan, _) = MemoryFiles.Plan(Cloud(), "dev");

        // ident needs identity (itself) and its own db-sync job; compute needs compute (itself).
        Assert.DoesNotContain("ident", plan!.Find("ident")!.DependsOn);
        Assert.DoesNotContain("compute", plan.Find("compute")!.DependsOn);
    }

    [Fact]
    public void Plan_WaitOnServiceNotInTheSite_IsExternalWithAWarning()
    {
        var (plan, bag) = MemoryFiles.Plan(Cloud(), "dev");

        var external = Assert.Single(plan!.External, e => e.Service == "compute");
        Assert.Equal("endpoint baremetal", external.Needs);
        Assert.Contains("'baremetal'", external.Reason, StringComparison.Ordinal);
        Assert.False(external.Acknowledged);
        Assert.Contains(bag.Items, d => d.Severity == Severity.Warning && d.Message.Contains("baremetal", StringComparison.Ordinal));
        Assert.False(bag.HasErrors);
    }

    [Fact]
    public void Plan_WaitOnEnabledOptionalService_BecomesAnEdge()
    {
        var files = Cloud();
        files["sites/dev/site.yaml"] = MemoryFiles.Site("dev", "dev", "r1", "db", "cache", "ident", "compute", "net", "baremetal");

        var (plan, _) = MemoryFiles.Plan(files, "dev");

        Assert.Contains("baremetal", plan!.Find("compute")!.DependsOn);
        Assert.DoesNotContain(plan.External, e => e.Service == "compute");
    }

    [Fact]
    public void Plan_IgnoreDependsOn_DropsTheEdgeWithItsReason()
    {
        var files = Cloud(computeExtra: "      ignoreDependsOn:\n        - {service: baremetal, reason: no bare metal here}\n");
        files["sites/dev/site.yaml"] = MemoryFiles.Site("dev", "dev", "r1", "db", "cache", "ident", "compute", "net", "baremetal");

        var (plan, _) = MemoryFiles.Plan(files, "dev");

        Assert.DoesNotContain("baremetal", plan!.Find("compute")!.DependsOn);
        var ignored = Assert.Single(plan.Ignored);
        Assert.Equal(("compute", "baremetal", "no bare metal here"), (ignored.Service, ignored.DependsOn, ignored.Reason));
    }

    [Fact]
    public void Plan_IgnoreDependsOnServiceNotInSite_AlsoSilencesTheExternalNeed()
    {
        var (plan, bag) = MemoryFiles.Plan(Cloud(computeExtra: "      ignoreDependsOn:\n        - {service: baremetal, reason: none}\n"), "dev");

        Assert.DoesNotContain(plan!.External, e => e.Service == "compute");
        Assert.DoesNotContain(bag.Items, d => d.Message.Contains("baremetal", StringComparison.Ordinal) && d.Severity == Severity.Warning);
    }

    [Fact]
    public void Plan_IgnoreDependsOnThatDropsNothing_Warns()
    {
        var (_, bag) = MemoryFiles.Plan(Cloud(identExtra: "      ignoreDependsOn:\n        - {service: net, reason: stale}\n"), "dev");

        var warning = Assert.Single(bag.Items, d => d.Message.Contains("drops nothing", StringComparison.Ordinal));
        Assert.Equal("cloud.yaml", warning.Location.File);
        Assert.True(warning.Location.Line > 0);
    }

    [Fact]
    public void Plan_ExtraEdge_IsAddedWithItsReason()
    {
        var (plan, _) = MemoryFiles.Plan(Cloud(computeExtra: "      dependsOn:\n        - {service: cache, reason: warms the cache}\n"), "dev");

        var edge = Assert.Single(plan!.Find("compute")!.Edges, e => e.To == "cache");
        Assert.Equal("cloud.yaml: warms the cache", edge.Origin);
    }

    [Fact]
    public void Plan_ExtraEdgeClosingACycle_IsAnErrorNamingTheCycle()
    {
        var (_, bag) = MemoryFiles.Plan(Cloud(identExtra: "      dependsOn: [net]\n"), "dev");

        var error = Assert.Single(bag.Items, d => d.Severity == Severity.Error);
        Assert.Contains("ident → net", error.Message, StringComparison.Ordinal);
        Assert.Contains("→ ident", error.Message, StringComparison.Ordinal);
        Assert.Equal("cloud.yaml", error.Location.File);
        Assert.Equal(12, error.Location.Line);
    }

    [Fact]
    public void Plan_AcknowledgedExternalEndpoint_IsListedWithoutWarning()
    {
        var files = Cloud();
        files["cloud.yaml"] = files["cloud.yaml"].Replace("spec:\n", "spec:\n  externalEndpoints:\n    - {endpoint: baremetal, reason: managed by another team}\n", StringComparison.Ordinal);
        MemoryFiles.Chart(files, "compute", services: ["identity", "network", "baremetal"], endpoints: [("identity", "ident"), ("network", "net-server"), ("baremetal", "elsewhere"), ("compute", "compute-api")]);
        files["cloud.yaml"] = files["cloud.yaml"].Replace("    - name: baremetal\n      chart: {path: charts/baremetal}\n", "", StringComparison.Ordinal);

        var (plan, bag) = MemoryFiles.Plan(files, "dev");

        var external = Assert.Single(plan!.External);
        Assert.True(external.Acknowledged);
        Assert.Contains("managed by another team", external.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(bag.Items, d => d.Severity == Severity.Warning);
    }

    [Fact]
    public void Plan_PodAndJobWaits_ResolveToTheChartThatRunsThem()
    {
        var files = Cloud();
        MemoryFiles.Chart(files, "net", services: ["identity"], endpoints: [("identity", "ident")], pods: ["cache"], jobs: ["db-init-schema", "net-db-sync"]);

        var (plan, _) = MemoryFiles.Plan(files, "dev");

        Assert.Equal(["cache", "db", "ident"], plan!.Find("net")!.DependsOn);
    }

    [Fact]
    public void Plan_CriticalPath_FollowsTheLongestChainOfEstimatedDurations()
    {
        var files = Cloud(computeExtra: "      estimatedDuration: 12m\n");
        files["cloud.yaml"] = files["cloud.yaml"].Replace("    - name: db\n      chart: {path: charts/db}\n", "    - name: db\n      chart: {path: charts/db}\n      estimatedDuration: 8m\n", StringComparison.Ordinal);

        var (plan, _) = MemoryFiles.Plan(files, "dev");

        // db 8m (cache takes the default 5m) → ident 5m → compute 12m (net, 5m, starts with it).
        Assert.Equal(["db", "ident", "compute"], plan!.CriticalPath.Services);
        Assert.Equal(TimeSpan.FromMinutes(25), plan.CriticalPath.Duration);
    }

    [Fact]
    public void Plan_JobDeclaredInTheCatalog_BelongsToItsService()
    {
        var files = Cloud(identExtra: "      jobs: [keys-generator]\n");
        MemoryFiles.Chart(files, "net", services: ["identity"], endpoints: [("identity", "ident")], jobs: ["keys-generator", "unknown-job"]);

        var (plan, bag) = MemoryFiles.Plan(files, "dev");

        Assert.Equal(["ident"], plan!.Find("net")!.DependsOn);
        var unresolved = Assert.Single(plan.External, e => e.Service == "net");
        Assert.Equal(("net", "job unknown-job"), (unresolved.Service, unresolved.Needs));
        Assert.Contains("jobs of the service that creates it", unresolved.Reason, StringComparison.Ordinal);
        Assert.False(bag.HasErrors);
    }

    [Fact]
    public void Plan_ComponentSwitchedOffUnderManifests_WaitsForNothing()
    {
        var files = Cloud();
        files["charts/net/values.yaml"] += "manifests:\n  deployment_api: false\n";

        var (plan, _) = MemoryFiles.Plan(files, "dev");

        Assert.Empty(plan!.Find("net")!.DependsOn);
        Assert.Null(plan.Find("compute")!.Group);
    }

    [Fact]
    public void Plan_ComponentSwitchedOnBySiteValues_WaitsAgain()
    {
        var files = Cloud();
        files["charts/net/values.yaml"] += "manifests:\n  deployment_api: false\n";
        files["sites/dev/values/net.yaml"] = "manifests:\n  deployment_api: true\n";

        var (plan, _) = MemoryFiles.Plan(files, "dev");

        Assert.Equal(["compute", "ident"], plan!.Find("net")!.DependsOn);
    }
}
