using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    public Task<IReadOnlyList<ClaimedRun>> ClaimRunsAsync(string owner, int max, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        return WriteAsync<IReadOnlyList<ClaimedRun>>(async (c, tx) =>
        {
            // PostgreSQL: rows another claimer has locked are skipped, and a row claimed since our
            // snapshot is re-checked against the WHERE clause after its lock is released.
            // SQLite: the transaction holds the write lock, so claimers take turns.
            var candidates = (await c.QueryAsync<(string Uid, string? Owner)>(Cmd($"""
                SELECT uid, owner FROM runs
                WHERE phase IN ('Queued', 'Running') AND (owner IS NULL OR lease_expires_at < @now)
                ORDER BY created_at, uid
                LIMIT @max{dialect.ForUpdateSkipLocked}
                """, new { now = UnixMicros.From(now), max }, tx, cancellationToken)).ConfigureAwait(false)).ToList();
            if (candidates.Count == 0)
            {
                return ([], false);
            }

            var uids = dialect.ListValue(candidates.Select(x => x.Uid));
            await c.ExecuteAsync(Cmd(
                $"UPDATE runs SET owner = @owner, lease_expires_at = @until WHERE {dialect.InList("uid", "@uids")}",
                new { owner, until = UnixMicros.From(now + lease), uids }, tx, cancellationToken)).ConfigureAwait(false);
            var rows = await c.QueryAsync<RunRow>(Cmd(
                $"SELECT {RunColumns} FROM runs WHERE {dialect.InList("uid", "@uids")} ORDER BY created_at, uid",
                new { uids }, tx, cancellationToken)).ConfigureAwait(false);
            var previous = candidates.ToDictionary(x => x.Uid, x => x.Owner, StringComparer.Ordinal);
            return (rows.Select(r => new ClaimedRun(r.ToRecord(), previous[r.Uid])).ToList(), true);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<string>> RenewLeasesAsync(string owner, IReadOnlyCollection<string> uids, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (uids.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        return WriteAsync<IReadOnlyList<string>>(async (c, tx) =>
        {
            var held = (await c.QueryAsync<string>(Cmd(
                $"UPDATE runs SET lease_expires_at = @until WHERE owner = @owner AND {dialect.InList("uid", "@uids")} RETURNING uid",
                new { owner, until = UnixMicros.From(now + lease), uids = dialect.ListValue(uids) }, tx, cancellationToken)).ConfigureAwait(false)).ToList();
            return (held, true);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<(string Uid, string Request)>> ListCancelRequestsAsync(string owner, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<(string Uid, string Request)>>(async c => (await c.QueryAsync<(string Uid, string Request)>(Cmd(
            "SELECT uid, cancel_request FROM runs WHERE owner = @owner AND cancel_request IS NOT NULL AND phase <> 'Finished'",
            new { owner }, null, cancellationToken)).ConfigureAwait(false)).ToList(), cancellationToken);

    public Task<int> ReleaseOwnerAsync(string owner, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var count = await c.ExecuteAsync(Cmd(
                "UPDATE runs SET owner = NULL, lease_expires_at = NULL WHERE owner = @owner AND phase <> 'Finished'",
                new { owner }, tx, cancellationToken)).ConfigureAwait(false);
            return (count, true);
        }, cancellationToken);

    public Task ReleaseLeaseAsync(string uid, string owner, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(Cmd(
                "UPDATE runs SET owner = NULL, lease_expires_at = NULL WHERE uid = @uid AND owner = @owner",
                new { uid, owner }, tx, cancellationToken)).ConfigureAwait(false);
            return (true, true);
        }, cancellationToken);
}
