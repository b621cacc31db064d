using System.Collections.Immutable;
using System.Data.Common;
using System.Text.Json;
using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    private const string SiteDeployColumns = """
        id AS Id, site AS Site, from_revision AS FromRevision, to_revision AS ToRevision, run_uid AS RunUid, run_name AS RunName,
        actor AS Actor, source AS Source, dry_run AS DryRun, requested_at AS RequestedAt, started_at AS StartedAt,
        finished_at AS FinishedAt, result AS Result, services AS Services, follow_up_attempts AS FollowUpAttempts
        """;

    private const string SiteColumns = """
        site AS Site, revision AS Revision, deployed_at AS DeployedAt, deploy_id AS DeployId, run_uid AS RunUid, run_name AS RunName,
        actor AS Actor, source AS Source, last_deploy_id AS LastDeployId, last_result AS LastResult, last_finished_at AS LastFinishedAt
        """;

    private static readonly JsonSerializerOptions ServiceJson = new(JsonSerializerDefaults.Web);

    public Task<SiteDeployStart> StartSiteDeployAsync(SiteDeploy deploy, RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deploy);
        ArgumentNullException.ThrowIfNull(run);
        return WriteAsync(async (c, tx) =>
        {
            // The lock row first: on PostgreSQL a concurrent second insert waits for the first
            // transaction and then inserts nothing, so two requests never both hold the site.
            var locked = await c.ExecuteAsync(Cmd(
                "INSERT INTO site_deploy_locks (site, deploy_id, taken_at) VALUES (@Site, @Id, @at) ON CONFLICT DO NOTHING",
                new { deploy.Site, deploy.Id, at = UnixMicros.From(deploy.RequestedAt) }, tx, cancellationToken)).ConfigureAwait(false);
            if (locked == 0)
            {
                var active = await c.QuerySingleOrDefaultAsync<SiteDeployRow>(Cmd(
                    $"SELECT {SiteDeployColumns} FROM site_deploys WHERE id = (SELECT deploy_id FROM site_deploy_locks WHERE site = @Site)",
                    new { deploy.Site }, tx, cancellationToken)).ConfigureAwait(false);
                return (new SiteDeployStart(SiteDeployOutcome.Busy, active?.ToRecord()), false);
            }

            if (!await InsertRunAsync(c, tx, run, deploy.Actor, cancellationToken).ConfigureAwait(false))
            {
                return (new SiteDeployStart(SiteDeployOutcome.NameTaken), false);
            }

            await c.ExecuteAsync(Cmd("""
                INSERT INTO site_deploys (id, site, from_revision, to_revision, run_uid, run_name, actor, source, dry_run, requested_at,
                    started_at, finished_at, result, services)
                VALUES (@Id, @Site, @FromRevision, @ToRevision, @RunUid, @RunName, @Actor, @Source, @dry, @requested, NULL, NULL, NULL, @services)
                """,
                new
                {
                    deploy.Id, deploy.Site, deploy.FromRevision, deploy.ToRevision, deploy.RunUid, deploy.RunName, deploy.Actor, deploy.Source,
                    dry = deploy.DryRun ? 1L : 0L, requested = UnixMicros.From(deploy.RequestedAt),
                    services = JsonSerializer.Serialize(deploy.Services.Select(s => new ServiceEntry(s.Service, s.Chart, s.Version, s.ValuesDigest)), ServiceJson),
                }, tx, cancellationToken)).ConfigureAwait(false);
            return (new SiteDeployStart(SiteDeployOutcome.Started), true);
        }, cancellationToken);
    }

    public Task<bool> FinishSiteDeployAsync(string id, string result, bool deployed, DateTimeOffset? startedAt, DateTimeOffset finishedAt,
        CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var finished = UnixMicros.From(finishedAt);
            var updated = await c.ExecuteAsync(Cmd(
                "UPDATE site_deploys SET result = @result, started_at = @started, finished_at = @finished WHERE id = @id AND result IS NULL",
                new { id, result, started = UnixMicros.From(startedAt), finished }, tx, cancellationToken)).ConfigureAwait(false);
            if (updated == 0)
            {
                return (false, false);
            }

            var deploy = (await c.QuerySingleAsync<SiteDeployRow>(Cmd(
                $"SELECT {SiteDeployColumns} FROM site_deploys WHERE id = @id", new { id }, tx, cancellationToken)).ConfigureAwait(false)).ToRecord();
            await c.ExecuteAsync(Cmd("""
                INSERT INTO sites (site, last_deploy_id, last_result, last_finished_at) VALUES (@site, @id, @result, @finished)
                ON CONFLICT (site) DO UPDATE SET last_deploy_id = excluded.last_deploy_id, last_result = excluded.last_result,
                    last_finished_at = excluded.last_finished_at
                """, new { site = deploy.Site, id, result, finished }, tx, cancellationToken)).ConfigureAwait(false);
            if (deployed && !deploy.DryRun)
            {
                await RecordDeployedAsync(c, tx, deploy, finished, cancellationToken).ConfigureAwait(false);
            }

            await c.ExecuteAsync(Cmd("DELETE FROM site_deploy_locks WHERE site = @site AND deploy_id = @id",
                new { site = deploy.Site, id }, tx, cancellationToken)).ConfigureAwait(false);
            return (true, true);
        }, cancellationToken);

    /// <summary>The site now runs the deploy's revision, and each service it ran stands as the deploy left it.</summary>
    private static async Task RecordDeployedAsync(DbConnection c, DbTransaction tx, SiteDeploy deploy, long? finished, CancellationToken cancellationToken)
    {
        await c.ExecuteAsync(Cmd("""
            UPDATE sites SET revision = @ToRevision, deployed_at = @finished, deploy_id = @Id, run_uid = @RunUid, run_name = @RunName,
                actor = @Actor, source = @Source
            WHERE site = @Site
            """, new { deploy.ToRevision, finished, deploy.Id, deploy.RunUid, deploy.RunName, deploy.Actor, deploy.Source, deploy.Site },
            tx, cancellationToken)).ConfigureAwait(false);
        foreach (var service in deploy.Services)
        {
            await c.ExecuteAsync(Cmd("""
                INSERT INTO site_services (site, service, chart, version, values_digest, revision, deployed_at)
                VALUES (@site, @Service, @Chart, @Version, @ValuesDigest, @revision, @finished)
                ON CONFLICT (site, service) DO UPDATE SET chart = excluded.chart, version = excluded.version,
                    values_digest = excluded.values_digest, revision = excluded.revision, deployed_at = excluded.deployed_at
                """, new { site = deploy.Site, service.Service, service.Chart, service.Version, service.ValuesDigest, revision = deploy.ToRevision, finished },
                tx, cancellationToken)).ConfigureAwait(false);
        }
    }

    public Task<IReadOnlyList<SiteDeploy>> ListActiveSiteDeploysAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SiteDeploy>>(async c => (await c.QueryAsync<SiteDeployRow>(Cmd(
            $"SELECT {SiteDeployColumns} FROM site_deploys WHERE result IS NULL ORDER BY requested_at, id", null, null, cancellationToken)).ConfigureAwait(false))
            .Select(r => r.ToRecord()).ToList(), cancellationToken);

    public Task<IReadOnlyList<SiteDeploy>> ClaimSiteDeployFollowUpsAsync(DateTimeOffset now, DateTimeOffset claimUntil, int limit,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return WriteAsync<IReadOnlyList<SiteDeploy>>(async (c, tx) =>
        {
            var claimed = (await c.QueryAsync<SiteDeployRow>(Cmd($"""
                UPDATE site_deploys SET follow_up_after = @until, follow_up_attempts = follow_up_attempts + 1
                WHERE id IN (
                    SELECT id FROM site_deploys
                    WHERE result IS NOT NULL AND followed_up_at IS NULL AND (follow_up_after IS NULL OR follow_up_after <= @now)
                    ORDER BY finished_at, id LIMIT @limit{dialect.ForUpdateSkipLocked})
                RETURNING {SiteDeployColumns}
                """, new { now = UnixMicros.From(now), until = UnixMicros.From(claimUntil), limit }, tx, cancellationToken))
                .ConfigureAwait(false)).Select(r => r.ToRecord()).OrderBy(d => d.FinishedAt).ThenBy(d => d.Id, StringComparer.Ordinal).ToList();
            return (claimed, true);
        }, cancellationToken);
    }

    public Task<bool> FinishSiteDeployFollowUpAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync(async (c, tx) =>
        {
            var updated = await c.ExecuteAsync(Cmd("UPDATE site_deploys SET followed_up_at = @at WHERE id = @id AND result IS NOT NULL AND followed_up_at IS NULL",
                new { id, at = UnixMicros.From(at) }, tx, cancellationToken)).ConfigureAwait(false);
            return (updated > 0, true);
        }, cancellationToken);

    public Task<IReadOnlyList<SiteDeploy>> ListSiteDeploysAsync(string site, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync<IReadOnlyList<SiteDeploy>>(async c => (await c.QueryAsync<SiteDeployRow>(Cmd(
            $"SELECT {SiteDeployColumns} FROM site_deploys WHERE site = @site ORDER BY requested_at DESC, id DESC LIMIT @limit",
            new { site, limit }, null, cancellationToken)).ConfigureAwait(false)).Select(r => r.ToRecord()).ToList(), cancellationToken);
    }

    public async Task<SiteState?> GetSiteStateAsync(string site, CancellationToken cancellationToken) =>
        (await SiteStatesAsync(site, cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    public Task<IReadOnlyList<SiteState>> ListSiteStatesAsync(CancellationToken cancellationToken) => SiteStatesAsync(null, cancellationToken);

    private Task<IReadOnlyList<SiteState>> SiteStatesAsync(string? site, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SiteState>>(async c =>
        {
            var filter = site is null ? "" : " WHERE site = @site";
            var rows = (await c.QueryAsync<SiteRow>(Cmd($"SELECT {SiteColumns} FROM sites{filter} ORDER BY site", new { site }, null, cancellationToken))
                .ConfigureAwait(false)).ToList();
            var services = (await c.QueryAsync<SiteServiceRow>(Cmd(
                $"SELECT site AS Site, service AS Service, chart AS Chart, version AS Version, values_digest AS ValuesDigest, revision AS Revision, deployed_at AS DeployedAt FROM site_services{filter} ORDER BY site, service",
                new { site }, null, cancellationToken)).ConfigureAwait(false)).ToLookup(s => s.Site, StringComparer.Ordinal);
            return rows.Select(r => r.ToRecord(services[r.Site].Select(s => s.ToRecord()))).ToList();
        }, cancellationToken);

    /// <summary>A service of a deploy as the <c>services</c> column holds it.</summary>
    private sealed record ServiceEntry(string Service, string Chart, string Version, string ValuesDigest);

    private sealed class SiteDeployRow
    {
        public string Id { get; set; } = "";
        public string Site { get; set; } = "";
        public string? FromRevision { get; set; }
        public string ToRevision { get; set; } = "";
        public string RunUid { get; set; } = "";
        public string RunName { get; set; } = "";
        public string Actor { get; set; } = "";
        public string Source { get; set; } = "";
        public long DryRun { get; set; }
        public long RequestedAt { get; set; }
        public long? StartedAt { get; set; }
        public long? FinishedAt { get; set; }
        public string? Result { get; set; }
        public string Services { get; set; } = "[]";
        public long FollowUpAttempts { get; set; }

        public SiteDeploy ToRecord() => new()
        {
            Id = Id,
            Site = Site,
            FromRevision = FromRevision,
            ToRevision = ToRevision,
            RunUid = RunUid,
            RunName = RunName,
            Actor = Actor,
            Source = Source,
            DryRun = DryRun != 0,
            RequestedAt = UnixMicros.To(RequestedAt),
            StartedAt = UnixMicros.To(StartedAt),
            FinishedAt = UnixMicros.To(FinishedAt),
            Result = Result,
            FollowUpAttempts = (int)FollowUpAttempts,
            Services = [.. (JsonSerializer.Deserialize<List<ServiceEntry>>(Services, ServiceJson) ?? [])
                .Select(s => new SiteServiceState { Service = s.Service, Chart = s.Chart, Version = s.Version, ValuesDigest = s.ValuesDigest })],
        };
    }

    private sealed class SiteRow
    {
        public string Site { get; set; } = "";
        public string? Revision { get; set; }
        public long? DeployedAt { get; set; }
        public string? DeployId { get; set; }
        public string? RunUid { get; set; }
        public string? RunName { get; set; }
        public string? Actor { get; set; }
        public string? Source { get; set; }
        public string? LastDeployId { get; set; }
        public string? LastResult { get; set; }
        public long? LastFinishedAt { get; set; }

        public SiteState ToRecord(IEnumerable<SiteServiceState> services) => new()
        {
            Site = Site,
            Revision = Revision,
            DeployedAt = UnixMicros.To(DeployedAt),
            DeployId = DeployId,
            RunUid = RunUid,
            RunName = RunName,
            Actor = Actor,
            Source = Source,
            LastDeployId = LastDeployId,
            LastResult = LastResult,
            LastFinishedAt = UnixMicros.To(LastFinishedAt),
            Services = [.. services],
        };
    }

    private sealed class SiteServiceRow
    {
        public string Site { get; set; } = "";
        public string Service { get; set; } = "";
        public string Chart { get; set; } = "";
        public string Version { get; set; } = "";
        public string ValuesDigest { get; set; } = "";
        public string Revision { get; set; } = "";
        public long DeployedAt { get; set; }

        public SiteServiceState ToRecord() => new()
        {
            Service = Service, Chart = Chart, Version = Version, ValuesDigest = ValuesDigest, Revision = Revision, DeployedAt = UnixMicros.To(DeployedAt),
        };
    }
}
