namespace Mothership.Store.Tests;

/// <summary>Fair claiming across pipelines (<see cref="IRunStore.ClaimRunsAsync"/>), on every database.</summary>
public abstract partial class RunStoreContractTests
{
    private async Task CreateQueuedAsync(string pipeline, int count, int firstSecond)
    {
        for (var i = 0; i < count; i++)
        {
            await CreateAsync(Run($"{pipeline}-{i:D3}", pipeline, Start.AddSeconds(firstSecond + i)));
        }
    }

    private async Task<List<string>> ClaimOneByOneAsync(string owner, int claims)
    {
        var names = new List<string>();
        for (var i = 0; i < claims; i++)
        {
            names.AddRange((await Store.ClaimRunsAsync(owner, 1, TimeSpan.FromMinutes(10), Time.GetUtcNow(), Ct)).Select(c => c.Run.Name));
        }

        return names;
    }

    [Fact(Timeout = 60000)]
    public async Task ClaimRunsAsync_OnePipelineQueuedFirst_InterleavesPipelinesOldestFirstWithin()
    {
        await CreateQueuedAsync("a", 50, 0);
        await CreateQueuedAsync("b", 5, 100);
        await CreateQueuedAsync("c", 5, 200);

        var order = await ClaimOneByOneAsync("x", 60);

        // Round robin while all three have runs queued (none has ended: each claimed run stays in
        // flight), a's oldest first as it is the oldest; then a's rest.
        Assert.Equal(
            ["a-000", "b-000", "c-000", "a-001", "b-001", "c-001", "a-002", "b-002", "c-002", "a-003", "b-003", "c-003", "a-004", "b-004", "c-004"],
            order.Take(15));
        Assert.Equal(Enumerable.Range(5, 45).Select(i => $"a-{i:D3}"), order.Skip(15));
        Assert.Empty(await Store.ClaimRunsAsync("x", 10, TimeSpan.FromMinutes(10), Time.GetUtcNow(), Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task ClaimRunsAsync_OneClaimOfMany_PicksAcrossPipelinesInFairOrder()
    {
        await CreateQueuedAsync("a", 50, 0);
        await CreateQueuedAsync("b", 2, 100);
        await CreateQueuedAsync("c", 5, 200);

        var claimed = await Store.ClaimRunsAsync("x", 10, TimeSpan.FromMinutes(10), Time.GetUtcNow(), Ct);

        // Turns: a 1,2,3,4…, b 1,2, c 1,2,3…; ties by age.
        Assert.Equal(["a-000", "b-000", "c-000", "a-001", "b-001", "c-001", "a-002", "c-002", "a-003", "c-003"], claimed.Select(c => c.Run.Name));
        Assert.All(claimed, c => Assert.Equal("x", c.Run.Owner));
    }

    [Fact(Timeout = 60000)]
    public async Task ClaimRunsAsync_PipelineWithRunsInFlight_YieldsToOneWithout()
    {
        await CreateQueuedAsync("busy", 10, 0);
        // Three of busy's runs are driven by another replica (one of them Running); one ended.
        var driven = await Store.ClaimRunsAsync("other", 4, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct);
        Assert.Equal(["busy-000", "busy-001", "busy-002", "busy-003"], driven.Select(c => c.Run.Name));
        Assert.True(await Store.CommitTransitionAsync(Transition("uid-busy-000", "other", 0), Ct));
        Assert.True(await Store.CommitTransitionAsync(Transition("uid-busy-003", "other", 0) with { Phase = RunPhase.Finished, Status = "True", Reason = "Succeeded", CompletedAt = Start.AddSeconds(30) }, Ct));
        await CreateQueuedAsync("idle", 5, 100);

        // busy's next turn is 3 in flight + 1 = 4: idle's first three go before it, then age decides.
        var order = await ClaimOneByOneAsync("x", 6);
        Assert.Equal(["idle-000", "idle-001", "idle-002", "busy-004", "idle-003", "busy-005"], order);

        // Once the other replica's leases have expired its runs are no longer in flight (busy has x's
        // 2, idle x's 4) and are taken over: busy's turns 3, 4, 5, idle's 5.
        Time.Advance(TimeSpan.FromMinutes(2));
        var taken = await Store.ClaimRunsAsync("y", 4, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct);
        Assert.Equal(["busy-000", "busy-001", "busy-002", "idle-004"], taken.Select(c => c.Run.Name));
        Assert.Equal(["other", "other", "other", null], taken.Select(c => c.PreviousOwner));
    }

    [Fact(Timeout = 60000)]
    public async Task ClaimRunsAsync_TwoClaimersManyPipelinesInParallel_ClaimDisjointAndCompleteSets()
    {
        var runs = Enumerable.Range(0, 240).Select(i => Run($"r{i:D3}", $"p{(i < 120 ? 0 : 1 + i % 5)}", Start.AddSeconds(i))).ToArray();
        foreach (var chunk in runs.Chunk(40))
        {
            await Task.WhenAll(chunk.Select(r => Store.CreateRunAsync(r, "alice", Ct)));
        }

        await using var other = RunStoreFactory.Open(Database, Time);
        async Task<List<string>> ClaimAllAsync(IRunStore store, string owner)
        {
            var mine = new List<string>();
            var empty = 0;
            // A claim can come back empty while the other claimer holds every row it picked; a few
            // empty claims in a row mean the queue is drained.
            while (empty < 3)
            {
                var claimed = await store.ClaimRunsAsync(owner, 5, TimeSpan.FromMinutes(5), Time.GetUtcNow(), Ct);
                empty = claimed.Count == 0 ? empty + 1 : 0;
                mine.AddRange(claimed.Select(c => c.Run.Uid));
            }

            return mine;
        }

        var results = await Task.WhenAll(Task.Run(() => ClaimAllAsync(Store, "a"), Ct), Task.Run(() => ClaimAllAsync(other, "b"), Ct));
        Assert.Empty(results[0].Intersect(results[1]));
        Assert.Equal(runs.Select(r => r.Uid).Order(StringComparer.Ordinal), results[0].Concat(results[1]).Order(StringComparer.Ordinal));
    }
}
