using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    private const string ApiTokenColumns = """
        id AS Id, owner AS Owner, description AS Description, token_hash AS Hash, created_at AS CreatedAt,
        expires_at AS ExpiresAt, revoked_at AS RevokedAt, last_used_at AS LastUsedAt
        """;

    public Task CreateApiTokenAsync(ApiToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentException.ThrowIfNullOrEmpty(token.Id);
        ArgumentException.ThrowIfNullOrEmpty(token.Hash);
        return WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(Cmd("""
                INSERT INTO api_tokens (id, owner, description, token_hash, created_at, expires_at, revoked_at, last_used_at)
                VALUES (@Id, @Owner, @Description, @Hash, @created, @expires, @revoked, @used)
                """,
                new
                {
                    token.Id, token.Owner, token.Description, token.Hash, created = UnixMicros.From(token.CreatedAt), expires = UnixMicros.From(token.ExpiresAt),
                    revoked = token.RevokedAt is { } r ? UnixMicros.From(r) : (long?)null, used = token.LastUsedAt is { } u ? UnixMicros.From(u) : (long?)null,
                }, tx, cancellationToken)).ConfigureAwait(false);
            return (true, true);
        }, cancellationToken);
    }

    public Task<ApiToken?> FindApiTokenAsync(string hash, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<ApiTokenRow>(Cmd(
            $"SELECT {ApiTokenColumns} FROM api_tokens WHERE token_hash = @hash", new { hash }, null, cancellationToken)).ConfigureAwait(false))?.ToRecord(), cancellationToken);

    public Task<ApiToken?> GetApiTokenAsync(string id, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<ApiTokenRow>(Cmd(
            $"SELECT {ApiTokenColumns} FROM api_tokens WHERE id = @id", new { id }, null, cancellationToken)).ConfigureAwait(false))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<ApiToken>> ListApiTokensAsync(string? owner, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<ApiToken>>(async c => [.. (await c.QueryAsync<ApiTokenRow>(Cmd(
            // Two statements rather than "@owner IS NULL OR …": PostgreSQL cannot type an untyped null parameter.
            owner is null ? $"SELECT {ApiTokenColumns} FROM api_tokens ORDER BY created_at, id"
                : $"SELECT {ApiTokenColumns} FROM api_tokens WHERE owner = @owner ORDER BY created_at, id",
            new { owner }, null, cancellationToken)).ConfigureAwait(false)).Select(r => r.ToRecord())], cancellationToken);

    public Task<bool> RevokeApiTokenAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var changed = await c.ExecuteAsync(Cmd("UPDATE api_tokens SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL",
                new { id, now = UnixMicros.From(now) }, tx, cancellationToken)).ConfigureAwait(false);
            return (changed > 0, true);
        }, cancellationToken);

    public Task<bool> TouchApiTokenAsync(string id, DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            // The condition in the statement: replicas racing to record a use write once.
            var changed = await c.ExecuteAsync(Cmd("UPDATE api_tokens SET last_used_at = @now WHERE id = @id AND (last_used_at IS NULL OR last_used_at <= @before)",
                new { id, now = UnixMicros.From(now), before = UnixMicros.From(now - interval) }, tx, cancellationToken)).ConfigureAwait(false);
            return (changed > 0, true);
        }, cancellationToken);

    private sealed class ApiTokenRow
    {
        public string Id { get; set; } = "";

        public string Owner { get; set; } = "";

        public string Description { get; set; } = "";

        public string Hash { get; set; } = "";

        public long CreatedAt { get; set; }

        public long ExpiresAt { get; set; }

        public long? RevokedAt { get; set; }

        public long? LastUsedAt { get; set; }

        public ApiToken ToRecord() => new()
        {
            Id = Id,
            Owner = Owner,
            Description = Description,
            Hash = Hash,
            CreatedAt = UnixMicros.To(CreatedAt),
            ExpiresAt = UnixMicros.To(ExpiresAt),
            RevokedAt = UnixMicros.To(RevokedAt),
            LastUsedAt = UnixMicros.To(LastUsedAt),
        };
    }
}
