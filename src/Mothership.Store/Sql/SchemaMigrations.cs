using System.Data.Common;
using Dapper;

namespace Mothership.Store.Sql;

/// <summary>
/// The schema as numbered scripts, applied in order and recorded in <c>schema_migrations</c>.
/// A script is never edited once released: a change is a new script. Both databases share the
/// scripts; <c>{id}</c> and <c>{text}</c> stand for the dialect's id and byte-ordered text types.
/// Times are BIGINT microseconds since the Unix epoch (UTC).
/// </summary>
internal static class SchemaMigrations
{
    private static readonly (int Version, string Name, string Script)[] Scripts =
    [
        (1, "initial", """
            CREATE TABLE resources (
                kind {text} NOT NULL,
                name {text} NOT NULL,
                document TEXT NOT NULL,
                generation BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (kind, name)
            );
            CREATE TABLE runs (
                uid {text} NOT NULL PRIMARY KEY,
                kind {text} NOT NULL,
                name {text} NOT NULL,
                pipeline {text} NOT NULL,
                labels TEXT NOT NULL,
                phase TEXT NOT NULL,
                status TEXT NOT NULL,
                reason {text} NOT NULL,
                created_at BIGINT NOT NULL,
                started_at BIGINT,
                completed_at BIGINT,
                manifest TEXT NOT NULL,
                object TEXT,
                cancel_request TEXT,
                created_by TEXT NOT NULL,
                owner TEXT,
                lease_expires_at BIGINT,
                UNIQUE (kind, name)
            );
            CREATE INDEX runs_by_created ON runs (created_at, uid);
            CREATE INDEX runs_by_pipeline ON runs (pipeline, created_at, uid);
            CREATE INDEX runs_by_reason ON runs (reason, created_at, uid);
            CREATE INDEX runs_by_phase ON runs (phase, created_at, uid);
            CREATE INDEX runs_claimable ON runs (created_at, uid) WHERE phase IN ('Queued', 'Running');
            CREATE TABLE run_labels (
                uid {text} NOT NULL REFERENCES runs (uid) ON DELETE CASCADE,
                key {text} NOT NULL,
                value {text} NOT NULL,
                PRIMARY KEY (uid, key)
            );
            CREATE INDEX run_labels_by_key ON run_labels (key, value, uid);
            CREATE TABLE journal (
                uid {text} NOT NULL REFERENCES runs (uid) ON DELETE CASCADE,
                seq BIGINT NOT NULL,
                entry TEXT NOT NULL,
                PRIMARY KEY (uid, seq)
            );
            CREATE TABLE logs (
                id {id},
                uid {text} NOT NULL,
                task_run TEXT NOT NULL,
                attempt BIGINT NOT NULL,
                container TEXT NOT NULL,
                first_line BIGINT NOT NULL,
                text TEXT NOT NULL,
                time BIGINT NOT NULL
            );
            CREATE INDEX logs_by_run ON logs (uid, id);
            CREATE TABLE events (
                id {id},
                uid {text} NOT NULL,
                time BIGINT NOT NULL,
                type TEXT NOT NULL,
                reason TEXT NOT NULL,
                message TEXT NOT NULL
            );
            CREATE INDEX events_by_run ON events (uid, id);
            CREATE TABLE audit (
                id {id},
                time BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                uid TEXT,
                detail TEXT NOT NULL
            );
            CREATE INDEX audit_by_time ON audit (time, id);
            """),
        // The API lists one kind at a time; without this the planner takes UNIQUE(kind, name) for
        // "kind = ?" and sorts every run of the kind (27 ms for 10,000 runs instead of about 1 ms).
        (2, "runs by kind", """
            CREATE INDEX runs_by_kind ON runs (kind, created_at, uid);
            """),
        // Webhook deliveries: stored before they are answered, handled by a leased worker. The
        // primary key is what makes a redelivery start nothing twice.
        (3, "webhook deliveries", """
            CREATE TABLE webhook_deliveries (
                id {text} NOT NULL PRIMARY KEY,
                event TEXT NOT NULL,
                payload TEXT NOT NULL,
                hook_id TEXT,
                received_at BIGINT NOT NULL,
                attempts BIGINT NOT NULL,
                not_before BIGINT NOT NULL,
                owner TEXT,
                lease_expires_at BIGINT,
                handled_at BIGINT,
                outcome TEXT
            );
            CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (received_at, id) WHERE handled_at IS NULL;
            CREATE INDEX webhook_deliveries_by_received ON webhook_deliveries (received_at, id);
            """),
        // CI job results: what the bot reports per run, kept apart from the runs so that a pull
        // request's results outlive the pruning of its runs. Not final ones are scanned by the reporter.
        (4, "ci job results", """
            CREATE TABLE job_results (
                uid {text} NOT NULL PRIMARY KEY,
                run_kind TEXT NOT NULL,
                run_name TEXT NOT NULL,
                job {text} NOT NULL,
                type TEXT NOT NULL,
                repository {text} NOT NULL,
                pull BIGINT,
                sha {text} NOT NULL,
                base_ref TEXT NOT NULL,
                context TEXT,
                optional BIGINT NOT NULL,
                state TEXT NOT NULL,
                reported TEXT NOT NULL,
                done BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE INDEX job_results_to_sync ON job_results (created_at, uid) WHERE done = 0;
            CREATE INDEX job_results_by_pull ON job_results (repository, pull, created_at);
            CREATE INDEX job_results_by_sha ON job_results (sha, created_at);
            CREATE INDEX job_results_by_job ON job_results (job, created_at);
            CREATE INDEX job_results_by_updated ON job_results (updated_at) WHERE done = 1;
            """),
        // Pull requests as their webhooks showed them: release notes read their bodies, labels and
        // authors from here when the forge cannot be reached.
        (5, "pull requests", """
            CREATE TABLE pull_requests (
                repository {text} NOT NULL,
                number BIGINT NOT NULL,
                title TEXT NOT NULL,
                body TEXT NOT NULL,
                author TEXT NOT NULL,
                labels TEXT NOT NULL,
                merge_sha TEXT,
                merged_at BIGINT,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (repository, number)
            );
            """),
        // Site deploys: the history (kept when the runs are pruned), what each site runs, and one
        // lock row per site whose primary key lets one deploy at a time hold a site, across replicas.
        (6, "site deploys", """
            CREATE TABLE site_deploys (
                id {text} NOT NULL PRIMARY KEY,
                site {text} NOT NULL,
                from_revision TEXT,
                to_revision TEXT NOT NULL,
                run_uid {text} NOT NULL,
                run_name TEXT NOT NULL,
                actor TEXT NOT NULL,
                source TEXT NOT NULL,
                dry_run BIGINT NOT NULL,
                requested_at BIGINT NOT NULL,
                started_at BIGINT,
                finished_at BIGINT,
                result TEXT,
                services TEXT NOT NULL
            );
            CREATE INDEX site_deploys_by_site ON site_deploys (site, requested_at, id);
            CREATE INDEX site_deploys_unfinished ON site_deploys (requested_at, id) WHERE result IS NULL;
            CREATE TABLE site_deploy_locks (
                site {text} NOT NULL PRIMARY KEY,
                deploy_id {text} NOT NULL,
                taken_at BIGINT NOT NULL
            );
            CREATE TABLE sites (
                site {text} NOT NULL PRIMARY KEY,
                revision TEXT,
                deployed_at BIGINT,
                deploy_id TEXT,
                run_uid TEXT,
                run_name TEXT,
                actor TEXT,
                source TEXT,
                last_deploy_id TEXT,
                last_result TEXT,
                last_finished_at BIGINT
            );
            CREATE TABLE site_services (
                site {text} NOT NULL,
                service {text} NOT NULL,
                chart TEXT NOT NULL,
                version TEXT NOT NULL,
                values_digest TEXT NOT NULL,
                revision TEXT NOT NULL,
                deployed_at BIGINT NOT NULL,
                PRIMARY KEY (site, service)
            );
            """),
        // Drift: each site's latest check (state, revision, per service what differs as JSON), so
        // every replica answers the same.
        (7, "site drift", """
            CREATE TABLE site_drift (
                site {text} NOT NULL PRIMARY KEY,
                state TEXT NOT NULL,
                revision TEXT NOT NULL,
                checked_at BIGINT NOT NULL,
                error TEXT,
                services TEXT NOT NULL
            );
            """),
        // Personal API tokens: the SHA-256 of each token (never the token), looked up by it.
        (8, "api tokens", """
            CREATE TABLE api_tokens (
                id {text} NOT NULL PRIMARY KEY,
                owner {text} NOT NULL,
                description TEXT NOT NULL,
                token_hash {text} NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT,
                last_used_at BIGINT
            );
            CREATE INDEX api_tokens_by_owner ON api_tokens (owner, created_at, id);
            """),
        // Rollouts: the state of each (a JSON document written whole under an optimistic
        // version), the lease of the replica driving it, at most one active per environment (a
        // partial unique index), and every transition in order.
        (9, "rollouts", """
            CREATE TABLE rollouts (
                name {text} NOT NULL PRIMARY KEY,
                environment {text} NOT NULL,
                revision TEXT NOT NULL,
                actor TEXT NOT NULL,
                status TEXT NOT NULL,
                reason TEXT,
                active BIGINT NOT NULL,
                document TEXT NOT NULL,
                version BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                wake_at BIGINT,
                lease_owner TEXT,
                lease_expires_at BIGINT
            );
            CREATE UNIQUE INDEX rollouts_active_environment ON rollouts (environment) WHERE active = 1;
            CREATE INDEX rollouts_by_created ON rollouts (created_at, name);
            CREATE TABLE rollout_events (
                seq {id},
                rollout {text} NOT NULL,
                at BIGINT NOT NULL,
                site TEXT,
                from_state TEXT NOT NULL,
                to_state TEXT NOT NULL,
                reason TEXT NOT NULL,
                message TEXT NOT NULL,
                actor TEXT
            );
            CREATE INDEX rollout_events_by_rollout ON rollout_events (rollout, seq);
            """),
        // Each log chunk names its pipeline task: a follower of a live run meets a TaskRun's first
        // lines before the run object (written at most once a second) names that TaskRun.
        (10, "log pipeline task", """
            ALTER TABLE logs ADD COLUMN pipeline_task TEXT;
            """),
        // Fair claiming (SqlRunStore.ClaimRunsAsync): the pipelines with unfinished runs found by a
        // loose index scan and each one's oldest claimable runs read from the index alone (owner and
        // lease in it: without them PostgreSQL scanned runs_claimable and filtered, 14 ms a claim at
        // 10,000 queued, and SQLite built an automatic index); each pipeline's leased runs counted
        // from an index of those only.
        (11, "fair claims", """
            CREATE INDEX runs_claimable_by_pipeline ON runs (pipeline, created_at, uid, owner, lease_expires_at) WHERE phase IN ('Queued', 'Running');
            CREATE INDEX runs_leased ON runs (pipeline) WHERE owner IS NOT NULL AND phase IN ('Queued', 'Running');
            """),
        // The fence of every journal commit (CommitTransitionAsync) read from an index: SQLite stores
        // a row as one record, and `owner` comes after the manifest and the run object, so checking
        // it read the whole overflow chain of a multi-MB object, about 1.5 ms per commit at 10,000
        // tasks and four commits per task (0.01 ms from this index).
        (12, "run fence", """
            CREATE INDEX runs_fence ON runs (uid, owner, phase, status, reason, started_at, completed_at);
            """),
        // The run's documents in tables of their own, so that a row of runs is small: SQLite stores
        // a row as one record and rewrites all of it to change one column, so each lease renewal
        // (once a second per run driven), each status change and the claim rewrote the manifest and
        // the run object (megabytes each for a 10,000-task run, into the WAL), and reading
        // cancel_request or owner walked their overflow pages. Apart, a renewal rewrites a row of
        // a few hundred bytes and a new object rewrites the object alone, not the manifest with it.
        // (PostgreSQL keeps large values out of line anyway; one schema for both.) runs_owned: the
        // runs a replica holds, read by the cancel check and ReleaseOwner without a scan of runs.
        (13, "run documents apart", """
            CREATE TABLE run_manifests (
                uid {text} NOT NULL PRIMARY KEY REFERENCES runs (uid) ON DELETE CASCADE,
                manifest TEXT NOT NULL
            );
            CREATE TABLE run_objects (
                uid {text} NOT NULL PRIMARY KEY REFERENCES runs (uid) ON DELETE CASCADE,
                object TEXT NOT NULL
            );
            INSERT INTO run_manifests (uid, manifest) SELECT uid, manifest FROM runs;
            INSERT INTO run_objects (uid, object) SELECT uid, object FROM runs WHERE object IS NOT NULL;
            ALTER TABLE runs DROP COLUMN object;
            ALTER TABLE runs DROP COLUMN manifest;
            CREATE INDEX runs_owned ON runs (owner) WHERE owner IS NOT NULL AND phase <> 'Finished';
            """),
        // Which run object is stored, beside the summary columns: a reader that keeps something
        // made from the object (the graph of GET …/graph) knows from a row of a few hundred bytes
        // whether it still holds, instead of reading the object (8 MB at 10,000 tasks) to hash it.
        // Bumped by every write of the object; 0 while a run has none.
        (14, "run object version", """
            ALTER TABLE runs ADD COLUMN object_version BIGINT NOT NULL DEFAULT 0;
            UPDATE runs SET object_version = 1 WHERE uid IN (SELECT uid FROM run_objects);
            """),
        // What follows a site deploy's end (its pull request's status and merge, the promotion) is
        // recorded as done, so a server that stopped between the end and its follow-up, or whose
        // follow-up failed (GitHub down), does it later. follow_up_after: no replica takes it again
        // before then (a claim). Deploys that ended before this version were followed up then.
        (15, "site deploy follow-ups", """
            ALTER TABLE site_deploys ADD COLUMN followed_up_at BIGINT;
            ALTER TABLE site_deploys ADD COLUMN follow_up_after BIGINT;
            ALTER TABLE site_deploys ADD COLUMN follow_up_attempts BIGINT NOT NULL DEFAULT 0;
            UPDATE site_deploys SET followed_up_at = finished_at WHERE result IS NOT NULL;
            CREATE INDEX site_deploys_to_follow_up ON site_deploys (finished_at, id) WHERE result IS NOT NULL AND followed_up_at IS NULL;
            """),
    ];

    /// <summary>The newest schema version.</summary>
    public static int Latest => Scripts[^1].Version;

    /// <summary>Applies the scripts not applied yet, up to <paramref name="target"/> (tests stop at an older version to check a migration).</summary>
    public static async Task<int> MigrateAsync(DbConnection connection, SqlDialect dialect, TimeProvider time, CancellationToken cancellationToken, int target = int.MaxValue)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await dialect.LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var applied = (await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT version FROM schema_migrations", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToHashSet();
        if (applied.Count > 0 && applied.Max() > Latest)
        {
            throw new InvalidOperationException($"the database schema (version {applied.Max()}) is newer than this build knows ({Latest}): upgrade Mothership");
        }

        foreach (var (version, name, script) in Scripts)
        {
            if (applied.Contains(version) || version > target)
            {
                continue;
            }

            var sql = script.Replace("{id}", dialect.AutoIdColumn, StringComparison.Ordinal).Replace("{text}", dialect.OrderedTextColumn, StringComparison.Ordinal);
            await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)",
                new { version, name, at = UnixMicros.From(time.GetUtcNow()) }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Math.Min(Latest, target);
    }
}
