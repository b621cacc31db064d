using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Mothership.Store.Sql;

namespace Mothership.Store.Tests;

/// <summary>
/// The batching rules of SQLite's group commit, on a real SQLite file. Each test first holds the
/// writer with a write that waits on a gate, queues the others behind it, then opens the gate:
/// so the queued writes are known to share the holder's transaction (the bound on a batch's time
/// is set far beyond the test's).
/// </summary>
public sealed class SqliteGroupCommitTests : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-group-commit-");
    private readonly SqliteDialect _dialect;
    private readonly SqliteGroupCommit _writes;
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, DbTransaction> _transactions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DbConnection> _connections = new(StringComparer.Ordinal);

    public SqliteGroupCommitTests()
    {
        _dialect = new SqliteDialect(Path.Combine(_dir.FullName, "group.db"), new RunStoreOptions());
        _writes = new SqliteGroupCommit(_dialect.OpenAsync, _dialect.IsUnavailable, 64, TimeSpan.FromMinutes(5));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await _writes.DisposeAsync();
        await _dialect.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    private async Task CreateTableAsync()
    {
        await using var connection = await _dialect.OpenAsync(Ct);
        await connection.ExecuteAsync("CREATE TABLE t (k TEXT PRIMARY KEY)");
    }

    /// <summary>Inserts <paramref name="key"/> in the write's transaction, noting which transaction that was.</summary>
    private async Task InsertAsync(DbConnection connection, DbTransaction transaction, string key, CancellationToken cancellationToken = default)
    {
        _transactions[key] = transaction;
        _connections[key] = connection;
        await connection.ExecuteAsync(new CommandDefinition("INSERT INTO t (k) VALUES (@key)", new { key }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>A write of <paramref name="key"/> that holds the writer until the gate opens; <paramref name="commit"/> is what it then says.</summary>
    private async Task<Task<string>> HoldWriterAsync(string key, bool commit = true)
    {
        var holder = _writes.WriteAsync(async (c, tx) =>
        {
            await InsertAsync(c, tx, key);
            _holding.TrySetResult();
            await _gate.Task;
            return (key, commit);
        }, Ct);
        await _holding.Task.WaitAsync(Ct);
        return holder;
    }

    private Task<string> Write(string key, bool commit = true) =>
        _writes.WriteAsync(async (c, tx) =>
        {
            await InsertAsync(c, tx, key);
            return ("result of " + key, commit);
        }, Ct);

    private async Task<List<string>> KeysAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_dir.FullName, "group.db")};Pooling=False");
        return (await connection.QueryAsync<string>("SELECT k FROM t ORDER BY k")).ToList();
    }

    [Fact(Timeout = 60000)]
    public async Task WriteAsync_WritesQueuedBehindTheWriter_ShareOneTransactionAndGetTheirOwnResults()
    {
        await CreateTableAsync();
        var holder = await HoldWriterAsync("a0");
        var queued = Enumerable.Range(1, 20).Select(i => (Key: $"a{i:D2}", Task: Write($"a{i:D2}"))).ToList();
        _gate.SetResult();

        Assert.Equal("a0", await holder);
        foreach (var (key, task) in queued)
        {
            Assert.Equal("result of " + key, await task);
        }

        Assert.Single(_transactions.Values.Distinct());
        Assert.Equal(21, (await KeysAsync()).Count);
    }

    [Fact(Timeout = 60000)]
    public async Task WriteAsync_OneRolledBackFailingOrCancelledAmongSeveral_OnlyItIsUndoneAndEachGetsItsOwnOutcome()
    {
        await CreateTableAsync();
        var holder = await HoldWriterAsync("h");
        var committed = Write("a");
        var rolledBack = Write("b", commit: false);
        var failing = _writes.WriteAsync<string>(async (c, tx) =>
        {
            await InsertAsync(c, tx, "c");
            throw new InvalidOperationException("a bug in write c");
        }, Ct);
        using var waitingCancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var cancelledWhileWaiting = _writes.WriteAsync(async (c, tx) =>
        {
            await InsertAsync(c, tx, "d");
            return ("d", true);
        }, waitingCancel.Token);
        using var runningCancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var cancelledWhileRunning = _writes.WriteAsync(async (c, tx) =>
        {
            await InsertAsync(c, tx, "e");
            await runningCancel.CancelAsync();
            await InsertAsync(c, tx, "e2", runningCancel.Token);
            return ("e", true);
        }, runningCancel.Token);
        var conflicting = Write("a"); // the primary key "a" that the first queued write inserted
        var last = Write("f");

        await waitingCancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledWhileWaiting);
        _gate.SetResult();

        Assert.Equal("h", await holder);
        Assert.Equal("result of a", await committed);
        Assert.Equal("result of b", await rolledBack);
        Assert.Equal("a bug in write c", (await Assert.ThrowsAsync<InvalidOperationException>(() => failing)).Message);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelledWhileRunning);
        Assert.True(cancelledWhileRunning.IsCanceled);
        Assert.Equal(19, (await Assert.ThrowsAsync<SqliteException>(() => conflicting)).SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal("result of f", await last);

        Assert.Equal(["a", "f", "h"], await KeysAsync());
        Assert.False(_transactions.ContainsKey("d"));
        Assert.Single(_transactions.Values.Distinct());
    }

    [Fact(Timeout = 60000)]
    public async Task WriteAsync_FirstWriteOfATransactionRollsBack_TheQueuedOnesCommitWithoutIt()
    {
        await CreateTableAsync();
        var holder = await HoldWriterAsync("h", commit: false);
        var queued = Write("a");
        var other = Write("b");
        _gate.SetResult();

        Assert.Equal("h", await holder);
        Assert.Equal("result of a", await queued);
        Assert.Equal("result of b", await other);
        Assert.Equal(["a", "b"], await KeysAsync());
        Assert.NotSame(_transactions["h"], _transactions["a"]);
        Assert.Same(_transactions["a"], _transactions["b"]);
    }

    [Fact(Timeout = 60000)]
    public async Task WriteAsync_AWriteFailsTheWayOfAnUnavailableDatabase_EveryWriteOfTheBatchFailsAndNothingOfItIsCommitted()
    {
        await CreateTableAsync();
        var holder = await HoldWriterAsync("h");
        var before = Write("a");
        var unavailable = _writes.WriteAsync<string>(async (c, tx) =>
        {
            await InsertAsync(c, tx, "b");
            throw new SqliteException("disk I/O error", 10); // SQLITE_IOERR
        }, Ct);
        var after = Write("c");
        _gate.SetResult();

        foreach (var task in new[] { holder, before, unavailable })
        {
            Assert.Equal(10, (await Assert.ThrowsAsync<SqliteException>(() => task)).SqliteErrorCode);
        }

        // The write not yet taken into the failed batch goes on in the next transaction, on a
        // connection opened again: the failed one may be what failed.
        Assert.Equal("result of c", await after);
        Assert.Equal(["c"], await KeysAsync());
        Assert.NotSame(_connections["a"], _connections["c"]);
    }

    [Fact(Timeout = 60000)]
    public async Task WriteAsync_OneAfterAnother_RunOnTheWritersConnectionKeptOpen()
    {
        await CreateTableAsync();
        Assert.Equal("result of a", await Write("a"));
        Assert.Equal("result of b", await Write("b"));

        Assert.NotSame(_transactions["a"], _transactions["b"]);
        Assert.Same(_connections["a"], _connections["b"]);
        Assert.Equal(System.Data.ConnectionState.Open, _connections["a"].State);

        // Disposed with no write running: closed at once.
        await _writes.DisposeAsync();
        Assert.Equal(System.Data.ConnectionState.Closed, _connections["a"].State);
    }

    [Fact(Timeout = 60000)]
    public async Task WriteAsync_MoreWaitingThanTheBound_SplitIntoTransactionsOfAtMostTheBound()
    {
        await CreateTableAsync();
        var writes = new SqliteGroupCommit(_dialect.OpenAsync, _dialect.IsUnavailable, 4, TimeSpan.FromMinutes(5));
        var holder = writes.WriteAsync(async (c, tx) =>
        {
            await InsertAsync(c, tx, "h");
            _holding.TrySetResult();
            await _gate.Task;
            return (0, true);
        }, Ct);
        await _holding.Task.WaitAsync(Ct);
        var queued = Enumerable.Range(0, 10).Select(i => writes.WriteAsync(async (c, tx) =>
        {
            await InsertAsync(c, tx, $"k{i}");
            return (i, true);
        }, Ct)).ToList();
        _gate.SetResult();

        await holder;
        Assert.Equal(Enumerable.Range(0, 10), await Task.WhenAll(queued));
        // h + k0..k2, k3..k6, k7..k9: queue order kept.
        var groups = _transactions.GroupBy(t => t.Value).Select(g => g.Select(t => t.Key).Order(StringComparer.Ordinal).ToList()).OrderBy(g => g[0] == "h" ? "" : g[0], StringComparer.Ordinal).ToList();
        Assert.Equal([["h", "k0", "k1", "k2"], ["k3", "k4", "k5", "k6"], ["k7", "k8", "k9"]], groups);
    }
}
