using System.Text.Json;
using Mothership.Store;

namespace Mothership.Ci.Hooks;

/// <summary>What <c>POST /hook</c> answers: the HTTP status and a one-line text.</summary>
/// <param name="Status">200, 400 or 401.</param>
/// <param name="Message">The answer's text, which GitHub shows on the hook's delivery page.</param>
/// <param name="Stored">Whether a new delivery was stored (false for a duplicate, an ignored event or a refusal).</param>
public sealed record IntakeAnswer(int Status, string Message, bool Stored = false);

/// <summary>
/// GitHub's webhook deliveries on their way in: the signature checked before anything else, the
/// delivery stored durably before it is answered, a delivery id seen before answered without
/// storing anything. Handling happens afterwards (<see cref="DeliveryProcessor"/>), so a server
/// killed right after answering still handles the event when it starts again.
/// </summary>
/// <remarks>
/// Prow's hook answers in the same way (401 for a bad signature, 400 for a missing header or a
/// body that is not JSON, 200 for an event it has no use for) but handles the event in memory
/// and keeps the delivery id only as a label: a redelivery starts the jobs again.
/// </remarks>
public sealed class WebhookIntake(WebhookSignature signature, IRunStore store, TimeProvider time)
{
    /// <summary>The events the bot acts on, now or in its plugins; any other is answered 200 and dropped.</summary>
    public static readonly IReadOnlySet<string> Events = new HashSet<string>(StringComparer.Ordinal)
    {
        "pull_request", "push", "issue_comment", "pull_request_review", "pull_request_review_comment",
        "check_run", "check_suite", "status", "create", "delete", "issues", "label",
    };

    /// <summary>How deep a payload may nest: GitHub's payloads stay under 10 levels; far deeper is an attack on the parser.</summary>
    private const int MaxDepth = 64;

    /// <summary>Checks, stores and answers one delivery.</summary>
    /// <param name="signatureHeader"><c>X-Hub-Signature-256</c>.</param>
    /// <param name="eventHeader"><c>X-GitHub-Event</c>.</param>
    /// <param name="deliveryHeader"><c>X-GitHub-Delivery</c>.</param>
    /// <param name="hookHeader"><c>X-GitHub-Hook-ID</c>, or null; kept only when it is a hook id (digits).</param>
    /// <param name="body">The raw body, as signed.</param>
    /// <param name="cancellationToken">Stops the store's write.</param>
    public async Task<IntakeAnswer> ReceiveAsync(string? signatureHeader, string? eventHeader, string? deliveryHeader, string? hookHeader,
        ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!signature.Verify(signatureHeader, body.Span))
        {
            return new IntakeAnswer(401, signatureHeader is null
                ? "missing X-Hub-Signature-256: set the hook's secret to the server's webhook secret"
                : "invalid X-Hub-Signature-256: the body was not signed with this server's webhook secret");
        }

        if (string.IsNullOrWhiteSpace(eventHeader))
        {
            return new IntakeAnswer(400, "missing X-GitHub-Event header");
        }

        if (string.IsNullOrWhiteSpace(deliveryHeader) || deliveryHeader.Length > 100)
        {
            return new IntakeAnswer(400, "missing or overlong X-GitHub-Delivery header");
        }

        if (eventHeader == "ping")
        {
            return new IntakeAnswer(200, "pong");
        }

        if (!Events.Contains(eventHeader))
        {
            return new IntakeAnswer(200, $"event '{Shown(eventHeader)}' ignored: the bot does not act on it");
        }

        if (!IsJsonObject(body))
        {
            return new IntakeAnswer(400, "the body is not a JSON object: configure the hook with content type application/json");
        }

        var delivery = new WebhookDelivery(deliveryHeader, eventHeader, System.Text.Encoding.UTF8.GetString(body.Span), time.GetUtcNow(),
            hookHeader is { Length: > 0 and <= 20 } && hookHeader.All(char.IsAsciiDigit) ? hookHeader : null);
        return await store.AddDeliveryAsync(delivery, cancellationToken).ConfigureAwait(false)
            ? new IntakeAnswer(200, "Event received. Have a nice day.", Stored: true)
            : new IntakeAnswer(200, $"delivery {deliveryHeader} was received before: nothing new to do");
    }

    private static bool IsJsonObject(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth });
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A header value as it may appear in an answer: printable ASCII, at most 40 characters.</summary>
    private static string Shown(string value)
    {
        var printable = new string([.. value.Take(40).Select(c => c is >= ' ' and < (char)127 ? c : '?')]);
        return value.Length > 40 ? printable + "…" : printable;
    }
}
