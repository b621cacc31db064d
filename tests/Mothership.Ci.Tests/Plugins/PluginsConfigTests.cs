using Mothership.Ci.Plugins;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Tests.Plugins;

public sealed class PluginsConfigTests
{
    [Fact]
    public void EnabledFor_OrgAndRepoEntries_UnionsThemAndHonoursExcludedRepos()
    {
        var bag = new DiagnosticBag();
        var config = PluginsConfig.Parse("plugins.yaml", """
            plugins:
              octo:
                plugins: [lgtm, hold]
                excluded_repos: [legacy]
              octo/hello:
                plugins: [approve]
              other: [size, label]
            triggers:
            - repos: [octo]
              only_org_members: true
            """, bag);

        Assert.Empty(bag.Sorted());
        Assert.Equal(["approve", "hold", "lgtm"], config.EnabledFor("octo/hello"));
        Assert.Empty(config.EnabledFor("octo/legacy"));
        Assert.Equal(["label", "size"], config.EnabledFor("other/x"));
        Assert.Empty(config.EnabledFor("nobody/x"));
        Assert.True(config.Triggers.For("octo/hello").OnlyOrgMembers);
    }

    [Fact]
    public void Parse_PluginMothershipLacks_WarnsWithPosition()
    {
        var bag = new DiagnosticBag();
        var config = PluginsConfig.Parse("plugins.yaml", """
            plugins:
              octo:
                plugins: [cat, hold]
            """, bag);

        var warning = Assert.Single(bag.Sorted());
        Assert.Equal(Severity.Warning, warning.Severity);
        Assert.Equal(2, warning.Location.Line);
        Assert.Contains("no plugin 'cat'", warning.Message, StringComparison.Ordinal);
        Assert.Equal(["cat", "hold"], config.EnabledFor("octo/x"));
    }

    [Fact]
    public void Parse_UnknownFieldInAnEntry_IsAnErrorWithPosition()
    {
        var bag = new DiagnosticBag();
        PluginsConfig.Parse("plugins.yaml", """
            plugins:
              octo:
                plugins: [hold]
                exclude_repos: [x]
            """, bag);

        var error = Assert.Single(bag.Sorted());
        Assert.Equal(Severity.Error, error.Severity);
        Assert.Equal("plugins.yaml", error.Location.File);
        Assert.Equal(4, error.Location.Line);
    }
}
