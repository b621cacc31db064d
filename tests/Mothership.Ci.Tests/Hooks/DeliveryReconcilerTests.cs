using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Forge;
using Mothership.Ci.Hooks;
using Mothership.Store;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Hooks;

/// <summary>Missed deliveries found through GitHub's deliveries API (the fake GitHub) and redelivered once.</summary>
public sealed class DeliveryReconcilerTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-reconcile-");
    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private FakeGitHub _github = null!;
    private IRunStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "t", Time = _time }, Ct);
        _store = RunStoreFactory.Open("sqlite:" + Path.Combine(_dir.FullName, "store.db"), _time);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        Assert.Empty(_github.Errors);
        await _github.DisposeAsync();
        await _store.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    private GitHubForge Forge() => GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = _github.BaseUri }, "t", _time);

    [Fact(Timeout = 30_000)]
    public async Task ReconcileAsync_FailedDeliveriesNotStored_RedeliveredOnce()
    {
        var repo = _github.AddRepository("octo", "app");
        var hookId = repo.AddHook();
        var hook = WebhookRef.Repository(new RepositoryName("octo", "app"), hookId);
        var ok = repo.AddDelivery(hookId, "push", statusCode: 200, deliveredAt: _time.GetUtcNow().AddMinutes(-30));
        var missed = repo.AddDelivery(hookId, "pull_request", "opened", statusCode: 502, deliveredAt: _time.GetUtcNow().AddMinutes(-20));
        var storedAnyway = repo.AddDelivery(hookId, "issue_comment", "created", statusCode: 504, deliveredAt: _time.GetUtcNow().AddMinutes(-10));
        var tooOld = repo.AddDelivery(hookId, "push", statusCode: 502, deliveredAt: _time.GetUtcNow().AddDays(-4));
        // The 504 reached the store (a proxy timed out after the server had stored it).
        await _store.AddDeliveryAsync(new WebhookDelivery(storedAnyway.Guid, "issue_comment", "{}", _time.GetUtcNow()), Ct);
        var reconciler = new DeliveryReconciler(Forge(), _store, _time);

        var first = await reconciler.ReconcileAsync([hook], Ct);
        var second = await reconciler.ReconcileAsync([hook], Ct);

        Assert.Equal([missed.Guid], first);
        Assert.Empty(second);
        var redeliveries = repo.Deliveries(hookId).Where(d => d.Redelivery).ToList();
        Assert.Equal(missed.Guid, Assert.Single(redeliveries).Guid);
        Assert.DoesNotContain(redeliveries, d => d.Guid == ok.Guid || d.Guid == tooOld.Guid);
    }

    [Fact(Timeout = 30_000)]
    public async Task ReconcileAsync_OrganizationHook_ItsDeliveriesToo()
    {
        var org = _github.Organization("octo");
        var hookId = org.AddHook();
        var missed = org.AddDelivery(hookId, "pull_request", "synchronize", statusCode: 500);

        var asked = await new DeliveryReconciler(Forge(), _store, _time).ReconcileAsync([WebhookRef.Organization("octo", hookId)], Ct);

        Assert.Equal([missed.Guid], asked);
    }

    [Theory]
    [InlineData("octo/app:4711", "repos/octo/app/hooks/4711")]
    [InlineData("octo:12", "orgs/octo/hooks/12")]
    [InlineData("my-org/repo.name_x:1", "repos/my-org/repo.name_x/hooks/1")]
    public void ParseHook_RepositoryOrOrganization(string text, string path) =>
        Assert.Equal(path, DeliveryReconciler.ParseHook(text, out _)!.ToString());

    [Theory]
    [InlineData("octo/app")]
    [InlineData("octo/app:")]
    [InlineData("octo/app:-1")]
    [InlineData("octo/app/x:1")]
    [InlineData(":1")]
    [InlineData("oc to:1")]
    public void ParseHook_Malformed_NamedInTheError(string text)
    {
        Assert.Null(DeliveryReconciler.ParseHook(text, out var error));
        Assert.Contains($"'{text}'", error, StringComparison.Ordinal);
    }
}
