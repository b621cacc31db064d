using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Reporting;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Cloud;
using Mothership.Server.Hosting;
using Mothership.Store;

namespace Mothership.Server.Promotion;

/// <summary>
/// What follows a site deploy's end: a deploy started from a deployment pull request reports there
/// (status, a comment with the run's link; on failure the failed service's last log lines) and,
/// when it succeeded, merges it (or leaves it to the merge pool when one serves the repository); a
/// revision that now runs on every site of its environment is tagged and proposed to the next
/// environment (<see cref="SitePromotion.CompleteEnvironmentAsync"/>).
/// </summary>
/// <remarks>
/// Durable: each follow-up is claimed in the store (<see cref="IRunStore.ClaimSiteDeployFollowUpsAsync"/>,
/// once across replicas) and recorded as done once it has succeeded, so one that failed (GitHub
/// down, a server stopped between the end and its follow-up) is taken up again by any replica
/// after <see cref="RetryAfter"/>, up to <see cref="MaxAttempts"/> times. Claims are looked for at
/// once when this replica records an end (<see cref="SiteDeployReconciler.Finished"/>), and every
/// <see cref="SweepInterval"/> for the rest. Every step of a follow-up may run again: statuses are
/// set, comments carry a mark and are written once, tags and proposals are skipped when they exist.
/// </remarks>
internal sealed partial class PromotionService : BackgroundService
{
    /// <summary>Log lines of the failed service quoted on its deployment pull request.</summary>
    public const int ExcerptLines = 30;

    /// <summary>Follow-ups taken up at most this many times; then given up (logged as an error).</summary>
    public const int MaxAttempts = 5;

    /// <summary>Follow-ups claimed by one store call.</summary>
    private const int Batch = 16;

    private readonly WakeSignal _wake = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;
    private readonly SitePromotion _promotion;
    private readonly IRunStore _store;
    private readonly IForge _forge;
    private readonly IJobLogs _logs;
    private readonly JobReporterOptions _links;
    private readonly IJobConfigSource _jobs;
    private readonly ILogger<PromotionService> _logger;

    public PromotionService(SiteDeployReconciler reconciler, SitePromotion promotion, IRunStore store, IForge forge, IJobLogs logs, JobReporterOptions links,
        IJobConfigSource jobs, TimeProvider time, IOptions<ServerOptions> options, ILogger<PromotionService> logger)
    {
        ArgumentNullException.ThrowIfNull(reconciler);
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _pollInterval = options.Value.PollInterval;
        _promotion = promotion;
        _store = store;
        _forge = forge;
        _logs = logs;
        _links = links;
        _jobs = jobs;
        _logger = logger;
        reconciler.Finished += _ => _wake.Wake();
    }

    /// <summary>How long a claimed follow-up is left to its replica before another may take it up (a minute at the default poll interval).</summary>
    public TimeSpan RetryAfter => _pollInterval * 60;

