using System.Text;
using System.Text.RegularExpressions;
using Mothership.Ci.Forge;
using Mothership.Ci.Hooks;
using Mothership.Ci.Jobs;
using Mothership.Store;

namespace Mothership.Ci.Plugins;

/// <summary>
/// Hands each delivery to the review plugins its repository enables in <c>plugins.yaml</c>, in
/// the order they were registered, and returns what each did. A plugin that throws fails the
/// delivery, which is retried whole: every plugin is idempotent, so those that already acted
/// change nothing the second time. When the repository enables <c>help</c>, it answers
/// <c>/help</c> with the commands of the plugins the repository enables (it knows them all);
/// that needs <paramref name="forge"/> to reply.
/// </summary>
public sealed class ReviewPlugins(IJobConfigSource config, IEnumerable<IReviewPlugin> plugins, IForge? forge = null) : IDeliveryHandler
{
    /// <summary>The name <c>plugins.yaml</c> enables <c>/help</c> by.</summary>
    public const string HelpName = "help";

    private static readonly Regex HelpCommand = GoRegex.Compile(@"(?mi)^/help\s*$");

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
        if (forge is not null && e.NewComment is { } comment && e.Number is not null && HelpCommand.IsMatch(comment.Body)
            && current.EnabledFor(e.OrgRepo).Contains(HelpName))
        {
            await PluginReplies.ReplyAsync(forge, e, HelpName, HelpText(e.OrgRepo), cancellationToken).ConfigureAwait(false);
            done.Add($"{HelpName}: listed the commands");
        }

        foreach (var plugin in EnabledFor(e.OrgRepo))
        {
            if (await plugin.HandleAsync(e, current, cancellationToken).ConfigureAwait(false) is { } outcome)
            {
                done.Add($"{plugin.Name}: {outcome}");
            }
        }

        return done.Count == 0 ? "plugins: nothing to do" : "plugins: " + string.Join("; ", done);
    }

    /// <summary>The answer to <c>/help</c>: each enabled plugin, what it does, and its commands with who may use them.</summary>
    public string HelpText(string orgRepo)
    {
        var text = new StringBuilder($"The review plugins enabled for {orgRepo}:\n");
        foreach (var plugin in EnabledFor(orgRepo))
        {
            text.Append($"\n- **{plugin.Name}**: {plugin.Help.Description}\n");
            foreach (var command in plugin.Help.Commands)
            {
                text.Append($"  - `{command.Usage}`: {command.Description} ({command.WhoCanUse})\n");
            }
        }

        return text.ToString();
    }
}
