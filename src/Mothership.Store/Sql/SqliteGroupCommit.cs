using System.Data.Common;
using System.Diagnostics;

namespace Mothership.Store.Sql;

/// <summary>
/// Group commit for SQLite's one writer: the writes of a process queue here, first come first
/// served, and one writer loop runs them (a write that finds it idle runs on its caller's
/// thread). While writes are waiting, it runs several in ONE transaction (up to <c>maxWrites</c>,
/// or until <c>maxTime</c> has passed since the transaction began), each after the first inside
/// its own <c>SAVEPOINT</c>: a write that returns
/// Commit=false or throws is rolled back to its savepoint alone and gets its own result or
/// exception; the others commit together, and nobody learns an outcome before that commit (an
/// outcome may rest on an earlier write of the batch). A failure of the batch itself — its
/// <c>BEGIN</c>, a savepoint, its <c>COMMIT</c>, or a write failing the way
/// <see cref="SqlDialect.IsUnavailable"/> accepts — fails every write of the batch with that
/// exception. A caller's token cancels its write while it waits and is passed to its statements;
/// once its savepoint is released the write commits with the batch.
/// A lone write runs as before: its own transaction, no savepoint.
/// </summary>
/// <remarks>
/// Why: each write transaction pays <c>BEGIN IMMEDIATE</c>, a commit that appends every page it
/// dirtied to the WAL, and a turn on the writer; a burst of run creations (32 clients posting at
/// once) queued behind each other and behind the runs' journal commits. Grouped, the pages several
/// writes touch (the same index leaves, the audit table's last page) are written once per batch.
/// </remarks>
internal sealed class SqliteGroupCommit(
    Func<CancellationToken, Task<DbConnection>> open,
    Func<Exception, bool> isUnavailable,
    int maxWrites,
    TimeSpan maxTime) : IAsyncDisposable
{
    private const string Savepoint = "grouped_write";

    private readonly int _maxWrites = maxWrites;
    private readonly TimeSpan _maxTime = maxTime;
    private readonly Lock _lock = new();
    private readonly Queue<PendingWrite> _queue = new();
    private bool _writing;
    private bool _disposed;

    // The writer's connection, kept from one transaction to the next (its compiled statements with
    // it: SqliteWriterConnection); a failed batch closes it and the next one opens another. Only
    // the batch that runs uses it.
    private DbConnection? _connection;

    /// <summary>Runs <paramref name="work"/> in the next write transaction; committed when it says so (with the rest of its batch), rolled back otherwise.</summary>
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<(T Result, bool Commit)>> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var write = new PendingWrite<T>(work, cancellationToken);
        bool start;
        lock (_lock)
        {
            _queue.Enqueue(write);
            start = !_writing;
            _writing = true;
        }

        return start ? LeadAsync(write) : write.Task;
    }

    /// <summary>
    /// A write that found the writer idle runs its transaction on its caller's thread, as a write
    /// did before writes were grouped (no hop to the thread pool and back on the path of a lone
    /// write, such as a run's journal commits one after another), then leaves whatever queued
    /// meanwhile to the writer loop.
    /// </summary>
    private async Task<T> LeadAsync<T>(PendingWrite<T> write)
    {
        if (Next(0, 0) is { } first)
        {
            await RunBatchAsync(first).ConfigureAwait(false);
            bool more;
            lock (_lock)
            {
                more = _queue.Count > 0;
                _writing = more;
            }

            if (more)
            {
                _ = Task.Run(DrainAsync, CancellationToken.None);
            }
        }

        return await write.Task.ConfigureAwait(false);
    }

    /// <summary>The writer loop: one transaction after another until the queue is empty. Never throws (every failure goes to the writes it concerns).</summary>
    private async Task DrainAsync()
    {
        while (Next(0, 0) is { } first)
        {
            await RunBatchAsync(first).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The next write still waiting (its caller did not cancel it) for a transaction that has
    /// <paramref name="taken"/> writes since <paramref name="began"/>; null when there is none or the
    /// transaction is full. With none taken, null also ends the loop: the next write starts a new one.
    /// </summary>
    private PendingWrite? Next(int taken, long began)
    {
        DbConnection? closing = null;
        lock (_lock)
        {
            if (taken > 0 && (taken >= _maxWrites || Stopwatch.GetElapsedTime(began) >= _maxTime))
            {
                return null;
            }

            while (_queue.TryDequeue(out var write))
            {
                if (write.Take())
                {
                    return write;
                }
            }

            if (taken == 0)
            {
                _writing = false;
                if (_disposed)
                {
                    (closing, _connection) = (_connection, null);
                }
            }
        }

        closing?.Dispose();
        return null;
    }

    /// <summary>
    /// One transaction: <paramref name="first"/>, then whatever waits, within the bounds. The first
    /// write needs no savepoint: when it does not commit, the transaction is rolled back whole and
    /// the loop's next write begins a new one.
    /// </summary>
    private async Task RunBatchAsync(PendingWrite first)
    {
        // Taken, not yet told their outcome: told after the commit, or failed with the batch.
        var taken = new List<PendingWrite> { first };
        try
        {
            if (first.Token.IsCancellationRequested)
            {
                first.Cancel();
                return;
            }

            var connection = _connection ??= await open(CancellationToken.None).ConfigureAwait(false);
            var began = Stopwatch.GetTimestamp();
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            if (!await RunOneAsync(first, connection, transaction).ConfigureAwait(false))
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                first.Complete(null);
                return;
            }

            while (Next(taken.Count, began) is { } write)
            {
                if (write.Token.IsCancellationRequested)
                {
                    write.Cancel();
                    continue;
                }

                taken.Add(write);
                await transaction.SaveAsync(Savepoint, CancellationToken.None).ConfigureAwait(false);
                if (!await RunOneAsync(write, connection, transaction).ConfigureAwait(false))
                {
                    await transaction.RollbackAsync(Savepoint, CancellationToken.None).ConfigureAwait(false);
                }

                await transaction.ReleaseAsync(Savepoint, CancellationToken.None).ConfigureAwait(false);
            }

            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var write in taken)
            {
                write.Complete(null);
            }
        }
        catch (Exception e)
        {
            // The batch failed (the database, or the way to it): nothing of it was committed, and
            // the connection may be what failed.
            _connection?.Dispose();
            _connection = null;
            foreach (var write in taken)
            {
                write.Complete(e);
            }
        }
    }

    /// <summary>Closes the writer's connection when no batch runs; else the writer loop closes it when the queue is empty.</summary>
    public ValueTask DisposeAsync()
    {
        DbConnection? idle = null;
        lock (_lock)
        {
            _disposed = true;
            if (!_writing)
            {
                (idle, _connection) = (_connection, null);
            }
        }

        idle?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs one write; false when its changes are to be rolled back (it said so, or it failed: the failure is kept for its caller).</summary>
    private async Task<bool> RunOneAsync(PendingWrite write, DbConnection connection, DbTransaction transaction)
    {
        try
        {
            return await write.RunAsync(connection, transaction).ConfigureAwait(false);
        }
        catch (Exception e) when (!isUnavailable(e))
        {
            write.Fail(e);
            return false;
        }
    }

    /// <summary>A write waiting for, or in, a transaction.</summary>
    private abstract class PendingWrite
    {
        private const int Waiting = 0;
        private const int Taken = 1;
        private const int Cancelled = 2;

        private int _state;

        protected PendingWrite(CancellationToken token) => Token = token;

        public CancellationToken Token { get; }

        /// <summary>The writer loop takes it; false when its caller cancelled it first.</summary>
        public bool Take() => Interlocked.CompareExchange(ref _state, Taken, Waiting) == Waiting;

        /// <summary>Its caller cancels it; false when the writer loop took it first.</summary>
        protected bool TryCancelWaiting() => Interlocked.CompareExchange(ref _state, Cancelled, Waiting) == Waiting;

        /// <summary>Runs the work in the transaction; true when it wants its changes committed (its result is kept for <see cref="Complete"/>).</summary>
        public abstract Task<bool> RunAsync(DbConnection connection, DbTransaction transaction);

        /// <summary>Records the work's own failure (reported by <see cref="Complete"/> unless the batch fails).</summary>
        public abstract void Fail(Exception? failure);

        /// <summary>Tells the caller: <paramref name="batchFailure"/> if given, else its own failure or result.</summary>
        public abstract void Complete(Exception? batchFailure);

        /// <summary>Tells the caller its write was cancelled before it ran.</summary>
        public abstract void Cancel();
    }

    private sealed class PendingWrite<T> : PendingWrite
    {
        private readonly Func<DbConnection, DbTransaction, Task<(T Result, bool Commit)>> _work;
        private readonly TaskCompletionSource<T> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _registration;
        private T? _result;
        private Exception? _failure;

        public PendingWrite(Func<DbConnection, DbTransaction, Task<(T Result, bool Commit)>> work, CancellationToken token)
            : base(token)
        {
            _work = work;
            _registration = token.Register(static state =>
            {
                var write = (PendingWrite<T>)state!;
                if (write.TryCancelWaiting())
                {
                    write._outcome.TrySetCanceled(write.Token);
                }
            }, this);
        }

        public Task<T> Task => _outcome.Task;

        public override async Task<bool> RunAsync(DbConnection connection, DbTransaction transaction)
        {
            var (result, commit) = await _work(connection, transaction).ConfigureAwait(false);
            _result = result;
            return commit;
        }

        public override void Fail(Exception? failure) => _failure = failure;

        public override void Complete(Exception? batchFailure)
        {
            _registration.Dispose();
            switch (batchFailure ?? _failure)
            {
                case null:
                    _outcome.TrySetResult(_result!);
                    break;
                case OperationCanceledException when Token.IsCancellationRequested:
                    _outcome.TrySetCanceled(Token);
                    break;
                case var e:
                    _outcome.TrySetException(e);
                    break;
            }
        }

        public override void Cancel()
        {
            _registration.Dispose();
            _outcome.TrySetCanceled(Token);
        }
    }
}
