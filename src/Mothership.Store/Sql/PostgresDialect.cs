using System.Data.Common;
using System.Net.Sockets;
using Dapper;
using Npgsql;

namespace Mothership.Store.Sql;

/// <summary>PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>.</summary>
internal sealed class PostgresDialect : SqlDialect
{
    /// <summary>The advisory lock key migrations hold ("mship" as a number); any constant works if nobody else uses it.</summary>
    private const long MigrationLockKey = 0x6D73686970;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _description;

    public PostgresDialect(NpgsqlConnectionStringBuilder builder, RunStoreOptions options)
    {
        builder.Timeout = Math.Max(1, (int)Math.Ceiling(options.ConnectTimeout.TotalSeconds));
        builder.CommandTimeout = Math.Max(1, (int)Math.Ceiling(options.CommandTimeout.TotalSeconds));
        _description = $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override string Provider => "postgres";

    public override string Description => _description;

    public override string AutoIdColumn => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    public override string OrderedTextColumn => "TEXT COLLATE \"C\"";

    public override string ForUpdateSkipLocked => " FOR UPDATE SKIP LOCKED";

    public override string ForUpdate => " FOR UPDATE";

    public override string IndexedBy(string index) => "";

    public override string JoinEach(string alias, string tail) => $"CROSS JOIN LATERAL (SELECT r.uid, r.created_at {tail}) {alias}";

    public override string RefreshStatistics => "ANALYZE runs, run_labels, logs";

    // Dapper passes a list to Npgsql as one array parameter instead of expanding it.
    public override string InList(string column, string parameter) => $"{column} = ANY({parameter})";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLockKey }, transaction, cancellationToken: cancellationToken));

    public override bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException e => e.IsTransient
            || e.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
            || e.SqlState.StartsWith("53", StringComparison.Ordinal) // insufficient resources
            || e.SqlState.StartsWith("57P", StringComparison.Ordinal) // shutdown, cannot connect now
            || e.SqlState == "3D000", // database does not exist
        NpgsqlException => true, // socket, I/O, timeout, pool exhausted: no statement was at fault
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    // After a restart of the server every idle pooled connection is dead; without this each would fail one more call.
    public override void OnUnavailable() => _dataSource.Clear();

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
