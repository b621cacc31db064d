using Mothership.Cloud.Rollouts;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Tests.Rollouts;

public sealed class RolloutPlanTests
{
    private static string[][] Waves(RolloutPlan plan) => [.. plan.Waves.Select(w => w.Sites.ToArray())];

    [Fact]
    public void Build_CanaryPerRegionThenWavesByRegionInOrder_CanaryFirstThenRegions()
    {
        var policy = RolloutYaml.Policy("          canary: {perRegion: 1}\n          waves: {by: region, order: [us]}\n");
        var sites = RolloutYaml.Sites(3, "us", "kr", "eu");
        sites.Add(new RolloutSite("stage-kr1", "kr", "stage"));

        var plan = RolloutYaml.Plan(policy, Enumerable.Reverse(sites));

        Assert.Equal(["canary", "wave-1", "wave-2", "wave-3"], plan.Waves.Select(w => w.Name));
        Assert.Equal([null, "us", "eu", "kr"], plan.Waves.Select(w => w.Region));
        Assert.Equal([["eu-01", "kr-01", "us-01"], ["us-02", "us-03"], ["eu-02", "eu-03"], ["kr-02", "kr-03"]], Waves(plan));
        Assert.Equal(9, plan.SiteCount);
    }

    [Fact]
    public void Build_ExplicitListsWithGlobs_FirstMatchWinsAndTheRestGoLast()
    {
        var policy = RolloutYaml.Policy("          canary: {sites: [kr-02]}\n          waves: [{sites: [kr-*]}, {sites: [us-0?, kr-01]}]\n");
        var bag = new DiagnosticBag();

        var plan = RolloutPlan.Build(policy, RolloutYaml.Sites(2, "kr", "us", "eu"), bag)!;

        Assert.Equal([["kr-02"], ["kr-01"], ["us-01", "us-02"], ["eu-01", "eu-02"]], Waves(plan));
        Assert.Equal("repo/cloud.yaml:14:11: warning: no wave names eu-01, eu-02: they go in a last wave", Assert.Single(bag.Items).ToString());
    }

    [Fact]
    public void Build_NoWaves_OneWaveOfAllSitesAndEachGateSparesTheFirst()
    {
        var policy = RolloutYaml.Policy("          canary: {sites: [eu-01]}\n          gates: [{before: each, approvers: sre}]\n");

        var plan = RolloutYaml.Plan(policy, RolloutYaml.Sites(2, "eu", "kr"));

        Assert.Equal([["eu-01"], ["eu-02", "kr-01", "kr-02"]], Waves(plan));
        Assert.Null(plan.Waves[0].Gate);
        Assert.Equal("before-wave-1", plan.Waves[1].GateId);
        Assert.Equal(["sre"], plan.Waves[1].Gate!.Approvers);
    }

    [Theory]
    [InlineData("          canary: {sites: [jp-01]}\n", "repo/cloud.yaml:13:28: error: canary 'jp-01' names no prod site: its sites are kr-01, kr-02")]
    [InlineData("          gates: [{before: wave-2, approvers: sre}]\n", "repo/cloud.yaml:13:20: error: gate before 'wave-2': the prod rollout has no such wave (its waves: wave-1)")]
    public void Build_CanaryOrGateNamingNothing_ErrorAtItsLine(string rollout, string expected)
    {
        var bag = new DiagnosticBag();

        var plan = RolloutPlan.Build(RolloutYaml.Policy(rollout), RolloutYaml.Sites(2, "kr"), bag);

        Assert.Null(plan);
        Assert.Equal(expected, Assert.Single(bag.Items).ToString());
    }

    [Fact]
    public void Build_SameSitesInAnyOrder_SamePlan()
    {
        var policy = RolloutYaml.Policy("          canary: {perRegion: 2}\n          waves: {by: region}\n");
        var sites = RolloutYaml.Sites(5, "a", "b", "c");
        var shuffled = sites.OrderBy(s => s.Name.GetHashCode(StringComparison.Ordinal)).ToList();

        Assert.Equal(Waves(RolloutYaml.Plan(policy, sites)), Waves(RolloutYaml.Plan(policy, shuffled)));
    }

    [Fact]
    public void Build_ExampleCloud_CanaryThenOtherRegionBehindTheGate()
    {
        var root = Path.Combine(Fixtures.RepositoryRoot(), "examples", "cloud");
        var files = new Mothership.Cloud.Sources.WorkingTreeFiles(root);
        var bag = new DiagnosticBag();
        var catalog = Mothership.Cloud.Sites.SiteRepositoryLoader.LoadCatalog(files, "examples/cloud", bag);
        var sites = Mothership.Cloud.Sites.SiteRepositoryLoader.SiteNames(files)
            .Select(n => Mothership.Cloud.Sites.SiteRepositoryLoader.LoadSite(files, n, "examples/cloud", bag)!)
            .Select(s => new RolloutSite(s.Name, s.Region, s.Environment));
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));

        var plan = RolloutYaml.Plan(catalog!.Promotion!.Environments[2].Rollout!, sites);

        Assert.Equal([["prod-kr1"], ["prod-us1"]], Waves(plan));
        Assert.Equal(["sre-leads"], plan.Waves[1].Gate!.Approvers);
    }
}
