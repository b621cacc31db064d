using System.Text.Json;
using Dapper;

namespace Mothership.Store.Sql;

internal sealed partial class SqlRunStore
{
    private const string DriftColumns = "site AS Site, state AS State, revision AS Revision, checked_at AS CheckedAt, error AS Error, services AS Services";

    public Task<bool> RecordSiteDriftAsync(SiteDriftReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        return WriteAsync(async (c, tx) =>
        {
            // A replica that checked earlier but writes later does not replace a newer answer.
            var written = await c.ExecuteAsync(Cmd("""
                INSERT INTO site_drift (site, state, revision, checked_at, error, services) VALUES (@Site, @State, @Revision, @at, @Error, @services)
                ON CONFLICT (site) DO UPDATE SET state = excluded.state, revision = excluded.revision, checked_at = excluded.checked_at,
                    error = excluded.error, services = excluded.services
                WHERE excluded.checked_at >= site_drift.checked_at
                """,
                new
                {
                    report.Site, report.State, report.Revision, at = UnixMicros.From(report.CheckedAt), report.Error,
                    services = JsonSerializer.Serialize(report.Services.Select(DriftServiceEntry.Of), ServiceJson),
                }, tx, cancellationToken)).ConfigureAwait(false);
            return (written > 0, written > 0);
        }, cancellationToken);
    }

    public async Task<SiteDriftReport?> GetSiteDriftAsync(string site, CancellationToken cancellationToken) =>
        (await SiteDriftsAsync(site, cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    public Task<IReadOnlyList<SiteDriftReport>> ListSiteDriftsAsync(CancellationToken cancellationToken) => SiteDriftsAsync(null, cancellationToken);

    private Task<IReadOnlyList<SiteDriftReport>> SiteDriftsAsync(string? site, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SiteDriftReport>>(async c =>
        {
            var filter = site is null ? "" : " WHERE site = @site";
            return (await c.QueryAsync<DriftRow>(Cmd($"SELECT {DriftColumns} FROM site_drift{filter} ORDER BY site", new { site }, null, cancellationToken))
                .ConfigureAwait(false)).Select(r => r.ToRecord()).ToList();
        }, cancellationToken);

    /// <summary>A service as the <c>services</c> column of <c>site_drift</c> holds it.</summary>
    private sealed record DriftServiceEntry(string Service, string Release, string Namespace, string State, string DesiredChart, string? DeployedChart,
        bool Missing, List<SiteDriftDifference> Differences, string? Error)
    {
        public static DriftServiceEntry Of(SiteDriftService s) =>
            new(s.Service, s.Release, s.Namespace, s.State, s.DesiredChart, s.DeployedChart, s.Missing, [.. s.Differences], s.Error);

        public SiteDriftService ToRecord() => new()
        {
            Service = Service,
            Release = Release,
            Namespace = Namespace,
            State = State,
            DesiredChart = DesiredChart,
            DeployedChart = DeployedChart,
            Missing = Missing,
            Differences = [.. Differences ?? []],
            Error = Error,
        };
    }

    private sealed class DriftRow
    {
        public string Site { get; set; } = "";
        public string State { get; set; } = "";
        public string Revision { get; set; } = "";
        public long CheckedAt { get; set; }
        public string? Error { get; set; }
        public string Services { get; set; } = "[]";

        public SiteDriftReport ToRecord() => new()
        {
            Site = Site,
            State = State,
            Revision = Revision,
            CheckedAt = UnixMicros.To(CheckedAt),
            Error = Error,
            Services = [.. (JsonSerializer.Deserialize<List<DriftServiceEntry>>(Services, ServiceJson) ?? []).Select(s => s.ToRecord())],
        };
    }
}
