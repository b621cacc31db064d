namespace Mothership.Store.Tests;

/// <summary>Rollouts: one active per environment, written under an optimistic version with their events, driven under a lease.</summary>
public abstract partial class RunStoreContractTests
{
    private static RolloutRecord Rollout(string name, string environment = "prod", DateTimeOffset? created = null) => new()
    {
        Name = name,
        Environment = environment,
        Revision = new string('a', 40),
        Actor = "alice",
        Status = "Running",
        Document = "{\"sites\":[]}",
        CreatedAt = created ?? Start,
        UpdatedAt = created ?? Start,
        WakeAt = Start.AddMinutes(5),
    };

    private static RolloutEventRecord RolloutEvent(string rollout, string reason, string? site = null) => new()
    {
        Rollout = rollout, At = Start, Site = site, From = "Pending", To = "Deploying", Reason = reason, Message = "m " + reason, Actor = site is null ? "bob" : null,
    };

    [Fact(Timeout = 60000)]
    public async Task CreateRolloutAsync_Stored_WholeRecordAndEventsBack()
    {
        var rollout = Rollout("r1");

        Assert.Equal(RolloutCreateOutcome.Created, await Store.CreateRolloutAsync(rollout, [RolloutEvent("r1", "Started")], Ct));

        Assert.Equal(rollout, await Store.GetRolloutAsync("r1", Ct));
        Assert.Null(await Store.GetRolloutAsync("r2", Ct));
        var e = Assert.Single(await Store.ListRolloutEventsAsync("r1", Ct));
        Assert.Equal(RolloutEvent("r1", "Started") with { Seq = e.Seq }, e);
    }

    [Fact(Timeout = 60000)]
    public async Task CreateRolloutAsync_SecondActiveOfEnvironment_RefusedUntilFirstIsOver()
    {
        await Store.CreateRolloutAsync(Rollout("r1"), [], Ct);

        Assert.Equal(RolloutCreateOutcome.EnvironmentBusy, await Store.CreateRolloutAsync(Rollout("r2"), [RolloutEvent("r2", "Started")], Ct));
        Assert.Equal(RolloutCreateOutcome.NameTaken, await Store.CreateRolloutAsync(Rollout("r1", "stage"), [], Ct));
        Assert.Equal(RolloutCreateOutcome.Created, await Store.CreateRolloutAsync(Rollout("r3", "stage"), [], Ct));
        Assert.Empty(await Store.ListRolloutEventsAsync("r2", Ct));

        var first = (await Store.GetRolloutAsync("r1", Ct))!;
        Assert.True(await Store.UpdateRolloutAsync(first with { Active = false, Status = "Succeeded" }, first.Version, [], Ct));
        Assert.Equal(RolloutCreateOutcome.Created, await Store.CreateRolloutAsync(Rollout("r2", created: Start.AddMinutes(1)), [], Ct));
        Assert.Equal(["r2", "r3", "r1"], (await Store.ListRolloutsAsync(10, Ct)).Select(r => r.Name));
        Assert.Equal("r2", (await Store.ListRolloutsAsync(1, Ct)).Single().Name);
    }

    [Fact(Timeout = 60000)]
    public async Task UpdateRolloutAsync_StaleVersion_NothingWritten()
    {
        await Store.CreateRolloutAsync(Rollout("r1"), [], Ct);
        var stored = (await Store.GetRolloutAsync("r1", Ct))!;

        Assert.True(await Store.UpdateRolloutAsync(stored with { Document = "{\"v\":2}", Status = "Paused", Reason = "paused by bob", UpdatedAt = Start.AddMinutes(1), WakeAt = null },
            stored.Version, [RolloutEvent("r1", "Paused"), RolloutEvent("r1", "DeployStarted", "kr1")], Ct));
        Assert.False(await Store.UpdateRolloutAsync(stored with { Document = "{\"v\":3}" }, stored.Version, [RolloutEvent("r1", "Lost")], Ct));

        var now = (await Store.GetRolloutAsync("r1", Ct))!;
        Assert.Equal(("{\"v\":2}", "Paused", "paused by bob", stored.Version + 1, (DateTimeOffset?)null), (now.Document, now.Status, now.Reason, now.Version, now.WakeAt));
        Assert.Equal(["Paused", "DeployStarted"], (await Store.ListRolloutEventsAsync("r1", Ct)).Select(e => e.Reason));
    }

    [Fact(Timeout = 60000)]
    public async Task ClaimRolloutsAsync_HeldByAnother_SkippedUntilLeaseExpires()
    {
        await Store.CreateRolloutAsync(Rollout("r1"), [], Ct);
        await Store.CreateRolloutAsync(Rollout("r2", "stage", Start.AddSeconds(1)), [], Ct);
        var done = Rollout("r3", "dev") with { Active = false, Status = "Succeeded" };
        await Store.CreateRolloutAsync(done, [], Ct);

        var mine = await Store.ClaimRolloutsAsync("a", TimeSpan.FromMinutes(1), Start, Ct);
        Assert.Equal(["r1", "r2"], mine.Select(r => r.Name));
        Assert.All(mine, r => Assert.Equal(("a", (DateTimeOffset?)Start.AddMinutes(1)), (r.LeaseOwner, r.LeaseExpiresAt)));
        Assert.Empty(await Store.ClaimRolloutsAsync("b", TimeSpan.FromMinutes(1), Start.AddSeconds(30), Ct));
        Assert.Equal(2, (await Store.ClaimRolloutsAsync("a", TimeSpan.FromMinutes(1), Start.AddSeconds(30), Ct)).Count);

        var taken = await Store.ClaimRolloutsAsync("b", TimeSpan.FromMinutes(1), Start.AddMinutes(2), Ct);
        Assert.Equal(["r1", "r2"], taken.Select(r => r.Name));
        Assert.Equal("b", (await Store.GetRolloutAsync("r1", Ct))!.LeaseOwner);
    }
}
