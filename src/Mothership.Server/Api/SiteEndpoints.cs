using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Engine.Status;
using Mothership.Model.Diagnostics;
using Mothership.Model.Validation;
using Microsoft.Extensions.DependencyInjection;
using Mothership.Cloud.Access;
using Mothership.Server.Access;
using Mothership.Server.Cloud;
using Mothership.Server.Promotion;
using Mothership.Store;

namespace Mothership.Server.Api;

/// <summary>
/// The sites of the site repository (<c>Mothership:Cloud:Repository</c>): each with what it runs,
/// its history, and deploys started on the server.
/// </summary>
internal static class SiteEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var site = AccessObjects.Site();
        // Filtered by get on each site, not refused.
        api.MapGet("/sites", ListAsync).WithMetadata(new AccessRequiredMetadata());
        api.MapGet("/sites/{site}", GetAsync).RequireAccess(AccessResources.Sites, AccessActions.Get, site);
        api.MapGet("/sites/{site}/history", HistoryAsync).RequireAccess(AccessResources.Sites, AccessActions.Get, site);
        api.MapPost("/sites/{site}/deploys", DeployAsync).RequireAccess(AccessResources.Deploys, AccessActions.Create, site);
        api.MapGet("/sites/{site}/drift", DriftAsync).RequireAccess(AccessResources.Sites, AccessActions.Get, site);
        // A drift check starts work on the site (helm diffs against its cluster): create on the site.
        api.MapPost("/sites/{site}/drift", CheckDriftAsync).RequireAccess(AccessResources.Sites, AccessActions.Create, site);
    }

    private static IResult NoRepository() =>
        Problems.Of(StatusCodes.Status404NotFound, "Not found", "no site repository is configured (Mothership__Cloud__Repository)");

    private static IResult Unavailable(SiteSourceException e) =>
        Problems.Of(StatusCodes.Status503ServiceUnavailable, "Site repository unavailable", e.Message);

    /// <summary>The sites at the tip of the default branch, as (name, site.yaml or null when it does not read).</summary>
    private static async Task<IReadOnlyList<(string Name, SiteDefinition? Definition)>> SitesAsync(SiteRepositoryCache cache, CancellationToken ct)
    {
        await cache.RefreshAsync(ct).ConfigureAwait(false);
        if (cache.Resolve(null) is not { } tip)
        {
            return [];
        }

        using var files = cache.Open(tip);
        return [.. SiteRepositoryLoader.SiteNames(files).Select(name => (name, SiteRepositoryLoader.LoadSite(files, name, "", new DiagnosticBag())))];
    }

    private static async Task<IResult> ListAsync(HttpContext context, SiteRepositoryCache cache, IRunStore store, ServerAccess access, CancellationToken ct)
    {
        if (!cache.Configured)
        {
            return NoRepository();
        }

        IReadOnlyList<(string Name, SiteDefinition? Definition)> sites;
        try
        {
            sites = await SitesAsync(cache, ct).ConfigureAwait(false);
        }
        catch (SiteSourceException e)
        {
            return Unavailable(e);
        }

        var view = await access.CurrentAsync(ct).ConfigureAwait(false);
        sites = [.. sites.Where(s => AccessRequirements.MayGet(context, view, AccessResources.Sites, view.SiteObject(s.Name)))];
        var states = (await store.ListSiteStatesAsync(ct).ConfigureAwait(false)).ToDictionary(s => s.Site, StringComparer.Ordinal);
        var active = (await store.ListActiveSiteDeploysAsync(ct).ConfigureAwait(false)).ToDictionary(d => d.Site, StringComparer.Ordinal);
        var drifts = (await store.ListSiteDriftsAsync(ct).ConfigureAwait(false)).ToDictionary(d => d.Site, StringComparer.Ordinal);
        var open = await OpenDeploymentsAsync(context, ct).ConfigureAwait(false);
        return Results.Json(new JsonObject
        {
            ["items"] = new JsonArray([.. sites.Select(s => (JsonNode)WithDeployment(WithDrift(
                SiteObject(s.Name, s.Definition, states.GetValueOrDefault(s.Name), active.GetValueOrDefault(s.Name), services: false), drifts.GetValueOrDefault(s.Name)),
                open.GetValueOrDefault(s.Name)))]),
        });
    }

    private static async Task<IResult> GetAsync(string site, HttpContext context, SiteRepositoryCache cache, IRunStore store, CancellationToken ct)
    {
        if (!cache.Configured)
        {
            return NoRepository();
        }

        IReadOnlyList<(string Name, SiteDefinition? Definition)> sites;
        try
        {
            sites = await SitesAsync(cache, ct).ConfigureAwait(false);
        }
        catch (SiteSourceException e)
        {
            return Unavailable(e);
        }

        var state = await store.GetSiteStateAsync(site, ct).ConfigureAwait(false);
        if (!sites.Any(s => s.Name == site) && state is null)
        {
            return Problems.NotFound($"site '{site}'");
        }

        var active = (await store.ListActiveSiteDeploysAsync(ct).ConfigureAwait(false)).FirstOrDefault(d => d.Site == site);
        var drift = await store.GetSiteDriftAsync(site, ct).ConfigureAwait(false);
        var open = await OpenDeploymentsAsync(context, ct).ConfigureAwait(false);
        return Results.Json(WithDeployment(WithDrift(SiteObject(site, sites.FirstOrDefault(s => s.Name == site).Definition, state, active, services: true), drift),
            open.GetValueOrDefault(site)));
    }

    /// <summary>The open deployment pull requests by site; none when the server does not promote.</summary>
    private static async Task<IReadOnlyDictionary<string, OpenDeployment>> OpenDeploymentsAsync(HttpContext context, CancellationToken ct) =>
        context.RequestServices.GetService<SitePromotion>() is { } promotion
            ? await promotion.OpenDeploymentsAsync(ct).ConfigureAwait(false)
            : new Dictionary<string, OpenDeployment>();

    /// <summary>Adds <c>deploymentPullRequest</c> (number, title, url, the revision it proposes) when the site has one open.</summary>
    private static JsonObject WithDeployment(JsonObject site, OpenDeployment? open)
    {
        if (open is not null)
        {
            site["deploymentPullRequest"] = new JsonObject { ["number"] = open.Number, ["title"] = open.Title, ["url"] = open.Link, ["revision"] = open.Revision };
        }

        return site;
    }

    private static async Task<IResult> HistoryAsync(string site, HttpContext context, SiteRepositoryCache cache, IRunStore store, CancellationToken ct)
    {
        if (!cache.Configured)
        {
            return NoRepository();
        }

        if (!ApiContext.TryNumber(context.Request, "limit", 1, 1000, out var limit, out var problem))
        {
            return problem;
        }

        var deploys = await store.ListSiteDeploysAsync(site, (int)(limit ?? 50), ct).ConfigureAwait(false);
        if (deploys.Count == 0 && await store.GetSiteStateAsync(site, ct).ConfigureAwait(false) is null)
        {
            try
            {
                if (!(await SitesAsync(cache, ct).ConfigureAwait(false)).Any(s => s.Name == site))
                {
                    return Problems.NotFound($"site '{site}'");
                }
            }
            catch (SiteSourceException e)
            {
                return Unavailable(e);
            }
        }

        return Results.Json(new JsonObject { ["items"] = new JsonArray([.. deploys.Select(d => (JsonNode)DeployObject(d))]) });
    }

    private static async Task<IResult> DeployAsync(string site, HttpContext context, SiteRepositoryCache cache, SiteDeployIntake intake, CancellationToken ct)
    {
        if (!cache.Configured)
        {
            return NoRepository();
        }

        var body = await ApiContext.BodyAsync(context.Request, ct).ConfigureAwait(false);
        string? revision = null;
        var dryRun = false;
        var resume = false;
        var source = "api";
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                if (JsonNode.Parse(body) is not JsonObject json)
                {
                    return Problems.BadRequest("body: a JSON object, {\"revision\": \"...\", \"dryRun\": false}");
                }

                revision = json["revision"]?.GetValue<string>();
                dryRun = json["dryRun"]?.GetValue<bool>() ?? false;
                resume = json["resume"]?.GetValue<bool>() ?? false;
                source = json["source"]?.GetValue<string>() ?? source;
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                return Problems.BadRequest($"body: not a deploy request ({e.Message.Split('\n')[0]}); send {{\"revision\": \"...\", \"dryRun\": false}}");
            }
        }

        if (revision is not null && (revision.Length is 0 or > 200 || revision.StartsWith('-') || revision.Any(char.IsControl) || revision.Any(char.IsWhiteSpace)))
        {
            return Problems.BadRequest("revision: a commit, branch or tag of the site repository (no spaces, not starting with '-')");
        }

        if (!KubernetesNames.IsDns1123Label(source))
        {
            return Problems.BadRequest("source: what asked for the deploy, as a lower-case word (api, cli, github)");
        }

        SiteDeployResult result;
        try
        {
            if (resume && (revision is not null || dryRun))
            {
                return Problems.BadRequest("resume: resumes the site's last deploy, which names its revision and dry run; send {\"resume\": true} alone");
            }

            result = resume
                ? await intake.ResumeAsync(site, ApiContext.Actor(context), source, ct).ConfigureAwait(false)
                : await intake.StartAsync(new SiteDeployRequest { Site = site, Revision = revision, DryRun = dryRun, Actor = ApiContext.Actor(context), Source = source }, ct)
                    .ConfigureAwait(false);
        }
        catch (SiteSourceException e)
        {
            return Unavailable(e);
        }

        return result.Answer switch
        {
            SiteDeployAnswer.Started => Results.Json(DeployObject(result.Deploy!), statusCode: StatusCodes.Status201Created),
            SiteDeployAnswer.UnknownSite => Problems.NotFound($"site '{site}'"),
            SiteDeployAnswer.Busy => Problems.Conflict(result.Active is { } a
                ? $"site '{site}' is being deployed: deploy {a.Id} (PipelineRun {a.RunName}, revision {a.ToRevision}, asked by {a.Actor}); wait for it to finish"
                : $"site '{site}' is being deployed; wait for it to finish"),
            _ => Problems.BadRequest(result.Message ?? "the deploy cannot start"),
        };
    }

    /// <summary>A site's latest drift check (<c>GET /api/v1/sites/SITE/drift</c>); 404 when the site is unknown or was never checked.</summary>
    private static async Task<IResult> DriftAsync(string site, SiteRepositoryCache cache, IRunStore store, CancellationToken ct)
    {
        if (!cache.Configured)
        {
            return NoRepository();
        }

        if (await store.GetSiteDriftAsync(site, ct).ConfigureAwait(false) is { } drift)
        {
            return Results.Json(DriftObject(drift));
        }

        return await store.GetSiteStateAsync(site, ct).ConfigureAwait(false) is null
            ? Problems.NotFound($"site '{site}' (or it has never been deployed, so there is no drift to check)")
            : Problems.NotFound($"drift of site '{site}' (not checked yet; POST to this path checks now)");
    }

    /// <summary>Checks a site for drift now (<c>POST /api/v1/sites/SITE/drift</c>) and answers the result.</summary>
    private static async Task<IResult> CheckDriftAsync(string site, SiteRepositoryCache cache, SiteDriftMonitor monitor, CancellationToken ct)
    {
        if (!cache.Configured)
        {
            return NoRepository();
        }

        SiteDriftReport? drift;
        try
        {
            drift = await monitor.CheckAsync(site, ct).ConfigureAwait(false);
        }
        catch (SiteSourceException e)
        {
            return Unavailable(e);
        }

        return drift is null
            ? Problems.NotFound($"site '{site}' with a deployed revision (drift compares a cluster with the revision a site has deployed)")
            : Results.Json(DriftObject(drift));
    }

    /// <summary>Adds <paramref name="drift"/> to a site object as <c>drift</c>; absent when the site was never checked.</summary>
    private static JsonObject WithDrift(JsonObject site, SiteDriftReport? drift)
    {
        if (drift is not null)
        {
            site["drift"] = DriftObject(drift);
        }

        return site;
    }

    /// <summary>A drift check as the API shows it.</summary>
    public static JsonObject DriftObject(SiteDriftReport d) => new()
    {
        ["state"] = d.State,
        ["checkedAt"] = RunObjectWriter.Time(d.CheckedAt),
        ["revision"] = d.Revision,
        ["error"] = d.Error,
        ["services"] = new JsonArray([.. d.Services.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Service,
            ["release"] = s.Release,
            ["namespace"] = s.Namespace,
            ["state"] = s.State,
            ["desiredChart"] = s.DesiredChart,
            ["deployedChart"] = s.DeployedChart,
            ["missing"] = s.Missing,
            ["chartMismatch"] = s.ChartMismatch,
            ["differences"] = new JsonArray([.. s.Differences.Select(x => (JsonNode)new JsonObject
            {
                ["path"] = x.Path, ["kind"] = x.Kind, ["desired"] = x.Desired, ["deployed"] = x.Deployed,
            })]),
            ["error"] = s.Error,
        })]),
    };

    /// <summary>A site as the API shows it.</summary>
    private static JsonObject SiteObject(string name, SiteDefinition? definition, SiteState? state, SiteDeploy? active, bool services)
    {
        var o = new JsonObject
        {
            ["name"] = name,
            ["environment"] = definition?.Environment,
            ["region"] = definition?.Region,
            ["executor"] = definition?.Executor.Kind,
            ["revision"] = state?.Revision,
            ["deployedAt"] = Time(state?.DeployedAt),
            ["deployRun"] = state?.RunName,
            ["deployedBy"] = state?.Actor,
            ["lastResult"] = state?.LastResult,
            ["lastFinishedAt"] = Time(state?.LastFinishedAt),
            ["runningDeploy"] = active is null ? null : DeployObject(active),
        };
        if (services)
        {
            o["services"] = new JsonArray([.. (state?.Services ?? []).Select(s => (JsonNode)new JsonObject
            {
                ["name"] = s.Service,
                ["chart"] = s.Chart,
                ["version"] = s.Version,
                ["valuesDigest"] = s.ValuesDigest,
                ["revision"] = s.Revision,
                ["deployedAt"] = Time(s.DeployedAt),
            })]);
        }

        return o;
    }

    /// <summary>A deploy as the API shows it.</summary>
    public static JsonObject DeployObject(SiteDeploy d) => new()
    {
        ["id"] = d.Id,
        ["site"] = d.Site,
        ["fromRevision"] = d.FromRevision,
        ["toRevision"] = d.ToRevision,
        ["run"] = new JsonObject { ["kind"] = "PipelineRun", ["name"] = d.RunName, ["uid"] = d.RunUid },
        ["actor"] = d.Actor,
        ["source"] = d.Source,
        ["dryRun"] = d.DryRun,
        ["requestedAt"] = Time(d.RequestedAt),
        ["startedAt"] = Time(d.StartedAt),
        ["finishedAt"] = Time(d.FinishedAt),
        ["result"] = d.Result,
        ["services"] = new JsonArray([.. d.Services.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Service, ["chart"] = s.Chart, ["version"] = s.Version, ["valuesDigest"] = s.ValuesDigest,
        })]),
    };

    private static string? Time(DateTimeOffset? t) => t is { } v ? RunObjectWriter.Time(v) : null;
}
