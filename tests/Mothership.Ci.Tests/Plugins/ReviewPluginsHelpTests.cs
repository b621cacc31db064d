using Mothership.Ci.Plugins;
using Mothership.Ci.Plugins.Assign;
using Mothership.Ci.Plugins.Hold;
using Mothership.Ci.Plugins.Lgtm;
using Mothership.Ci.Tests.Triggers;

namespace Mothership.Ci.Tests.Plugins;

/// <summary><c>/help</c> through the plugin dispatcher, on the fake GitHub with real payloads.</summary>
public sealed class ReviewPluginsHelpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 30_000)]
    public async Task Handle_HelpEnabled_ListsTheEnabledPluginsCommandsOnce()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", """
            plugins:
              Codertocat/Hello-World: [help, hold, lgtm]
            """);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        var plugins = new ReviewPlugins(h.Config, [new HoldPlugin(h.Forge), new LgtmPlugin(h.Forge), new AssignPlugin(h.Forge)], h.Forge);
        var delivery = h.Comment(pr, "stranger", "/help");

        var outcome = await plugins.HandleAsync(delivery, Ct);
        await plugins.HandleAsync(delivery, Ct);

        Assert.Equal("plugins: help: listed the commands", outcome);
        var reply = Assert.Single(h.Repository.CommentsOn(pr.Number)).Body;
        Assert.StartsWith("@stranger: The review plugins enabled for Codertocat/Hello-World:\n\n- **hold**: ", reply, StringComparison.Ordinal);
        Assert.Contains("  - `/[un]hold [cancel]`: ", reply, StringComparison.Ordinal);
        Assert.Contains("\n- **lgtm**: ", reply, StringComparison.Ordinal);
        Assert.Contains("(Collaborators on the repository. '/lgtm cancel' can be used additionally by the PR author.)", reply, StringComparison.Ordinal);
        Assert.DoesNotContain("assign", reply, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_HelpNotEnabled_DoesNothing()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", """
            plugins:
              Codertocat/Hello-World: [hold]
            """);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        var plugins = new ReviewPlugins(h.Config, [new HoldPlugin(h.Forge)], h.Forge);

        var outcome = await plugins.HandleAsync(h.Comment(pr, "stranger", "/help"), Ct);

        Assert.Equal("plugins: nothing to do", outcome);
        Assert.Empty(h.Repository.CommentsOn(pr.Number));
    }
}
