using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Hosting;
using Mothership.Store;

namespace Mothership.Server.Cloud;

/// <summary>
/// Records how site deploys end: every poll interval it looks at the unfinished deploys, and for
/// each whose run has finished (or was deleted) records the result, the site's new state when the
/// run succeeded, and frees the site (<see cref="IRunStore.FinishSiteDeployAsync"/>, once across
/// replicas). A server killed mid-deploy resumes the run from its journal and, once it ends, this
/// records it. <see cref="Finished"/> is raised on the replica that recorded an end.
/// </summary>
internal sealed partial class SiteDeployReconciler(IRunStore store, SiteDeployIntake intake, TimeProvider time, IOptions<ServerOptions> options,
    ILogger<SiteDeployReconciler> logger) : BackgroundService
{
    /// <summary>The result of a deploy whose run was deleted before it ended.</summary>
    public const string Lost = "Lost";

    /// <summary>A deploy has ended and is recorded (its <see cref="SiteDeploy.Result"/> set).</summary>
    public event Action<SiteDeploy>? Finished;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        do
        {
            try
            {
                await ReconcileAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException e)
            {
                Log.StoreUnavailable(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One pass over the unfinished deploys; returns those it recorded as ended.</summary>
    public async Task<IReadOnlyList<SiteDeploy>> ReconcileAsync(CancellationToken cancellationToken)
    {
        var ended = new List<SiteDeploy>();
        foreach (var deploy in await store.ListActiveSiteDeploysAsync(cancellationToken).ConfigureAwait(false))
        {
            var run = await store.GetRunByUidAsync(deploy.RunUid, cancellationToken).ConfigureAwait(false);
            if (run is not null && run.Phase != RunPhase.Finished)
            {
                continue;
            }

            var succeeded = run?.Status == ConditionStatus.True;
            var result = run is null ? Lost : succeeded ? "Succeeded" : run.Reason is { Length: > 0 } reason ? reason : "Failed";
            var finishedAt = run?.CompletedAt ?? time.GetUtcNow();
            if (!await store.FinishSiteDeployAsync(deploy.Id, result, succeeded, run?.StartedAt, finishedAt, cancellationToken).ConfigureAwait(false))
            {
                continue; // another replica recorded it
            }

            var scratch = intake.ScratchOf(deploy.Site, deploy.ToRevision);
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }

            var recorded = deploy with { Result = result, StartedAt = run?.StartedAt, FinishedAt = finishedAt };
            Log.DeployEnded(logger, deploy.Site, deploy.RunName, result, deploy.ToRevision);
            ended.Add(recorded);
            Finished?.Invoke(recorded);
        }

        return ended;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Deploy of site {Site} ({Run}) at {Revision}: {Result}")]
        public static partial void DeployEnded(ILogger logger, string site, string run, string result, string revision);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Site deploys not reconciled: {Error}")]
        public static partial void StoreUnavailable(ILogger logger, string error);
    }
}
