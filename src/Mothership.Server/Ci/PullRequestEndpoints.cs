using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mothership.Server.Api;
using Mothership.Cloud.Access;
using Mothership.Server.Access;
using Mothership.Store;

namespace Mothership.Server.Ci;

/// <summary>
/// <c>GET /api/v1/pullrequests/{owner}/{repo}/{number}</c>: a pull request as its last
/// <c>pull_request</c> webhook showed it (read-only), for <c>mship release-notes</c> when GitHub
/// cannot be reached.
/// </summary>
internal static class PullRequestEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/pullrequests/{owner}/{repo}/{number:int}", async (IRunStore store, string owner, string repo, int number, CancellationToken ct) =>
        {
            var pr = await store.GetPullRequestAsync(owner + "/" + repo, number, ct).ConfigureAwait(false);
            return pr is null
                ? Problems.NotFound($"pull request {owner}/{repo}#{number}")
                : Results.Json(new
                {
                    repository = pr.Repository,
                    number = pr.Number,
                    title = pr.Title,
                    body = pr.Body,
                    author = pr.Author,
                    labels = pr.Labels,
                    mergeCommitSha = pr.MergeCommitSha,
                    mergedAt = pr.MergedAt,
                    updatedAt = pr.UpdatedAt,
                });
        }).RequireAccess(AccessResources.Settings, AccessActions.Get, AccessObjects.Fixed(AccessObjects.Ci));
    }
}
