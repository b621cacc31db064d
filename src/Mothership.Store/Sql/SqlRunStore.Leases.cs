using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    private string ClaimableOfPipeline => $"""
        FROM runs r{dialect.IndexedBy("runs_claimable_by_pipeline")}
        WHERE r.pipeline = h.name AND r.phase IN ('Queued', 'Running') AND (r.owner IS NULL OR r.lease_expires_at < @now)
        ORDER BY r.created_at, r.uid LIMIT @pool
        """;

    /// <summary>
    /// The fair order of the claimable runs (see <see cref="IRunStore.ClaimRunsAsync"/>), first
    /// <c>@pool</c> uids. The pipelines with unfinished runs come from a loose index scan (one index
    /// probe per pipeline, however many runs each has queued); per pipeline only its oldest
    /// <c>@pool</c> claimable runs are ranked, since a later one could not be picked, and its leased
    /// runs are counted from an index of those alone. A run's turn is its rank in its pipeline plus
    /// the pipeline's leased runs; turns tie by age.
    /// </summary>
    private string FairOrder => $"""
        WITH RECURSIVE pipelines(name) AS (
            SELECT MIN(pipeline) FROM runs{dialect.IndexedBy("runs_claimable_by_pipeline")} WHERE phase IN ('Queued', 'Running')
            UNION ALL
            SELECT (SELECT MIN(n.pipeline) FROM runs n{dialect.IndexedBy("runs_claimable_by_pipeline")} WHERE n.phase IN ('Queued', 'Running') AND n.pipeline > p.name)
            FROM pipelines p WHERE p.name IS NOT NULL
        ),
        heads AS MATERIALIZED (
            SELECT p.name, (SELECT COUNT(*) FROM runs a{dialect.IndexedBy("runs_leased")}
                WHERE a.pipeline = p.name AND a.owner IS NOT NULL AND a.phase IN ('Queued', 'Running') AND a.lease_expires_at >= @now) AS leased
            FROM pipelines p WHERE p.name IS NOT NULL
        )
        SELECT uid FROM (
            SELECT c.uid, c.created_at, h.leased + ROW_NUMBER() OVER (PARTITION BY h.name ORDER BY c.created_at, c.uid) AS turn
            FROM heads h {dialect.JoinEach("c", ClaimableOfPipeline)}
        ) picks
        ORDER BY turn, created_at, uid
        LIMIT @pool
        """;

    public async Task<IReadOnlyList<ClaimedRun>> ClaimRunsAsync(string owner, int max, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        // Two steps. The fair order is read first, outside the write transaction (twice max, so
        // that a claimer racing another still finds free runs): PostgreSQL allows no FOR UPDATE in
        // a query with window functions, and on SQLite the read then does not hold up the one
        // writer — nor does a claim that finds nothing. Then the picked rows are locked and
        // re-checked in the write transaction, so the guarantee is the re-check's: PostgreSQL
        // skips rows another claimer has locked, and a row claimed since the read fails the
        // re-check (a new snapshot; a row whose lock was released is re-read); on SQLite the
        // transaction holds the write lock, so claimers take turns.
        var at = UnixMicros.From(now);
        var order = await ReadAsync<IReadOnlyList<string>>(async c => (await c.QueryAsync<string>(Cmd(
            FairOrder, new { now = at, pool = 2 * max }, null, cancellationToken)).ConfigureAwait(false)).ToList(), cancellationToken).ConfigureAwait(false);
        if (order.Count == 0)
        {
            return [];
        }

        return await WriteAsync<IReadOnlyList<ClaimedRun>>(async (c, tx) =>
        {
            var free = (await c.QueryAsync<(string Uid, string? Owner)>(Cmd($"""
                SELECT uid, owner FROM runs
                WHERE {dialect.InList("uid", "@uids")} AND phase IN ('Queued', 'Running') AND (owner IS NULL OR lease_expires_at < @now){dialect.ForUpdateSkipLocked}
                """, new { now = at, uids = dialect.ListValue(order) }, tx, cancellationToken)).ConfigureAwait(false)).ToDictionary(x => x.Uid, x => x.Owner, StringComparer.Ordinal);
            var picked = order.Where(free.ContainsKey).Take(max).ToList();
            if (picked.Count == 0)
            {
                return ([], false);
            }

            // Updated, then read with the documents (tables of their own, see migration 13).
            var parameters = new { owner, until = UnixMicros.From(now + lease), uids = dialect.ListValue(picked) };
            await c.ExecuteAsync(Cmd(
                $"UPDATE runs SET owner = @owner, lease_expires_at = @until WHERE {dialect.InList("uid", "@uids")}",
                parameters, tx, cancellationToken)).ConfigureAwait(false);
            var rows = (await c.QueryAsync<RunRow>(Cmd(
                $"SELECT {RunColumns} FROM runs WHERE {dialect.InList("uid", "@uids")}",
                parameters, tx, cancellationToken)).ConfigureAwait(false))
                .ToDictionary(r => r.Uid, StringComparer.Ordinal);
            return (picked.Select(uid => new ClaimedRun(rows[uid].ToRecord(), free[uid])).ToList(), true);
        }, cancellationToken).ConfigureAwait(false);
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
