using System.Text.Json.Nodes;
using Mothership.Ci.Triggers;

namespace Mothership.Ci.Plugins;

/// <summary>What happened to a <see cref="GenericComment"/> (Prow's <c>GenericCommentEventAction</c>).</summary>
public enum GenericCommentAction
{
    /// <summary>Written: a new comment, a submitted review, an issue or pull request opened.</summary>
    Created,

    /// <summary>Changed afterwards.</summary>
    Edited,

    /// <summary>Deleted or dismissed.</summary>
    Deleted,
}

/// <summary>
/// Any text on an issue or pull request that can hold commands, whatever carried it: an issue
/// comment, a review's body, a review comment, or the body of an issue or pull request (Prow's
/// <c>GenericCommentEvent</c>).
/// </summary>
/// <param name="Action">What happened to it.</param>
/// <param name="Body">The text; empty when it has none.</param>
/// <param name="User">Who wrote it.</param>
/// <param name="HtmlUrl">Its page, for a reply to link to; null when unknown.</param>
/// <param name="ReviewState">A review's state (<c>approved</c>, <c>changes_requested</c>, <c>commented</c>), lower case; null for other texts.</param>
public sealed record GenericComment(GenericCommentAction Action, string Body, string User, string? HtmlUrl, string? ReviewState)
{
    /// <summary>The text an event carries; null when it carries none.</summary>
    internal static GenericComment? Read(string eventType, string? action, JsonObject root, JsonObject? item)
    {
        switch (eventType)
        {
            case "issue_comment":
            case "pull_request_review_comment":
                return Of(Map(action, "created", "edited", "deleted"), root["comment"], null);
            case "pull_request_review":
                return Of(Map(action, "submitted", "edited", "dismissed"), root["review"],
                    PullRequestEvent.Optional(root["review"]?["state"])?.ToLowerInvariant());
            case "issues":
            case "pull_request":
                // The body of an issue or pull request holds commands when it is written or rewritten.
                return Of(Map(action, "opened", "edited", null), item, null);
            default:
                return null;
        }
    }

    private static GenericCommentAction? Map(string? action, string created, string edited, string? deleted) =>
        action == created ? GenericCommentAction.Created
        : action == edited ? GenericCommentAction.Edited
        : deleted is not null && action == deleted ? GenericCommentAction.Deleted
        : null;

    private static GenericComment? Of(GenericCommentAction? action, JsonNode? node, string? reviewState) =>
        action is { } a && PullRequestEvent.Optional(node?["user"]?["login"]) is { } user
            ? new GenericComment(a, PullRequestEvent.Optional(node?["body"]) ?? "", user, PullRequestEvent.Optional(node?["html_url"]), reviewState)
            : null;
}
