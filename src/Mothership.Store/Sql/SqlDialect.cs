using System.Data.Common;

namespace Mothership.Store.Sql;

/// <summary>The few things SQLite and PostgreSQL do differently; everything else is shared SQL.</summary>
internal abstract class SqlDialect : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    public abstract string Provider { get; }

    /// <summary>Where the store is, without secrets, for messages.</summary>
    public abstract string Description { get; }

    /// <summary>The column type of an auto-assigned, ever-increasing id primary key.</summary>
    public abstract string AutoIdColumn { get; }

    /// <summary>The column type of text compared byte by byte (uids and names: same order on both databases).</summary>
    public abstract string OrderedTextColumn { get; }

    /// <summary>Appended to the claim query so concurrent claimers skip each other's rows.</summary>
    public abstract string ForUpdateSkipLocked { get; }

    /// <summary>Appended to a read that is followed by an update of the same rows in the transaction.</summary>
    public abstract string ForUpdate { get; }

    /// <summary>
    /// After a table in FROM: makes the query use <paramref name="index"/> for it. SQLite:
    /// <c>INDEXED BY</c> — without statistics (a server started on an empty file has none until the
    /// next start) its planner took runs_by_phase for the claim's loose index scan, 22 ms a claim at
    /// 10,000 queued instead of 0.15 ms. PostgreSQL has no hints and picks it from its statistics: "".
    /// </summary>
    public abstract string IndexedBy(string index);

    /// <summary>
    /// Joins each row so far with the runs that <paramref name="tail"/> — a correlated
    /// <c>FROM runs r WHERE … ORDER BY … LIMIT …</c> — picks, as <paramref name="alias"/> with the
    /// columns <c>uid</c> and <c>created_at</c>: PostgreSQL with <c>LATERAL</c>, SQLite (which has
    /// none) as a primary-key lookup of each uid the tail picks.
    /// </summary>
    public abstract string JoinEach(string alias, string tail);

    /// <summary>
    /// Refreshes the planner's statistics: without them both planners pick a poor plan for label
    /// filters (bench/RESULTS.md: 215 ms p99 on PostgreSQL before ANALYZE, 4 ms after).
    /// </summary>
    public abstract string RefreshStatistics { get; }

    /// <summary><c>column IN list</c>, written the way Dapper binds a list for this provider.</summary>
    public abstract string InList(string column, string parameter);

    /// <summary>A list value for <see cref="InList"/>; typed as an array so Dapper sees a list at compile time.</summary>
    public string[] ListValue(IEnumerable<string> values) => values.ToArray();

    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Serializes migrations between processes; called first in the migration's transaction.</summary>
    public abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>True for failures of the database or the way to it, as opposed to bugs in a statement.</summary>
    public abstract bool IsUnavailable(Exception exception);

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction, committed when it says so and rolled
    /// back otherwise: here a transaction of its own (PostgreSQL locks rows, so concurrent writers
    /// proceed); SQLite, whose one writer makes writers queue, groups queued writes into one
    /// transaction (<see cref="SqliteGroupCommit"/>). Failures come out as they are; the store turns
    /// those <see cref="IsUnavailable"/> accepts into <see cref="StoreUnavailableException"/>.
    /// </summary>
    public virtual async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<(T Result, bool Commit)>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var (result, commit) = await work(connection, transaction).ConfigureAwait(false);
        if (commit)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// Runs one statement that writes (atomic by itself): here without a transaction (the
    /// transaction is null), which saves two round trips; SQLite runs it as one write of
    /// <see cref="WriteAsync"/>, grouped with the others.
    /// </summary>
    public virtual async Task<T> WriteStatementAsync<T>(Func<DbConnection, DbTransaction?, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await work(connection, null).ConfigureAwait(false);
    }

    /// <summary>Called after a failure <see cref="IsUnavailable"/> accepted: drops pooled connections that may be dead.</summary>
    public virtual void OnUnavailable()
    {
    }

    public abstract ValueTask DisposeAsync();
}
