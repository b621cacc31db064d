using Mothership.Ci.Forge;
using Mothership.Ci.Triggers;

namespace Mothership.Ci.Plugins;

/// <summary>
/// A plugin's answer to a command, written at most once per delivery and plugin: the comment
/// carries a hidden mark naming both, and a delivery handled again (a retry, a redelivery) finds
/// it and writes nothing. Prow answers again in that case; its replies are not idempotent.
/// </summary>
public static class PluginReplies
{
    /// <summary>
    /// Replies to <paramref name="e"/>'s comment (Prow's format: addressed to its author, the
    /// comment quoted); false when this delivery's reply from <paramref name="plugin"/> already exists.
    /// </summary>
    public static async Task<bool> ReplyAsync(IForge forge, PluginEvent e, string plugin, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(forge);
        ArgumentNullException.ThrowIfNull(e);
        if (e.Number is not { } number)
        {
            throw new InvalidOperationException($"delivery {e.Delivery.Id} concerns no issue or pull request to reply on");
        }

        var mark = Mark(e.Delivery.Id, plugin);
        var comments = await forge.ListCommentsAsync(e.Repository, number, cancellationToken).ConfigureAwait(false);
        if (comments.Any(c => c.Body.Contains(mark, StringComparison.Ordinal)))
        {
            return false;
        }

        var to = e.Comment?.User ?? e.Sender;
        var body = CommentReply.Format(to, message, e.Comment?.Body ?? "", e.Comment?.HtmlUrl);
        await forge.CreateCommentAsync(e.Repository, number, body + mark + "\n", cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The hidden mark of a reply: the delivery and the plugin.</summary>
    internal static string Mark(string delivery, string plugin) => $"<!-- mothership:reply {delivery}/{plugin} -->";
}
