using Mothership.Cloud.Sites;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Tests.Sites;

public sealed class SiteRepositoryLoaderTests
{
    private static Dictionary<string, string> Files() => new()
    {
        ["cloud.yaml"] = MemoryFiles.Catalog(("db", ""), ("ident", "      dependsOn: [db]\n")),
        ["sites/dev/site.yaml"] = MemoryFiles.Site("dev", "dev", "r1", "db", "ident"),
    };

    private static (SiteRepository? Repository, IReadOnlyList<Diagnostic> Diagnostics) Load(Dictionary<string, string> files)
    {
        var bag = new DiagnosticBag();
        var repository = SiteRepositoryLoader.Load(new MemoryFiles(files), "dev", "repo", bag);
        return (repository, bag.Sorted());
    }

    [Fact]
    public void Load_ValidRepository_ReadsCatalogAndSite()
    {
        var (repository, diagnostics) = Load(Files());

        Assert.Empty(diagnostics);
        Assert.Equal(["db", "ident"], repository!.Services.Select(s => s.Name));
        Assert.Equal("openstack", repository.NamespaceOf(repository.Services[0]));
        Assert.Equal("db", Assert.Single(repository.Services[1].DependsOn).Service);
        Assert.Equal(("dev", "r1"), (repository.Site.Environment, repository.Site.Region));
    }

    [Fact]
    public void Load_UnknownServiceInSite_NamesTheSiteFileAndLine()
    {
        var files = Files();
        files["sites/dev/site.yaml"] = MemoryFiles.Site("dev", "dev", "r1", "db", "keystone");

        var (repository, diagnostics) = Load(files);

        Assert.Null(repository);
        var error = Assert.Single(diagnostics);
        Assert.Equal("repo/sites/dev/site.yaml:7:18: error: unknown service 'keystone': cloud.yaml defines db, ident", error.ToString());
    }

    [Fact]
    public void Load_MalformedYaml_NamesFileAndLine()
    {
        var files = Files();
        files["cloud.yaml"] = "apiVersion: mothership.io/v1\nkind: Cloud\nspec:\n  services: [a\n";

        var (_, diagnostics) = Load(files);

        var error = Assert.Single(diagnostics);
        Assert.StartsWith("repo/cloud.yaml:", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("malformed YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingCatalog_SaysWhereItShouldBe()
    {
        var files = Files();
        files.Remove("cloud.yaml");

        var (_, diagnostics) = Load(files);

        Assert.Contains(diagnostics, d => d.Location.File == "repo/cloud.yaml" && d.Message.Contains("file not found", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_UnknownSite_ListsTheSites()
    {
        var bag = new DiagnosticBag();

        SiteRepositoryLoader.Load(new MemoryFiles(Files()), "prod", "repo", bag);

        Assert.Contains(bag.Items, d => d.Message.Contains("no site 'prod'", StringComparison.Ordinal) && d.Message.Contains("dev", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_UnknownFieldAndBadValues_ReportsEachWithItsLine()
    {
        var files = Files();
        files["cloud.yaml"] = MemoryFiles.Catalog(
            ("db", "      estimatedDuration: soon\n      colour: blue\n"),
            ("Ident", "      dependsOn: [nosuch]\n"));
        files["sites/dev/site.yaml"] = "apiVersion: mothership.io/v1\nkind: Site\nmetadata: {name: dev}\nspec:\n  environment: qa\n  region: r1\n  services: [db]\n";

        var (_, diagnostics) = Load(files);

        var text = diagnostics.Select(d => d.ToString()).ToList();
        Assert.Contains(text, t => t.StartsWith("repo/cloud.yaml:8:7: error:", StringComparison.Ordinal) && t.Contains("'soon' is not a positive duration", StringComparison.Ordinal));
        Assert.Contains(text, t => t.StartsWith("repo/cloud.yaml:9:7: error: unknown field 'spec.services[0].colour'", StringComparison.Ordinal));
        Assert.Contains(text, t => t.StartsWith("repo/cloud.yaml:10:7: error: service name 'Ident'", StringComparison.Ordinal));
        Assert.Contains(text, t => t.Contains("unknown service 'nosuch' in the edges of 'Ident'", StringComparison.Ordinal));
        Assert.Contains(text, t => t.StartsWith("repo/sites/dev/site.yaml:5:3: error: field 'spec.environment': 'qa'", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_Executor_ReadsItAndReportsBadKindNamespaceAndFieldsWithTheirLines()
    {
        var files = Files();
        files["sites/dev/site.yaml"] = MemoryFiles.Site("dev", "dev", "r1", "db") + "  executor: {kind: kubernetes, namespace: deploys, serviceAccount: dev-deployer}\n";
        var (repository, diagnostics) = Load(files);
        Assert.Empty(diagnostics);
        var executor = repository!.Site.Executor;
        Assert.Equal(("kubernetes", "deploys", "dev-deployer"), (executor.Kind, executor.Namespace, executor.ServiceAccount));
        var defaults = Load(Files()).Repository!.Site.Executor;
        Assert.Equal(("local", "mothership", "mothership-deployer"), (defaults.Kind, defaults.Namespace, defaults.ServiceAccount));

        files["sites/dev/site.yaml"] = MemoryFiles.Site("dev", "dev", "r1", "db") + "  executor:\n    kind: nomad\n    namespace: Deploys\n    context: x\n";
        var text = Load(files).Diagnostics.Select(d => d.ToString()).ToList();

        Assert.Contains(text, t => t.StartsWith("repo/sites/dev/site.yaml:9:5: error: field 'spec.executor.kind': 'nomad' must be local or kubernetes", StringComparison.Ordinal));
        Assert.Contains(text, t => t.StartsWith("repo/sites/dev/site.yaml:10:5: error: executor namespace 'Deploys'", StringComparison.Ordinal));
        Assert.Contains(text, t => t.StartsWith("repo/sites/dev/site.yaml:11:5: error: unknown field 'spec.executor.context'", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ChartWithoutVersion_SaysWhatIsMissing()
    {
        var files = Files();
        files["cloud.yaml"] = "apiVersion: mothership.io/v1\nkind: Cloud\nmetadata: {name: c}\nspec:\n  services:\n    - name: db\n      chart: {repository: https://charts, name: mariadb}\n";
        files["sites/dev/site.yaml"] = MemoryFiles.Site("dev", "dev", "r1", "db");

        var (_, diagnostics) = Load(files);

        var error = Assert.Single(diagnostics);
        Assert.Equal("repo/cloud.yaml:7:14: error: field 'spec.services[0].chart': a repository chart needs version (or give path: DIR for a chart in the site repository)", error.ToString());
    }

    [Fact]
    public void Load_IgnoreDependsOnWithoutReason_IsAnError()
    {
        var files = Files();
        files["cloud.yaml"] = MemoryFiles.Catalog(("db", ""), ("ident", "      ignoreDependsOn: [db]\n"));

        var (_, diagnostics) = Load(files);

        var error = Assert.Single(diagnostics);
        Assert.Equal(10, error.Location.Line);
        Assert.Contains("needs a reason", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SiteNameDifferentFromFolder_IsAnError()
    {
        var files = Files();
        files["sites/dev/site.yaml"] = MemoryFiles.Site("prod", "dev", "r1", "db");

        var (_, diagnostics) = Load(files);

        Assert.Contains(diagnostics, d => d.Message.Contains("must match the site's folder name 'dev'", StringComparison.Ordinal));
    }
}
