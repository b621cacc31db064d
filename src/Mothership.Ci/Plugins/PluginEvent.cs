using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mothership.Ci.Forge;
using Mothership.Ci.Triggers;
using Mothership.Store;

namespace Mothership.Ci.Plugins;

/// <summary>
/// A delivery as the review plugins read it: where it happened (repository, issue or pull
/// request), who did it, and — for a comment, a review, or a pull request or issue opened or
/// edited — the text whose commands a plugin answers (Prow's <c>GenericCommentEvent</c>).
/// </summary>
public sealed record PluginEvent
{
    /// <summary>The delivery it came in (its id makes replies idempotent).</summary>
    public required WebhookDelivery Delivery { get; init; }

    /// <summary>The event type (<c>issue_comment</c>, <c>pull_request</c>, <c>pull_request_review</c>…).</summary>
    public string Event => Delivery.Event;

    /// <summary>The payload's <c>action</c>; null when it has none.</summary>
    public string? Action { get; init; }

    /// <summary>The whole payload, for what a plugin reads beyond these fields.</summary>
    public required JsonObject Payload { get; init; }

    /// <summary>The repository.</summary>
    public required RepositoryName Repository { get; init; }

    /// <summary><c>org/repo</c> as the payload spells it.</summary>
    public string OrgRepo => Repository.ToString();

    /// <summary>The or pull request's number; null for repository-level events (a push).</summary>
    public int? Number { get; init; }

    /// <summary>Whether <see cref="Number"/> is a pull request.</summary>
    public bool IsPullRequest { get; init; }

    /// <summary>Who opened the issue or pull request.</summary>
    public string? Author { get; init; }

    /// <summary>Who caused the event (<c>sender.login</c>).</summary>
    public required string Sender { get; init; }

    /// <summary>The or pull request's labels as the payload lists them.</summary>
    public ImmutableHashSet<string> Labels { get; init; } = [];

    /// <summary>Who the issue or pull request is assigned to, as the payload lists them.</summary>
    public ImmutableArray<string> Assignees { get; init; } = [];

    /// <summary>Whether the issue or pull request is closed.</summary>
    public bool Closed { get; init; }

    /// <summary>The pull request's head commit, when the payload carries the pull request.</summary>
    public string? HeadSha { get; init; }

    /// <summary>The text with commands, when the event carries one; null otherwise.</summary>
    public GenericComment? Comment { get; init; }

    /// <summary>
    /// A comment that was just written: a new issue or review comment, a submitted review, or an
    /// issue or pull request just opened with its body. What command plugins act on.
    /// </summary>
    public GenericComment? NewComment => Comment is { Action: GenericCommentAction.Created } c ? c : null;

    /// <summary>Reads a stored delivery; null when it concerns no repository (an organisation event).</summary>
    public static PluginEvent? Read(WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var root = JsonNode.Parse(delivery.Payload) as JsonObject ?? throw new FormatException($"delivery {delivery.Id}: the payload is not a JSON object");
        if (PullRequestEvent.Optional(root["repository"]?["full_name"]) is not { } fullName || !RepositoryName.TryParse(fullName, out var repository))
        {
            return null;
        }

        var action = PullRequestEvent.Optional(root["action"]);
        var pull = root["pull_request"] as JsonObject;
        var item = pull ?? root["issue"] as JsonObject;
        return new PluginEvent
        {
            Delivery = delivery,
            Action = action,
            Payload = root,
            Repository = repository,
            Number = item?["number"] is JsonValue n && n.TryGetValue<int>(out var number) ? number : null,
            IsPullRequest = pull is not null || item?["pull_request"] is not null,
            Author = PullRequestEvent.Optional(item?["user"]?["login"]),
            Sender = PullRequestEvent.Optional(root["sender"]?["login"]) ?? "",
            Labels = (item?["labels"] as JsonArray ?? []).Select(l => PullRequestEvent.Optional(l?["name"])).OfType<string>().ToImmutableHashSet(StringComparer.Ordinal),
            Assignees = [.. (item?["assignees"] as JsonArray ?? []).Select(a => PullRequestEvent.Optional(a?["login"])).OfType<string>()],
            Closed = PullRequestEvent.Optional(item?["state"]) == "closed",
            HeadSha = PullRequestEvent.Optional(pull?["head"]?["sha"]),
            Comment = GenericComment.Read(delivery.Event, action, root, item),
        };
    }
}
