using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Cloud;

/// <summary><c>mship plan --from --to</c> on a real git repository: each kind of commit selects exactly its services.</summary>
public sealed class PlanChangesTests : IDisposable
{
    private readonly SiteRepositoryFixture _repo = SiteRepositoryFixture.Small();

    public void Dispose() => _repo.Dispose();

    private async Task<Dictionary<string, string[]>> RunningBySite(string from, string? to = "HEAD")
    {
        var result = new Dictionary<string, string[]>();
        foreach (var site in new[] { "dev-a", "prod-a", "prod-b" })
        {
            string[] args = to is null
                ? ["plan", "--repo", _repo.Root, "--site", site, "--from", from, "-o", "json"]
                : ["plan", "--repo", _repo.Root, "--site", site, "--from", from, "--to", to, "-o", "json"];
            var r = await MshipProcess.RunAsync(args, cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(r.ExitCode == 0, r.Stderr);
            var plan = JsonNode.Parse(r.Stdout)!;
            Assert.Equal(from, plan["from"]!.GetValue<string>());
            result[site] = [.. plan["services"]!.AsArray().Where(s => s!["run"]!.GetValue<bool>()).Select(s => s!["name"]!.GetValue<string>())];
        }

        return result;
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_GlobalValueChanged_RunsThatServiceInEverySite()
    {
        _repo.Write("values/global/ident.yaml", "conf:\n  debug: true\n");
        _repo.Commit("debug keystone everywhere");

        var running = await RunningBySite("HEAD~1");

        Assert.All(running.Values, r => Assert.Equal(["ident"], r));
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_RegionValueChanged_RunsOnlyThatRegionsSites()
    {
        _repo.Write("values/regions/b/db.yaml", "size: 40Gi\n");
        _repo.Commit("grow region b's database");

        var running = await RunningBySite("HEAD~1");

        Assert.Equal(["db"], running["prod-b"]);
        Assert.Empty(running["prod-a"]);
        Assert.Empty(running["dev-a"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_SiteValueChanged_RunsOneServiceOfOneSite()
    {
        _repo.Write("sites/dev-a/values/image.yaml", "replicas: 3\n");
        _repo.Commit("more image replicas in dev-a");

        var running = await RunningBySite("HEAD~1");

        Assert.Equal(["image"], running["dev-a"]);
        Assert.Empty(running["prod-a"]);
        Assert.Empty(running["prod-b"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_ChartChanged_RunsItsServiceEverywhere()
    {
        _repo.Write("charts/image/templates/deployment.yaml", "# image, with a probe\n");
        _repo.Commit("image chart: a probe");

        var running = await RunningBySite("HEAD~1");

        Assert.All(running.Values, r => Assert.Equal(["image"], r));
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_NoChange_RunsNothing()
    {
        _repo.Write("README.md", "notes\n");
        _repo.Commit("docs only");

        var running = await RunningBySite("HEAD~1");

        Assert.All(running.Values, Assert.Empty);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_FromRevisionToWorkingTree_SeesUncommittedChanges()
    {
        _repo.Write("values/regions/a/db.yaml", "size: 11Gi\n");

        var running = await RunningBySite("HEAD", to: null);

        Assert.Equal(["db"], running["dev-a"]);
        Assert.Equal(["db"], running["prod-a"]);
        Assert.Empty(running["prod-b"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_ChangesOfSeveralCommits_NameTheFiles()
    {
        var first = _repo.Git("rev-parse", "HEAD").Trim();
        _repo.Write("values/global/image.yaml", "replicas: 4\n");
        _repo.Commit("one");
        _repo.Write("cloud.yaml", File.ReadAllText(Path.Combine(_repo.Root, "cloud.yaml")).Replace("namespace: infra", "namespace: databases", StringComparison.Ordinal));
        _repo.Commit("two");

        var r = await MshipProcess.RunAsync(["plan", "--repo", _repo.Root, "--site", "prod-a", "--from", first, "--to", "HEAD", "-o", "json"], cancellationToken: TestContext.Current.CancellationToken);

        var services = JsonNode.Parse(r.Stdout)!["services"]!.AsArray().ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!["changes"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray());
        Assert.Equal(["values/global/image.yaml"], services["image"]);
        Assert.Equal(["cloud.yaml: chart, namespace or release of 'db'"], services["db"]);
        Assert.Empty(services["ident"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_NewlyEnabledService_Runs()
    {
        _repo.Write("sites/prod-b/site.yaml", File.ReadAllText(Path.Combine(_repo.Root, "sites/prod-b/site.yaml")).Replace("[db, ident, image]", "[db, ident]", StringComparison.Ordinal));
        _repo.Commit("no image service in prod-b");
        _repo.Write("sites/prod-b/site.yaml", File.ReadAllText(Path.Combine(_repo.Root, "sites/prod-b/site.yaml")).Replace("[db, ident]", "[db, ident, image]", StringComparison.Ordinal));
        _repo.Commit("image service back in prod-b");

        var running = await RunningBySite("HEAD~1");
        var removed = await MshipProcess.RunAsync(["plan", "--repo", _repo.Root, "--site", "prod-b", "--from", "HEAD~2", "--to", "HEAD~1", "-o", "json"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["image"], running["prod-b"]);
        Assert.Equal(["image"], JsonNode.Parse(removed.Stdout)!["removed"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_UnknownRevision_ExitsTwoWithAMessage()
    {
        var r = await MshipProcess.RunAsync(["plan", "--repo", _repo.Root, "--site", "dev-a", "--from", "no-such-branch"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown revision 'no-such-branch'", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_Environment_PrintsEverySitesPlanAsAnArray()
    {
        _repo.Write("values/regions/b/db.yaml", "size: 40Gi\n");
        _repo.Commit("grow region b's database");

        var r = await MshipProcess.RunAsync(["plan", "--repo", _repo.Root, "--environment", "prod", "--from", "HEAD~1", "--to", "HEAD", "-o", "json"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(r.ExitCode == 0, r.Stderr);
        var plans = JsonNode.Parse(r.Stdout)!.AsArray();
        Assert.Equal(["prod-a", "prod-b"], plans.Select(p => p!["site"]!.GetValue<string>()));
        Assert.Equal(["db"], plans[1]!["services"]!.AsArray().Where(s => s!["run"]!.GetValue<bool>()).Select(s => s!["name"]!.GetValue<string>()));
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_SiteRepeatedAsText_PrintsEachSite()
    {
        var r = await MshipProcess.RunAsync(["plan", "--repo", _repo.Root, "--site", "dev-a", "--site", "prod-b"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("Site dev-a at working tree", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("Site prod-b at working tree", r.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_NoSiteNorEnvironment_ExitsTwo()
    {
        var r = await MshipProcess.RunAsync(["plan", "--repo", _repo.Root], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--environment", r.Stderr, StringComparison.Ordinal);
    }
}
