using Mothership.Ci.Hooks;
using Mothership.Ci.Plugins;
using Mothership.Ci.Plugins.Hold;
using Mothership.Ci.Tests.Triggers;

namespace Mothership.Ci.Tests.Plugins.Hold;

/// <summary>The hold plugin through the plugin dispatcher, on the fake GitHub with real payloads.</summary>
public sealed class HoldPluginTests
{
    private const string Plugins = """
        plugins:
          Codertocat/Hello-World: [hold]
        """;

    [Theory(Timeout = 30_000)]
    [InlineData("/hold")]
    [InlineData("looks risky\n/hold\nlet's wait for the release")]
    [InlineData("/HOLD")]
    public async Task Handle_HoldFromAnyone_LabelsThePullRequest(string body)
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        var plugins = new ReviewPlugins(h.Config, [new HoldPlugin(h.Forge)]);

        var outcome = await plugins.HandleAsync(h.Comment(pr, "stranger", body), TestContext.Current.CancellationToken);

        Assert.Contains("hold: do-not-merge/hold added by stranger", outcome, StringComparison.Ordinal);
        Assert.Contains(HoldPlugin.Label, h.Repository.LabelsOn(pr.Number));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/hold cancel")]
    [InlineData("/unhold")]
    [InlineData("/remove-hold")]
    public async Task Handle_CancelForms_RemoveTheLabel(string body)
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        var plugins = new ReviewPlugins(h.Config, [new HoldPlugin(h.Forge)]);
        await plugins.HandleAsync(h.Comment(pr, "bob", "/hold"), TestContext.Current.CancellationToken);

        var outcome = await plugins.HandleAsync(h.Comment(pr, "bob", body), TestContext.Current.CancellationToken);
        Assert.Equal($"/repos/{TriggerHarness.FullName}/issues/{pr.Number}/labels/do-not-merge%2Fhold", h.GitHub.Requests.Last(r => r.Method == "DELETE").Path);

        Assert.Equal("plugins: hold: do-not-merge/hold removed by bob", outcome);
        Assert.DoesNotContain(HoldPlugin.Label, h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_ReviewBodyWithHold_Holds()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        var plugins = new ReviewPlugins(h.Config, [new HoldPlugin(h.Forge)]);

        await plugins.HandleAsync(h.Review(pr, "bob", "commented", "/hold"), TestContext.Current.CancellationToken);

        Assert.Contains(HoldPlugin.Label, h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_SameDeliveryTwice_ChangesNothingTheSecondTime()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        var plugins = new ReviewPlugins(h.Config, [new HoldPlugin(h.Forge)]);
        var delivery = h.Comment(pr, "bob", "/hold");
        await plugins.HandleAsync(delivery, TestContext.Current.CancellationToken);
        var writes = h.GitHub.Requests.Count(r => r.Method != "GET");

        // The payload still says "no hold label": a retry adds it again, which GitHub takes as a no-op.
        await plugins.HandleAsync(delivery, TestContext.Current.CancellationToken);

        Assert.Equal([HoldPlugin.Label], h.Repository.LabelsOn(pr.Number).Where(l => l == HoldPlugin.Label));
        Assert.True(h.GitHub.Requests.Count(r => r.Method != "GET") <= writes + 1);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_RepositoryWithoutThePlugin_DoesNothing()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", """
            plugins:
              someone-else: [hold]
            """);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        var plugins = new ReviewPlugins(h.Config, [new HoldPlugin(h.Forge)]);

        var outcome = await plugins.HandleAsync(h.Comment(pr, "bob", "/hold"), TestContext.Current.CancellationToken);

        Assert.Equal("plugins: nothing to do", outcome);
        Assert.Empty(h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task DeliveryHandlers_TriggerThenPlugins_JoinsOutcomes()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        var handler = new DeliveryHandlers([h.Trigger, new ReviewPlugins(h.Config, [new HoldPlugin(h.Forge)])]);

        var outcome = await handler.HandleAsync(h.Comment(pr, "bob", "/hold"), TestContext.Current.CancellationToken);

        Assert.StartsWith("ok: issue_comment created", outcome, StringComparison.Ordinal);
        Assert.EndsWith("| plugins: hold: do-not-merge/hold added by bob", outcome, StringComparison.Ordinal);
    }
}
