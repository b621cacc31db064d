using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Deploy;
using Mothership.Cloud.Planning;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Cloud.Values;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;
using Mothership.Executors.Kubernetes;
using Mothership.Server.Execution;
using Mothership.Server.Hosting;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Cloud;

/// <summary>
/// Starts a site's deploy on the server: fetches the site repository's cache, plans from the
/// revision the site runs (none: everything) to the one asked for, builds the deploy pipeline and
/// stores its PipelineRun through <see cref="RunIntake"/> together with the deploy and the site's
/// lock (<see cref="IRunStore.StartSiteDeployAsync"/>), so it runs, journals and resumes like any
/// run. What is called to deploy site S at revision R for an actor and a source (API, CLI, bots).
/// </summary>
internal sealed class SiteDeployIntake(SiteRepositoryCache cache, IRunStore store, RunIntake intake, RunController controller, TimeProvider time,
    IOptions<ServerOptions> options, RoutingExecutor executors)
{
    /// <summary>
    /// Where the files of a deploy of <paramref name="site"/> at <paramref name="revision"/> (the
    /// tree its path charts are read from) live while it runs: one deploy per site runs at a time,
    /// and a deploy resumed from its failure finds them again at the path its run names.
    /// </summary>
    public string ScratchOf(string site, string revision) => Path.Combine(cache.DataDirectory, "cloud", "deploys", $"{site}-{revision}");

    public async Task<SiteDeployResult> StartAsync(SiteDeployRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!cache.Configured || !KubernetesNames.IsDns1123Label(request.Site))
        {
            return new SiteDeployResult(SiteDeployAnswer.UnknownSite);
        }

        await cache.RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (request.Revision is not null && cache.Resolve(request.Revision) is null)
        {
            // Pushed within the fetch interval: one more fetch before calling it unknown.
            await cache.RefreshAsync(cancellationToken, force: true).ConfigureAwait(false);
        }

        if (cache.Resolve(request.Revision) is not { } to)
        {
            return new SiteDeployResult(SiteDeployAnswer.Invalid, Message: request.Revision is null
                ? "the site repository has no default branch to deploy"
                : $"revision '{request.Revision}' names no commit of the site repository");
        }

        using (var files = cache.Open(to))
        {
            if (!SiteRepositoryLoader.SiteNames(files).Contains(request.Site, StringComparer.Ordinal))
            {
                return new SiteDeployResult(SiteDeployAnswer.UnknownSite);
            }
        }

        var state = await store.GetSiteStateAsync(request.Site, cancellationToken).ConfigureAwait(false);
        // A deployed revision the repository lost (a force push) cannot be compared with: everything runs.
        var from = state?.Revision is { } deployed && cache.Resolve(deployed) is not null ? deployed : null;
        var charts = ServerOptionsValidator.NullIfEmpty(options.Value.Cloud.Charts);
        var bag = new DiagnosticBag();
        var planRequest = new DeployPlanRequest { Repository = cache.GitDirectory, Site = request.Site, From = from, To = to, Charts = charts };
        DeployPlanWithSite? planned;
        try
        {
            planned = RepositoryPlanner.Plan(planRequest, new ChartStore(charts), bag);
        }
        catch (SiteSourceException e)
        {
            return new SiteDeployResult(SiteDeployAnswer.Invalid, Message: e.Message);
        }

        using (planned)
        {
            if (planned is null || bag.HasErrors)
            {
                var first = bag.Sorted().FirstOrDefault(d => d.Severity == Severity.Error);
                return new SiteDeployResult(SiteDeployAnswer.Invalid, Message: $"site '{request.Site}' cannot be planned at {to[..12]}: {first?.ToString() ?? "unknown reason"}");
            }

            return await StartPlannedAsync(request, planned, from, to, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<SiteDeployResult> StartPlannedAsync(SiteDeployRequest request, DeployPlanWithSite planned, string? from, string to, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString();
        var definition = planned.Site.Repository.Site;
        // Where the deploy runs is its site.yaml's to say (executor.kind, cluster, executor.namespace),
        // whatever the server's own executor: either kind on either server. The run carries the route
        // (annotations), so a rerun or a restart sends it to the same place without the repository.
        if (ServerExecutors.RouteOf(definition, options.Value, out var routeError) is not { } route)
        {
            return new SiteDeployResult(SiteDeployAnswer.Invalid, Message: routeError);
        }

        try
        {
            executors.For(route);
        }
        catch (KubernetesConfigException e)
        {
            return new SiteDeployResult(SiteDeployAnswer.Invalid,
                Message: $"site '{request.Site}' deploys as pods in {route} (its site.yaml's cluster and executor), which this server cannot reach: {e.Message}");
        }

        var onKubernetes = route.Kind == ExecutorRoute.Kubernetes;
        // The environment beside the site: the access policy names a run's object ENVIRONMENT/SITE (Access.ServerAccess).
        var labels = new Dictionary<string, string>(request.Labels) { [MothershipLabels.SiteRevision] = to, [MothershipLabels.Environment] = definition.Environment };
        DeployPipelineOptions pipelineOptions;
        string? scratch = null;
        if (onKubernetes)
        {
            if (!request.DryRun && PathCharts(planned) is { Length: > 0 } local)
            {
                return new SiteDeployResult(SiteDeployAnswer.Invalid,
                    Message: $"site '{request.Site}' deploys as pods in its cluster, which cannot read charts given by path in the site repository: {local}");
            }

            pipelineOptions = new DeployPipelineOptions { DryRun = request.DryRun, ForKubernetes = true, RunLabels = labels, RunAnnotations = route.Annotations() };
        }
        else
        {
            scratch = ScratchOf(request.Site, to);
            if ((await store.ListActiveSiteDeploysAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(d => d.Site == request.Site) is { } running)
            {
                // The site's folder may be the running deploy's: neither rewritten nor removed.
                return new SiteDeployResult(SiteDeployAnswer.Busy, Active: running);
            }

            if (!request.DryRun && PathCharts(planned) is { Length: > 0 })
            {
                await Task.Run(() => MaterializeOnce(to, scratch), cancellationToken).ConfigureAwait(false);
            }

            pipelineOptions = new DeployPipelineOptions { DryRun = request.DryRun, ChartRoot = scratch, StateOnClaim = true, RunLabels = labels, RunAnnotations = route.Annotations() };
        }

        try
        {
            var yaml = DeployPipelineBuilder.Yaml(planned, pipelineOptions);
            var prepared = await intake.PrepareAsync(nameof(PipelineRun), yaml, request.Actor, cancellationToken, routed: true).ConfigureAwait(false);
            if (prepared.Run is not { } run)
            {
                var first = prepared.Diagnostics.FirstOrDefault(d => d.Severity == Severity.Error);
                return Cleaned(scratch, new SiteDeployResult(SiteDeployAnswer.Invalid, Message: $"the deploy pipeline of site '{request.Site}' is invalid: {first}"));
            }

            if (onKubernetes && executors.For(route) is KubernetesTaskExecutor cluster)
            {
                // The site's state claim outlives its deploys, so it is not one of a run's objects
                // (those go with the run): made here when the cluster lacks it, as mship deploy makes it.
                try
                {
                    await ClusterObjects.CreateAsync(cluster.Client, cluster.Namespace, [(null, yaml)], others: false, cancellationToken).ConfigureAwait(false);
                }
                catch (ClusterObjectException e)
                {
                    return new SiteDeployResult(SiteDeployAnswer.Invalid, Message: $"site '{request.Site}': its state claim cannot be made in {route}: {e.Message}");
                }
            }

            var deploy = new SiteDeploy
            {
                Id = id,
                Site = request.Site,
                FromRevision = from,
                ToRevision = to,
                RunUid = run.Uid,
                RunName = run.Name,
                Actor = request.Actor,
                Source = request.Source,
                DryRun = request.DryRun,
                RequestedAt = time.GetUtcNow(),
                Services = [.. planned.Plan.Services.Where(s => s.Run).Select(s => ServiceState(planned, s))],
            };
            return await StoreAsync(deploy, run, scratch, cancellationToken).ConfigureAwait(false);
        }
        catch (SiteSourceException e)
        {
            return Cleaned(scratch, new SiteDeployResult(SiteDeployAnswer.Invalid, Message: e.Message));
        }
        catch
        {
            Cleaned(scratch, new SiteDeployResult(SiteDeployAnswer.Invalid));
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="commit"/>'s files to <paramref name="directory"/> unless they are there:
    /// into a folder of its own first, then moved into place, so two requests racing for one site
    /// never write into the same folder (the loser's copy, the same files, is dropped).
    /// </summary>
    private void MaterializeOnce(string commit, string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        var own = $"{directory}.{Guid.NewGuid():N}";
        cache.Materialize(commit, own);
        try
        {
            Directory.Move(own, directory);
        }
        catch (IOException) when (Directory.Exists(directory))
        {
            Directory.Delete(own, recursive: true);
        }
    }

    /// <summary>Whether <paramref name="revision"/> names commit <paramref name="commit"/> in the site repository.</summary>
    public bool Resolves(string revision, string commit) => revision == commit || cache.Resolve(revision) == commit;

    /// <summary>
    /// Resumes <paramref name="site"/>'s last deploy when it failed: its run rerun from the failure
    /// (<see cref="RunIntake.PrepareRerunFromFailedAsync"/>: the services that succeeded are reused,
    /// the one that failed and those after it run again), stored with a new deploy of the same
    /// revisions under the site's lock, as <see cref="StartAsync"/> stores a new one.
    /// </summary>
    public async Task<SiteDeployResult> ResumeAsync(string site, string actor, string source, CancellationToken cancellationToken)
    {
        if (!cache.Configured || !KubernetesNames.IsDns1123Label(site))
        {
            return new SiteDeployResult(SiteDeployAnswer.UnknownSite);
        }

        var last = (await store.ListSiteDeploysAsync(site, 1, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        switch (last)
        {
            case null:
                return new SiteDeployResult(SiteDeployAnswer.Invalid, Message: $"site '{site}' has no deploy to resume");
            case { Result: null }:
                return new SiteDeployResult(SiteDeployAnswer.Busy, Active: last);
            case { Result: "Succeeded" }:
                return new SiteDeployResult(SiteDeployAnswer.Invalid, Message: $"the last deploy of site '{site}' ({last.RunName}) succeeded: nothing to resume");
        }

        if (await store.GetRunByUidAsync(last.RunUid, cancellationToken).ConfigureAwait(false) is not { } failed)
        {
            return new SiteDeployResult(SiteDeployAnswer.Invalid, Message: $"the run of site '{site}''s last deploy ({last.RunName}) was deleted: deploy again");
        }

        var rerun = await intake.PrepareRerunFromFailedAsync(failed, actor, cancellationToken).ConfigureAwait(false);
        if (rerun.Run is not { } run)
        {
            return new SiteDeployResult(SiteDeployAnswer.Invalid, Message: rerun.Message);
        }

        string? scratch = null;
        // A deploy stored before runs carried their route ran on the server's own executor.
        var kind = ExecutorRoute.Of(RunManifest.Load(failed).Run?.Metadata.Annotations ?? ImmutableSortedDictionary<string, string>.Empty)?.Kind ?? options.Value.Executor;
        if (!last.DryRun && kind == ExecutorRoute.Local)
        {
            // The rerun's pipeline names the path its charts are read from; its files were removed when the deploy ended.
            scratch = ScratchOf(site, last.ToRevision);
            await cache.RefreshAsync(cancellationToken).ConfigureAwait(false);
            await Task.Run(() => MaterializeOnce(last.ToRevision, scratch), cancellationToken).ConfigureAwait(false);
        }

        var deploy = last with
        {
            Id = Guid.NewGuid().ToString(),
            RunUid = run.Uid,
            RunName = run.Name,
            Actor = actor,
            Source = source,
            RequestedAt = time.GetUtcNow(),
            StartedAt = null,
            FinishedAt = null,
            Result = null,
        };
        return await StoreAsync(deploy, run, scratch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores the deploy with its run under the site's lock; a refusal removes the deploy's folder unless it is the winner's.</summary>
    private async Task<SiteDeployResult> StoreAsync(SiteDeploy deploy, RunRecord run, string? scratch, CancellationToken cancellationToken)
    {
        var start = await store.StartSiteDeployAsync(deploy, run, cancellationToken).ConfigureAwait(false);
        switch (start.Outcome)
        {
            case SiteDeployOutcome.Started:
                controller.Wake();
                return new SiteDeployResult(SiteDeployAnswer.Started, deploy, run);
            case SiteDeployOutcome.Busy:
                // Another request won the site meanwhile: at the same revision, the folder is its.
                return Cleaned(start.Active?.ToRevision == deploy.ToRevision ? null : scratch, new SiteDeployResult(SiteDeployAnswer.Busy, Active: start.Active));
            default:
                return Cleaned(scratch, new SiteDeployResult(SiteDeployAnswer.Invalid, Message: $"a run named '{run.Name}' exists; ask again"));
        }
    }

    /// <summary>A service as the deploy will leave it: the chart, its version and a digest of the merged values.</summary>
    private static SiteServiceState ServiceState(DeployPlanWithSite planned, ServicePlan service)
    {
        var values = planned.Site.Values.TryGetValue(service.Name, out var rendered) ? ValuesRenderer.Render(rendered.Values, sources: false) : "";
        return new SiteServiceState
        {
            Service = service.Name,
            Chart = service.Chart,
            Version = planned.Site.Charts.TryGetValue(service.Name, out var chart) ? chart.Version : "",
            ValuesDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(values))),
        };
    }

    /// <summary>The services that run with a chart given by path, as <c>NAME (PATH)</c>.</summary>
    private static string PathCharts(DeployPlanWithSite planned)
    {
        var catalog = planned.Site.Repository.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        return string.Join(", ", planned.Plan.Services.Where(s => s.Run && catalog[s.Name].Chart.Path is not null).Select(s => $"{s.Name} ({catalog[s.Name].Chart.Path})"));
    }

    private static SiteDeployResult Cleaned(string? scratch, SiteDeployResult result)
    {
        if (scratch is not null && Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        return result;
    }
}
