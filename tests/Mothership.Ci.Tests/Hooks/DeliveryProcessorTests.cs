using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Hooks;
using Mothership.Store;

namespace Mothership.Ci.Tests.Hooks;

/// <summary>Stored deliveries handled once, failures retried with growing pauses, then given up on.</summary>
public sealed class DeliveryProcessorTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-deliveries-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private IRunStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = RunStoreFactory.Open("sqlite:" + Path.Combine(_dir.FullName, "store.db"), _time);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    private sealed class Handler(Func<WebhookDelivery, string> handle) : IDeliveryHandler
    {
        public List<string> Seen { get; } = [];

        public Task<string> HandleAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
        {
            Seen.Add(delivery.Id);
            return Task.FromResult(handle(delivery));
        }
    }

    private Task AddAsync(string id) =>
        _store.AddDeliveryAsync(new WebhookDelivery(id, "push", "{\"ref\":\"refs/heads/main\",\"sender\":{\"login\":\"a\"}}", _time.GetUtcNow()), Ct);

    [Fact]
    public async Task RunOnceAsync_PendingDeliveries_EachHandledOnceWithItsOutcome()
    {
        await AddAsync("a");
        await AddAsync("b");
        var handler = new Handler(d => "ok: " + d.Id);
        var processor = new DeliveryProcessor(_store, handler, _time, "server-1");

        Assert.Equal(2, await processor.RunOnceAsync(Ct));
        Assert.Equal(0, await processor.RunOnceAsync(Ct));

        Assert.Equal(["a", "b"], handler.Seen);
        Assert.Equal("ok: a", (await _store.GetDeliveryAsync("a", Ct))!.Outcome);
        Assert.NotNull((await _store.GetDeliveryAsync("b", Ct))!.HandledAt);
    }

    [Fact]
    public async Task RunOnceAsync_HandlerFails_RetriedAfterGrowingPauses()
    {
        await AddAsync("x");
        var processor = new DeliveryProcessor(_store, new Handler(_ => throw new HttpRequestException("GitHub answered 502")), _time, "server-1");

        Assert.Equal(1, await processor.RunOnceAsync(Ct));
        Assert.Equal("attempt 1 failed: GitHub answered 502", (await _store.GetDeliveryAsync("x", Ct))!.Outcome);
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, await processor.RunOnceAsync(Ct));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await processor.RunOnceAsync(Ct));

        // The second pause is four times the first.
        _time.Advance(TimeSpan.FromSeconds(39));
        Assert.Equal(0, await processor.RunOnceAsync(Ct));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await processor.RunOnceAsync(Ct));
        var stored = await _store.GetDeliveryAsync("x", Ct);
        Assert.Equal((3, "attempt 3 failed: GitHub answered 502"), (stored!.Attempts, stored.Outcome));
        Assert.Null(stored.HandledAt);
    }

    [Fact]
    public async Task RunOnceAsync_HandlerKeepsFailing_GivenUpAfterMaxAttemptsWithTheError()
    {
        await AddAsync("x");
        var processor = new DeliveryProcessor(_store, new Handler(_ => throw new InvalidOperationException("boom")), _time, "server-1");

        for (var i = 0; i < DeliveryProcessor.MaxAttempts; i++)
        {
            Assert.Equal(1, await processor.RunOnceAsync(Ct));
            _time.Advance(TimeSpan.FromMinutes(10));
        }

        var stored = await _store.GetDeliveryAsync("x", Ct);
        Assert.Equal(DeliveryProcessor.MaxAttempts, stored!.Attempts);
        Assert.Equal("given up after 5 attempts: boom", stored.Outcome);
        Assert.NotNull(stored.HandledAt);
        Assert.Equal(0, await processor.RunOnceAsync(Ct));
    }

    [Fact]
    public async Task RunOnceAsync_LeaseOfADeadServer_TakenUpWhenItEnds()
    {
        await AddAsync("x");
        await _store.ClaimDeliveriesAsync("dead-server", 10, DeliveryProcessor.Lease, _time.GetUtcNow(), Ct);
        var processor = new DeliveryProcessor(_store, new Handler(_ => "ok"), _time, "server-2");

        Assert.Equal(0, await processor.RunOnceAsync(Ct));
        _time.Advance(DeliveryProcessor.Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await processor.RunOnceAsync(Ct));
        Assert.Equal("ok", (await _store.GetDeliveryAsync("x", Ct))!.Outcome);
    }
}
