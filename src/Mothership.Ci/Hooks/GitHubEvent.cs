using System.Text.Json.Nodes;
using Mothership.Store;

namespace Mothership.Ci.Hooks;

/// <summary>
/// The fields of a GitHub webhook payload that say what happened and where, common to the events
/// the bot acts on: the repository, the action, the pull request or issue, the sender, and for a
/// push its ref and head commit.
/// </summary>
/// <param name="Event">The event type (<c>X-GitHub-Event</c>).</param>
/// <param name="Action">The payload's <c>action</c> (<c>opened</c>, <c>synchronize</c>, <c>created</c>…); null for a push.</param>
/// <param name="Repository">The repository's <c>owner/name</c>; null when the payload has none (an organization event).</param>
/// <param name="Number">The pull request's or issue's number; null for other events.</param>
/// <param name="Sender">Who caused it (<c>sender.login</c>).</param>
/// <param name="Ref">A push's ref (<c>refs/heads/main</c>); null otherwise.</param>
/// <param name="HeadSha">The pull request's head commit or a push's <c>after</c>; null otherwise.</param>
public sealed record GitHubEvent(string Event, string? Action, string? Repository, int? Number, string? Sender, string? Ref, string? HeadSha)
{
    /// <summary>Reads a stored delivery's payload; throws <see cref="FormatException"/> when it is not a JSON object.</summary>
    public static GitHubEvent Read(WebhookDelivery delivery)
    {
        var root = JsonNode.Parse(delivery.Payload) as JsonObject ?? throw new FormatException($"delivery {delivery.Id}: the payload is not a JSON object");
        var item = root["pull_request"] as JsonObject ?? root["issue"] as JsonObject;
        return new GitHubEvent(
            delivery.Event,
            Text(root["action"]),
            Text(root["repository"]?["full_name"]),
            item?["number"] is JsonValue n && n.TryGetValue<int>(out var number) ? number : null,
            Text(root["sender"]?["login"]),
            Text(root["ref"]),
            Text(root["pull_request"]?["head"]?["sha"]) ?? Text(root["after"]));
    }

    /// <summary>
    /// What deliveries that must be handled in order share: the pull request or issue
    /// (<c>octo/app#12</c>: its <c>pull_request</c>, <c>issue_comment</c> and
    /// <c>pull_request_review</c> events), or the pushed ref (<c>octo/app@refs/heads/main</c>);
    /// null for events of neither, which need no order.
    /// </summary>
    public string? OrderKey => Repository is null ? null
        : Number is { } n ? $"{Repository}#{n}"
        : Ref is { } r ? $"{Repository}@{r}"
        : null;

    /// <summary>One line for logs and a delivery's outcome: <c>pull_request opened octo/hello#12 by alice</c>.</summary>
    public override string ToString()
    {
        var what = Action is null ? Event : $"{Event} {Action}";
        var where = Repository is null ? "" : " " + Repository + (Number is { } n ? "#" + n : "") + (Ref is { } r ? " " + r : "");
        return what + where + (Sender is null ? "" : " by " + Sender);
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>
/// The handler until job configurations are read: each delivery is read (a payload that does not
/// parse fails it, and is retried as any failure) and recorded as handled with what it was.
/// </summary>
public sealed class RecordingDeliveryHandler : IDeliveryHandler
{
    /// <inheritdoc />
    public Task<string> HandleAsync(WebhookDelivery delivery, CancellationToken cancellationToken) =>
        Task.FromResult($"ok: {GitHubEvent.Read(delivery)}; no job configuration, nothing started");
}
