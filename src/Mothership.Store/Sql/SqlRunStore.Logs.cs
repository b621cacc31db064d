using System.Data.Common;
using System.Text;
using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    public Task AppendLogsAsync(IReadOnlyList<LogChunk> chunks, CancellationToken cancellationToken)
    {
        if (chunks.Count == 0)
        {
            return Task.CompletedTask;
        }

        // One multi-row INSERT per batch: ids follow the list's order. A single batch needs no
        // transaction of its own (one statement is atomic), which saves two round trips per call.
        if (chunks.Count <= LogBatch)
        {
            return WriteStatementAsync((c, tx) => InsertLogsAsync(c, tx, chunks, cancellationToken), cancellationToken);
        }

        return WriteAsync(async (c, tx) =>
        {
            foreach (var batch in chunks.Chunk(LogBatch))
            {
                await InsertLogsAsync(c, tx, batch, cancellationToken).ConfigureAwait(false);
            }

            return (true, true);
        }, cancellationToken);
    }

    /// <summary>Chunks per INSERT: 8 parameters each stays far below both databases' parameter limits.</summary>
    private const int LogBatch = 200;

    private static Task<int> InsertLogsAsync(DbConnection connection, DbTransaction? transaction, IReadOnlyList<LogChunk> chunks, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("INSERT INTO logs (uid, task_run, pipeline_task, attempt, container, first_line, text, time) VALUES ");
        var parameters = new DynamicParameters();
        for (var i = 0; i < chunks.Count; i++)
        {
            var x = chunks[i];
            sql.Append(i == 0 ? "" : ", ").Append($"(@u{i}, @r{i}, @p{i}, @a{i}, @c{i}, @f{i}, @t{i}, @w{i})");
            parameters.Add($"u{i}", x.Uid);
            parameters.Add($"r{i}", x.TaskRun);
            parameters.Add($"p{i}", x.PipelineTask);
            parameters.Add($"a{i}", (long)x.Attempt);
            parameters.Add($"c{i}", x.Container);
            parameters.Add($"f{i}", x.FirstLine);
            parameters.Add($"t{i}", x.Text);
            parameters.Add($"w{i}", UnixMicros.From(x.Time));
        }

        return connection.ExecuteAsync(Cmd(sql.ToString(), parameters, transaction, cancellationToken));
    }

    public Task<IReadOnlyList<StoredLogChunk>> ReadLogsAsync(LogQuery query, CancellationToken cancellationToken)
    {
        if (query.Limit is < 1 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "LogQuery.Limit must be between 1 and 100000");
        }

        var sql = "SELECT id AS Id, uid AS Uid, task_run AS TaskRun, pipeline_task AS PipelineTask, attempt AS Attempt, container AS Container, first_line AS FirstLine, text AS Text, time AS Time FROM logs WHERE uid = @Uid AND id > @AfterId"
            + (query.TaskRun is null ? "" : " AND task_run = @TaskRun")
            + (query.Container is null ? "" : " AND container = @Container")
            + " ORDER BY id LIMIT @Limit";
        return ReadAsync<IReadOnlyList<StoredLogChunk>>(async c => (await c.QueryAsync<LogRow>(Cmd(
            sql, new { query.Uid, query.AfterId, query.TaskRun, query.Container, query.Limit }, null, cancellationToken)).ConfigureAwait(false))
            .Select(r => new StoredLogChunk(r.Id, new LogChunk
            {
                Uid = r.Uid,
                TaskRun = r.TaskRun,
                PipelineTask = r.PipelineTask,
                Attempt = (int)r.Attempt,
                Container = r.Container,
                FirstLine = r.FirstLine,
                Text = r.Text,
                Time = UnixMicros.To(r.Time),
            })).ToList(), cancellationToken);
    }

    public Task DeleteLogsAsync(string uid, string taskRun, int attempt, string container, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(Cmd(
                "DELETE FROM logs WHERE uid = @uid AND task_run = @taskRun AND attempt = @attempt AND container = @container",
                new { uid, taskRun, attempt, container }, tx, cancellationToken)).ConfigureAwait(false);
            return (true, true);
        }, cancellationToken);

    private const string InsertEvent = "INSERT INTO events (uid, time, type, reason, message) VALUES (@Uid, @Time, @Type, @Reason, @Message)";

    public Task AddEventAsync(RunEvent runEvent, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(Cmd(
                InsertEvent, new { runEvent.Uid, Time = UnixMicros.From(runEvent.Time), runEvent.Type, runEvent.Reason, runEvent.Message }, tx, cancellationToken)).ConfigureAwait(false);
            return (true, true);
        }, cancellationToken);

    public Task<IReadOnlyList<RunEvent>> ListEventsAsync(string uid, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<RunEvent>>(async c => (await c.QueryAsync<(string Uid, long Time, string Type, string Reason, string Message)>(Cmd(
            "SELECT uid, time, type, reason, message FROM events WHERE uid = @uid ORDER BY time, id", new { uid }, null, cancellationToken)).ConfigureAwait(false))
            .Select(r => new RunEvent(r.Uid, UnixMicros.To(r.Time), r.Type, r.Reason, r.Message)).ToList(), cancellationToken);

    public Task AddAuditAsync(AuditRecord record, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(Cmd(InsertAudit, new { Time = UnixMicros.From(record.Time), record.Actor, record.Action, record.Kind, record.Name, record.Uid, record.Detail }, tx, cancellationToken)).ConfigureAwait(false);
            return (true, true);
        }, cancellationToken);

    public Task<IReadOnlyList<AuditRecord>> ListAuditAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync<IReadOnlyList<AuditRecord>>(async c => (await c.QueryAsync<(long Time, string Actor, string Action, string Kind, string Name, string? Uid, string Detail)>(Cmd(
            "SELECT time, actor, action, kind, name, uid, detail FROM audit ORDER BY time DESC, id DESC LIMIT @limit", new { limit }, null, cancellationToken)).ConfigureAwait(false))
            .Select(r => new AuditRecord(UnixMicros.To(r.Time), r.Actor, r.Action, r.Kind, r.Name, r.Uid, r.Detail)).ToList(), cancellationToken);
    }

    private sealed class LogRow
    {
        public long Id { get; set; }
        public string Uid { get; set; } = "";
        public string TaskRun { get; set; } = "";
        public string? PipelineTask { get; set; }
        public long Attempt { get; set; }
        public string Container { get; set; } = "";
        public long FirstLine { get; set; }
        public string Text { get; set; } = "";
        public long Time { get; set; }
    }
}
