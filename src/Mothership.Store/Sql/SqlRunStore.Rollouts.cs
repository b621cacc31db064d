using System.Data.Common;
using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    private const string RolloutColumns = """
        name AS Name, environment AS Environment, revision AS Revision, actor AS Actor, status AS Status, reason AS Reason,
        active AS Active, document AS Document, version AS Version, created_at AS CreatedAt, updated_at AS UpdatedAt,
        wake_at AS WakeAt, lease_owner AS LeaseOwner, lease_expires_at AS LeaseExpiresAt
        """;

    public Task<RolloutCreateOutcome> CreateRolloutAsync(RolloutRecord rollout, IReadOnlyList<RolloutEventRecord> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(events);
        return WriteAsync(async (c, tx) =>
        {
            if (await c.ExecuteScalarAsync<long>(Cmd("SELECT COUNT(*) FROM rollouts WHERE name = @Name", new { rollout.Name }, tx, cancellationToken)).ConfigureAwait(false) > 0)
            {
                return (RolloutCreateOutcome.NameTaken, false);
            }

            // The partial unique index refuses a second active rollout of the environment, also
            // when two replicas insert at once (PostgreSQL makes the second wait for the first).
            var inserted = await c.ExecuteAsync(Cmd("""
                INSERT INTO rollouts (name, environment, revision, actor, status, reason, active, document, version, created_at, updated_at,
                    wake_at, lease_owner, lease_expires_at)
                VALUES (@Name, @Environment, @Revision, @Actor, @Status, @Reason, @active, @Document, @Version, @created, @updated, @wake, NULL, NULL)
                ON CONFLICT DO NOTHING
                """,
                new
                {
                    rollout.Name, rollout.Environment, rollout.Revision, rollout.Actor, rollout.Status, rollout.Reason, active = rollout.Active ? 1L : 0L,
                    rollout.Document, rollout.Version, created = UnixMicros.From(rollout.CreatedAt), updated = UnixMicros.From(rollout.UpdatedAt),
                    wake = UnixMicros.From(rollout.WakeAt),
                }, tx, cancellationToken)).ConfigureAwait(false);
            if (inserted == 0)
            {
                var taken = await c.ExecuteScalarAsync<long>(Cmd("SELECT COUNT(*) FROM rollouts WHERE name = @Name", new { rollout.Name }, tx, cancellationToken)).ConfigureAwait(false) > 0;
                return (taken ? RolloutCreateOutcome.NameTaken : RolloutCreateOutcome.EnvironmentBusy, false);
            }

            await InsertRolloutEventsAsync(c, tx, rollout.Name, events, cancellationToken).ConfigureAwait(false);
            return (RolloutCreateOutcome.Created, true);
        }, cancellationToken);
    }

    public Task<RolloutRecord?> GetRolloutAsync(string name, CancellationToken cancellationToken) =>
        ReadAsync(async c => (await c.QuerySingleOrDefaultAsync<RolloutRow>(Cmd(
            $"SELECT {RolloutColumns} FROM rollouts WHERE name = @name", new { name }, null, cancellationToken)).ConfigureAwait(false))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<RolloutRecord>> ListRolloutsAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync<IReadOnlyList<RolloutRecord>>(async c => (await c.QueryAsync<RolloutRow>(Cmd(
            $"SELECT {RolloutColumns} FROM rollouts ORDER BY created_at DESC, name DESC LIMIT @limit", new { limit }, null, cancellationToken)).ConfigureAwait(false))
            .Select(r => r.ToRecord()).ToList(), cancellationToken);
    }

    public Task<bool> UpdateRolloutAsync(RolloutRecord rollout, long expectedVersion, IReadOnlyList<RolloutEventRecord> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(events);
        return WriteAsync(async (c, tx) =>
        {
            var updated = await c.ExecuteAsync(Cmd("""
                UPDATE rollouts SET status = @Status, reason = @Reason, active = @active, document = @Document, version = @next,
                    updated_at = @updated, wake_at = @wake
                WHERE name = @Name AND version = @expectedVersion
                """,
                new
                {
                    rollout.Name, rollout.Status, rollout.Reason, active = rollout.Active ? 1L : 0L, rollout.Document, next = expectedVersion + 1,
                    updated = UnixMicros.From(rollout.UpdatedAt), wake = UnixMicros.From(rollout.WakeAt), expectedVersion,
                }, tx, cancellationToken)).ConfigureAwait(false);
            if (updated == 0)
            {
                return (false, false);
            }

            await InsertRolloutEventsAsync(c, tx, rollout.Name, events, cancellationToken).ConfigureAwait(false);
            return (true, true);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RolloutRecord>> ClaimRolloutsAsync(string owner, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return WriteAsync<IReadOnlyList<RolloutRecord>>(async (c, tx) =>
        {
            var names = (await c.QueryAsync<string>(Cmd($"""
                SELECT name FROM rollouts
                WHERE active = 1 AND (lease_owner IS NULL OR lease_owner = @owner OR lease_expires_at < @now)
                ORDER BY created_at, name{dialect.ForUpdateSkipLocked}
                """, new { owner, now = UnixMicros.From(now) }, tx, cancellationToken)).ConfigureAwait(false)).ToList();
            if (names.Count == 0)
            {
                return ([], false);
            }

            var list = dialect.ListValue(names);
            await c.ExecuteAsync(Cmd(
                $"UPDATE rollouts SET lease_owner = @owner, lease_expires_at = @until WHERE {dialect.InList("name", "@list")}",
                new { owner, until = UnixMicros.From(now + lease), list }, tx, cancellationToken)).ConfigureAwait(false);
            var rows = await c.QueryAsync<RolloutRow>(Cmd(
                $"SELECT {RolloutColumns} FROM rollouts WHERE {dialect.InList("name", "@list")} ORDER BY created_at, name",
                new { list }, tx, cancellationToken)).ConfigureAwait(false);
            return (rows.Select(r => r.ToRecord()).ToList(), true);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RolloutEventRecord>> ListRolloutEventsAsync(string name, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<RolloutEventRecord>>(async c => (await c.QueryAsync<RolloutEventRow>(Cmd("""
            SELECT seq AS Seq, rollout AS Rollout, at AS At, site AS Site, from_state AS FromState, to_state AS ToState, reason AS Reason,
                message AS Message, actor AS Actor
            FROM rollout_events WHERE rollout = @name ORDER BY seq
            """, new { name }, null, cancellationToken)).ConfigureAwait(false)).Select(r => r.ToRecord()).ToList(), cancellationToken);

    private static async Task InsertRolloutEventsAsync(DbConnection c, DbTransaction tx, string rollout, IReadOnlyList<RolloutEventRecord> events, CancellationToken cancellationToken)
    {
        foreach (var e in events)
        {
            await c.ExecuteAsync(Cmd("""
                INSERT INTO rollout_events (rollout, at, site, from_state, to_state, reason, message, actor)
                VALUES (@rollout, @at, @Site, @From, @To, @Reason, @Message, @Actor)
                """, new { rollout, at = UnixMicros.From(e.At), e.Site, e.From, e.To, e.Reason, e.Message, e.Actor }, tx, cancellationToken)).ConfigureAwait(false);
        }
    }

    private sealed class RolloutRow
    {
        public string Name { get; set; } = "";
        public string Environment { get; set; } = "";
        public string Revision { get; set; } = "";
        public string Actor { get; set; } = "";
        public string Status { get; set; } = "";
        public string? Reason { get; set; }
        public long Active { get; set; }
        public string Document { get; set; } = "";
        public long Version { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
        public long? WakeAt { get; set; }
        public string? LeaseOwner { get; set; }
        public long? LeaseExpiresAt { get; set; }

        public RolloutRecord ToRecord() => new()
        {
            Name = Name,
            Environment = Environment,
            Revision = Revision,
            Actor = Actor,
            Status = Status,
            Reason = Reason,
            Active = Active != 0,
            Document = Document,
            Version = Version,
            CreatedAt = UnixMicros.To(CreatedAt),
            UpdatedAt = UnixMicros.To(UpdatedAt),
            WakeAt = UnixMicros.To(WakeAt),
            LeaseOwner = LeaseOwner,
            LeaseExpiresAt = UnixMicros.To(LeaseExpiresAt),
        };
    }

    private sealed class RolloutEventRow
    {
        public long Seq { get; set; }
        public string Rollout { get; set; } = "";
        public long At { get; set; }
        public string? Site { get; set; }
        public string FromState { get; set; } = "";
        public string ToState { get; set; } = "";
        public string Reason { get; set; } = "";
        public string Message { get; set; } = "";
        public string? Actor { get; set; }

        public RolloutEventRecord ToRecord() => new()
        {
            Seq = Seq, Rollout = Rollout, At = UnixMicros.To(At), Site = Site, From = FromState, To = ToState, Reason = Reason, Message = Message, Actor = Actor,
        };
    }
}
