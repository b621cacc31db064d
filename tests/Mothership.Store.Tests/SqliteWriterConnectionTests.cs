using Dapper;
using Microsoft.Data.Sqlite;
using Mothership.Store.Sql;

namespace Mothership.Store.Tests;

/// <summary>
/// The SQLite writer's connection that keeps its commands' compiled statements, driven through
/// Dapper as the store drives it, on a real SQLite file.
/// </summary>
public sealed class SqliteWriterConnectionTests : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-writer-");
    private readonly SqliteWriterConnection _connection;

    public SqliteWriterConnectionTests()
    {
        var inner = new SqliteConnection($"Data Source={Path.Combine(_dir.FullName, "writer.db")};Pooling=False");
        inner.Open();
        _connection = new SqliteWriterConnection(inner);
        _connection.Execute("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    private Task<int> InsertAsync(string k, long n, System.Data.Common.DbTransaction? transaction = null) =>
        _connection.ExecuteAsync(new CommandDefinition("INSERT INTO t (k, n) VALUES (@k, @n)", new { k, n }, transaction, cancellationToken: Ct));

    [Fact(Timeout = 60000)]
    public async Task Execute_SameTextAgain_KeptOnceAndEachRunBindsItsOwnValues()
    {
        await InsertAsync("a", 1);
        await InsertAsync("b", 2);
        await using (var transaction = await _connection.BeginTransactionAsync(Ct))
        {
            await InsertAsync("c", 3, transaction);
            await transaction.CommitAsync(Ct);
        }

        const string Select = "SELECT n FROM t WHERE k = @k";
        Assert.Equal(2L, await _connection.ExecuteScalarAsync<long>(new CommandDefinition(Select, new { k = "b" }, cancellationToken: Ct)));
        Assert.Equal(3L, await _connection.ExecuteScalarAsync<long>(new CommandDefinition(Select, new { k = "c" }, cancellationToken: Ct)));
        Assert.Equal([1L, 2L, 3L], await _connection.QueryAsync<long>(new CommandDefinition("SELECT n FROM t ORDER BY k", cancellationToken: Ct)));
        // CREATE TABLE, the insert, the two selects.
        Assert.Equal(4, _connection.KeptCount);
    }

    [Fact(Timeout = 60000)]
    public async Task Execute_SameTextWhileItsReaderIsOpen_RunsOnACommandOfItsOwn()
    {
        await InsertAsync("a", 1);
        await InsertAsync("b", 2);
        const string Select = "SELECT k FROM t WHERE n >= @n ORDER BY k";

        await using (var open = await _connection.ExecuteReaderAsync(new CommandDefinition(Select, new { n = 1L }, cancellationToken: Ct)))
        {
            Assert.True(await open.ReadAsync(Ct));
            Assert.Equal(["b"], await _connection.QueryAsync<string>(new CommandDefinition(Select, new { n = 2L }, cancellationToken: Ct)));
            Assert.Equal("a", open.GetString(0));
            Assert.True(await open.ReadAsync(Ct));
            Assert.Equal("b", open.GetString(0));
        }

        Assert.Equal(["a", "b"], await _connection.QueryAsync<string>(new CommandDefinition(Select, new { n = 0L }, cancellationToken: Ct)));
    }

    [Fact(Timeout = 60000)]
    public async Task Execute_StatementFails_ItsCommandIsFreeForTheNextRun()
    {
        await InsertAsync("a", 1);

        Assert.Equal(19, (await Assert.ThrowsAsync<SqliteException>(() => InsertAsync("a", 2))).SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal(1, await InsertAsync("b", 2));
        Assert.Equal([1L, 2L], await _connection.QueryAsync<long>(new CommandDefinition("SELECT n FROM t ORDER BY k", cancellationToken: Ct)));
    }

    [Fact(Timeout = 60000)]
    public async Task Execute_AfterTheSchemaChanged_KeptStatementSeesTheNewSchema()
    {
        await InsertAsync("a", 1);
        const string SelectAll = "SELECT * FROM t";
        Assert.Equal(2, ((IDictionary<string, object>)await _connection.QuerySingleAsync(new CommandDefinition(SelectAll, cancellationToken: Ct))).Count);

        // Another connection changes the table, as a migration would.
        await using (var other = new SqliteConnection($"Data Source={Path.Combine(_dir.FullName, "writer.db")};Pooling=False"))
        {
            await other.ExecuteAsync("ALTER TABLE t ADD COLUMN note TEXT NOT NULL DEFAULT 'x'");
        }

        var row = (IDictionary<string, object>)await _connection.QuerySingleAsync(new CommandDefinition(SelectAll, cancellationToken: Ct));
        Assert.Equal("x", row["note"]);
    }

    [Fact(Timeout = 60000)]
    public async Task Execute_MoreTextsThanTheBound_BeyondItRunWithoutBeingKept()
    {
        var texts = SqliteWriterConnection.MaxKept + 10;
        for (var i = 0; i < texts; i++)
        {
            Assert.Equal((long)i, await _connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT {i} + @zero", new { zero = 0L }, cancellationToken: Ct)));
        }

        Assert.Equal(SqliteWriterConnection.MaxKept, _connection.KeptCount);
        // A text beyond the bound runs again as well.
        Assert.Equal(texts - 1L, await _connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT {texts - 1} + @zero", new { zero = 0L }, cancellationToken: Ct)));
    }
}
