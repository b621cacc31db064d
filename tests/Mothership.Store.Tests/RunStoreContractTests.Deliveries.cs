namespace Mothership.Store.Tests;

/// <summary>Webhook deliveries: stored once by id, leased to one worker, retried, finished.</summary>
public abstract partial class RunStoreContractTests
{
    private static WebhookDelivery Delivery(string id, int second = 0, string hook = "12") =>
        new(id, "pull_request", $$"""{"action":"opened","id":"{{id}}"}""", Start.AddSeconds(second), hook);

    [Fact(Timeout = 60000)]
    public async Task AddDeliveryAsync_SameIdTwice_StoredOnceAndFirstKept()
    {
        Assert.True(await Store.AddDeliveryAsync(Delivery("d1"), Ct));
        Assert.False(await Store.AddDeliveryAsync(Delivery("d1", second: 5) with { Payload = "{}" }, Ct));

        var stored = await Store.GetDeliveryAsync("d1", Ct);
        Assert.NotNull(stored);
        Assert.Equal(Delivery("d1"), stored);
        Assert.Equal("12", stored.HookId);
        Assert.Null(stored.HandledAt);
        Assert.Null(await Store.GetDeliveryAsync("nope", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task ClaimDeliveriesAsync_OldestFirstLeasedToOneOwnerTillTheLeaseEnds()
    {
        await Store.AddDeliveryAsync(Delivery("late", second: 2), Ct);
        await Store.AddDeliveryAsync(Delivery("early", second: 1), Ct);

        var first = await Store.ClaimDeliveriesAsync("a", 1, TimeSpan.FromMinutes(1), Start.AddSeconds(3), Ct);
        Assert.Equal(["early"], first.Select(d => d.Id));
        Assert.Equal(1, first[0].Attempts);
        Assert.Contains("\"action\":\"opened\"", first[0].Payload, StringComparison.Ordinal);
        Assert.Equal(["late"], (await Store.ClaimDeliveriesAsync("b", 10, TimeSpan.FromMinutes(1), Start.AddSeconds(3), Ct)).Select(d => d.Id));
        Assert.Empty(await Store.ClaimDeliveriesAsync("c", 10, TimeSpan.FromMinutes(1), Start.AddSeconds(30), Ct));

        // a's lease ran out (a server that died): another takes the delivery up again.
        var again = await Store.ClaimDeliveriesAsync("c", 10, TimeSpan.FromMinutes(1), Start.AddMinutes(2), Ct);
        Assert.Equal(["early", "late"], again.Select(d => d.Id));
        Assert.Equal(2, again[0].Attempts);
        Assert.False(await Store.FinishDeliveryAsync("early", "a", "ok", null, Start.AddMinutes(2), Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task FinishDeliveryAsync_HandledOrRetriedLater()
    {
        await Store.AddDeliveryAsync(Delivery("ok"), Ct);
        await Store.AddDeliveryAsync(Delivery("flaky"), Ct);
        await Store.ClaimDeliveriesAsync("a", 10, TimeSpan.FromMinutes(1), Start, Ct);

        Assert.True(await Store.FinishDeliveryAsync("ok", "a", "ok: 2 runs", null, Start.AddSeconds(1), Ct));
        Assert.True(await Store.FinishDeliveryAsync("flaky", "a", "GitHub answered 502", Start.AddSeconds(30), Start.AddSeconds(1), Ct));

        var handled = await Store.GetDeliveryAsync("ok", Ct);
        Assert.Equal((Start.AddSeconds(1), "ok: 2 runs"), (handled!.HandledAt, handled.Outcome));
        Assert.Empty(await Store.ClaimDeliveriesAsync("b", 10, TimeSpan.FromMinutes(1), Start.AddSeconds(29), Ct));
        var retried = Assert.Single(await Store.ClaimDeliveriesAsync("b", 10, TimeSpan.FromMinutes(1), Start.AddSeconds(31), Ct));
        Assert.Equal(("flaky", 2, "GitHub answered 502"), (retried.Id, retried.Attempts, retried.Outcome));
        Assert.Null(retried.HandledAt);
    }

    [Fact(Timeout = 60000)]
    public async Task ListDeliveriesAsync_NewestFirstWithoutPayloads()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.AddDeliveryAsync(Delivery("d" + i, second: i), Ct);
        }

        var listed = await Store.ListDeliveriesAsync(3, Ct);

        Assert.Equal(["d4", "d3", "d2"], listed.Select(d => d.Id));
        Assert.All(listed, d => Assert.Equal("", d.Payload));
    }

    [Fact(Timeout = 60000)]
    public async Task PruneAsync_DeliveryMaxAge_DeletesHandledOnesOlderThanIt()
    {
        await Store.AddDeliveryAsync(Delivery("old"), Ct);
        await Store.AddDeliveryAsync(Delivery("recent"), Ct);
        await Store.AddDeliveryAsync(Delivery("pending"), Ct);
        await Store.ClaimDeliveriesAsync("a", 10, TimeSpan.FromMinutes(1), Start, Ct);
        await Store.FinishDeliveryAsync("old", "a", "ok", null, Start, Ct);
        await Store.FinishDeliveryAsync("recent", "a", "ok", null, Start.AddDays(25), Ct);
        var policy = new RetentionPolicy { SucceededStatus = "True", FailedStatus = "False", DeliveryMaxAge = TimeSpan.FromDays(30) };

        var dry = await Store.PruneAsync(policy, Start.AddDays(40), dryRun: true, Ct);
        var done = await Store.PruneAsync(policy, Start.AddDays(40), dryRun: false, Ct);

        Assert.Equal((1, 1), (dry.Deliveries, done.Deliveries));
        Assert.Equal(["pending", "recent"], (await Store.ListDeliveriesAsync(10, Ct)).Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Equal(0, (await Store.PruneAsync(policy with { DeliveryMaxAge = null }, Start.AddDays(400), dryRun: false, Ct)).Deliveries);
    }
}
