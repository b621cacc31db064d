using Mothership.Store.Sql;

namespace Mothership.Store.Tests;

/// <summary>
/// What follows a site deploy's end, claimed in the store (migration 15): taken by one replica at a
/// time, again once its claim has passed, never after it is done; deploys that ended before the
/// migration count as followed up.
/// </summary>
public abstract partial class RunStoreContractTests
{
    private async Task<SiteDeploy> FinishedDeployAsync(string id, string site, int second)
    {
        var deploy = Deploy(id, site: site, second: second);
        Assert.Equal(SiteDeployOutcome.Started, (await Store.StartSiteDeployAsync(deploy, DeployRun(deploy), Ct)).Outcome);
        Assert.True(await Store.FinishSiteDeployAsync(id, "Succeeded", deployed: true, Start.AddSeconds(second), Start.AddSeconds(second + 5), Ct));
        return deploy;
    }

    [Fact(Timeout = 60000)]
    public async Task ClaimSiteDeployFollowUpsAsync_FinishedDeploys_ClaimedOnceUntilTheClaimPassesThenDoneForGood()
    {
        await FinishedDeployAsync("d1", "prod-a", 0);
        await FinishedDeployAsync("d2", "prod-b", 10);
        var running = Deploy("d3", site: "prod-c", second: 20);
        await Store.StartSiteDeployAsync(running, DeployRun(running), Ct);
        var now = Start.AddMinutes(1);

        var claimed = await Store.ClaimSiteDeployFollowUpsAsync(now, now.AddMinutes(1), 10, Ct);

        Assert.Equal([("d1", 1, "Succeeded"), ("d2", 1, "Succeeded")], claimed.Select(d => (d.Id, d.FollowUpAttempts, d.Result!)));
        Assert.Equal(Start.AddSeconds(5), claimed[0].FinishedAt);
        // Held: nobody takes them again before the claim passes (another replica, the same one).
        Assert.Empty(await Store.ClaimSiteDeployFollowUpsAsync(now.AddSeconds(59), now.AddMinutes(2), 10, Ct));

        Assert.True(await Store.FinishSiteDeployFollowUpAsync("d1", now.AddSeconds(1), Ct));
        Assert.False(await Store.FinishSiteDeployFollowUpAsync("d1", now.AddSeconds(2), Ct));
        Assert.False(await Store.FinishSiteDeployFollowUpAsync("d3", now.AddSeconds(2), Ct));

        // d2's follow-up failed: taken up again once its claim passed, one attempt more; d1 is done.
        var again = await Store.ClaimSiteDeployFollowUpsAsync(now.AddMinutes(1), now.AddMinutes(2), 10, Ct);
        Assert.Equal([("d2", 2)], again.Select(d => (d.Id, d.FollowUpAttempts)));

        // The running deploy once it ends.
        Assert.True(await Store.FinishSiteDeployAsync("d3", "Failed", deployed: false, null, now.AddMinutes(1), Ct));
        Assert.Equal(["d3"], (await Store.ClaimSiteDeployFollowUpsAsync(now.AddMinutes(1), now.AddMinutes(2), 10, Ct)).Select(d => d.Id));
    }

    [Fact(Timeout = 60000)]
    public async Task ClaimSiteDeployFollowUpsAsync_ManyAtOnce_EachDeployClaimedByOne()
    {
        for (var i = 0; i < 6; i++)
        {
            await FinishedDeployAsync($"c{i}", $"site-{i}", i);
        }

        var now = Start.AddMinutes(1);
        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Store.ClaimSiteDeployFollowUpsAsync(now, now.AddMinutes(1), 2, Ct)));

        var ids = claims.SelectMany(c => c.Select(d => d.Id)).ToList();
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(6, ids.Count);
        Assert.All(claims, c => Assert.True(c.Count <= 2));
    }

    [Fact(Timeout = 60000)]
    public async Task MigrateAsync_Version14WithFinishedAndRunningDeploys_OnlyTheRunningOneFollowedUpOnceItEnds()
    {
        var database = await CreateDatabaseAsync(Ct);
        await using (var v14 = (SqlRunStore)RunStoreFactory.Open(database, Time))
        {
            await v14.MigrateAsync(14, Ct);
            foreach (var (id, site) in new[] { ("old", "prod-a"), ("running", "prod-b") })
            {
                var deploy = Deploy(id, site: site);
                Assert.Equal(SiteDeployOutcome.Started, (await v14.StartSiteDeployAsync(deploy, DeployRun(deploy), Ct)).Outcome);
            }

            // The columns the version-14 store knows: the end of "old" as that server recorded it.
            await ExecuteSqlAsync(database, $"UPDATE site_deploys SET result = 'Succeeded', finished_at = {UnixMicros.From(Start.AddSeconds(5))} WHERE id = 'old'", Ct);
        }

        await using var store = RunStoreFactory.Open(database, Time);
        await store.MigrateAsync(Ct);
        var now = Start.AddMinutes(1);

        Assert.Empty(await store.ClaimSiteDeployFollowUpsAsync(now, now.AddMinutes(1), 10, Ct));
        Assert.True(await store.FinishSiteDeployAsync("running", "Succeeded", deployed: true, null, now, Ct));
        Assert.Equal(["running"], (await store.ClaimSiteDeployFollowUpsAsync(now, now.AddMinutes(1), 10, Ct)).Select(d => d.Id));
    }
}
