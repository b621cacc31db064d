using Mothership.Ci.Hooks;
using Mothership.Ci.Jobs;
using Mothership.Store;

namespace Mothership.Ci.Plugins;

/// <summary>
/// Hands each delivery to the review plugins its repository enables in <c>plugins.yaml</c>, in
/// the order they were registered, and returns what each did. A plugin that throws fails the
/// delivery, which is retried whole: every plugin is idempotent, so those that already acted
/// change nothing the second time.
/// </summary>
public sealed class ReviewPlugins(IJobConfigSource config, IEnumerable<IReviewPlugin> plugins) : IDeliveryHandler
{
    private readonly IReadOnlyList<IReviewPlugin> _plugins = [.. plugins];

    /// <summary>The plugins registered, in order.</summary>
    public IReadOnlyList<IReviewPlugin> All => _plugins;

    /// <summary>The registered plugins <paramref name="orgRepo"/> enables, in order.</summary>
    public IReadOnlyList<IReviewPlugin> EnabledFor(string orgRepo)
    {
        var enabled = config.Plugins.EnabledFor(orgRepo);
        return [.. _plugins.Where(p => enabled.Contains(p.Name))];
    }

    /// <inheritdoc />
    public async Task<string> HandleAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        if (PluginEvent.Read(delivery) is not { } e)
        {
            return "plugins: no repository";
        }

        var current = config.Plugins;
        var done = new List<string>();
        foreach (var plugin in EnabledFor(e.OrgRepo))
        {
            if (await plugin.HandleAsync(e, current, cancellationToken).ConfigureAwait(false) is { } outcome)
            {
                done.Add($"{plugin.Name}: {outcome}");
            }
        }

        return done.Count == 0 ? "plugins: nothing to do" : "plugins: " + string.Join("; ", done);
    }
}
