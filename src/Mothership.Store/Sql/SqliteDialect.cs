using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Mothership.Store.Sql;

/// <summary>
/// SQLite in WAL mode: readers never wait for the writer, writers take the lock up front
/// (Microsoft.Data.Sqlite begins transactions with <c>BEGIN IMMEDIATE</c>), so two writers
/// queue instead of failing on a lock upgrade. Within one process they queue on
/// <see cref="EnterWriteAsync"/>, first come first served; the busy timeout is left for writers in
/// other processes (a second server or a CLI on the same file), whom SQLite makes poll for the lock
/// with growing sleeps — which, for a server's own concurrent writers, made a burst of run
/// creations wait hundreds of milliseconds at p99 (bench/RESULTS.md, server throughput).
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly string _path;
    private readonly SemaphoreSlim _writer = new(1, 1);
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
    }

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
            using var command = connection.CreateCommand();
            // journal_mode is stored in the file: set once per store. The others are per connection.
            command.CommandText = Volatile.Read(ref _walSet) == 0 ? "PRAGMA journal_mode = WAL; " + _pragmas : _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _walSet, 1);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override async ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Turn(_writer);
    }

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

    /// <summary>One writer's turn; ends once, however often it is disposed.</summary>
    private sealed class Turn(SemaphoreSlim writer) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                writer.Release();
            }
        }
    }

    public override ValueTask DisposeAsync()
    {
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        return ValueTask.CompletedTask;
    }
}