    /// <summary>How often claims are looked for without an end recorded here (ends recorded by another replica, follow-ups to retry).</summary>
    public TimeSpan SweepInterval => _pollInterval * 10;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FollowUpAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException e)
            {
                Log.StoreUnavailable(_logger, e.Message);
            }

            await _wake.WaitAsync(SweepInterval, _time, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Claims the follow-ups due and does each; one that fails stays claimed until <see cref="RetryAfter"/>, then any replica takes it up again.</summary>
    private async Task FollowUpAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<SiteDeploy> claimed;
        do
        {
            var now = _time.GetUtcNow();
            claimed = await _store.ClaimSiteDeployFollowUpsAsync(now, now + RetryAfter, Batch, cancellationToken).ConfigureAwait(false);
            foreach (var deploy in claimed)
            {
                try
                {
                    await HandleAsync(deploy, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not StoreUnavailableException && !cancellationToken.IsCancellationRequested)
                {
                    if (deploy.FollowUpAttempts < MaxAttempts)
                    {
                        Log.Failed(_logger, deploy.Site, deploy.RunName, e.Message, deploy.FollowUpAttempts, MaxAttempts, RetryAfter);
                        continue;
                    }

                    Log.GaveUp(_logger, deploy.Site, deploy.RunName, e.Message, MaxAttempts);
                }

                await _store.FinishSiteDeployFollowUpAsync(deploy.Id, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
        }
        while (claimed.Count == Batch);
    }

    /// <summary>Reports <paramref name="deploy"/>'s end and promotes what it completed.</summary>
    private async Task HandleAsync(SiteDeploy deploy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deploy);
        if (deploy.DryRun || await _promotion.ViewAsync(cancellationToken).ConfigureAwait(false) is not { } view)
        {
            return;
        }

        var run = await _store.GetRunByUidAsync(deploy.RunUid, cancellationToken).ConfigureAwait(false);
        var succeeded = deploy.Result == "Succeeded";
        if (run is not null && run.Labels.TryGetValue(MothershipLabels.DeploymentPullRequest, out var number)
            && int.TryParse(number, CultureInfo.InvariantCulture, out var pull) && run.Labels.TryGetValue(MothershipLabels.DeploymentHead, out var head))
        {
            await ReportAsync(view, deploy, pull, head, succeeded, cancellationToken).ConfigureAwait(false);
        }

        if (succeeded && view.Sites.TryGetValue(deploy.Site, out var site)
            && await _promotion.EnvironmentRunsAsync(view, site.Environment, deploy.ToRevision, cancellationToken).ConfigureAwait(false))
        {
            await _promotion.CompleteEnvironmentAsync(view, site.Environment, deploy.ToRevision, deploy.FromRevision, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReportAsync(PromotionView view, SiteDeploy deploy, int pull, string head, bool succeeded, CancellationToken cancellationToken)
    {
        var link = _links.RunUrl(nameof(PipelineRun), deploy.RunName);
        var target = link ?? deploy.RunName;
        await _forge.CreateStatusAsync(view.Repository, head, succeeded ? CommitState.Success : CommitState.Failure, ServerSiteDeployments.StatusContext,
            succeeded ? $"Deployed {deploy.Site}." : $"Deploy of {deploy.Site}: {deploy.Result}.", link, cancellationToken).ConfigureAwait(false);
        var mark = $"<!-- mothership:deploy-result {deploy.Id} -->";
        if (await MarkedComments.ExistsAsync(_forge, view.Repository, pull, mark, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        // With a merge pool for the repository, the pool merges it once its query matches (its labels and required contexts).
        var pooled = _jobs.Current.Tide.QueriesFor(view.Repository.ToString()).Any();
        var body = new StringBuilder();
        if (succeeded)
        {
            body.Append("Site **").Append(deploy.Site).Append("** runs `").Append(deploy.ToRevision).Append("`: ").Append(target).Append('\n');
            if (pooled)
            {
                body.Append("\nThe merge pool merges this pull request once it matches its query (its labels and required statuses, `")
                    .Append(ServerSiteDeployments.StatusContext).Append("` among them).\n");
            }
        }
        else
        {
            body.Append("The deploy of site **").Append(deploy.Site).Append("** ended ").Append(deploy.Result).Append(": ").Append(target)
                .Append("\nThe site still runs what it ran before; this pull request stays open.\n");
            if (await _logs.FailedStepAsync(deploy.RunUid, ExcerptLines, cancellationToken).ConfigureAwait(false) is { } failed)
            {
                body.Append("\nService `").Append(failed.Task).Append("`, step `").Append(failed.Step).Append('`')
                    .Append(failed.ExitCode is { } code ? $" (exit code {code})" : "").Append(":\n\n```text\n")
                    .AppendJoin('\n', failed.Lines.Select(l => l.Replace("```", "'''", StringComparison.Ordinal))).Append("\n```\n");
            }
        }

        await MarkedComments.CreateAsync(_forge, view.Repository, pull, body.ToString(), mark, cancellationToken).ConfigureAwait(false);
        if (succeeded && !pooled)
        {
            var merged = await _forge.MergePullRequestAsync(view.Repository, pull, head, MergeMethod.Merge, cancellationToken).ConfigureAwait(false);
            Log.Merged(_logger, pull, deploy.Site, merged.Outcome.ToString());
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Promotion after the deploy of site {Site} ({Run}) failed (attempt {Attempt} of {Max}; taken up again after {RetryAfter}): {Error}")]
        public static partial void Failed(ILogger logger, string site, string run, string error, int attempt, int max, TimeSpan retryAfter);

        [LoggerMessage(Level = LogLevel.Error, Message = "Promotion after the deploy of site {Site} ({Run}) failed {Max} times and is given up: {Error}")]
        public static partial void GaveUp(ILogger logger, string site, string run, string error, int max);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Follow-ups of site deploys not taken up: {Error}")]
        public static partial void StoreUnavailable(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "Deployment pull request #{Number} of site {Site}: merge {Outcome}")]
        public static partial void Merged(ILogger logger, int number, string site, string outcome);
    }
}
