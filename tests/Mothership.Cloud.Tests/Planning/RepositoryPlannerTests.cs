using System.Globalization;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Planning;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Tests.Planning;

/// <summary>
/// <see cref="RepositoryPlanner.PlanSites"/> against planning each site alone, on real git
/// repositories between two real commits: the batch shares reads, never results that differ.
/// </summary>
public sealed class RepositoryPlannerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mship-batch-plan-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string path, string text)
    {
        var full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    private string Git(params string[] args) =>
        GitCommand.Run(_root, ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", .. args]);

    private string Commit(string message)
    {
        Git("add", "-A");
        Git("commit", "-q", "-m", message);
        return Git("rev-parse", "HEAD").Trim();
    }

    /// <summary>Each site's plan (as <c>mship plan -o json</c> prints it) and sorted diagnostics, planned alone.</summary>
    private static (string? Plan, string Diagnostics) Alone(string repository, string site, string? from, string? to, string? charts)
    {
        var bag = new DiagnosticBag();
        using var planned = RepositoryPlanner.Plan(new DeployPlanRequest { Repository = repository, Site = site, From = from, To = to }, new ChartStore(charts), bag);
        return (planned is null ? null : PlanFormats.JsonText(planned.Plan), string.Join('\n', bag.Sorted()));
    }

    private static void AssertBatchEqualsAlone(string repository, string[] sites, string? from, string? to, string? charts)
    {
        using var batch = RepositoryPlanner.PlanSites(new SitePlansRequest { Repository = repository, Sites = [.. sites], From = from, To = to }, new ChartStore(charts));

        Assert.Equal(sites, batch.Sites.Select(s => s.Site));
        foreach (var result in batch.Sites)
        {
            var bag = new DiagnosticBag();
            bag.AddRange(result.Diagnostics);
            var (plan, diagnostics) = Alone(repository, result.Site, from, to, charts);
            Assert.Equal(plan, result.Planned is null ? null : PlanFormats.JsonText(result.Planned.Plan));
            Assert.Equal(diagnostics, string.Join('\n', bag.Sorted()));
        }
    }

    [Fact(Timeout = 180_000)]
    public void PlanSites_ExampleCloudBetweenTwoCommits_EqualsEachSitePlannedAlone()
    {
        var charts = Fixtures.OpenStackHelm();
        CopyDirectory(Path.Combine(Fixtures.RepositoryRoot(), "examples", "cloud"), _root);
        Git("init", "-q", "-b", "main");
        var first = Commit("example cloud");
        File.AppendAllText(Path.Combine(_root, "values", "regions", "kr1", "nova.yaml"), "\n# raised for the batch test\nconf:\n  nova:\n    DEFAULT:\n      cpu_allocation_ratio: 8.0\n");
        Write("values/environments/prod/keystone.yaml", "pod:\n  replicas:\n    api: 5\n");
        var second = Commit("kr1 nova ratio, prod keystone replicas");
        string[] sites = ["dev-kr1", "prod-kr1", "prod-us1", "stage-kr1"];

        AssertBatchEqualsAlone(_root, sites, first, second, charts);

        using var batch = RepositoryPlanner.PlanSites(new SitePlansRequest { Repository = _root, Sites = [.. sites], From = first, To = second }, new ChartStore(charts));
        string[] Running(string site) => [.. batch.Sites.Single(s => s.Site == site).Planned!.Plan.Services.Where(s => s.Run).Select(s => s.Name)];
        Assert.Equal(["keystone", "nova"], Running("prod-kr1"));
        Assert.Equal(["keystone"], Running("prod-us1"));
        Assert.Equal(["nova"], Running("dev-kr1"));
    }

    /// <summary>A generated repository: path charts, a feature, site files, a site added and a site broken in the second commit.</summary>
    [Fact(Timeout = 180_000)]
    public void PlanSites_GeneratedRepositoryBetweenTwoCommits_EqualsEachSitePlannedAlone()
    {
        var files = new Dictionary<string, string>();
        MemoryFiles.Chart(files, "db", endpoints: [("oslo_db", "db")]);
        MemoryFiles.Chart(files, "ident", services: ["oslo_db"], endpoints: [("identity", "ident")]);
        MemoryFiles.Chart(files, "image", services: ["oslo_db", "identity", "metering"], endpoints: [("image", "image")]);
        files["cloud.yaml"] = MemoryFiles.Catalog(("db", ""), ("ident", ""), ("image", ""));
        files["values_overrides/ident/tls.yaml"] = "tls: true\n";
        files["values/global/ident.yaml"] = "conf:\n  debug: false\n";
        var sites = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            var name = $"site-{i.ToString("D2", CultureInfo.InvariantCulture)}";
            sites.Add(name);
            var environment = new[] { "dev", "stage", "prod" }[i % 3];
            var site = MemoryFiles.Site(name, environment, $"r{i % 4}", "db", "ident", "image");
            files[$"sites/{name}/site.yaml"] = i % 5 == 0 ? site.Replace("  services:", "  features: [tls]\n  services:", StringComparison.Ordinal) : site;
            files[$"values/regions/r{i % 4}/db.yaml"] = $"size: {i % 4}0Gi\n";
            if (i % 7 == 0)
            {
                files[$"sites/{name}/values/image.yaml"] = "replicas: 1\n";
            }
        }

        foreach (var (path, text) in files)
        {
            Write(path, text);
        }

        Git("init", "-q", "-b", "main");
        var first = Commit("sites");
        Write("values/regions/r1/db.yaml", "size: 99Gi\n");
        Write("charts/ident/templates/api.yaml", "# ident's api\n");
        Write("sites/site-07/values/image.yaml", "replicas: 2\n");
        Write("sites/site-24/site.yaml", MemoryFiles.Site("site-24", "prod", "r0", "db", "image"));
        Write("sites/site-05/site.yaml", "apiVersion: mothership.io/v1\nkind: Site\nmetadata: {name: site-05}\nspec:\n  environment: prod\n  region: [not, a, name\n");
        var second = Commit("grow r1's databases, touch ident's chart, add site-24, break site-05");
        sites.Add("site-24");

        AssertBatchEqualsAlone(_root, [.. sites], first, second, charts: null);
        AssertBatchEqualsAlone(_root, [.. sites], from: null, to: null, charts: null);

        using var batch = RepositoryPlanner.PlanSites(new SitePlansRequest { Repository = _root, Sites = [.. sites], From = first, To = second }, new ChartStore(null));
        Assert.True(batch.Sites.Single(s => s.Site == "site-05").HasErrors);
        Assert.Equal(["db", "ident"], batch.Sites.Single(s => s.Site == "site-01").Planned!.Plan.Services.Where(s => s.Run).Select(s => s.Name));
        Assert.Equal(["db", "image"], batch.Sites.Single(s => s.Site == "site-24").Planned!.Plan.Services.Where(s => s.Run).Select(s => s.Name));
    }

    [Fact(Timeout = 60_000)]
    public void PlanSites_Environment_PlansItsSitesAndAnUnreadableOne()
    {
        var files = new Dictionary<string, string>();
        MemoryFiles.Chart(files, "db", endpoints: [("oslo_db", "db")]);
        files["cloud.yaml"] = MemoryFiles.Catalog(("db", ""));
        files["sites/a-prod/site.yaml"] = MemoryFiles.Site("a-prod", "prod", "r1", "db");
        files["sites/b-dev/site.yaml"] = MemoryFiles.Site("b-dev", "dev", "r1", "db");
        files["sites/c-prod/site.yaml"] = MemoryFiles.Site("c-prod", "prod", "r2", "db");
        files["sites/d-broken/site.yaml"] = "kind: Site\nspec: [\n";
        foreach (var (path, text) in files)
        {
            Write(path, text);
        }

        using var batch = RepositoryPlanner.PlanSites(new SitePlansRequest { Repository = _root, Environment = "prod" }, new ChartStore(null));

        Assert.Equal(["a-prod", "c-prod", "d-broken"], batch.Sites.Select(s => s.Site));
        Assert.False(batch.Sites[0].HasErrors);
        Assert.True(batch.Sites[2].HasErrors);
        Assert.Contains(batch.Sites[2].Diagnostics, d => d.Location.File.EndsWith("sites/d-broken/site.yaml", StringComparison.Ordinal));
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
