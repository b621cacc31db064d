using System.Collections.Concurrent;
using System.Text.Json.Nodes;
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

    [Fact(Timeout = 30_000)]
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

    [Fact(Timeout = 30_000)]
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

    [Fact(Timeout = 30_000)]
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

    [Fact(Timeout = 30_000)]
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

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_DeliveriesOfDifferentPullRequests_HandledAtOnce()
    {
        await AddRealAsync("pr-1", "pull_request", "opened", 1);
        await AddRealAsync("pr-2", "pull_request", "opened", 2);
        await AddRealAsync("push", "push", null, null);
        var inside = 0;
        var allInside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new BlockingHandler(async (_, _) =>
        {
            if (Interlocked.Increment(ref inside) == 3)
            {
                allInside.SetResult();
            }

            // One at a time, the first would wait here for the others forever (and fail after 10 s).
            await allInside.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            return "ok";
        });

        Assert.Equal(3, await new DeliveryProcessor(_store, handler, _time, "server-1").RunOnceAsync(Ct));

        foreach (var id in new[] { "pr-1", "pr-2", "push" })
        {
            Assert.Equal("ok", (await _store.GetDeliveryAsync(id, Ct))!.Outcome);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_DeliveriesOfOnePullRequest_NeverOverlapAndKeepTheirOrder()
    {
        await AddRealAsync("7-opened", "pull_request", "opened", 7);
        await AddRealAsync("8-opened", "pull_request", "opened", 8);
        await AddRealAsync("7-comment", "issue_comment", "created", 7);
        await AddRealAsync("7-synchronize", "pull_request", "synchronize", 7);
        await AddRealAsync("7-closed", "pull_request", "closed", 7);
        var eightInside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var events = new ConcurrentQueue<string>();
        var handler = new BlockingHandler(async (delivery, _) =>
        {
            events.Enqueue("enter " + delivery.Id);
            if (delivery.Id == "8-opened")
            {
                eightInside.SetResult();
            }
            else
            {
                // Pull request 7's deliveries wait for 8's to be handled alongside, then give the
                // others every chance to overlap with them.
                await eightInside.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
                for (var i = 0; i < 20; i++)
                {
                    await Task.Yield();
                }
            }

            events.Enqueue("leave " + delivery.Id);
            return "ok";
        });

        Assert.Equal(5, await new DeliveryProcessor(_store, handler, _time, "server-1").RunOnceAsync(Ct));

        Assert.Equal(
            ["enter 7-opened", "leave 7-opened", "enter 7-comment", "leave 7-comment", "enter 7-synchronize", "leave 7-synchronize", "enter 7-closed", "leave 7-closed"],
            events.Where(e => e.Contains(" 7-", StringComparison.Ordinal)));
        Assert.Contains("leave 8-opened", events);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunOnceAsync_OneOfAPullRequestsDeliveriesFails_RetriedWhileTheOthersAreHandled()
    {
        await AddRealAsync("7-opened", "pull_request", "opened", 7);
        await AddRealAsync("7-comment", "issue_comment", "created", 7);
        await AddRealAsync("8-opened", "pull_request", "opened", 8);
        var handler = new BlockingHandler((delivery, _) =>
            delivery.Id == "7-opened" ? throw new HttpRequestException("GitHub answered 502") : Task.FromResult("ok"));

        Assert.Equal(3, await new DeliveryProcessor(_store, handler, _time, "server-1").RunOnceAsync(Ct));

        var failed = await _store.GetDeliveryAsync("7-opened", Ct);
        Assert.Equal(("attempt 1 failed: GitHub answered 502", null), (failed!.Outcome, failed.HandledAt));
        Assert.Equal("ok", (await _store.GetDeliveryAsync("7-comment", Ct))!.Outcome);
        Assert.Equal("ok", (await _store.GetDeliveryAsync("8-opened", Ct))!.Outcome);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, await new DeliveryProcessor(_store, handler, _time, "server-1").RunOnceAsync(Ct));
    }

    /// <summary>GitHub's own payload of <paramref name="event"/> with the action and number set, received one second after the previous.</summary>
    private async Task AddRealAsync(string id, string @event, string? action, int? number)
    {
        var file = @event == "push" ? "with-new-branch.payload.json" : "created.payload.json";
        if (@event == "pull_request")
        {
            file = "opened.payload.json";
        }

        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.GitHubWebhooks(), @event, file)))!;
        if (action is not null)
        {
            root["action"] = action;
        }

        if (number is { } n)
        {
            root[@event == "issue_comment" ? "issue" : "pull_request"]!["number"] = n;
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await _store.AddDeliveryAsync(new WebhookDelivery(id, @event, root.ToJsonString(), _time.GetUtcNow()), Ct));
    }

    private sealed class BlockingHandler(Func<WebhookDelivery, CancellationToken, Task<string>> handle) : IDeliveryHandler
    {
        public Task<string> HandleAsync(WebhookDelivery delivery, CancellationToken cancellationToken) => handle(delivery, cancellationToken);
    }
}
