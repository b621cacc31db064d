using Mothership.Cloud.Rollouts;
using Mothership.Cloud.Sites;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Tests.Rollouts;

/// <summary>Rollout policies as users write them: a <c>cloud.yaml</c> whose prod environment carries the given <c>rollout</c> block.</summary>
internal static class RolloutYaml
{
    /// <summary>The catalog read from a cloud.yaml whose prod rollout is <paramref name="rollout"/> (indented under <c>rollout:</c>), with its diagnostics.</summary>
    public static (CloudCatalog? Catalog, IReadOnlyList<Diagnostic> Diagnostics) Load(string rollout)
    {
        var files = new Dictionary<string, string>
        {
            ["cloud.yaml"] = "apiVersion: mothership.io/v1\nkind: Cloud\nmetadata: {name: alienware}\nspec:\n  services:\n    - name: db\n      chart: {path: charts/db}\n  promotion:\n    environments:\n      - name: stage\n      - name: prod\n        rollout:\n" + rollout,
        };
        var bag = new DiagnosticBag();
        var catalog = SiteRepositoryLoader.LoadCatalog(new MemoryFiles(files), "repo", bag);
        return (catalog, bag.Sorted());
    }

    /// <summary>The prod policy of <paramref name="rollout"/>, which must load cleanly.</summary>
    public static RolloutPolicy Policy(string rollout)
    {
        var (catalog, diagnostics) = Load(rollout);
        Assert.True(catalog is not null, string.Join("\n", diagnostics));
        return catalog!.Promotion!.Environments[1].Rollout!;
    }

    /// <summary><paramref name="perRegion"/> prod sites in each of <paramref name="regions"/>, named <c>REGION-N</c> (two digits).</summary>
    public static List<RolloutSite> Sites(int perRegion, params string[] regions) =>
        [.. regions.SelectMany(r => Enumerable.Range(1, perRegion).Select(i => new RolloutSite($"{r}-{i:00}", r, "prod")))];

    public static RolloutPlan Plan(RolloutPolicy policy, IEnumerable<RolloutSite> sites)
    {
        var bag = new DiagnosticBag();
        var plan = RolloutPlan.Build(policy, sites, bag);
        Assert.True(plan is not null, string.Join("\n", bag.Items));
        return plan!;
    }
}
