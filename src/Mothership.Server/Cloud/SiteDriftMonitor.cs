using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Drift;
using Mothership.Cloud.Planning;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;
using Mothership.Server.Hosting;
using Mothership.Store;

namespace Mothership.Server.Cloud;

/// <summary>
/// Checks deployed sites for drift: every <see cref="CloudOptions.DriftInterval"/> each site with a
/// deployed revision (and no deploy running) is loaded at that revision from the site repository's
/// cache and compared with its cluster by <see cref="DriftChecker"/> (helm with the site's context
/// and kubeconfig); a site is also checked right after a successful deploy and when asked
/// (<see cref="CheckAsync"/>). Each result is stored as the site's latest
/// (<see cref="IRunStore.RecordSiteDriftAsync"/>), so every replica answers the same; a site checked
/// by another replica within half an interval is left alone.
/// </summary>
internal sealed partial class SiteDriftMonitor(SiteRepositoryCache cache, IRunStore store, IHelmRunner helm, SiteDeployReconciler deploys, TimeProvider time,
    IOptions<ServerOptions> options, ILogger<SiteDriftMonitor> logger) : BackgroundService
{
    private readonly Channel<string> _deployed = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    private TimeSpan Interval => options.Value.Cloud.DriftInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!cache.Configured || Interval <= TimeSpan.Zero)
        {
            return;
        }

        deploys.Finished += OnDeployFinished;
        try
        {
            await Task.WhenAll(AfterDeploysAsync(stoppingToken), PeriodicAsync(stoppingToken)).ConfigureAwait(false);
        }
        finally
        {
            deploys.Finished -= OnDeployFinished;
        }
    }

    private void OnDeployFinished(SiteDeploy deploy)
    {
        if (!deploy.DryRun && deploy.Result == "Succeeded")
        {
            _deployed.Writer.TryWrite(deploy.Site);
        }
    }

    private async Task PeriodicAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await CheckDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is StoreUnavailableException or SiteSourceException)
            {
                Log.PassFailed(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task AfterDeploysAsync(CancellationToken stoppingToken)
    {
        await foreach (var site in _deployed.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await CheckAsync(site, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is StoreUnavailableException or SiteSourceException)
            {
                Log.PassFailed(logger, e.Message);
            }
        }
    }

    /// <summary>One pass: each deployed site not being deployed and not checked within half an interval.</summary>
    private async Task CheckDueAsync(CancellationToken cancellationToken)
    {
        var checkedAt = (await store.ListSiteDriftsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(d => d.Site, d => d.CheckedAt, StringComparer.Ordinal);
        var busy = (await store.ListActiveSiteDeploysAsync(cancellationToken).ConfigureAwait(false)).Select(d => d.Site).ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        foreach (var state in await store.ListSiteStatesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (state.Revision is null || busy.Contains(state.Site) || (checkedAt.TryGetValue(state.Site, out var at) && now - at < Interval / 2))
            {
                continue;
            }

            await CheckAsync(state.Site, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Checks <paramref name="site"/> now against the revision it has deployed and stores the
    /// result; null when the site has no deployed revision. A site that cannot be loaded at that
    /// revision is <c>Unknown</c> with the reason.
    /// </summary>
    public async Task<SiteDriftReport?> CheckAsync(string site, CancellationToken cancellationToken)
    {
        if (await store.GetSiteStateAsync(site, cancellationToken).ConfigureAwait(false) is not { Revision: { } revision })
        {
            return null;
        }

        var report = await CompareAsync(site, revision, cancellationToken).ConfigureAwait(false);
        await store.RecordSiteDriftAsync(report, cancellationToken).ConfigureAwait(false);
        Log.Checked(logger, site, revision, report.State, report.Services.Count(s => s.State != nameof(DriftState.InSync)));
        return report;
    }

    private async Task<SiteDriftReport> CompareAsync(string site, string revision, CancellationToken cancellationToken)
    {
        // Stamped when the check starts: of two overlapping checks, the one that asked the cluster later is kept.
        var started = time.GetUtcNow();
        var unknown = new SiteDriftReport { Site = site, State = nameof(DriftState.Unknown), Revision = revision, CheckedAt = started };
        await cache.RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (cache.Resolve(revision) is null)
        {
            return unknown with { Error = $"revision {revision} is not in the site repository (force-pushed away?)" };
        }

        LoadedSite? loaded;
        var bag = new DiagnosticBag();
        using (var files = cache.Open(revision))
        {
            loaded = RepositoryPlanner.Load(files, site, "", new ChartStore(ServerOptionsValidator.NullIfEmpty(options.Value.Cloud.Charts)), bag);
        }

        if (loaded is null || bag.HasErrors)
        {
            var first = bag.Sorted().FirstOrDefault(d => d.Severity == Severity.Error);
            return unknown with { Error = $"site '{site}' cannot be loaded at {revision[..Math.Min(12, revision.Length)]}: {first?.ToString() ?? "unknown reason"}" };
        }

        var drift = await new DriftChecker(helm).CheckAsync(loaded, revision, cancellationToken).ConfigureAwait(false);
        return new SiteDriftReport
        {
            Site = site,
            State = drift.State.ToString(),
            Revision = revision,
            CheckedAt = started,
            Services = [.. drift.Services.Select(s => new SiteDriftService
            {
                Service = s.Service,
                Release = s.Release,
                Namespace = s.Namespace,
                State = s.State.ToString(),
                DesiredChart = s.DesiredChart,
                DeployedChart = s.DeployedChart,
                Missing = s.Missing,
                Differences = [.. s.Differences.Select(d => new SiteDriftDifference(d.Path, d.Kind.ToString(), d.Desired, d.Deployed))],
                Error = s.Error,
            })],
        };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Drift of site {Site} at {Revision}: {State} ({Services} services not in sync)")]
        public static partial void Checked(ILogger logger, string site, string revision, string state, int services);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Drift check not done: {Error}")]
        public static partial void PassFailed(ILogger logger, string error);
    }
}
