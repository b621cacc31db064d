using Mothership.Cloud.Promotion;
using Mothership.Cloud.Sites;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Tests.Promotion;

public sealed class PromotionPolicyTests
{
    private static (CloudCatalog? Catalog, IReadOnlyList<Diagnostic> Diagnostics) Load(string promotion)
    {
        var files = new Dictionary<string, string>
        {
            ["cloud.yaml"] = "apiVersion: mothership.io/v1\nkind: Cloud\nmetadata: {name: alienware}\nspec:\n  services:\n    - name: db\n      chart: {path: charts/db}\n  promotion:\n" + promotion,
        };
        var bag = new DiagnosticBag();
        var catalog = SiteRepositoryLoader.LoadCatalog(new MemoryFiles(files), "repo", bag);
        return (catalog, bag.Sorted());
    }

    [Fact]
    public void LoadCatalog_Promotion_ReadsEnvironmentsInOrderWithDefaultLabels()
    {
        var (catalog, diagnostics) = Load("    repository: alienware/cloud\n    environments:\n      - name: dev\n      - name: stage\n      - {name: prod, label: deploy/prod}\n");

        Assert.Empty(diagnostics);
        var policy = catalog!.Promotion!;
        Assert.Equal("alienware/cloud", policy.Repository);
        Assert.Equal("main", policy.Branch);
        Assert.Equal(["dev", "stage", "prod"], policy.Environments.Select(e => e.Environment));
        Assert.Equal(["area/alienware/dev", "area/alienware/stage", "deploy/prod"], policy.Environments.Select(e => e.Label));
    }

    [Fact]
    public void NextAndPrevious_FollowTheDeclaredOrder()
    {
        var policy = Load("    environments: [{name: dev}, {name: stage}, {name: prod}]\n").Catalog!.Promotion!;

        Assert.Equal("stage", policy.Next("dev")!.Environment);
        Assert.Equal("prod", policy.Next("stage")!.Environment);
        Assert.Null(policy.Next("prod"));
        Assert.Null(policy.Previous("dev"));
        Assert.Equal("stage", policy.Previous("prod")!.Environment);
        Assert.Null(policy.Next("qa"));
        Assert.Equal("prod", policy.ForLabel("AREA/alienware/prod")!.Environment);
        Assert.Null(policy.ForLabel("kind/bug"));
    }

    [Fact]
    public void LoadCatalog_CloudWithoutPromotion_HasNone()
    {
        var bag = new DiagnosticBag();
        var catalog = SiteRepositoryLoader.LoadCatalog(new MemoryFiles(new() { ["cloud.yaml"] = MemoryFiles.Catalog(("db", "")) }), "", bag);

        Assert.Null(catalog!.Promotion);
    }

    [Theory]
    [InlineData("    environments: [{name: dev}]\n", "repo/cloud.yaml:9:5: error: field 'spec.promotion.environments': a promotion names at least two environments, in the order a revision travels (e.g. dev, stage, prod)")]
    [InlineData("    environments: [{name: dev}, {name: qa}]\n", "repo/cloud.yaml:9:34: error: field 'spec.promotion.environments[1].name': 'qa' must be one of dev, stage, prod")]
    [InlineData("    environments: [{name: dev}, {name: dev}]\n", "repo/cloud.yaml:9:33: error: environment 'dev' is named twice in spec.promotion.environments")]
    [InlineData("    environments: [{name: dev, label: x}, {name: stage, label: X}]\n", "repo/cloud.yaml:9:57: error: label 'x' starts the deploys of two environments in spec.promotion.environments")]
    [InlineData("    environments: [{name: dev}, {name: stage, label: 'a,b'}]\n", "repo/cloud.yaml:9:47: error: field 'spec.promotion.environments[1].label': 'a,b' is not a GitHub label (1 to 50 characters, no comma)")]
    [InlineData("    repository: not a repo\n    environments: [{name: dev}, {name: stage}]\n", "repo/cloud.yaml:9:5: error: field 'spec.promotion.repository': 'not a repo' is not a GitHub repository as OWNER/NAME")]
    [InlineData("    branch: a..b\n    environments: [{name: dev}, {name: stage}]\n", "repo/cloud.yaml:9:5: error: field 'spec.promotion.branch': 'a..b' is not a branch name git accepts")]
    [InlineData("    environments: [{name: dev}, {name: stage}]\n    colour: blue\n", "repo/cloud.yaml:10:5: error: unknown field 'spec.promotion.colour'")]
    public void LoadCatalog_BadPromotion_NamesFileLineAndField(string promotion, string expected)
    {
        var (catalog, diagnostics) = Load(promotion);

        Assert.Null(catalog);
        Assert.Equal(expected, Assert.Single(diagnostics).ToString());
    }
}
