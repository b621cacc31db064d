using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Mothership.Store.Sql;

/// <summary>
/// SQLite in WAL mode: readers never wait for the writer, writers take the lock up front
/// (Microsoft.Data.Sqlite begins transactions with <c>BEGIN IMMEDIATE</c>), so two writers
/// queue instead of failing on a lock upgrade. Within one process they queue in
/// <see cref="SqliteGroupCommit"/>, first come first served, and those waiting at once share one
/// transaction; the busy timeout is left for writers in other processes (a second server or a CLI
/// on the same file), whom SQLite makes poll for the lock with growing sleeps — which, for a
/// server's own concurrent writers, made a burst of run creations wait hundreds of milliseconds at
/// p99 (bench/RESULTS.md, server throughput).
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly string _path;
    private readonly SqliteGroupCommit _writes;

    /// <summary>The pooled connections (their native handles) that have run <see cref="_pragmas"/>: the settings stay with the connection, so a reopen skips them.</summary>
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = [];
    private int _walSet;

    public SqliteDialect(string path, RunStoreOptions options)
    {
        _path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.CommandTimeout.TotalSeconds)),
        }.ToString();
        _pragmas = $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";
        _writes = new SqliteGroupCommit(
            async ct => new SqliteWriterConnection((SqliteConnection)await OpenAsync(ct).ConfigureAwait(false)), IsUnavailable, MaxGroupedWrites, MaxGroupTime);
    }

    /// <summary>At most this many writes share a transaction.</summary>
    internal const int MaxGroupedWrites = 64;

    /// <summary>A transaction takes in more waiting writes until it has run this long: the latency a write can add to those grouped after it.</summary>
    internal static readonly TimeSpan MaxGroupTime = TimeSpan.FromMilliseconds(2);

    public override string Provider => "sqlite";

    public override string Description => "sqlite:" + _path;

    public override string AutoIdColumn => "INTEGER PRIMARY KEY AUTOINCREMENT";

    public override string OrderedTextColumn => "TEXT";

    public override string ForUpdateSkipLocked => "";

    public override string ForUpdate => "";

    public override string IndexedBy(string index) => $" INDEXED BY {index}";

    public override string JoinEach(string alias, string tail) => $"JOIN runs {alias} ON {alias}.uid IN (SELECT r.uid {tail})";

    // 0x10002: analyze every table that needs it, with a row limit so it stays fast on big files.
    public override string RefreshStatistics => "PRAGMA optimize=0x10002";

    public override string InList(string column, string parameter) => $"{column} IN {parameter}";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // journal_mode is stored in the file: set once per store. The others are per connection:
            // set when the pool opened it, not each time it is taken from the pool.
            var handle = connection.Handle!;
            if (Volatile.Read(ref _walSet) == 0 || !_configured.TryGetValue(handle, out _))
            {
                using var command = connection.CreateCommand();
                command.CommandText = Volatile.Read(ref _walSet) == 0 ? "PRAGMA journal_mode = WAL; " + _pragmas : _pragmas;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _walSet, 1);
                _configured.TryAdd(handle, handle);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<(T Result, bool Commit)>> work, CancellationToken cancellationToken) =>
        _writes.WriteAsync(work, cancellationToken);

    public override Task<T> WriteStatementAsync<T>(Func<DbConnection, DbTransaction?, Task<T>> work, CancellationToken cancellationToken) =>
        _writes.WriteAsync(async (c, tx) => (await work(c, tx).ConfigureAwait(false), true), cancellationToken);

    public override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        // The transaction is BEGIN IMMEDIATE: it already holds the write lock.
        Task.CompletedTask;

    public override bool IsUnavailable(Exception exception) => exception switch
    {
        SqliteException e => e.SqliteErrorCode switch
        {
            // BUSY, LOCKED, NOMEM, READONLY, IOERR, CORRUPT, FULL, CANTOPEN, PROTOCOL, NOTADB
            5 or 6 or 7 or 8 or 10 or 11 or 13 or 14 or 15 or 26 => true,
            _ => false,
        },
        IOException or UnauthorizedAccessException => true,
        _ => false,
    };

    public override async ValueTask DisposeAsync()
    {
        await _writes.DisposeAsync().ConfigureAwait(false);
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
