using Dapper;
using Microsoft.Data.Sqlite;
using Mothership.Store.Sql;

namespace Mothership.Store.Tests;

/// <summary>The SQLite connection settings, which are set once per pooled connection instead of on each open.</summary>
public sealed class SqliteDialectTests : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-dialect-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync()
    {
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact(Timeout = 60000)]
    public async Task OpenAsync_PooledConnectionTakenAgain_KeepsEverySetting()
    {
        await using var dialect = new SqliteDialect(Path.Combine(_dir.FullName, "d.db"), new RunStoreOptions { BusyTimeout = TimeSpan.FromMilliseconds(1234) });
        SQLitePCL.sqlite3? first = null;
        for (var i = 0; i < 3; i++)
        {
            await using var connection = (SqliteConnection)await dialect.OpenAsync(Ct);
            first ??= connection.Handle;
            Assert.Same(first, connection.Handle); // the pool's connection, not a new one
            Assert.Equal(
                ("wal", 1234L, 1L, 1L),
                (await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"), await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout"),
                 await connection.ExecuteScalarAsync<long>("PRAGMA synchronous"), await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys")));
        }
    }
}
