using Mothership.Ci.Forge;
using Mothership.Ci.Promotion;
using Mothership.Ci.Reporting;
using Mothership.Cloud.Sources;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Cloud;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Promotion;

/// <summary>The deploy plugin's side on the server: a deployment pull request's label deploys through the same intake as the API, with the pull request's number and head on the run.</summary>
internal sealed class ServerSiteDeployments(
    SitePromotion promotion, SiteDeployIntake intake, IRunStore store, RunController controller, IForge forge, JobReporterOptions links) : ISiteDeployments
{
    /// <summary>The context of a deployment pull request's status.</summary>
    public const string StatusContext = "mothership/deploy";

    /// <inheritdoc/>
    public async Task<string?> LabelForAsync(string site, CancellationToken cancellationToken) =>
        (await promotion.ViewAsync(cancellationToken).ConfigureAwait(false))?.StageOf(site)?.Label;

    /// <inheritdoc/>
    public async Task<DeployStart> StartAsync(DeployTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        // The label again after a failed deploy of the same revision resumes it at the service that failed.
        var last = (await store.ListSiteDeploysAsync(trigger.Site, 1, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        var resume = last is { Result: not null and not "Succeeded", DryRun: false } && intake.Resolves(trigger.Revision, last.ToRevision);
        var result = resume
            ? await intake.ResumeAsync(trigger.Site, trigger.Actor, "github", cancellationToken).ConfigureAwait(false)
            : await intake.StartAsync(new SiteDeployRequest
        {
            Site = trigger.Site,
            Revision = trigger.Revision,
            Actor = trigger.Actor,
            Source = "github",
            Labels = new Dictionary<string, string>
            {
                [MothershipLabels.DeploymentPullRequest] = trigger.PullRequest.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [MothershipLabels.DeploymentHead] = trigger.HeadSha,
            },
        }, cancellationToken).ConfigureAwait(false);
        switch (result.Answer)
        {
            case SiteDeployAnswer.Started:
                var run = result.Run!.Name;
                var link = links.RunUrl(nameof(PipelineRun), run);
                await forge.CreateStatusAsync(trigger.Repository, trigger.HeadSha, CommitState.Pending, StatusContext,
                    $"Deploying {trigger.Site}.", link, cancellationToken).ConfigureAwait(false);
                var services = result.Deploy!.Services.Select(s => s.Service).ToList();
                return new DeployStart(true,
                    $"{(resume ? "Resuming the failed deploy of" : "Deploying")} site {trigger.Site} at `{Short(trigger.Revision)}` ({(services.Count == 0 ? "no service changed" : string.Join(", ", services))}): {link ?? run}", run);
            case SiteDeployAnswer.Busy:
                return new DeployStart(false, $"a deploy of site {trigger.Site} is running ({result.Active?.RunName}); add the label again once it has ended.");
            case SiteDeployAnswer.UnknownSite:
                return new DeployStart(false, $"the site repository has no site {trigger.Site}: nothing deploys.");
            default:
                return new DeployStart(false, $"site {trigger.Site} cannot be deployed at `{Short(trigger.Revision)}`: {result.Message}");
        }
    }

    /// <inheritdoc/>
    public async Task<string?> StopAsync(string site, string actor, CancellationToken cancellationToken)
    {
        var active = (await store.ListActiveSiteDeploysAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(d => d.Site == site);
        if (active is null || await store.GetRunByUidAsync(active.RunUid, cancellationToken).ConfigureAwait(false) is not { } run)
        {
            return null;
        }

        // Tekton's graceful stop: running tasks finish, nothing new starts, finally runs.
        return await controller.CancelAsync(run, SpecStatus.StoppedRunFinally, actor, cancellationToken).ConfigureAwait(false) ? run.Name : null;
    }

    /// <inheritdoc/>
    public async Task<DeployProposal> ProposeAsync(string site, string revision, string actor, CancellationToken cancellationToken)
    {
        try
        {
            if (await promotion.ViewAsync(cancellationToken).ConfigureAwait(false) is not { } view)
            {
                return new DeployProposal(null, "the site repository declares no promotion (cloud.yaml spec.promotion)");
            }

            return await promotion.ProposeAsync(view, site, revision, cancellationToken).ConfigureAwait(false) is { } pullRequest
                ? new DeployProposal(pullRequest)
                : new DeployProposal(null, $"site {site} is deployed on demand (the first environment of cloud.yaml's promotion), not by a deployment pull request");
        }
        catch (ArgumentException e)
        {
            // SitePromotion's refusals of what the user wrote (an unknown revision).
            return new DeployProposal(null, e.Message);
        }
        catch (SiteSourceException e)
        {
            return new DeployProposal(null, $"the site repository cannot be read: {e.Message}");
        }
    }

    private static string Short(string revision) => revision.Length > 12 ? revision[..12] : revision;
}
