using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Mothership.Cloud.Sources;
using Mothership.Cloud.Access;
using Mothership.Server.Access;
using Mothership.Server.Api;

namespace Mothership.Server.Promotion;

/// <summary>
/// <c>POST /api/v1/sites/{site}/promotions {"revision": R}</c>: opens (or updates) the site's
/// deployment pull request to propose R — older than what the site runs is a rollback, planned the
/// same way. Answers 201 with the pull request; 404 without promotion (no GitHub, no site
/// repository, or no <c>spec.promotion</c> in its cloud.yaml) or for an unknown site.
/// </summary>
internal static class PromotionEndpoints
{
    /// <summary>Proposing a revision for a site is asking to deploy it: create on the site's deploys.</summary>
    public static void Map(IEndpointRouteBuilder api) =>
        api.MapPost("/sites/{site}/promotions", ProposeAsync).RequireAccess(AccessResources.Deploys, AccessActions.Create, AccessObjects.Site());

    private static async Task<IResult> ProposeAsync(string site, HttpContext context, CancellationToken ct)
    {
        if (context.RequestServices.GetService<SitePromotion>() is not { } promotion)
        {
            return Problems.NotFound("promotion: the server has no GitHub bot and site repository (Mothership__GitHub__*, Mothership__Ci__*, Mothership__Cloud__Repository)");
        }

        string? revision;
        try
        {
            var body = await ApiContext.BodyAsync(context.Request, ct).ConfigureAwait(false);
            revision = (string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body) as JsonObject)?["revision"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return Problems.BadRequest($"body: not a promotion ({e.Message.Split('\n')[0]}); send {{\"revision\": \"...\"}}");
        }

        if (revision is null || revision.Length > 200 || revision.StartsWith('-') || revision.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            return Problems.BadRequest("revision: required, a commit, branch or tag of the site repository (no spaces, not starting with '-')");
        }

        try
        {
            if (await promotion.ViewAsync(ct).ConfigureAwait(false) is not { } view)
            {
                return Problems.NotFound("promotion: the site repository's cloud.yaml declares no spec.promotion (or no GitHub repository for it)");
            }

            if (!view.Sites.ContainsKey(site))
            {
                return Problems.NotFound($"site '{site}'");
            }

            var pullRequest = await promotion.ProposeAsync(view, site, revision, ct).ConfigureAwait(false);
            return pullRequest is null
                ? Problems.BadRequest($"site '{site}' is deployed on demand (the first environment of cloud.yaml's promotion), not by a deployment pull request")
                : Results.Json(new JsonObject
                {
                    ["site"] = site,
                    ["revision"] = revision,
                    ["pullRequest"] = new JsonObject { ["number"] = pullRequest.Number, ["title"] = pullRequest.Title, ["head"] = pullRequest.HeadRef },
                }, statusCode: StatusCodes.Status201Created);
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest(e.Message);
        }
        catch (SiteSourceException e)
        {
            return Problems.Of(StatusCodes.Status503ServiceUnavailable, "Site repository unavailable", e.Message);
        }
    }
}
