using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Mothership.Ci.Triggers;

/// <summary>The fields of a <c>pull_request</c> object (webhook or REST) that triggering reads.</summary>
/// <param name="Repository">The base repository, <c>owner/name</c>.</param>
/// <param name="Number">The pull request's number.</param>
/// <param name="Author">Who opened it.</param>
/// <param name="Title">Its title.</param>
/// <param name="HeadSha">Its head commit.</param>
/// <param name="HeadRef">Its head branch.</param>
/// <param name="BaseRef">The branch it merges into.</param>
/// <param name="BaseSha">The base commit as GitHub last computed it.</param>
/// <param name="Open">Whether it is open.</param>
/// <param name="Draft">Whether it is a draft.</param>
/// <param name="Mergeable">Whether it merges cleanly; null while GitHub computes it.</param>
/// <param name="CloneUri">The base repository's clone URL.</param>
/// <param name="RepoLink">The base repository's page.</param>
/// <param name="Labels">Its labels.</param>
public sealed record PullRequestEvent(
    string Repository,
    int Number,
    string Author,
    string Title,
    string HeadSha,
    string HeadRef,
    string BaseRef,
    string BaseSha,
    bool Open,
    bool Draft,
    bool? Mergeable,
    string CloneUri,
    string RepoLink,
    ImmutableArray<string> Labels)
{
    /// <summary>Reads a <c>pull_request</c> object; throws <see cref="FormatException"/> naming the missing field.</summary>
    public static PullRequestEvent Read(JsonNode? node)
    {
        var pr = node as JsonObject ?? throw new FormatException("the payload has no pull_request object");
        var repo = pr["base"]?["repo"];
        return new PullRequestEvent(
            Text(repo?["full_name"], "pull_request.base.repo.full_name"),
            pr["number"] is JsonValue n && n.TryGetValue<int>(out var number) ? number : throw new FormatException("pull_request.number is missing"),
            Text(pr["user"]?["login"], "pull_request.user.login"),
            Optional(pr["title"]) ?? "",
            Sha(pr["head"]?["sha"], "pull_request.head.sha"),
            Optional(pr["head"]?["ref"]) ?? "",
            Text(pr["base"]?["ref"], "pull_request.base.ref"),
            Sha(pr["base"]?["sha"], "pull_request.base.sha"),
            Optional(pr["state"]) != "closed",
            pr["draft"] is JsonValue d && d.TryGetValue<bool>(out var draft) && draft,
            pr["mergeable"] is JsonValue m && m.TryGetValue<bool>(out var mergeable) ? mergeable : null,
            Optional(repo?["clone_url"]) ?? "",
            Optional(repo?["html_url"]) ?? "",
            [.. (pr["labels"] as JsonArray ?? []).Select(l => Optional(l?["name"])).OfType<string>()]);
    }

    /// <summary>The refs a presubmit of this pull request checks out.</summary>
    public JobRefs Refs()
    {
        var slash = Repository.IndexOf('/', StringComparison.Ordinal);
        return new JobRefs(Repository[..slash], Repository[(slash + 1)..], BaseRef, BaseSha, CloneUri, RepoLink)
        {
            Pulls = [new PullRef(Number, Author, HeadSha, HeadRef, Title)],
        };
    }

    /// <summary>
    /// A commit SHA from a payload (SHA-1 or SHA-256: 40 or 64 hex digits); anything else throws
    /// <see cref="FormatException"/>. Payloads come from outside: what reaches a run's checkout is checked first.
    /// </summary>
    internal static string Sha(JsonNode? node, string field)
    {
        var sha = Text(node, field);
        return sha.Length is 40 or 64 && sha.All(char.IsAsciiHexDigit) ? sha : throw new FormatException($"{field} is not a commit SHA (40 or 64 hex digits)");
    }

    internal static string Text(JsonNode? node, string field) => Optional(node) ?? throw new FormatException($"{field} is missing");

    internal static string? Optional(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
