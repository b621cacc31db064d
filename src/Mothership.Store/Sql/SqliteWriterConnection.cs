using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Mothership.Store.Sql;

/// <summary>
/// The SQLite writer's connection (<see cref="SqliteGroupCommit"/>), kept open from one write
/// transaction to the next, whose commands keep their compiled statements: a command of a text it
/// ran before binds its parameters to the statements SQLite compiled then instead of compiling
/// the text again. Microsoft.Data.Sqlite keeps compiled statements only for the life of one
/// command object, and Dapper makes a command per call (dotnet/efcore#14044, open); compiling was
/// about a tenth of the server's own CPU per one-task run (perf, bench/RESULTS.md). Statements
/// are reset after each use (SQLite's own rule), so a kept one holds no lock and no snapshot; a
/// schema change makes SQLite compile it again by itself.
/// </summary>
/// <remarks>
/// One caller at a time, as the group commit's writer loop is. A text whose command is still in
/// use (a reader open) gets a command of its own for that use; at most <see cref="MaxKept"/> texts
/// are kept (a list parameter that Dapper expands makes a text per length).
/// </remarks>
internal sealed class SqliteWriterConnection(SqliteConnection inner) : DbConnection
{
    /// <summary>At most this many statement texts keep their compiled statements.</summary>
    internal const int MaxKept = 128;

    private readonly SqliteConnection _inner = inner;
    private readonly Dictionary<string, SqliteCommand> _kept = new(StringComparer.Ordinal);
    private readonly HashSet<SqliteCommand> _inUse = [];

    /// <summary>How many texts keep their compiled statements (tests).</summary>
    internal int KeptCount => _kept.Count;

    [AllowNull]
    public override string ConnectionString
    {
        get => _inner.ConnectionString;
        set => throw new NotSupportedException("the writer's connection is opened once");
    }

    public override string Database => _inner.Database;

    public override string DataSource => _inner.DataSource;

    public override string ServerVersion => _inner.ServerVersion;

    public override ConnectionState State => _inner.State;

    public override void ChangeDatabase(string databaseName) => _inner.ChangeDatabase(databaseName);

    public override void Open() => _inner.Open();

    public override void Close() => throw new NotSupportedException("the writer's connection stays open until disposed");

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => _inner.BeginTransaction(isolationLevel);

    protected override DbCommand CreateDbCommand() => new KeptCommand(this);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var command in _kept.Values)
            {
                command.Dispose();
            }

            _kept.Clear();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The command to run <paramref name="text"/> with: the kept one when it is free, else one for this use alone.</summary>
    private SqliteCommand Take(string text, out bool kept)
    {
        if (_kept.TryGetValue(text, out var command) && _inUse.Add(command))
        {
            kept = true;
            return command;
        }

        command = _inner.CreateCommand();
        command.CommandText = text;
        kept = _kept.Count < MaxKept && _kept.TryAdd(text, command) && _inUse.Add(command);
        return command;
    }

    private void Return(SqliteCommand command, bool kept)
    {
        if (kept)
        {
            command.Parameters.Clear();
            command.Transaction = null;
            _inUse.Remove(command);
        }
        else
        {
            command.Dispose();
        }
    }

    /// <summary>
    /// What Dapper sees as a command: it collects the text and the parameters, and runs them on
    /// the connection's kept command for that text, which it gives back when disposed (after the
    /// reader it returned, as Dapper disposes them).
    /// </summary>
    private sealed class KeptCommand(SqliteWriterConnection connection) : DbCommand
    {
        // Parameters are collected on a command without a connection, which never runs: they are
        // Microsoft.Data.Sqlite's own, bound as they were before.
        private readonly SqliteCommand _parameters = new();
        private SqliteCommand? _running;
        private bool _kept;

        [AllowNull]
        public override string CommandText { get; set; } = "";

        public override int CommandTimeout { get; set; } = connection._inner.DefaultTimeout;

        public override CommandType CommandType
        {
            get => CommandType.Text;
            set
            {
                if (value != CommandType.Text)
                {
                    throw new NotSupportedException("SQLite runs text commands only");
                }
            }
        }

        public override bool DesignTimeVisible { get; set; }

        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection? DbConnection
        {
            get => connection;
            set => throw new NotSupportedException("a writer's command stays on its connection");
        }

        protected override DbParameterCollection DbParameterCollection => _parameters.Parameters;

        protected override DbTransaction? DbTransaction { get; set; }

        public override void Cancel()
        {
            // As Microsoft.Data.Sqlite: a running statement is interrupted through its token, not here.
        }

        public override void Prepare()
        {
            // Statements are compiled when first run and kept.
        }

        protected override DbParameter CreateDbParameter() => _parameters.CreateParameter();

        public override int ExecuteNonQuery()
        {
            try
            {
                return Start().ExecuteNonQuery();
            }
            finally
            {
                Finish();
            }
        }

        public override object? ExecuteScalar()
        {
            try
            {
                return Start().ExecuteScalar();
            }
            finally
            {
                Finish();
            }
        }

        public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await Start().ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Finish();
            }
        }

        public override async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken)
        {
            try
            {
                return await Start().ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Finish();
            }
        }

        protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken)
        {
            try
            {
                return await Start().ExecuteReaderAsync(behavior, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Finish();
                throw;
            }
        }

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
        {
            try
            {
                // Given back when this command is disposed: the reader needs it until then.
                return Start().ExecuteReader(behavior);
            }
            catch
            {
                Finish();
                throw;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Finish();
                _parameters.Dispose();
            }

            base.Dispose(disposing);
        }

        private SqliteCommand Start()
        {
            Finish();
            var command = connection.Take(CommandText, out _kept);
            command.CommandTimeout = CommandTimeout;
            command.Transaction = (SqliteTransaction?)DbTransaction;
            command.Parameters.Clear();
            foreach (SqliteParameter parameter in _parameters.Parameters)
            {
                command.Parameters.Add(parameter);
            }

            _running = command;
            return command;
        }

        private void Finish()
        {
            if (_running is { } command)
            {
                _running = null;
                connection.Return(command, _kept);
            }
        }
    }
}
