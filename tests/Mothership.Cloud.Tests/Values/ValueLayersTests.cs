using Mothership.Cloud.Sites;
using Mothership.Cloud.Values;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Tests.Values;

public sealed class ValueLayersTests
{
    private static Dictionary<string, string> Files() => new()
    {
        ["cloud.yaml"] = MemoryFiles.Catalog(("keystone", "")),
        ["sites/dev/site.yaml"] = MemoryFiles.Site("dev", "dev", "kr1", "keystone"),
        ["values/global/keystone.yaml"] = "pod:\n  replicas:\n    api: 3\n    worker: 2\nlist: [a, b]\nkeep: \"true\"\n",
        ["values/environments/dev/keystone.yaml"] = "pod:\n  replicas:\n    api: 1\n",
        ["values/regions/kr1/keystone.yaml"] = "list: [c]\nregion: kr1\n",
        ["values/regions/us1/keystone.yaml"] = "region: us1\n",
        ["sites/dev/values/keystone.yaml"] = "conf:\n  debug: true\nscript: |\n  one\n  two\n",
    };

    private static RenderedValues Render(Dictionary<string, string> files)
    {
        var bag = new DiagnosticBag();
        var memory = new MemoryFiles(files);
        var repository = SiteRepositoryLoader.Load(memory, "dev", "", bag)!;
        var rendered = ValueLayers.Render(memory, repository.Site, repository.Services[0], "", bag);
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        return rendered!;
    }

    [Fact]
    public void Render_Layers_MergeMapsDeeplyAndReplaceLists()
    {
        var rendered = Render(Files());

        Assert.Equal(
            "pod:\n  replicas:\n    api: 1\n    worker: 2\nlist:\n- c\nkeep: \"true\"\nregion: kr1\nconf:\n  debug: true\nscript: |\n  one\n  two\n",
            ValuesRenderer.Render(rendered.Values, sources: false));
        Assert.Equal(["values/global/keystone.yaml", "values/environments/dev/keystone.yaml", "values/regions/kr1/keystone.yaml", "sites/dev/values/keystone.yaml"], rendered.Layers.Select(l => l.Path));
    }

    [Fact]
    public void Render_WithSources_NamesTheFileAndLineOfEachValue()
    {
        var text = ValuesRenderer.Render(Render(Files()).Values, sources: true);

        Assert.Contains("api: 1 # values/environments/dev/keystone.yaml:3", text, StringComparison.Ordinal);
        Assert.Contains("worker: 2 # values/global/keystone.yaml:4", text, StringComparison.Ordinal);
        Assert.Contains("- c # values/regions/kr1/keystone.yaml:1", text, StringComparison.Ordinal);
        Assert.Contains("# sites/dev/values/keystone.yaml:3\nscript: |", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_FeatureOverrides_JoinBelowTheRepositoryLayersInTheSiteOrder()
    {
        var files = Files();
        files["sites/dev/site.yaml"] = files["sites/dev/site.yaml"].Replace("  services:", "  features: [2025.1-ubuntu_noble, tls]\n  services:", StringComparison.Ordinal);
        files["values_overrides/keystone/2025.1-ubuntu_noble.yaml"] = "images:\n  tags:\n    keystone_api: quay.io/airshipit/keystone:2025.1-ubuntu_noble\nregion: feature\n";
        files["values_overrides/keystone/tls.yaml"] = "images:\n  tags:\n    keystone_api: tls-image\n";

        var rendered = Render(files);

        Assert.Equal("values_overrides/keystone/2025.1-ubuntu_noble.yaml", rendered.Layers[0].Path);
        Assert.Equal("values_overrides/keystone/tls.yaml", rendered.Layers[1].Path);
        var images = (ValueMap)((ValueMap)rendered.Values["images"]!)["tags"]!;
        Assert.Equal("tls-image", ((ValueScalar)images["keystone_api"]!).Text);
        Assert.Equal("kr1", ((ValueScalar)rendered.Values["region"]!).Text);
    }

    [Fact]
    public void Check_FeatureWithoutAnyFile_IsAMissingValuesFileError()
    {
        var files = Files();
        files["sites/dev/site.yaml"] = files["sites/dev/site.yaml"].Replace("  services:", "  features: [tsl]\n  services:", StringComparison.Ordinal);
        var bag = new DiagnosticBag();
        var memory = new MemoryFiles(files);

        ValueLayers.Check(memory, SiteRepositoryLoader.Load(memory, "dev", "", bag)!, "", bag);

        var error = Assert.Single(bag.Items, d => d.Severity == Severity.Error);
        Assert.Equal("sites/dev/site.yaml:7:14: error: missing values file for feature 'tsl': none of values_overrides/keystone/tsl.yaml exists", error.ToString());
    }

    [Fact]
    public void Check_ValuesFileOfNoService_Warns()
    {
        var files = Files();
        files["values/global/keystnoe.yaml"] = "a: 1\n";
        var bag = new DiagnosticBag();
        var memory = new MemoryFiles(files);

        ValueLayers.Check(memory, SiteRepositoryLoader.Load(memory, "dev", "", bag)!, "", bag);

        var warning = Assert.Single(bag.Items);
        Assert.Equal("values/global/keystnoe.yaml: warning: ignored: no service 'keystnoe' in cloud.yaml", warning.ToString());
    }

    [Fact]
    public void Read_NotAMapping_NamesFileAndLine()
    {
        var bag = new DiagnosticBag();

        Assert.Null(ValueFileReader.Read("v.yaml", "- a\n- b\n", bag));

        Assert.Equal("v.yaml:1:1: error: a values file must be one YAML mapping (as helm -f reads it)", Assert.Single(bag.Items).ToString());
    }

    [Fact]
    public void Merge_NullInUpperLayer_IsKeptSoHelmDropsTheDefault()
    {
        var bag = new DiagnosticBag();
        var lower = ValueFileReader.Read("a.yaml", "a:\n  b: 1\n  c: 2\n", bag)!;
        var upper = ValueFileReader.Read("b.yaml", "a:\n  b: null\n", bag)!;

        var merged = ValuesRenderer.Render((ValueMap)ValueMap.Merge(lower, upper), sources: false);

        Assert.Equal("a:\n  b: null\n  c: 2\n", merged);
    }
}
