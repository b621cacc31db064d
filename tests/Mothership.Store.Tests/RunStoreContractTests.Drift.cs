namespace Mothership.Store.Tests;

/// <summary>Drift checks: the latest per site, kept across store instances, never replaced by an older one.</summary>
public abstract partial class RunStoreContractTests
{
    private static SiteDriftReport Drift(string site, string state, int second, string revision = "rev2") => new()
    {
        Site = site,
        State = state,
        Revision = revision,
        CheckedAt = Start.AddSeconds(second),
        Services =
        [
            new SiteDriftService
            {
                Service = "ident", Release = "keystone", Namespace = "openstack", State = state, DesiredChart = "ident-1.0.0", DeployedChart = "ident-0.9.0",
                Differences = [new SiteDriftDifference("conf.debug", "Changed", "false", "true"), new SiteDriftDifference("conf.admin_password", "Changed", "\"***\"", "\"***\"")],
            },
            new SiteDriftService { Service = "db", Release = "db", Namespace = "infra", State = "OutOfSync", DesiredChart = "db-0.1.0", Missing = true },
            new SiteDriftService { Service = "image", Release = "image", Namespace = "openstack", State = "Unknown", DesiredChart = "image-0.1.0", Error = "helm: unreachable" },
        ],
    };

    private static void AssertSameDrift(SiteDriftReport expected, SiteDriftReport? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Services = [] }, actual with { Services = [] });
        Assert.Equal(expected.Services.Length, actual.Services.Length);
        foreach (var (e, a) in expected.Services.Zip(actual.Services))
        {
            Assert.Equal(e with { Differences = [] }, a with { Differences = [] });
            Assert.Equal(e.Differences, a.Differences);
        }
    }

    [Fact(Timeout = 60000)]
    public async Task RecordSiteDriftAsync_NewSite_ReadBackFieldByField()
    {
        var report = Drift("prod-a", "OutOfSync", 1);

        Assert.True(await Store.RecordSiteDriftAsync(report, Ct));

        AssertSameDrift(report, await Store.GetSiteDriftAsync("prod-a", Ct));
        Assert.True((await Store.GetSiteDriftAsync("prod-a", Ct))!.Services[0].ChartMismatch);
        Assert.Null(await Store.GetSiteDriftAsync("prod-b", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task RecordSiteDriftAsync_NewerCheck_ReplacesAndOlderCheckIsRefused()
    {
        await Store.RecordSiteDriftAsync(Drift("prod-a", "OutOfSync", 1), Ct);
        var newer = Drift("prod-a", "InSync", 5, revision: "rev3") with { Services = [], Error = null };

        Assert.True(await Store.RecordSiteDriftAsync(newer, Ct));
        Assert.False(await Store.RecordSiteDriftAsync(Drift("prod-a", "OutOfSync", 3), Ct));

        AssertSameDrift(newer, await Store.GetSiteDriftAsync("prod-a", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task ListSiteDriftsAsync_SeveralSites_EachLatestByNameAcrossStoreInstances()
    {
        var b = Drift("prod-b", "Unknown", 2) with { Error = "site 'prod-b' cannot be loaded at rev2" };
        await Store.RecordSiteDriftAsync(b, Ct);
        await Store.RecordSiteDriftAsync(Drift("prod-a", "OutOfSync", 1), Ct);
        await using var other = RunStoreFactory.Open(Database, Time);

        var all = await other.ListSiteDriftsAsync(Ct);

        Assert.Equal(["prod-a", "prod-b"], all.Select(d => d.Site));
        AssertSameDrift(b, all[1]);
    }
}
