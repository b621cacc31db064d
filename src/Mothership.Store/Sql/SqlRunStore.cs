using System.Collections.Immutable;
using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Mothership.Store.Sql;

/// <summary>
/// <see cref="IRunStore"/> over plain SQL shared by SQLite and PostgreSQL; the differences sit in
/// <see cref="SqlDialect"/>. A connection per call (both providers pool them), one transaction
/// per method that writes (on SQLite, writes queued at once share one, each in a savepoint, on the
/// writer's connection kept open with its compiled statements: <see cref="SqliteWriterConnection"/>).
/// </summary>
internal sealed partial class SqlRunStore(SqlDialect dialect, TimeProvider time) : IRunStore
{
    private const string SummaryColumns = """
        uid AS Uid, kind AS Kind, name AS Name, pipeline AS Pipeline, labels AS Labels, phase AS Phase,
        status AS Status, reason AS Reason, created_at AS CreatedAt, started_at AS StartedAt, completed_at AS CompletedAt,
        object_version AS ObjectVersion
        """;

    /// <summary>
    /// Every column of a run, for a <c>SELECT … FROM runs</c>: the manifest and the object come
    /// from tables of their own (migration 13), so that writes of the small columns leave them alone.
    /// </summary>
    private const string RunColumns = SummaryColumns + ", " + """
        (SELECT m.manifest FROM run_manifests m WHERE m.uid = runs.uid) AS Manifest,
        (SELECT o.object FROM run_objects o WHERE o.uid = runs.uid) AS Object,
        cancel_request AS CancelRequest, created_by AS CreatedBy, owner AS Owner, lease_expires_at AS LeaseExpiresAt
        """;

    private const string InsertAudit = "INSERT INTO audit (time, actor, action, kind, name, uid, detail) VALUES (@Time, @Actor, @Action, @Kind, @Name, @Uid, @Detail)";

    public string Provider => dialect.Provider;

    public Task MigrateAsync(CancellationToken cancellationToken) => MigrateAsync(int.MaxValue, cancellationToken);

    /// <summary>Migrates up to schema version <paramref name="target"/>: tests stop at an older one to check a migration from it.</summary>
    internal async Task MigrateAsync(int target, CancellationToken cancellationToken)
    {
        await ReadAsync(c => SchemaMigrations.MigrateAsync(c, dialect, time, cancellationToken, target), cancellationToken).ConfigureAwait(false);
        // A server starts here: give the planner fresh statistics for whatever was imported or changed meanwhile.
        await RefreshStatisticsAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task RefreshStatisticsAsync(CancellationToken cancellationToken) =>
        ReadAsync(c => c.ExecuteAsync(Cmd(dialect.RefreshStatistics, null, null, cancellationToken)), cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) =>
        ReadAsync(c => c.ExecuteScalarAsync<long>(Cmd("SELECT 1", null, null, cancellationToken)), cancellationToken);

    public ValueTask DisposeAsync() => dialect.DisposeAsync();

    // ---- Plumbing ----------------------------------------------------------------------------------

    private static CommandDefinition Cmd(string sql, object? parameters, DbTransaction? transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);

    /// <summary>Runs <paramref name="work"/> on a connection of its own, without a transaction (single reads).</summary>
    private async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await work(connection).ConfigureAwait(false);
        }
        catch (Exception e) when (dialect.IsUnavailable(e))
        {
            throw Unavailable(e);
        }
    }

    /// <summary>Runs one statement that writes (<see cref="SqlDialect.WriteStatementAsync"/>): without a transaction of its own where concurrent writers need none.</summary>
    private async Task<T> WriteStatementAsync<T>(Func<DbConnection, DbTransaction?, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await dialect.WriteStatementAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (dialect.IsUnavailable(e))
        {
            throw Unavailable(e);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction (<see cref="SqlDialect.WriteAsync"/>),
    /// committed when it says so and rolled back otherwise. On SQLite the transaction may hold other
    /// writes queued at the same time, each in a savepoint of its own: nothing of this one is
    /// committed unless it says so, and its result is returned once it is committed.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<(T Result, bool Commit)>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await dialect.WriteAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (dialect.IsUnavailable(e))
        {
            throw Unavailable(e);
        }
    }

    private StoreUnavailableException Unavailable(Exception e)
    {
        dialect.OnUnavailable();
        return new($"the run store ({dialect.Description}) is unavailable: {e.Message}", e);
    }

    private object Audit(string actor, string action, string kind, string name, string? uid, string detail) =>
        new { Time = UnixMicros.From(time.GetUtcNow()), Actor = actor, Action = action, Kind = kind, Name = name, Uid = uid, Detail = detail };

    private static string SerializeLabels(ImmutableSortedDictionary<string, string> labels) =>
        labels.IsEmpty ? "{}" : JsonSerializer.Serialize(labels);

    private static ImmutableSortedDictionary<string, string> DeserializeLabels(string json) =>
        json is "{}" or "" ? ImmutableSortedDictionary<string, string>.Empty
            : (JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []).ToImmutableSortedDictionary(StringComparer.Ordinal);

    private static RunPhase ParsePhase(string phase) => Enum.Parse<RunPhase>(phase);

    /// <summary>A row of <c>runs</c> as Dapper reads it (times as stored).</summary>
    private sealed class RunRow
    {
        public string Uid { get; set; } = "";
        public string Kind { get; set; } = "";
        public string Name { get; set; } = "";
        public string Pipeline { get; set; } = "";
        public string Labels { get; set; } = "{}";
        public string Phase { get; set; } = "";
        public string Status { get; set; } = "";
        public string Reason { get; set; } = "";
        public long CreatedAt { get; set; }
        public long? StartedAt { get; set; }
        public long? CompletedAt { get; set; }
        public long ObjectVersion { get; set; }
        public string Manifest { get; set; } = "";
        public string? Object { get; set; }
        public string? CancelRequest { get; set; }
        public string CreatedBy { get; set; } = "";
        public string? Owner { get; set; }
        public long? LeaseExpiresAt { get; set; }
        public long Rank { get; set; }

        public RunRecord ToRecord() => new(ToSummary(), Manifest)
        {
            Object = Object,
            CancelRequest = CancelRequest,
            CreatedBy = CreatedBy,
            Owner = Owner,
            LeaseExpiresAt = UnixMicros.To(LeaseExpiresAt),
        };

        public RunSummary ToSummary() => new()
        {
            Uid = Uid,
            Kind = Kind,
            Name = Name,
            Pipeline = Pipeline,
            Labels = DeserializeLabels(Labels),
            Phase = ParsePhase(Phase),
            Status = Status,
            Reason = Reason,
            CreatedAt = UnixMicros.To(CreatedAt),
            StartedAt = UnixMicros.To(StartedAt),
            CompletedAt = UnixMicros.To(CompletedAt),
            ObjectVersion = ObjectVersion,
        };
    }
}
