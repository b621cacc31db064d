using System.Collections.Immutable;

namespace Mothership.Store.Tests;

/// <summary>Site deploys: one at a time per site, their history, and what a site runs after each.</summary>
public abstract partial class RunStoreContractTests
{
    private static SiteDeploy Deploy(string id, string site = "prod-a", string to = "rev2", string? from = "rev1", int second = 0, bool dryRun = false) => new()
    {
        Id = id,
        Site = site,
        FromRevision = from,
        ToRevision = to,
        RunUid = "uid-" + id,
        RunName = id,
        Actor = "alice",
        Source = "api",
        DryRun = dryRun,
        RequestedAt = Start.AddSeconds(second),
        Services =
        [
            new SiteServiceState { Service = "db", Chart = "charts/db", Version = "0.1.0", ValuesDigest = "sha256:aa" },
            new SiteServiceState { Service = "ident", Chart = "ident", Version = "2026.1.0", ValuesDigest = "sha256:bb" },
        ],
    };

    private static RunRecord DeployRun(SiteDeploy deploy) => Run(deploy.RunName, labels: ImmutableSortedDictionary<string, string>.Empty.Add("mothership.io/site", deploy.Site)) with { Uid = deploy.RunUid };

    [Fact(Timeout = 60000)]
    public async Task StartSiteDeployAsync_SiteFree_StoresRunAndUnfinishedDeploy()
    {
        var deploy = Deploy("d1");

        var start = await Store.StartSiteDeployAsync(deploy, DeployRun(deploy), Ct);

        Assert.Equal(SiteDeployOutcome.Started, start.Outcome);
        Assert.Equal("uid-d1", (await Store.GetRunAsync("PipelineRun", "d1", Ct))!.Uid);
        var active = Assert.Single(await Store.ListActiveSiteDeploysAsync(Ct));
        Assert.Equal(deploy with { Services = [] }, active with { Services = [] });
        Assert.Equal(deploy.Services, active.Services);
        Assert.Null(await Store.GetSiteStateAsync("prod-a", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task StartSiteDeployAsync_SiteHeld_BusyNamingTheActiveDeployAndWritesNothing()
    {
        var first = Deploy("d1");
        await Store.StartSiteDeployAsync(first, DeployRun(first), Ct);
        var second = Deploy("d2", second: 1);

        var start = await Store.StartSiteDeployAsync(second, DeployRun(second), Ct);

        Assert.Equal(SiteDeployOutcome.Busy, start.Outcome);
        Assert.Equal("d1", start.Active!.Id);
        Assert.Null(await Store.GetRunAsync("PipelineRun", "d2", Ct));
        var other = Deploy("d3", site: "prod-b");
        Assert.Equal(SiteDeployOutcome.Started, (await Store.StartSiteDeployAsync(other, DeployRun(other), Ct)).Outcome);
    }

    [Fact(Timeout = 60000)]
    public async Task StartSiteDeployAsync_ManyAtOnce_ExactlyOneStarts()
    {
        var deploys = Enumerable.Range(0, 8).Select(i => Deploy($"c{i}", second: i)).ToList();

        var starts = await Task.WhenAll(deploys.Select(d => Store.StartSiteDeployAsync(d, DeployRun(d), Ct)));

        Assert.Single(starts, s => s.Outcome == SiteDeployOutcome.Started);
        Assert.Single(await Store.ListActiveSiteDeploysAsync(Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task StartSiteDeployAsync_RunNameTaken_NameTakenAndSiteStaysFree()
    {
        await Store.CreateRunAsync(Run("d1"), "alice", Ct);
        var deploy = Deploy("d1");

        Assert.Equal(SiteDeployOutcome.NameTaken, (await Store.StartSiteDeployAsync(deploy, DeployRun(deploy), Ct)).Outcome);

        Assert.Empty(await Store.ListActiveSiteDeploysAsync(Ct));
        var next = Deploy("d2");
        Assert.Equal(SiteDeployOutcome.Started, (await Store.StartSiteDeployAsync(next, DeployRun(next), Ct)).Outcome);
    }

    [Fact(Timeout = 60000)]
    public async Task FinishSiteDeployAsync_Succeeded_RecordsRevisionAndServicesOnceAndFreesTheSite()
    {
        var deploy = Deploy("d1", from: null);
        await Store.StartSiteDeployAsync(deploy, DeployRun(deploy), Ct);

        Assert.True(await Store.FinishSiteDeployAsync("d1", "Succeeded", deployed: true, Start.AddSeconds(1), Start.AddSeconds(9), Ct));
        Assert.False(await Store.FinishSiteDeployAsync("d1", "Failed", deployed: false, null, Start.AddSeconds(10), Ct));

        var state = (await Store.GetSiteStateAsync("prod-a", Ct))!;
        Assert.Equal(("rev2", Start.AddSeconds(9), "d1", "uid-d1", "alice", "api"), (state.Revision, state.DeployedAt, state.DeployId, state.RunUid, state.Actor, state.Source));
        Assert.Equal(("d1", "Succeeded"), (state.LastDeployId, state.LastResult));
        Assert.Equal(["db", "ident"], state.Services.Select(s => s.Service));
        Assert.Equal(("ident", "2026.1.0", "sha256:bb", "rev2"), (state.Services[1].Chart, state.Services[1].Version, state.Services[1].ValuesDigest, state.Services[1].Revision));
        var history = Assert.Single(await Store.ListSiteDeploysAsync("prod-a", 10, Ct));
        Assert.Equal(("Succeeded", Start.AddSeconds(1), Start.AddSeconds(9)), (history.Result, history.StartedAt, history.FinishedAt));
        Assert.Empty(await Store.ListActiveSiteDeploysAsync(Ct));
        var next = Deploy("d2", second: 20);
        Assert.Equal(SiteDeployOutcome.Started, (await Store.StartSiteDeployAsync(next, DeployRun(next), Ct)).Outcome);
    }

    [Fact(Timeout = 60000)]
    public async Task FinishSiteDeployAsync_FailedOrDryRun_KeepsTheDeployedRevisionAndRecordsTheResult()
    {
        var ok = Deploy("d1", to: "rev1", from: null);
        await Store.StartSiteDeployAsync(ok, DeployRun(ok), Ct);
        await Store.FinishSiteDeployAsync("d1", "Succeeded", deployed: true, null, Start.AddSeconds(5), Ct);
        var failed = Deploy("d2", to: "rev2", second: 10) with { Services = [new SiteServiceState { Service = "db", Chart = "charts/db", ValuesDigest = "sha256:new" }] };
        await Store.StartSiteDeployAsync(failed, DeployRun(failed), Ct);
        await Store.FinishSiteDeployAsync("d2", "Failed", deployed: false, null, Start.AddSeconds(15), Ct);
        var dry = Deploy("d3", to: "rev3", second: 20, dryRun: true);
        await Store.StartSiteDeployAsync(dry, DeployRun(dry), Ct);
        await Store.FinishSiteDeployAsync("d3", "Succeeded", deployed: true, null, Start.AddSeconds(25), Ct);

        var state = (await Store.GetSiteStateAsync("prod-a", Ct))!;
        Assert.Equal(("rev1", "d1"), (state.Revision, state.DeployId));
        Assert.Equal(("d3", "Succeeded"), (state.LastDeployId, state.LastResult));
        Assert.Equal("sha256:aa", state.Services.Single(s => s.Service == "db").ValuesDigest);
        Assert.Equal(["d3", "d2", "d1"], (await Store.ListSiteDeploysAsync("prod-a", 10, Ct)).Select(d => d.Id));
        Assert.Equal(["d3"], (await Store.ListSiteDeploysAsync("prod-a", 1, Ct)).Select(d => d.Id));
        Assert.Equal(["prod-a"], (await Store.ListSiteStatesAsync(Ct)).Select(s => s.Site));
    }
}
