using Mothership.Ci.Jobs;
using Mothership.Ci.Triggers;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Tests.Triggers;

public sealed class TriggerPoliciesTests
{
    [Fact]
    public void Parse_ProwsTriggers_RepoOverOrgOverDefault()
    {
        var bag = new DiagnosticBag();
        var policies = TriggerPolicies.Parse("plugins.yaml", """
            plugins:
              octo: [trigger, lgtm]
            triggers:
            - repos: [octo]
              only_org_members: true
              trusted_apps: [dependabot]
            - repos: [octo/special]
              ok_to_test_persists: true
              join_org_url: https://example.com/join
            """, bag);

        Assert.Empty(bag.Items);
        Assert.True(policies.For("octo/hello").OnlyOrgMembers);
        Assert.Equal(["dependabot"], policies.For("octo/hello").TrustedApps);
        Assert.True(policies.For("octo/special").OkToTestPersists);
        Assert.False(policies.For("octo/special").OnlyOrgMembers);
        Assert.Same(TriggerPolicy.Default, policies.For("other/repo"));
    }

    [Fact]
    public void Parse_UnknownFieldOrNoRepos_ErrorAtItsLine()
    {
        var bag = new DiagnosticBag();
        TriggerPolicies.Parse("plugins.yaml", """
            triggers:
            - repos: [octo]
              only_org_member: true
            - trusted_apps: [x]
            """, bag);

        Assert.Equal(
            ["plugins.yaml:3:3: error", "plugins.yaml:4:3: error"],
            bag.Items.Select(d => d.ToString()[..d.ToString().IndexOf(": error", StringComparison.Ordinal)] + ": error"));
    }

    [Fact(Timeout = 10_000)]
    public void JobConfigFiles_Reload_OnlyWhenChanged_KeepsTheLastGoodConfig()
    {
        var dir = Directory.CreateTempSubdirectory("mship-config-");
        try
        {
            var file = Path.Combine(dir.FullName, "config.yaml");
            File.WriteAllText(file, "presubmits:\n  octo/hello:\n  - name: unit\n    always_run: true\n    spec:\n      containers: [{image: alpine}]\n");
            var files = new JobConfigFiles(file, null);

            Assert.Empty(files.Reload()!);
            Assert.Null(files.Reload());
            Assert.Equal(1, files.Current.JobCount);

            File.WriteAllText(file, "presubmits:\n  octo/hello:\n  - name: unit\n    alwas_run: true\n");
            File.SetLastWriteTimeUtc(file, DateTime.UnixEpoch.AddDays(1));
            var problems = files.Reload()!;

            Assert.Contains(problems, d => d.Severity == Severity.Error && d.Location.Line == 4);
            Assert.Equal(1, files.Current.JobCount);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
