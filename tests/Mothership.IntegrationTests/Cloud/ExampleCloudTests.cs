using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Cloud;

/// <summary><c>examples/cloud</c> against OpenStack-Helm's real charts: every site plans cleanly; the README's main command works.</summary>
public sealed class ExampleCloudTests
{
    private static string Example => Path.Combine(Fixtures.RepositoryRoot(), "examples", "cloud");

    public static TheoryData<string> Sites() => ["dev-kr1", "stage-kr1", "prod-kr1", "prod-us1"];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Sites))]
    public async Task Plan_EverySite_PlansWithoutWarnings(string site)
    {
        var charts = Fixtures.OpenStackHelm();

        var r = await MshipProcess.RunAsync(["plan", "--repo", Example, "--site", site, "--charts", charts, "-o", "json"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("", r.Stderr);
        var plan = JsonNode.Parse(r.Stdout)!;
        var services = plan["services"]!.AsArray();
        Assert.True(services.Count >= 20, $"{site} enables {services.Count} services");
        Assert.All(plan["external"]!.AsArray(), e => Assert.True(e!["acknowledged"]!.GetValue<bool>()));
        string Group(string s) => services.Single(x => x!["name"]!.GetValue<string>() == s)!["group"]!.GetValue<string>();
        Assert.Contains("neutron+nova", Group("nova"), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Example_HasThreeEnvironmentsAndTwoRegions()
    {
        var sites = Directory.GetFiles(Path.Combine(Example, "sites"), "site.yaml", SearchOption.AllDirectories).Select(File.ReadAllText).ToList();

        Assert.Equal(["dev", "prod", "stage"], sites.Select(s => s.Split('\n').Single(l => l.TrimStart().StartsWith("environment:", StringComparison.Ordinal)).Split(':')[1].Trim()).Distinct().Order());
        Assert.Equal(["kr1", "us1"], sites.Select(s => s.Split('\n').Single(l => l.TrimStart().StartsWith("region:", StringComparison.Ordinal)).Split(':')[1].Trim()).Distinct().Order());
        await Task.CompletedTask;
    }

    [Fact(Timeout = 180_000)]
    public async Task Deploy_DevSiteDryRun_TheReadmesMainCommand_Succeeds()
    {
        var charts = Fixtures.OpenStackHelm();
        var work = Directory.CreateTempSubdirectory("mship-example-").FullName;
        try
        {
            var r = await MshipProcess.RunAsync(
                ["deploy", "--repo", Example, "--site", "dev-kr1", "--dry-run", "--charts", charts, "--state", Path.Combine(work, "state")],
                workingDirectory: work,
                cancellationToken: TestContext.Current.CancellationToken);

            Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
            Assert.Contains("20 of 20 services will run in", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("[keystone/diff] keystone: first deploy to site dev-kr1", r.Stdout, StringComparison.Ordinal);
            Assert.Contains("[summary/print] site dev-kr1: Succeeded", r.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("change-me-", r.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
