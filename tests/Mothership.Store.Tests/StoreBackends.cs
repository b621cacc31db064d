using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Mothership.Store.Tests;

/// <summary>The contract tests against a SQLite file in a temp folder.</summary>
public sealed class SqliteRunStoreTests : RunStoreContractTests
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-store-");
    private int _databases;

    private string FileOf(string database) => database["sqlite:".Length..];

    protected override Task<string> CreateDatabaseAsync(CancellationToken cancellationToken) =>
        Task.FromResult("sqlite:" + Path.Combine(_dir.FullName, "nested", $"runs{Interlocked.Increment(ref _databases)}.db"));

    protected override async Task<long> CountRowsAsync(string table, string uid, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={FileOf(Database)};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE uid = $uid";
        command.Parameters.AddWithValue("$uid", uid);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    protected override async Task ExecuteSqlAsync(string database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection($"Data Source={FileOf(database)};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact(Timeout = 60000)]
    public async Task CreateRunAsync_DatabaseLockedBeyondTimeout_ThrowsStoreUnavailable()
    {
        await using var store = RunStoreFactory.Open(Database, Time, new RunStoreOptions { CommandTimeout = TimeSpan.FromSeconds(1), BusyTimeout = TimeSpan.FromMilliseconds(100) });
        await using var holder = new SqliteConnection($"Data Source={FileOf(Database)};Pooling=False");
        await holder.OpenAsync(Ct);
        await using (var command = holder.CreateCommand())
        {
            command.CommandText = "BEGIN EXCLUSIVE";
            await command.ExecuteNonQueryAsync(Ct);
        }

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.CreateRunAsync(Run("r"), "alice", Ct));
        Assert.Contains("locked", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact(Timeout = 60000)]
    public async Task RenewLeasesAsync_RunWithMegabyteDocuments_WritesSmallRowsNotTheDocuments()
    {
        // SQLite rewrites a row as one record: with the manifest and object in the row of runs,
        // each renewal and status change wrote them again (4 MiB each here) into the WAL.
        var big = new string('x', 4 << 20);
        Assert.True(await Store.CreateRunAsync(Run("big") with { Manifest = big }, "alice", Ct));
        Assert.Single(await Store.ClaimRunsAsync("a", 1, TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct));
        var running = new RunTransition { Uid = "uid-big", Owner = "a", Phase = RunPhase.Running, Status = "Unknown", Reason = "Running", Object = big };
        Assert.True(await Store.CommitTransitionAsync(running, Ct));
        await ExecuteSqlAsync(Database, "PRAGMA wal_checkpoint(TRUNCATE)", Ct);
        var wal = new FileInfo(FileOf(Database) + "-wal");
        Assert.Equal(0, wal.Length);

        for (var i = 0; i < 5; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(["uid-big"], await Store.RenewLeasesAsync("a", ["uid-big"], TimeSpan.FromMinutes(1), Time.GetUtcNow(), Ct));
            Assert.Empty(await Store.ListCancelRequestsAsync("a", Ct));
        }

        Assert.True(await Store.CommitTransitionAsync(running with { Object = null, Reason = "Stopping" }, Ct));
        Assert.True(await Store.RequestCancelAsync("uid-big", "Cancelled", "bob", Ct));
        Assert.True(await Store.CommitTransitionAsync(running with { Object = null, CancelHandled = true }, Ct));
        wal.Refresh();
        Assert.InRange(wal.Length, 1, 512 * 1024);
        var stored = (await Store.GetRunByUidAsync("uid-big", Ct))!;
        Assert.Equal((big.Length, big.Length, "Running"), (stored.Manifest.Length, stored.Object!.Length, stored.Reason));
    }

    [Fact(Timeout = 60000)]
    public void Open_DirectoryCannotBeCreated_ThrowsStoreUnavailable()
    {
        var file = Path.Combine(_dir.FullName, "a-file");
        File.WriteAllText(file, "");
        Assert.Throws<StoreUnavailableException>(() => RunStoreFactory.Open($"sqlite:{file}/runs.db", Time));
    }
}

/// <summary>The contract tests against a fresh database of the assembly's PostgreSQL server.</summary>
public sealed class PostgresRunStoreTests(PostgresFixture postgres) : RunStoreContractTests
{
    protected override async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var server = await postgres.ServerAsync(cancellationToken);
        return await server.CreateDatabaseAsync("store", cancellationToken);
    }

    protected override async Task<long> CountRowsAsync(string table, string uid, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT COUNT(*) FROM {table} WHERE uid = @uid", connection);
        command.Parameters.AddWithValue("uid", uid);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    protected override async Task ExecuteSqlAsync(string database, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [Fact(Timeout = 60000)]
    public async Task Open_PostgresUrl_ConnectsToTheSameDatabase()
    {
        var builder = new NpgsqlConnectionStringBuilder(Database);
        Assert.True(await Store.CreateRunAsync(Run("r"), "alice", Ct));
        await using var viaUrl = RunStoreFactory.Open($"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}?application_name=tests", Time);
        await viaUrl.PingAsync(Ct);
        Assert.NotNull(await viaUrl.GetRunAsync("PipelineRun", "r", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task MigrateAsync_NothingListening_ThrowsStoreUnavailable()
    {
        // A port nobody listens on: what a stopped server looks like to a client.
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var store = RunStoreFactory.Open($"postgres://postgres@127.0.0.1:{port}/none", Time);
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.MigrateAsync(Ct));
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 90000)]
    public async Task AnyMethod_ServerStoppedThenStarted_ThrowsUnavailableThenRecovers()
    {
        await postgres.ServerAsync(Ct); // skips here when PostgreSQL is not installed (fails on CI)

        // A server of its own: stopping the shared one would fail the tests running beside this one.
        await using var server = await PostgresServer.StartAsync(Ct);
        var database = await server.CreateDatabaseAsync("restart", Ct);
        await using var store = RunStoreFactory.Open(database, new FakeTimeProvider(Start));
        await store.MigrateAsync(Ct);
        Assert.True(await store.CreateRunAsync(Run("before"), "alice", Ct));

        await server.StopAsync(Ct);
        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetRunAsync("PipelineRun", "before", Ct));
        Assert.Contains("unavailable", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.PingAsync(Ct));

        await server.StartAgainAsync(Ct);
        await store.PingAsync(Ct);
        Assert.NotNull(await store.GetRunAsync("PipelineRun", "before", Ct));
    }
}
