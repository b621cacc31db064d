using Mothership.Ci.Plugins;
using Mothership.Ci.Tests.Triggers;

namespace Mothership.Ci.Tests.Plugins;

public sealed class PluginRepliesTests
{
    [Fact(Timeout = 30_000)]
    public async Task ReplyAsync_SameDeliveryTwice_WritesOneComment()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}");
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        var e = PluginEvent.Read(h.Comment(pr, "bob", "/label nope"))!;

        Assert.True(await PluginReplies.ReplyAsync(h.Forge, e, "label", "The label(s) `nope` cannot be applied.", TestContext.Current.CancellationToken));
        Assert.False(await PluginReplies.ReplyAsync(h.Forge, e, "label", "The label(s) `nope` cannot be applied.", TestContext.Current.CancellationToken));

        var comment = Assert.Single(h.Repository.CommentsOn(pr.Number));
        Assert.StartsWith("@bob: The label(s) `nope` cannot be applied.\n\n<details>\n\nIn response to", comment.Body, StringComparison.Ordinal);
        Assert.Contains(">/label nope\n</details>", comment.Body, StringComparison.Ordinal);
    }
}
