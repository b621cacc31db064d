using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    private const string DeliveryColumns = """
        id AS Id, event AS Event, payload AS Payload, hook_id AS HookId, received_at AS ReceivedAt,
        attempts AS Attempts, handled_at AS HandledAt, outcome AS Outcome
        """;

    public Task<bool> AddDeliveryAsync(WebhookDelivery delivery, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var at = UnixMicros.From(delivery.ReceivedAt);
            var inserted = await c.ExecuteAsync(Cmd("""
                INSERT INTO webhook_deliveries (id, event, payload, hook_id, received_at, attempts, not_before)
                VALUES (@Id, @Event, @Payload, @HookId, @at, 0, @at) ON CONFLICT DO NOTHING
                """, new { delivery.Id, delivery.Event, delivery.Payload, delivery.HookId, at }, tx, cancellationToken)).ConfigureAwait(false);
            return (inserted == 1, inserted == 1);
        }, cancellationToken);

    public Task<IReadOnlyList<WebhookDelivery>> ClaimDeliveriesAsync(string owner, int max, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        return WriteAsync<IReadOnlyList<WebhookDelivery>>(async (c, tx) =>
        {
            // As ClaimRunsAsync: PostgreSQL skips rows another claimer locked; SQLite's write lock serializes claimers.
            var ids = (await c.QueryAsync<string>(Cmd($"""
                SELECT id FROM webhook_deliveries
                WHERE handled_at IS NULL AND not_before <= @now AND (owner IS NULL OR lease_expires_at < @now)
                ORDER BY received_at, id
                LIMIT @max{dialect.ForUpdateSkipLocked}
                """, new { now = UnixMicros.From(now), max }, tx, cancellationToken)).ConfigureAwait(false)).ToList();
            if (ids.Count == 0)
            {
                return ([], false);
            }

            var list = dialect.ListValue(ids);
            await c.ExecuteAsync(Cmd(
                $"UPDATE webhook_deliveries SET owner = @owner, lease_expires_at = @until, attempts = attempts + 1 WHERE {dialect.InList("id", "@list")}",
                new { owner, until = UnixMicros.From(now + lease), list }, tx, cancellationToken)).ConfigureAwait(false);
            var rows = await c.QueryAsync<DeliveryRow>(Cmd(
                $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE {dialect.InList("id", "@list")} ORDER BY received_at, id",
                new { list }, tx, cancellationToken)).ConfigureAwait(false);
            return (rows.Select(r => r.ToRecord()).ToList(), true);
        }, cancellationToken);
    }

    public Task<bool> FinishDeliveryAsync(string id, string owner, string outcome, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var updated = await c.ExecuteAsync(Cmd(retryAt is null
                    ? "UPDATE webhook_deliveries SET owner = NULL, lease_expires_at = NULL, handled_at = @now, outcome = @outcome WHERE id = @id AND owner = @owner"
                    : "UPDATE webhook_deliveries SET owner = NULL, lease_expires_at = NULL, not_before = @retry, outcome = @outcome WHERE id = @id AND owner = @owner",
                new { id, owner, outcome, now = UnixMicros.From(now), retry = retryAt is { } r ? UnixMicros.From(r) : 0 }, tx, cancellationToken)).ConfigureAwait(false);
            return (updated == 1, updated == 1);
        }, cancellationToken);

    public Task<WebhookDelivery?> GetDeliveryAsync(string id, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<DeliveryRow>(Cmd(
            $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE id = @id", new { id }, null, cancellationToken)).ConfigureAwait(false))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(int limit, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<WebhookDelivery>>(async c => (await c.QueryAsync<DeliveryRow>(Cmd(
            $"SELECT {DeliveryColumns.Replace("payload AS Payload", "'' AS Payload", StringComparison.Ordinal)} FROM webhook_deliveries ORDER BY received_at DESC, id DESC LIMIT @limit",
            new { limit }, null, cancellationToken)).ConfigureAwait(false)).Select(r => r.ToRecord()).ToList(), cancellationToken);

    private sealed class DeliveryRow
    {
        public string Id { get; set; } = "";

        public string Event { get; set; } = "";

        public string Payload { get; set; } = "";

        public string? HookId { get; set; }

        public long ReceivedAt { get; set; }

        public long Attempts { get; set; }

        public long? HandledAt { get; set; }

        public string? Outcome { get; set; }

        public WebhookDelivery ToRecord() => new(Id, Event, Payload, UnixMicros.To(ReceivedAt), HookId)
        {
            Attempts = (int)Attempts,
            HandledAt = HandledAt is { } h ? UnixMicros.To(h) : null,
            Outcome = Outcome,
        };
    }
}
