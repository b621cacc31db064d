using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Mothership.Ci.Flakes;
using Mothership.Ci.Hooks;
using Mothership.Ci.Tide;
using Mothership.Cloud.Access;
using Mothership.Server.Access;
using Mothership.Server.Api;
using Mothership.Store;

namespace Mothership.Server.Ci;

/// <summary>
/// <c>POST /hook</c>, GitHub's webhook (Prow's path), <c>GET /api/v1/deliveries</c>, what
/// arrived and what came of it, <c>GET /api/v1/jobresults</c>, <c>GET /api/v1/flakes</c> and
/// <c>GET /api/v1/mergepool</c>. The hook takes no bearer token: its signature is its credential.
/// </summary>
internal static class HookEndpoints
{
    /// <summary>The hook's path; <see cref="Identity.RequireIdentityMiddleware"/> lets it through unauthenticated.</summary>
    public const string HookPath = "/hook";

    /// <summary>How many deliveries the list answers at most.</summary>
    private const int MaxListed = 500;

    public static void Map(IEndpointRouteBuilder app, IEndpointRouteBuilder api)
    {
        app.MapPost(HookPath, ReceiveAsync);
        var ci = AccessObjects.Fixed(AccessObjects.Ci);
        api.MapGet("/deliveries", async (IRunStore store, int? limit, CancellationToken ct) =>
        {
            var items = await store.ListDeliveriesAsync(Math.Clamp(limit ?? 100, 1, MaxListed), ct).ConfigureAwait(false);
            return Results.Json(new
            {
                items = items.Select(d => new
                {
                    id = d.Id,
                    @event = d.Event,
                    hookId = d.HookId,
                    receivedAt = d.ReceivedAt,
                    attempts = d.Attempts,
                    handledAt = d.HandledAt,
                    outcome = d.Outcome,
                }),
            });
        }).RequireAccess(AccessResources.Settings, AccessActions.Get, ci);
        api.MapGet("/flakes", FlakesAsync).RequireAccess(AccessResources.Settings, AccessActions.Get, ci);
        api.MapGet("/mergepool", MergePool).RequireAccess(AccessResources.Settings, AccessActions.Get, ci);
        api.MapGet("/jobresults", async (IRunStore store, string? repository, int? pull, string? sha, string? job, int? limit, CancellationToken ct) =>
        {
            var items = await store.ListJobResultsAsync(new JobResultQuery
            {
                Repository = repository, Pull = pull, Sha = sha, Job = job, Limit = Math.Clamp(limit ?? 100, 1, MaxListed),
            }, ct).ConfigureAwait(false);
            return Results.Json(new
            {
                items = items.Select(r => new
                {
                    job = r.Job,
                    type = r.Type,
                    repository = r.Repository,
                    pull = r.Pull,
                    sha = r.Sha,
                    baseRef = r.BaseRef,
                    context = r.Context,
                    optional = r.Optional,
                    state = r.State,
                    reported = r.Reported,
                    runKind = r.RunKind,
                    runName = r.RunName,
                    createdAt = r.CreatedAt,
                    updatedAt = r.UpdatedAt,
                }),
            });
        }).RequireAccess(AccessResources.Settings, AccessActions.Get, ci);
    }

    /// <summary>
    /// <c>GET /api/v1/mergepool</c>: the merge pool as its last sync left it, per repository and
    /// branch — the pull requests in the pool in merge order, the batch under test, those retested
    /// alone, those merged, and each one's <c>tide</c> status (why it waits). Empty without a
    /// job config or <c>tide</c> queries.
    /// </summary>
    private static IResult MergePool(HttpContext context)
    {
        var last = context.RequestServices.GetService<MergePool>()?.Last;
        return Results.Json(new
        {
            syncedAt = last?.At,
            pools = (last?.Sync.Pools ?? []).Select(p => new
            {
                repository = p.Repository,
                branch = p.Branch,
                baseSha = p.BaseSha,
                inPool = p.InPool,
                batch = p.Batch,
                retested = p.Retested,
                merged = p.Merged,
                pulls = p.Statuses.Select(s => new { number = s.Key, state = s.Value.State.ToString().ToLowerInvariant(), description = s.Value.Description }),
            }),
        });
    }

    /// <summary><c>GET /api/v1/flakes</c>: flakes counted per repository, job and week, and the latest ones.</summary>
    private static async Task<IResult> FlakesAsync(FlakeReport report, string? repository, CancellationToken ct)
    {
        var flakes = (await report.FlakesAsync(ct).ConfigureAwait(false)).Where(f => repository is null || f.Repository == repository).ToList();
        return Results.Json(new
        {
            weeks = FlakeLedger.Count(flakes).Select(c => new { repository = c.Repository, job = c.Job, week = c.Week, count = c.Count }),
            items = flakes.Take(MaxListed).Select(f => new
            {
                repository = f.Repository,
                job = f.Job,
                pull = f.Pull,
                sha = f.Sha,
                failedRun = f.FailedRun,
                passedAt = f.PassedAt,
                week = f.Week,
            }),
        });
    }

    private static async Task<IResult> ReceiveAsync(HttpContext context, CancellationToken ct)
    {
        if (context.RequestServices.GetService<WebhookIntake>() is not { } intake)
        {
            return Problems.Of(StatusCodes.Status404NotFound, "No webhook configured",
                "this server takes no webhooks: give it the hook's secret (Mothership__GitHub__WebhookSecretFile)");
        }

        // The raw bytes, as signed; Kestrel's body limit (Mothership:MaxRequestBytes) bounds them.
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, ct).ConfigureAwait(false);
        var headers = context.Request.Headers;
        var answer = await intake.ReceiveAsync(
            headers["X-Hub-Signature-256"].FirstOrDefault(), headers["X-GitHub-Event"].FirstOrDefault(), headers["X-GitHub-Delivery"].FirstOrDefault(),
            headers["X-GitHub-Hook-ID"].FirstOrDefault(), buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct).ConfigureAwait(false);
        if (answer.Stored)
        {
            context.RequestServices.GetRequiredService<DeliveryService>().Wake();
        }

        return answer.Status == StatusCodes.Status200OK
            ? Results.Text(answer.Message + "\n")
            : Problems.Of(answer.Status, answer.Status == StatusCodes.Status401Unauthorized ? "Unauthorized" : "Bad request", answer.Message);
    }
}
