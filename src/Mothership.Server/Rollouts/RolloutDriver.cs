using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Cloud.Rollouts;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Cloud;
using Mothership.Server.Hosting;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Rollouts;

/// <summary>
/// Drives the active rollouts this replica holds the lease of (<see cref="IRunStore.ClaimRolloutsAsync"/>),
/// every poll interval and whenever a deploy ends or someone acts: reads how the current deploys
/// and bake checks ended (from the store, so a restarted server sees what ended while it was
/// down), feeds that to <see cref="RolloutDecider"/> and stores the step under the rollout's
/// version. A site whose state says "deploying attempt N" (stored before anything starts) gets its
/// deploy started only when no run carrying that rollout and attempt exists, so a server killed
/// between the two never deploys a site twice.
/// </summary>
internal sealed partial class RolloutDriver(RolloutService rollouts, IRunStore store, SiteDeployIntake deploys, SiteDeployReconciler reconciler, RunIntake intake,
    RunController controller, TimeProvider time, IOptions<ServerOptions> options, ILogger<RolloutDriver> logger) : BackgroundService
{
    /// <summary>The source site deploys started by a rollout carry.</summary>
    public const string Source = "rollout";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!rollouts.Configured)
        {
            return;
        }

        reconciler.Finished += _ => rollouts.Wake();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DriveAllAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException e)
            {
                Log.StoreUnavailable(logger, e.Message);
            }

            await rollouts.WaitAsync(options.Value.PollInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One pass: every active rollout this replica holds, driven until it has nothing more to start.</summary>
    public async Task DriveAllAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        foreach (var rollout in await store.ClaimRolloutsAsync(controller.Owner, o.LeaseDuration, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var current = rollout;
                for (var i = 0; i < 10 && current is not null && current.Active; i++)
                {
                    var (next, again) = await DriveAsync(current, cancellationToken).ConfigureAwait(false);
                    current = next;
                    if (!again)
                    {
                        break;
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException and not StoreUnavailableException)
            {
                Log.DriveFailed(logger, rollout.Name, e.Message);
            }
        }
    }

    /// <summary>One step of one rollout; the rollout as stored after it, and whether to step again at once (it started work).</summary>
    private async Task<(RolloutRecord? Rollout, bool Again)> DriveAsync(RolloutRecord rollout, CancellationToken cancellationToken)
    {
        var plan = await rollouts.PlanOfAsync(rollout, cancellationToken).ConfigureAwait(false);
        var document = RolloutDocument.Parse(rollout.Document);
        var events = new List<RolloutEvent>();
        var changed = false;
        foreach (var site in document.State.Sites)
        {
            if (site.State == SiteRolloutState.Deploying)
            {
                var (work, ended) = await DeployAsync(rollout, document.Deploys.GetValueOrDefault(site.Site), site, cancellationToken).ConfigureAwait(false);
                if (work is not null && document.Deploys.GetValueOrDefault(site.Site) != work)
                {
                    document = document with { Deploys = document.Deploys.SetItem(site.Site, work) };
                    changed = true;
                }

                events.AddRange(ended);
            }
            else if (site is { State: SiteRolloutState.Baking, BakeCheckStarted: true } && plan.Policy.Bake?.Pipeline is { } pipeline)
            {
                var (work, ended) = await BakeAsync(rollout, document.Bakes.GetValueOrDefault(site.Site), site, pipeline, cancellationToken).ConfigureAwait(false);
                if (work is not null && document.Bakes.GetValueOrDefault(site.Site) != work)
                {
                    document = document with { Bakes = document.Bakes.SetItem(site.Site, work) };
                    changed = true;
                }

                events.AddRange(ended);
            }
        }

        var now = time.GetUtcNow();
        var decision = RolloutDecider.Next(plan, document.State, now, events);
        var starts = decision.Actions.Any(a => a is RolloutAction.StartDeploy or RolloutAction.StartBakeCheck);
        if (!changed && events.Count == 0 && decision.Transitions.IsEmpty && decision.StatusChanges.IsEmpty && !starts
            && decision.State.Done == document.State.Done && decision.WakeAt == rollout.WakeAt)
        {
            return (rollout, false);
        }

        foreach (var (e, why) in decision.Ignored)
        {
            Log.Ignored(logger, rollout.Name, e.ToString(), why);
        }

        var saved = await rollouts.SaveAsync(rollout, document, decision, [], null, cancellationToken).ConfigureAwait(false);
        return (saved, saved is not null && starts);
    }

    /// <summary>
    /// The deploy of <paramref name="site"/>'s current attempt: the one recorded, else the one a
    /// run carrying this rollout and attempt belongs to, else a new one; and its end when it ended
    /// (or why it could not start).
    /// </summary>
    private async Task<(RolloutWork? Work, IReadOnlyList<RolloutEvent> Ended)> DeployAsync(RolloutRecord rollout, RolloutWork? work, SiteProgress site, CancellationToken cancellationToken)
    {
        if (work?.Attempt != site.Attempt)
        {
            work = await FindAsync(rollout.Name, site, "deploy", cancellationToken).ConfigureAwait(false);
        }

        if (work is null)
        {
            var result = await deploys.StartAsync(new SiteDeployRequest
            {
                Site = site.Site,
                Revision = rollout.Revision,
                Actor = rollout.Actor,
                Source = Source,
                Labels = Labels(rollout.Name, site.Attempt, "deploy"),
            }, cancellationToken).ConfigureAwait(false);
            switch (result.Answer)
            {
                case SiteDeployAnswer.Started:
                    Log.DeployStarted(logger, rollout.Name, site.Site, site.Attempt, result.Run!.Name);
                    return (new RolloutWork(site.Attempt, result.Run.Uid, result.Run.Name, result.Deploy!.Id), []);
                case SiteDeployAnswer.Busy:
                    // Another deploy holds the site (not one of this rollout's): start once it ends.
                    Log.SiteBusy(logger, rollout.Name, site.Site, result.Active?.RunName ?? "?");
                    return (null, []);
                default:
                    return (null, [new RolloutEvent.DeployFailed(site.Site, site.Attempt, result.Message ?? $"site '{site.Site}' is unknown at {rollout.Revision[..12]}", time.GetUtcNow())]);
            }
        }

        var deploy = (await store.ListSiteDeploysAsync(site.Site, 100, cancellationToken).ConfigureAwait(false)).FirstOrDefault(d => d.Id == work.DeployId || d.RunUid == work.RunUid);
        if (deploy is null)
        {
            return (work, []);
        }

        work = work with { DeployId = deploy.Id };
        return deploy.Result switch
        {
            null => (work, []),
            "Succeeded" => (work, [new RolloutEvent.DeploySucceeded(site.Site, site.Attempt, deploy.FinishedAt ?? time.GetUtcNow())]),
            var r => (work, [new RolloutEvent.DeployFailed(site.Site, site.Attempt, $"{deploy.RunName}: {r}", deploy.FinishedAt ?? time.GetUtcNow())]),
        };
    }

    /// <summary>The bake check of <paramref name="site"/>'s current attempt (found or started as deploys are) and its end.</summary>
    private async Task<(RolloutWork? Work, IReadOnlyList<RolloutEvent> Ended)> BakeAsync(RolloutRecord rollout, RolloutWork? work, SiteProgress site, string pipeline,
        CancellationToken cancellationToken)
    {
        if (work?.Attempt != site.Attempt)
        {
            work = await FindAsync(rollout.Name, site, "bake", cancellationToken).ConfigureAwait(false);
        }

        if (work is null)
        {
            var (body, error) = rollouts.BakeRun(rollout.Revision, pipeline, site.Site, Labels(rollout.Name, site.Attempt, "bake"));
            if (body is null)
            {
                return (null, [new RolloutEvent.BakeFailed(site.Site, site.Attempt, error!, time.GetUtcNow())]);
            }

            var created = await intake.CreateAsync("PipelineRun", body, rollout.Actor, cancellationToken).ConfigureAwait(false);
            if (created.Run is not { } run)
            {
                var first = created.Diagnostics.FirstOrDefault(d => d.Severity == Severity.Error);
                return (null, [new RolloutEvent.BakeFailed(site.Site, site.Attempt, $"the bake check {pipeline} cannot run: {first?.ToString() ?? "its name is taken"}", time.GetUtcNow())]);
            }

            controller.Wake();
            Log.BakeStarted(logger, rollout.Name, site.Site, site.Attempt, run.Name);
            return (new RolloutWork(site.Attempt, run.Uid, run.Name, null), []);
        }

        var stored = await store.GetRunByUidAsync(work.RunUid, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return (work, [new RolloutEvent.BakeFailed(site.Site, site.Attempt, $"the bake check run {work.RunName} was deleted", time.GetUtcNow())]);
        }

        if (stored.Phase != RunPhase.Finished)
        {
            return (work, []);
        }

        var at = stored.CompletedAt ?? time.GetUtcNow();
        return stored.Status == "True"
            ? (work, [new RolloutEvent.BakePassed(site.Site, site.Attempt, at)])
            : (work, [new RolloutEvent.BakeFailed(site.Site, site.Attempt, $"{work.RunName}: {(stored.Reason is { Length: > 0 } r ? r : "Failed")}", at)]);
    }

    /// <summary>The run of this rollout's <paramref name="step"/> for the site's current attempt, when one was started (by this server before a restart, or another replica).</summary>
    private async Task<RolloutWork?> FindAsync(string rollout, SiteProgress site, string step, CancellationToken cancellationToken)
    {
        var page = await store.ListRunsAsync(new RunQuery
        {
            Kind = "PipelineRun",
            Labels =
            [
                new LabelRequirement(MothershipLabels.Rollout, LabelOperator.Equals, [rollout]),
                new LabelRequirement(MothershipLabels.RolloutAttempt, LabelOperator.Equals, [site.Attempt.ToString(CultureInfo.InvariantCulture)]),
                new LabelRequirement(MothershipLabels.RolloutStep, LabelOperator.Equals, [step]),
                new LabelRequirement(MothershipLabels.Site, LabelOperator.Equals, [site.Site]),
            ],
            Limit = 5,
        }, cancellationToken).ConfigureAwait(false);
        if (page.Items.FirstOrDefault() is not { } run)
        {
            return null;
        }

        Log.Found(logger, rollout, site.Site, site.Attempt, run.Name);
        return new RolloutWork(site.Attempt, run.Uid, run.Name, null);
    }

    private static Dictionary<string, string> Labels(string rollout, int attempt, string step) => new(StringComparer.Ordinal)
    {
        [MothershipLabels.Rollout] = rollout,
        [MothershipLabels.RolloutAttempt] = attempt.ToString(CultureInfo.InvariantCulture),
        [MothershipLabels.RolloutStep] = step,
    };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Rollout}: deploy attempt {Attempt} of site {Site} started ({Run})")]
        public static partial void DeployStarted(ILogger logger, string rollout, string site, int attempt, string run);

        [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Rollout}: bake check of site {Site} (attempt {Attempt}) started ({Run})")]
        public static partial void BakeStarted(ILogger logger, string rollout, string site, int attempt, string run);

        [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Rollout}: site {Site}'s attempt {Attempt} runs already ({Run}); not started again")]
        public static partial void Found(ILogger logger, string rollout, string site, int attempt, string run);

        [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Rollout}: site {Site} is busy with another deploy ({Run}); its deploy waits")]
        public static partial void SiteBusy(ILogger logger, string rollout, string site, string run);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Rollout {Rollout}: ignored {Event}: {Why}")]
        public static partial void Ignored(ILogger logger, string rollout, string @event, string why);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Rollout {Rollout} not driven: {Error}")]
        public static partial void DriveFailed(ILogger logger, string rollout, string error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Rollouts not driven: {Error}")]
        public static partial void StoreUnavailable(ILogger logger, string error);
    }
}
