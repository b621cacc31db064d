using Mothership.Cloud.Charts;
using Mothership.Cloud.Planning;

namespace Mothership.Cloud.Tests.Planning;

/// <summary>The planner on OpenStack-Helm's own charts (../shared/fixtures/openstack-helm).</summary>
public sealed class RealChartsPlanTests
{
    private const string Repository = "https://tarballs.opendev.org/openstack/openstack-helm";

    /// <summary>The charts OpenStack-Helm's compute-kit gate installs, one after another.</summary>
    private static readonly string[] ComputeKit =
        ["rabbitmq", "mariadb", "memcached", "keystone", "cinder", "heat", "glance", "openvswitch", "libvirt", "ovn", "placement", "nova", "neutron", "horizon"];

    private static (DeployPlan Plan, Model.Diagnostics.DiagnosticBag Diagnostics) PlanComputeKit(bool withIronic = false, bool placementEdge = true, bool ironicDriver = false)
    {
        var charts = Fixtures.OpenStackHelm();
        var services = ComputeKit.Append("ironic").Select(s =>
            $"    - name: {s}\n      chart: {{repository: {Repository}, name: {s}, version: 2026.1.0}}\n" +
            (s == "nova" && placementEdge ? "      dependsOn:\n        - {service: placement, reason: nova-compute reports to placement; the chart never names it}\n" : ""));
        var files = new Dictionary<string, string>
        {
            ["cloud.yaml"] = "apiVersion: mothership.io/v1\nkind: Cloud\nmetadata: {name: kit}\nspec:\n  externalEndpoints:\n    - {endpoint: local_image_registry, reason: public registries}\n  services:\n" + string.Concat(services),
            ["sites/kit/site.yaml"] = MemoryFiles.Site("kit", "dev", "r1", [.. withIronic ? ComputeKit.Append("ironic") : ComputeKit]),
        };
        if (ironicDriver)
        {
            files["sites/kit/values/nova.yaml"] = "manifests:\n  statefulset_compute_ironic: true\n";
        }

        var (plan, bag) = MemoryFiles.Plan(files, "kit", new ChartStore(charts));
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        return (plan!, bag);
    }

    private static int Wave(DeployPlan plan, string service) => plan.Find(service)!.Wave;

    [Fact]
    public void Plan_ComputeKit_PutsDatabaseAndCacheBeforeKeystone()
    {
        var (plan, _) = PlanComputeKit();

        Assert.True(Wave(plan, "mariadb") < Wave(plan, "keystone"));
        Assert.True(Wave(plan, "memcached") < Wave(plan, "keystone"));
        Assert.Equal(["mariadb", "memcached"], plan.Find("keystone")!.DependsOn);
    }

    [Fact]
    public void Plan_ComputeKit_KeystoneDoesNotWaitForRabbitmq()
    {
        var (plan, _) = PlanComputeKit();

        // keystone's values name rabbitmq under endpoints and dependencies.dynamic, never as a static wait.
        Assert.DoesNotContain("rabbitmq", plan.Find("keystone")!.DependsOn);
    }

    [Theory]
    [InlineData("glance")]
    [InlineData("heat")]
    [InlineData("cinder")]
    [InlineData("nova")]
    [InlineData("neutron")]
    public void Plan_ComputeKit_PutsRabbitmqBeforeMessagingUsers(string service)
    {
        var (plan, _) = PlanComputeKit();

        Assert.Contains("rabbitmq", plan.Find(service)!.DependsOn);
        Assert.True(Wave(plan, "rabbitmq") < Wave(plan, service));
    }

    [Theory]
    [InlineData("glance")]
    [InlineData("placement")]
    [InlineData("heat")]
    [InlineData("cinder")]
    [InlineData("horizon")]
    public void Plan_ComputeKit_PutsKeystoneBeforeItsUsers(string service)
    {
        var (plan, _) = PlanComputeKit();

        Assert.Contains("keystone", plan.Find(service)!.DependsOn);
        Assert.True(Wave(plan, "keystone") < Wave(plan, service));
    }

