namespace Mothership.Ci.Plugins;

/// <summary>
/// One of Prow's review plugins (<c>lgtm</c>, <c>approve</c>, <c>hold</c>…): acts on the
/// deliveries of repositories whose <c>plugins.yaml</c> entry enables it by <see cref="Name"/>.
/// A plugin must be idempotent: a delivery handled twice (a retry after a failure, GitHub's
/// redelivery) changes nothing twice — labels are sets, and replies go through
/// <see cref="PluginReplies"/>, which writes each at most once.
/// </summary>
public interface IReviewPlugin
{
    /// <summary>The name <c>plugins.yaml</c> enables it by (Prow's).</summary>
    string Name { get; }

    /// <summary>What it does and the commands it answers, for <c>/help</c>.</summary>
    PluginHelp Help { get; }

    /// <summary>
    /// Acts on <paramref name="e"/>; returns one line saying what it did, or null when the event
    /// did not concern it. Throws to have the delivery retried (a forge that failed).
    /// </summary>
    Task<string?> HandleAsync(PluginEvent e, PluginsConfig config, CancellationToken cancellationToken);
}
