using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    private const string JobResultColumns = """
        uid AS Uid, run_kind AS RunKind, run_name AS RunName, job AS Job, type AS Type, repository AS Repository,
        pull AS Pull, sha AS Sha, base_ref AS BaseRef, context AS Context, optional AS Optional, state AS State,
        reported AS Reported, done AS Done, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    public Task<bool> AddJobResultAsync(JobResult result, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var inserted = await c.ExecuteAsync(Cmd("""
                INSERT INTO job_results (uid, run_kind, run_name, job, type, repository, pull, sha, base_ref, context, optional,
                    state, reported, done, created_at, updated_at)
                VALUES (@Uid, @RunKind, @RunName, @Job, @Type, @Repository, @Pull, @Sha, @BaseRef, @Context, @optional,
                    @State, @Reported, @done, @created, @updated) ON CONFLICT DO NOTHING
                """,
                new
                {
                    result.Uid, result.RunKind, result.RunName, result.Job, result.Type, result.Repository, Pull = (long?)result.Pull, result.Sha,
                    result.BaseRef, result.Context, optional = result.Optional ? 1L : 0L, result.State, result.Reported, done = result.Done ? 1L : 0L,
                    created = UnixMicros.From(result.CreatedAt), updated = UnixMicros.From(result.UpdatedAt),
                }, tx, cancellationToken)).ConfigureAwait(false);
            return (inserted == 1, inserted == 1);
        }, cancellationToken);

    public Task<IReadOnlyList<JobResultSync>> ListJobResultsToSyncAsync(int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync<IReadOnlyList<JobResultSync>>(async c =>
        {
            var results = (await c.QueryAsync<JobResultRow>(Cmd(
                $"SELECT {JobResultColumns} FROM job_results WHERE done = 0 ORDER BY created_at, uid LIMIT @limit",
                new { limit }, null, cancellationToken)).ConfigureAwait(false)).Select(r => r.ToRecord()).ToList();
            if (results.Count == 0)
            {
                return [];
            }

            var list = dialect.ListValue(results.Select(r => r.Uid));
            var runs = (await c.QueryAsync<RunRow>(Cmd(
                $"SELECT {SummaryColumns} FROM runs WHERE {dialect.InList("uid", "@list")}", new { list }, null, cancellationToken)).ConfigureAwait(false))
                .ToDictionary(r => r.Uid, r => r.ToSummary(), StringComparer.Ordinal);
            return results.Select(r => new JobResultSync(r, runs.GetValueOrDefault(r.Uid))).ToList();
        }, cancellationToken);
    }

    public Task<bool> UpdateJobResultAsync(string uid, string state, string reported, bool done, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var updated = await c.ExecuteAsync(Cmd(
                "UPDATE job_results SET state = @state, reported = @reported, done = @done, updated_at = @now WHERE uid = @uid",
                new { uid, state, reported, done = done ? 1L : 0L, now = UnixMicros.From(now) }, tx, cancellationToken)).ConfigureAwait(false);
            return (updated == 1, updated == 1);
        }, cancellationToken);

    public Task<IReadOnlyList<JobResult>> ListJobResultsAsync(JobResultQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string>();
        if (query.Repository is not null)
        {
            where.Add("repository = @Repository");
        }

        if (query.Pull is not null)
        {
            where.Add("pull = @pull");
        }

        if (query.Sha is not null)
        {
            where.Add("sha = @Sha");
        }

        if (query.Job is not null)
        {
            where.Add("job = @Job");
        }

        if (query.Type is not null)
        {
            where.Add("type = @Type");
        }

        var filter = where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where);
        return ReadAsync<IReadOnlyList<JobResult>>(async c => (await c.QueryAsync<JobResultRow>(Cmd(
            $"SELECT {JobResultColumns} FROM job_results {filter} ORDER BY created_at DESC, uid DESC LIMIT @Limit",
            new { query.Repository, pull = (long?)query.Pull, query.Sha, query.Job, query.Type, query.Limit }, null, cancellationToken)).ConfigureAwait(false))
            .Select(r => r.ToRecord()).ToList(), cancellationToken);
    }

    /// <summary>Final job results last updated before <paramref name="before"/>: deleted, or counted on a dry run.</summary>
    private Task<int> PruneJobResultsAsync(DateTimeOffset before, bool dryRun, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var parameters = new { before = UnixMicros.From(before) };
            if (dryRun)
            {
                var count = await c.ExecuteScalarAsync<long>(Cmd("SELECT COUNT(*) FROM job_results WHERE done = 1 AND updated_at < @before", parameters, tx, cancellationToken)).ConfigureAwait(false);
                return ((int)count, false);
            }

            var deleted = await c.ExecuteAsync(Cmd("DELETE FROM job_results WHERE done = 1 AND updated_at < @before", parameters, tx, cancellationToken)).ConfigureAwait(false);
            return (deleted, true);
        }, cancellationToken);

    private sealed class JobResultRow
    {
        public string Uid { get; set; } = "";

        public string RunKind { get; set; } = "";

        public string RunName { get; set; } = "";

        public string Job { get; set; } = "";

        public string Type { get; set; } = "";

        public string Repository { get; set; } = "";

        public long? Pull { get; set; }

        public string Sha { get; set; } = "";

        public string BaseRef { get; set; } = "";

        public string? Context { get; set; }

        public long Optional { get; set; }

        public string State { get; set; } = "";

        public string Reported { get; set; } = "";

        public long Done { get; set; }

        public long CreatedAt { get; set; }

        public long UpdatedAt { get; set; }

        public JobResult ToRecord() => new()
        {
            Uid = Uid,
            RunKind = RunKind,
            RunName = RunName,
            Job = Job,
            Type = Type,
            Repository = Repository,
            Pull = Pull is { } p ? (int)p : null,
            Sha = Sha,
            BaseRef = BaseRef,
            Context = Context,
            Optional = Optional != 0,
            State = State,
            Reported = Reported,
            Done = Done != 0,
            CreatedAt = UnixMicros.To(CreatedAt),
            UpdatedAt = UnixMicros.To(UpdatedAt),
        };
    }
}