    [Fact]
    public void Plan_ComputeKit_DeploysNovaAndNeutronAsOneGroupAfterGlanceAndPlacement()
    {
        var (plan, _) = PlanComputeKit();

        Assert.Equal("neutron+nova", plan.Find("nova")!.Group);
        Assert.Equal("neutron+nova", plan.Find("neutron")!.Group);
        Assert.Equal(Wave(plan, "nova"), Wave(plan, "neutron"));
        Assert.True(Wave(plan, "glance") < Wave(plan, "nova"));
        Assert.True(Wave(plan, "placement") < Wave(plan, "nova"));
        Assert.Equal("cloud.yaml: nova-compute reports to placement; the chart never names it", plan.Find("nova")!.Edges.Single(e => e.To == "placement").Origin);
    }

    [Fact]
    public void Plan_ComputeKitWithoutTheCatalogEdge_DoesNotInventNovaOnPlacement()
    {
        var (plan, _) = PlanComputeKit(placementEdge: false);

        Assert.DoesNotContain("placement", plan.Find("nova")!.DependsOn);
    }

    [Fact]
    public void Plan_ComputeKit_NovasIronicDriverIsOffByDefault_SoNothingWaitsForIronic()
    {
        var (without, _) = PlanComputeKit();
        var (with, _) = PlanComputeKit(withIronic: true);

        // nova's compute_ironic component is manifests.statefulset_compute_ironic: false in the chart.
        Assert.DoesNotContain(without.External, e => e.Needs == "endpoint baremetal");
        Assert.DoesNotContain("ironic", with.Find("nova")!.DependsOn);
    }

    [Fact]
    public void Plan_ComputeKitWithNovasIronicDriver_IronicIsExternalUnlessEnabled()
    {
        var (without, bag) = PlanComputeKit(ironicDriver: true);
        var (with, _) = PlanComputeKit(withIronic: true, ironicDriver: true);

        var external = Assert.Single(without.External, e => e.Service == "nova" && !e.Acknowledged);
        Assert.Equal("endpoint baremetal", external.Needs);
        Assert.Contains("'ironic'", external.Reason, StringComparison.Ordinal);
        Assert.Contains(bag.Items, d => d.Message.Contains("baremetal", StringComparison.Ordinal));
        Assert.Contains("ironic", with.Find("nova")!.DependsOn);
        Assert.DoesNotContain(with.External, e => e.Service == "nova" && e.Needs == "endpoint baremetal");
    }

    [Fact]
    public void Plan_ComputeKit_NetworkAgentsWaitForTheirSwitches()
    {
        var (plan, _) = PlanComputeKit();

        Assert.Contains("openvswitch", plan.Find("neutron")!.DependsOn);
        Assert.Contains("libvirt", plan.Find("nova")!.DependsOn);
        Assert.Contains("openvswitch", plan.Find("ovn")!.DependsOn);
    }

    [Fact]
    public void Plan_ComputeKit_IsShorterThanTheGateSequence()
    {
        var (plan, _) = PlanComputeKit();

        Assert.True(plan.Waves.Length < ComputeKit.Length);
        Assert.True(plan.CriticalPath.Duration < TimeSpan.FromMinutes(5 * ComputeKit.Length));
        Assert.Equal(["mariadb", "keystone", "glance", "neutron"], plan.CriticalPath.Services);
    }

    [Fact]
    public void Read_Nova_FindsItsStaticWaits()
    {
        var charts = Fixtures.OpenStackHelm();
        var text = File.ReadAllText(Path.Combine(charts, "nova", "values.yaml"));
        var values = Cloud.Values.ValueFileReader.Read("nova/values.yaml", text, new Model.Diagnostics.DiagnosticBag())!;

        var dependencies = ChartDependencyReader.Read(values);

        Assert.Contains(dependencies.Needs, n => n is { Kind: NeedKind.Endpoint, Target: "network" });
        Assert.Contains(dependencies.Needs, n => n is { Kind: NeedKind.Pod, Target: "libvirt", Component: "compute" });
        Assert.DoesNotContain(dependencies.Needs, n => n.Target == "placement");
        Assert.Equal("glance-api", dependencies.Endpoint("image")!.Host);
        Assert.All(dependencies.Needs, n => Assert.True(n.Location.Line > 0));
    }
}
