using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Reporting;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Cloud;
using Mothership.Store;

namespace Mothership.Server.Promotion;

/// <summary>
/// What follows a site deploy's end (<see cref="SiteDeployReconciler.Finished"/>, raised once per
/// end across replicas): a deploy started from a deployment pull request reports there (status,
/// a comment with the run's link; on failure the failed service's last log lines) and, when it
/// succeeded, merges it (or leaves it to the merge pool when one serves the repository); a revision that now runs on every site of its environment is tagged and
/// proposed to the next environment (<see cref="SitePromotion.CompleteEnvironmentAsync"/>).
/// </summary>
internal sealed partial class PromotionService : BackgroundService
{
    /// <summary>Log lines of the failed service quoted on its deployment pull request.</summary>
    public const int ExcerptLines = 30;

    private readonly Channel<SiteDeploy> _ended = Channel.CreateUnbounded<SiteDeploy>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SitePromotion _promotion;
    private readonly IRunStore _store;
    private readonly IForge _forge;
    private readonly IJobLogs _logs;
    private readonly JobReporterOptions _links;
    private readonly IJobConfigSource _jobs;
    private readonly ILogger<PromotionService> _logger;

    public PromotionService(SiteDeployReconciler reconciler, SitePromotion promotion, IRunStore store, IForge forge, IJobLogs logs, JobReporterOptions links,
        IJobConfigSource jobs, ILogger<PromotionService> logger)
    {
        ArgumentNullException.ThrowIfNull(reconciler);
        _promotion = promotion;
        _store = store;
        _forge = forge;
        _logs = logs;
        _links = links;
        _jobs = jobs;
        _logger = logger;
        reconciler.Finished += deploy => _ended.Writer.TryWrite(deploy);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var deploy in _ended.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await HandleAsync(deploy, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Failed(_logger, deploy.Site, deploy.RunName, e.Message);
            }
        }
    }

    /// <summary>Reports <paramref name="deploy"/>'s end and promotes what it completed.</summary>
    public async Task HandleAsync(SiteDeploy deploy, CancellationToken cancellationToken)
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
        [LoggerMessage(Level = LogLevel.Warning, Message = "Promotion after the deploy of site {Site} ({Run}) failed: {Error}")]
        public static partial void Failed(ILogger logger, string site, string run, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "Deployment pull request #{Number} of site {Site}: merge {Outcome}")]
        public static partial void Merged(ILogger logger, int number, string site, string outcome);
    }
}
