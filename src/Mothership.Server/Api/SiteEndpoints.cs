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
using Mothership.Server.Cloud;
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
        api.MapGet("/sites", ListAsync);
        api.MapGet("/sites/{site}", GetAsync);
        api.MapGet("/sites/{site}/history", HistoryAsync);
        api.MapPost("/sites/{site}/deploys", DeployAsync);
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

    private static async Task<IResult> ListAsync(SiteRepositoryCache cache, IRunStore store, CancellationToken ct)
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

        var states = (await store.ListSiteStatesAsync(ct).ConfigureAwait(false)).ToDictionary(s => s.Site, StringComparer.Ordinal);
        var active = (await store.ListActiveSiteDeploysAsync(ct).ConfigureAwait(false)).ToDictionary(d => d.Site, StringComparer.Ordinal);
        return Results.Json(new JsonObject
        {
            ["items"] = new JsonArray([.. sites.Select(s => (JsonNode)SiteObject(s.Name, s.Definition, states.GetValueOrDefault(s.Name), active.GetValueOrDefault(s.Name), services: false))]),
        });
    }

    private static async Task<IResult> GetAsync(string site, SiteRepositoryCache cache, IRunStore store, CancellationToken ct)
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
        return Results.Json(SiteObject(site, sites.FirstOrDefault(s => s.Name == site).Definition, state, active, services: true));
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
            result = await intake.StartAsync(new SiteDeployRequest { Site = site, Revision = revision, DryRun = dryRun, Actor = ApiContext.Actor(context), Source = source }, ct)
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
