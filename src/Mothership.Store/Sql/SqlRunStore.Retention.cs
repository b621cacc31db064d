using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    /// <summary>Runs deleted per transaction: small enough that a prune of 100,000 runs never holds a huge transaction.</summary>
    private const int PruneBatch = 1000;

    public async Task<PruneResult> PruneAsync(RetentionPolicy policy, DateTimeOffset now, bool dryRun, CancellationToken cancellationToken)
    {
        // Rank within (kind, pipeline, outcome), newest first; the rules are applied here rather
        // than in SQL because each pipeline may have a rule of its own.
        var rows = await ReadAsync(async c => (await c.QueryAsync<RunRow>(Cmd($"""
            SELECT {SummaryColumns},
                ROW_NUMBER() OVER (PARTITION BY kind, pipeline, status ORDER BY created_at DESC, uid DESC) AS Rank
            FROM runs WHERE phase = 'Finished' AND status IN (@succeeded, @failed)
            """, new { succeeded = policy.SucceededStatus, failed = policy.FailedStatus }, null, cancellationToken)).ConfigureAwait(false)).ToList(), cancellationToken).ConfigureAwait(false);
        var doomed = rows.Where(r => ShouldDelete(r, policy, now)).OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Uid, StringComparer.Ordinal).ToList();

        var logChunks = 0;
        for (var start = 0; start < doomed.Count; start += PruneBatch)
        {
            var uids = dialect.ListValue(doomed.Skip(start).Take(PruneBatch).Select(r => r.Uid));
            logChunks += await WriteAsync(async (c, tx) =>
            {
                if (dryRun)
                {
                    var count = await c.ExecuteScalarAsync<long>(Cmd($"SELECT COUNT(*) FROM logs WHERE {dialect.InList("uid", "@uids")}", new { uids }, tx, cancellationToken)).ConfigureAwait(false);
                    return ((int)count, false);
                }

                // The audit record names each run; it stays when the run goes.
                await c.ExecuteAsync(Cmd($"""
                    INSERT INTO audit (time, actor, action, kind, name, uid, detail)
                    SELECT @time, 'retention', 'prune', kind, name, uid, '' FROM runs WHERE {dialect.InList("uid", "@uids")}
                    """, new { time = UnixMicros.From(time.GetUtcNow()), uids }, tx, cancellationToken)).ConfigureAwait(false);
                var logs = await c.ExecuteAsync(Cmd($"DELETE FROM logs WHERE {dialect.InList("uid", "@uids")}", new { uids }, tx, cancellationToken)).ConfigureAwait(false);
                await c.ExecuteAsync(Cmd($"DELETE FROM events WHERE {dialect.InList("uid", "@uids")}", new { uids }, tx, cancellationToken)).ConfigureAwait(false);
                // Labels, journal, manifest and object go with the run (ON DELETE CASCADE).
                await c.ExecuteAsync(Cmd($"DELETE FROM runs WHERE {dialect.InList("uid", "@uids")}", new { uids }, tx, cancellationToken)).ConfigureAwait(false);
                return (logs, true);
            }, cancellationToken).ConfigureAwait(false);
        }

        if (!dryRun && doomed.Count >= PruneBatch)
        {
            await RefreshStatisticsAsync(cancellationToken).ConfigureAwait(false);
        }

        var (deliveries, jobResults) = policy.DeliveryMaxAge is { } deliveryAge
            ? (await PruneDeliveriesAsync(now - deliveryAge, dryRun, cancellationToken).ConfigureAwait(false),
                await PruneJobResultsAsync(now - deliveryAge, dryRun, cancellationToken).ConfigureAwait(false))
            : (0, 0);
        return new PruneResult(doomed.Select(r => r.ToSummary()).ToList(), logChunks) { Deliveries = deliveries, JobResults = jobResults };
    }

    /// <summary>Handled deliveries from before <paramref name="before"/>: deleted, or counted on a dry run.</summary>
    private Task<int> PruneDeliveriesAsync(DateTimeOffset before, bool dryRun, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var parameters = new { before = UnixMicros.From(before) };
            if (dryRun)
            {
                var count = await c.ExecuteScalarAsync<long>(Cmd("SELECT COUNT(*) FROM webhook_deliveries WHERE handled_at < @before", parameters, tx, cancellationToken)).ConfigureAwait(false);
                return ((int)count, false);
            }

            var deleted = await c.ExecuteAsync(Cmd("DELETE FROM webhook_deliveries WHERE handled_at < @before", parameters, tx, cancellationToken)).ConfigureAwait(false);
            return (deleted, true);
        }, cancellationToken);

    private static bool ShouldDelete(RunRow run, RetentionPolicy policy, DateTimeOffset now)
    {
        var rule = policy.Pipelines.TryGetValue(run.Pipeline, out var own) ? own : policy.Default;
        var failed = run.Status == policy.FailedStatus;
        var keep = failed ? rule.KeepLastFailed ?? rule.KeepLast : rule.KeepLast;
        var maxAge = failed ? rule.FailedMaxAge ?? rule.MaxAge : rule.MaxAge;
        if (keep is { } k && run.Rank > k)
        {
            return true;
        }

        // A finished run always has a completion time; fall back on creation for rows written without one.
        return maxAge is { } age && UnixMicros.To(run.CompletedAt ?? run.CreatedAt) < now - age;
    }
}
