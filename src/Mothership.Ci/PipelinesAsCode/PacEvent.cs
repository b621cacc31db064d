using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Mothership.Ci.PipelinesAsCode;

/// <summary>
/// What PaC matches a <c>.tekton/</c> PipelineRun against and substitutes into it: an event on a
/// repository, read from a webhook delivery (PaC's <c>info.Event</c>, the fields Mothership has).
/// </summary>
public sealed record PacEvent
{
    /// <summary>The event kind PaC matches <c>on-event</c> with.</summary>
    public const string PullRequestEvent = "pull_request";

    /// <summary>The event kind of a push.</summary>
    public const string PushEvent = "push";

    /// <summary>The event type of a pull request's <c>labeled</c> action (PaC's <c>pull_request_labeled</c>).</summary>
    public const string LabeledEventType = "pull_request_labeled";

    /// <summary>The event type of a comment an <c>on-comment</c> regex matched.</summary>
    public const string OnCommentEventType = "on-comment";

    /// <summary>The event type of a comment that is no command (PaC's <c>no-ops-comment</c>).</summary>
    public const string NoOpsCommentEventType = "no-ops-comment";

    /// <summary><see cref="PullRequestEvent"/> or <see cref="PushEvent"/> (CEL's <c>event</c>).</summary>
    public required string Kind { get; init; }

    /// <summary>
    /// The finer type (CEL's <c>event_type</c>): <c>pull_request</c>, <c>push</c>,
    /// <see cref="LabeledEventType"/>, or a comment's (<c>test-comment</c>, <c>retest-all-comment</c>,
    /// <c>ok-to-test-comment</c>, <see cref="NoOpsCommentEventType"/>…).
    /// </summary>
    public required string EventType { get; init; }

    /// <summary><c>org/repo</c>.</summary>
    public required string Repository { get; init; }

    /// <summary>The repository's page (<c>https://github.com/org/repo</c>).</summary>
    public required string RepoUrl { get; init; }

    /// <summary>The commit to test: a pull request's head, a push's <c>after</c>.</summary>
    public required string Revision { get; init; }

    /// <summary>A pull request's base branch; a push's ref as pushed (<c>refs/heads/main</c>, <c>refs/tags/v1</c>).</summary>
    public required string TargetBranch { get; init; }

    /// <summary>A pull request's head branch; a push's ref.</summary>
    public required string SourceBranch { get; init; }

    /// <summary>Who caused it: a pull request's author, a commenter, a pusher.</summary>
    public required string Sender { get; init; }

    /// <summary>A pull request's number; null for a push.</summary>
    public int? PullRequestNumber { get; init; }

    /// <summary>A pull request's title, or the head commit's first line for a push (CEL's <c>event_title</c>).</summary>
    public string Title { get; init; } = "";

    /// <summary>The head repository's page (a fork's for a pull request from one).</summary>
    public string SourceUrl { get; init; } = "";

    /// <summary>The pull request's labels.</summary>
    public ImmutableArray<string> Labels { get; init; } = [];

    /// <summary>
    /// The label a <c>labeled</c> action added: <c>on-label</c> is matched with it alone, so
    /// adding an unrelated label does not start again what an earlier label started (PaC matches
    /// every label the pull request carries).
    /// </summary>
    public string? AddedLabel { get; init; }

    /// <summary>The comment that caused it, when a comment did.</summary>
    public string? Comment { get; init; }

    /// <summary>The webhook payload (CEL's <c>body</c>).</summary>
    public JsonObject? Body { get; init; }

    /// <summary>The request headers known for the delivery, lower-cased (CEL's <c>headers</c>).</summary>
    public ImmutableDictionary<string, string> Headers { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Whether a comment caused it, and the comment is no <c>/test</c>-style command (only <c>on-comment</c> can match).</summary>
    public bool IsCommentOnly => EventType is NoOpsCommentEventType or OnCommentEventType;

    /// <summary><paramref name="branch"/> without <c>refs/heads/</c> (PaC's <c>SanitizeBranch</c>).</summary>
    public static string BranchName(string branch)
    {
        ArgumentNullException.ThrowIfNull(branch);
        return branch.StartsWith("refs/heads/", StringComparison.Ordinal) ? branch["refs/heads/".Length..] : branch;
    }
}
