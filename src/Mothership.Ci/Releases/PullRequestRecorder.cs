using System.Globalization;
using System.Text.Json.Nodes;
using Mothership.Ci.Hooks;
using Mothership.Store;

namespace Mothership.Ci.Releases;

/// <summary>
/// Keeps each pull request as its latest <c>pull_request</c> webhook shows it (title, body,
/// author, labels, merge commit), so release notes can be written from the store when the forge
/// cannot be reached. A handler among the others: its outcome is empty, so a delivery's outcome
/// stays what the trigger and plugins did. Idempotent (an upsert), as handlers must be.
/// </summary>
public sealed class PullRequestRecorder(IRunStore store, TimeProvider time) : IDeliveryHandler
{
    /// <inheritdoc />
    public async Task<string> HandleAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (delivery.Event != "pull_request")
        {
            return "";
        }

        var record = Read(JsonNode.Parse(delivery.Payload), time.GetUtcNow());
        if (record is not null)
        {
            await store.UpsertPullRequestAsync(record, cancellationToken).ConfigureAwait(false);
        }

        return "";
    }

    /// <summary>The pull request a <c>pull_request</c> payload carries; null when it carries none with a repository and number.</summary>
    public static PullRequestRecord? Read(JsonNode? payload, DateTimeOffset now)
    {
        if (payload?["pull_request"] is not JsonObject pr
            || (Text(pr["base"]?["repo"]?["full_name"]) ?? Text(payload["repository"]?["full_name"])) is not { Length: > 0 } repository
            || pr["number"] is not JsonValue n || !n.TryGetValue<int>(out var number))
        {
            return null;
        }

        return new PullRequestRecord
        {
            Repository = repository,
            Number = number,
            Title = Text(pr["title"]) ?? "",
            Body = Text(pr["body"]) ?? "",
            Author = Text(pr["user"]?["login"]) ?? "",
            Labels = [.. (pr["labels"] as JsonArray ?? []).Select(l => Text(l?["name"])).OfType<string>()],
            MergeCommitSha = pr["merged"] is JsonValue m && m.TryGetValue<bool>(out var merged) && merged ? Text(pr["merge_commit_sha"]) : null,
            MergedAt = Text(pr["merged_at"]) is { } at && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when) ? when : null,
            UpdatedAt = now,
        };
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
